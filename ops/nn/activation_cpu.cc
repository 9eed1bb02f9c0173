// Activation's optimized CPU kernel: float32 relu, sigmoid and tanh forward
// on the vectorized math of ops/common/vector_math.h; the backward (already
// a cheap function of the output) is the reference kernel's.
#include <algorithm>
#include <memory>
#include <string>

#include "core/op/kernel.h"
#include "ops/common/vector_math.h"
#include "ops/nn/activation.h"

namespace mx {
namespace ops {
namespace {

bool IsVectorized(const std::string& act_type) {
  return act_type == "relu" || act_type == "sigmoid" || act_type == "tanh";
}

class ActivationVec : public OpKernel {
 public:
  explicit ActivationVec(const KernelSetup& s)
      : act_type_(s.params<ActivationParam>().act_type),
        reference_(
            KernelRegistry::Global()
                .Find("Activation", DeviceType::kCPU, KernelVariant::kReference)
                ->Create(s)) {}

  void Forward(const KernelContext&, const ForwardArgs& a) override {
    const float* x = a.inputs[0].ptr<float>();
    float* y = a.outputs[0].ptr<float>();
    const int64_t n = a.outputs[0].Size();
    switch (a.req[0]) {
      case OpReq::kNull:
        return;
      case OpReq::kWrite:
      case OpReq::kInplace:
        return Apply(x, y, n);
      case OpReq::kAdd: {
        // Through a small buffer that stays in cache.
        constexpr int64_t kChunk = 1024;
        float buf[kChunk];
        for (int64_t i = 0; i < n; i += kChunk) {
          const int64_t m = std::min(kChunk, n - i);
          Apply(x + i, buf, m);
          for (int64_t j = 0; j < m; ++j) y[i + j] += buf[j];
        }
        return;
      }
    }
  }

  void Backward(const KernelContext& ctx, const BackwardArgs& a) override {
    reference_->Backward(ctx, a);
  }

 private:
  // y = act(x); y may be x.
  void Apply(const float* x, float* y, int64_t n) const {
    if (act_type_ == "tanh") return VecTanh(x, y, n);
    if (act_type_ == "sigmoid") return VecSigmoid(x, y, n);
    for (int64_t i = 0; i < n; ++i) y[i] = x[i] > 0.f ? x[i] : 0.f;
  }

  std::string act_type_;
  std::unique_ptr<OpKernel> reference_;
};

}  // namespace

MX_REGISTER_KERNEL(Activation, kCPU, kOptimized)
    .Types({DType::kFloat32})
    .Supports([](const KernelSetup& s) {
      return IsVectorized(s.params<ActivationParam>().act_type);
    })
    .Factory(SimpleFactory<ActivationVec>());

}  // namespace ops
}  // namespace mx
