// Activation on the GPU: one elementwise CUDA kernel per function, the same
// formulas as the CPU kernels (an elementwise op gains nothing from cuDNN's
// activation calls, which lack softrelu and softsign).
#include "core/op/kernel.h"
#include "ops/common/cuda_loops.cuh"
#include "ops/common/kernel_util.h"
#include "ops/nn/activation.h"

namespace mx {
namespace ops {
namespace {

template <typename T>
class ActivationGpu : public NodeKernel {
 public:
  explicit ActivationGpu(const KernelSetup& s)
      : NodeKernel(s), act_(ActOf(s.params<ActivationParam>().act_type)) {}

  void Forward(const KernelContext& ctx, const ForwardArgs& a) override {
    const T* x = a.inputs[0].ptr<T>();
    T* y = a.outputs[0].ptr<T>();
    const int64_t n = a.outputs[0].Size();
    const auto store = [&](auto f) {
      cu::StoreEach(ctx, where_, a.req[0], y, n, f);
    };
    switch (act_) {
      case Act::kRelu:
        return store(
            [=] __device__(int64_t i) { return x[i] > T(0) ? x[i] : T(0); });
      case Act::kSigmoid:
        return store(
            [=] __device__(int64_t i) { return T(1) / (T(1) + exp(-x[i])); });
      case Act::kTanh:
        return store([=] __device__(int64_t i) { return T(tanh(x[i])); });
      case Act::kSoftRelu:
        // log(1 + e^x) without overflow.
        return store([=] __device__(int64_t i) {
          return x[i] > T(0) ? T(x[i] + log1p(exp(-x[i])))
                             : T(log1p(exp(x[i])));
        });
      case Act::kSoftSign:
        return store(
            [=] __device__(int64_t i) { return x[i] / (T(1) + fabs(x[i])); });
    }
  }

  void Backward(const KernelContext& ctx, const BackwardArgs& a) override {
    const T* g = a.out_grads[0].ptr<T>();
    T* dx = a.in_grads[0].ptr_or_null<T>();
    const int64_t n = a.out_grads[0].Size();
    const auto store = [&](auto f) {
      cu::StoreEach(ctx, where_, a.req[0], dx, n, f);
    };
    if (act_ == Act::kSoftSign) {
      const T* x = a.inputs[0].ptr<T>();
      return store([=] __device__(int64_t i) {
        const T d = T(1) + fabs(x[i]);
        return g[i] / (d * d);
      });
    }
    const T* y = a.outputs[0].ptr<T>();
    switch (act_) {
      case Act::kRelu:
        return store(
            [=] __device__(int64_t i) { return y[i] > T(0) ? g[i] : T(0); });
      case Act::kSigmoid:
        return store(
            [=] __device__(int64_t i) { return g[i] * y[i] * (T(1) - y[i]); });
      case Act::kTanh:
        return store(
            [=] __device__(int64_t i) { return g[i] * (T(1) - y[i] * y[i]); });
      case Act::kSoftRelu:
        return store(
            [=] __device__(int64_t i) { return g[i] * T(-expm1(-y[i])); });
      case Act::kSoftSign:
        return;
    }
  }

 private:
  Act act_;
};

}  // namespace

MX_REGISTER_KERNEL(Activation, kGPU, kOptimized)
    .Types({DType::kFloat32, DType::kFloat64})
    .Factory(TypedFactory<ActivationGpu>());

}  // namespace ops
}  // namespace mx
