// add_n: the elementwise sum of any number of inputs (MXNet's add_n, alias
// ElementWiseSum).
#include "core/op/kernel.h"
#include "core/op/op.h"
#include "ops/common/same_shape.h"
#include "ops/tensor/variadic.h"

namespace mx {
namespace ops {

MX_REGISTER_OP(add_n)
    .Alias("ElementWiseSum")
    .Describe("out = arg0 + arg1 + ... ; every input gets the output gradient.")
    .Params<AddNParam>()
    .Inputs([](const NodeAttrs& a) {
      return VariadicInputNames(a.params<AddNParam>().num_args);
    })
    .VariadicInputs("num_args")
    .InferShape(InferSameShape)
    .Backward([](const NodeAttrs&) {
      return BackwardDeps{{0}, {}, {}};
    })
    .InplaceForward({{0, 0}})
    .InplaceBackward({{0, 0}});

namespace {

// out = sum of the inputs; every input's gradient is the output gradient.
// Alias-safe when out shares input 0's memory.
template <typename T>
class AddNKernel : public OpKernel {
 public:
  explicit AddNKernel(const KernelSetup&) {}

  void Forward(const KernelContext&, const ForwardArgs& a) override {
    T* out = a.outputs[0].ptr<T>();
    const int64_t n = a.outputs[0].Size();
    const T* first = a.inputs[0].ptr<T>();
    if (a.inputs.size() == 1) return StoreArray(a.req[0], out, first, n);
    const T* second = a.inputs[1].ptr<T>();
    StoreEach(a.req[0], out, n,
              [=](int64_t i) { return first[i] + second[i]; });
    for (size_t k = 2; k < a.inputs.size(); ++k) {
      const T* in = a.inputs[k].ptr<T>();
      for (int64_t i = 0; i < n; ++i) out[i] += in[i];
    }
  }

  void Backward(const KernelContext&, const BackwardArgs& a) override {
    // Input 0 last: with in place it shares the output gradient's memory.
    for (size_t k = a.in_grads.size(); k-- > 0;) {
      if (a.req[k] == OpReq::kNull) continue;
      StoreArray(a.req[k], a.in_grads[k].ptr<T>(), a.out_grads[0].ptr<T>(),
                 a.out_grads[0].Size());
    }
  }
};

}  // namespace

MX_REGISTER_KERNEL(add_n, kCPU, kReference)
    .Types({DType::kFloat32, DType::kFloat64})
    .Factory(TypedFactory<AddNKernel>());

}  // namespace ops
}  // namespace mx
