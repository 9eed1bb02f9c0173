// Activation's optimized CPU kernel: float32 relu, sigmoid and tanh on the
// vectorized math of ops/common/vector_math.h, forward and backward split
// over the intra-op threads.
#include <algorithm>
#include <cstdint>
#include <string>

#include "core/base/multiversion.h"
#include "core/engine/parallel.h"
#include "core/op/kernel.h"
#include "ops/common/kernel_util.h"
#include "ops/common/vector_math.h"
#include "ops/nn/activation.h"

namespace mx {
namespace ops {
namespace {

// dx = (or +=) relu'(y) g over [0, n), as a mask (random signs would
// mispredict a branch).
MX_MULTIVERSION void ReluGrad(const float* y, const float* g, float* dx,
                              int64_t n, bool add) {
  if (add) {
    for (int64_t i = 0; i < n; ++i) dx[i] += KeepIf(g[i], y[i] > 0.f);
  } else {
    for (int64_t i = 0; i < n; ++i) dx[i] = KeepIf(g[i], y[i] > 0.f);
  }
}

bool IsVectorized(const std::string& act_type) {
  return act_type == "relu" || act_type == "sigmoid" || act_type == "tanh";
}

class ActivationVec : public OpKernel {
 public:
  explicit ActivationVec(const KernelSetup& s)
      : act_type_(s.params<ActivationParam>().act_type) {}

  void Forward(const KernelContext&, const ForwardArgs& a) override {
    const float* x = a.inputs[0].ptr<float>();
    float* y = a.outputs[0].ptr<float>();
    const OpReq req = a.req[0];
    if (req == OpReq::kNull) return;
    ParallelFor(a.outputs[0].Size(), kGrain, [&](int64_t b, int64_t e) {
      if (req != OpReq::kAdd) return Apply(x + b, y + b, e - b);
      // Through a small buffer that stays in cache.
      float buf[kChunk];
      for (int64_t i = b; i < e; i += kChunk) {
        const int64_t m = std::min(kChunk, e - i);
        Apply(x + i, buf, m);
        for (int64_t j = 0; j < m; ++j) y[i + j] += buf[j];
      }
    });
  }

  // dx = g * act'(y), where act' is a function of the output y.
  void Backward(const KernelContext&, const BackwardArgs& a) override {
    const OpReq req = a.req[0];
    if (req == OpReq::kNull) return;
    const float* g = a.out_grads[0].ptr<float>();
    const float* y = a.outputs[0].ptr<float>();
    float* dx = a.in_grads[0].ptr<float>();
    const bool add = req == OpReq::kAdd;
    ParallelFor(a.out_grads[0].Size(), kGrain, [&](int64_t b, int64_t e) {
      if (act_type_ == "tanh") {
        Store(add, b, e, dx,
              [&](int64_t i) { return g[i] * (1.f - y[i] * y[i]); });
      } else if (act_type_ == "sigmoid") {
        Store(add, b, e, dx,
              [&](int64_t i) { return g[i] * y[i] * (1.f - y[i]); });
      } else {
        ReluGrad(y + b, g + b, dx + b, e - b, add);
      }
    });
  }

 private:
  static constexpr int64_t kGrain = 1 << 14;
  static constexpr int64_t kChunk = 1024;

  // dx[i] = (or +=) f(i) for i in [b, e); a loop the compiler vectorizes.
  template <typename F>
  static void Store(bool add, int64_t b, int64_t e, float* dx, F f) {
    if (add) {
      for (int64_t i = b; i < e; ++i) dx[i] += f(i);
    } else {
      for (int64_t i = b; i < e; ++i) dx[i] = f(i);
    }
  }

  // y = act(x); y may be x.
  void Apply(const float* x, float* y, int64_t n) const {
    if (act_type_ == "tanh") return VecTanh(x, y, n);
    if (act_type_ == "sigmoid") return VecSigmoid(x, y, n);
    for (int64_t i = 0; i < n; ++i) y[i] = x[i] > 0.f ? x[i] : 0.f;
  }

  std::string act_type_;
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
