// FullyConnected on cuBLAS (the GPU kernel).
#include "core/op/kernel.h"
#include "ops/common/cuda_libs.h"
#include "ops/common/cuda_loops.cuh"
#include "ops/common/kernel_util.h"
#include "ops/nn/fully_connected.h"

namespace mx {
namespace ops {
namespace {

template <typename T>
class FullyConnectedCublas : public NodeKernel {
 public:
  explicit FullyConnectedCublas(const KernelSetup& s)
      : NodeKernel(s), dims_(FullyConnectedDims::Of(s)) {}

  void Forward(const KernelContext& ctx, const ForwardArgs& a) override {
    const int64_t m = dims_.m, k = dims_.k, h = dims_.h;
    T* out = a.outputs[0].ptr<T>();
    OpReq req = a.req[0];
    if (req == OpReq::kNull) return;
    if (dims_.bias) {
      // out = bias rows (or out += bias rows), then out += x w^T.
      const T* b = a.inputs[2].ptr<T>();
      const bool add = req == OpReq::kAdd;
      cu::ForEach(ctx, where_, m * h, [=] __device__(int64_t i) {
        out[i] = add ? out[i] + b[i % h] : b[i % h];
      });
      req = OpReq::kAdd;
    }
    GpuMatMul(ctx, where_, false, true, m, h, k, a.inputs[0].ptr<T>(),
              a.inputs[1].ptr<T>(), out, req);
  }

  void Backward(const KernelContext& ctx, const BackwardArgs& a) override {
    const int64_t m = dims_.m, k = dims_.k, h = dims_.h;
    const T* g = a.out_grads[0].ptr<T>();
    // dx (m, k) = g (m, h) w (h, k); dw (h, k) = g^T x.
    GpuMatMul(ctx, where_, false, false, m, k, h, g, a.inputs[1].ptr<T>(),
              a.in_grads[0].ptr_or_null<T>(), a.req[0]);
    GpuMatMul(ctx, where_, true, false, h, k, m, g, a.inputs[0].ptr<T>(),
              a.in_grads[1].ptr_or_null<T>(), a.req[1]);
    if (dims_.bias) {
      cu::SumRows(ctx, where_, g, m, h, a.in_grads[2].ptr_or_null<T>(),
                  a.req[2]);
    }
  }

 private:
  FullyConnectedDims dims_;
};

}  // namespace

MX_REGISTER_KERNEL(FullyConnected, kGPU, kOptimized)
    .Types({DType::kFloat32, DType::kFloat64})
    .Factory(TypedFactory<FullyConnectedCublas>());

}  // namespace ops
}  // namespace mx
