#include "ops/nn/dropout.h"

#include <algorithm>
#include <cmath>

#include "core/op/kernel.h"
#include "core/op/op.h"
#include "ops/common/same_shape.h"

namespace mx {
namespace ops {

MX_REGISTER_OP(Dropout)
    .Describe(
        "Dropout: out = x * mask with mask = (U < 1 - p) / (1 - p) in "
        "training (kept in the hidden output mask); identity at inference.")
    .Params<DropoutParam>()
    .Outputs({"output", "mask"})
    .VisibleOutputs([](const NodeAttrs&) { return 1; })
    .InferShape(InferSameShape)
    .Backward([](const NodeAttrs&) {
      return BackwardDeps{{0}, {}, {1}};
    })
    .InplaceForward({{0, 0}})
    .InplaceBackward({{0, 0}});

namespace {

// Training (or mode "always"): mask = (U < 1 - p) / (1 - p), out = x mask;
// otherwise out = x and mask = 1. Alias-safe.
template <typename T>
class DropoutKernel : public OpKernel {
 public:
  explicit DropoutKernel(const KernelSetup& s)
      : p_(s.params<DropoutParam>().p),
        always_(s.params<DropoutParam>().mode == "always") {}

  bool NeedsRandom() const override { return true; }

  void Forward(const KernelContext& ctx, const ForwardArgs& a) override {
    const T* x = a.inputs[0].ptr<T>();
    T* mask = a.outputs[1].ptr<T>();
    const int64_t n = a.inputs[0].Size();
    if ((ctx.is_train || always_) && p_ > 0) {
      const T keep = p_ < 1 ? T(1 / (1 - p_)) : T(0);
      const uint64_t threshold = static_cast<uint64_t>((1 - p_) * 16777216.0);
      for (int64_t i = 0; i < n; ++i) {
        mask[i] = ((*ctx.rng)() >> 40) < threshold ? keep : T(0);
      }
    } else {
      std::fill(mask, mask + n, T(1));
    }
    StoreEach(a.req[0], a.outputs[0].ptr<T>(), n,
              [=](int64_t i) { return x[i] * mask[i]; });
  }

  void Backward(const KernelContext&, const BackwardArgs& a) override {
    const T* g = a.out_grads[0].ptr<T>();
    const T* mask = a.outputs[1].ptr<T>();
    StoreEach(a.req[0], a.in_grads[0].ptr_or_null<T>(), a.out_grads[0].Size(),
              [=](int64_t i) { return g[i] * mask[i]; });
  }

 private:
  double p_;
  bool always_;
};

}  // namespace

MX_REGISTER_KERNEL(Dropout, kCPU, kReference)
    .Types({DType::kFloat32, DType::kFloat64})
    .Factory(TypedFactory<DropoutKernel>());

}  // namespace ops
}  // namespace mx
