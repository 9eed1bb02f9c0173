// _fused_add_relu on the GPU: the formulas of ops/tensor/add_relu.h.
#include "core/op/kernel.h"
#include "ops/common/cuda_loops.cuh"
#include "ops/common/kernel_util.h"
#include "ops/tensor/add_relu.h"

namespace mx {
namespace ops {
namespace {

template <typename T>
class AddReLUGpu : public NodeKernel {
 public:
  explicit AddReLUGpu(const KernelSetup& s) : NodeKernel(s) {}

  void Forward(const KernelContext& ctx, const ForwardArgs& a) override {
    const T* lhs = a.inputs[0].ptr<T>();
    const T* rhs = a.inputs[1].ptr<T>();
    cu::StoreEach(
        ctx, where_, a.req[0], a.outputs[0].ptr<T>(), a.outputs[0].Size(),
        [=] __device__(int64_t i) { return AddReLU(lhs[i], rhs[i]); });
  }

  // The rhs gradient first: with in place, the lhs one shares g's memory
  // (the stream runs them in order).
  void Backward(const KernelContext& ctx, const BackwardArgs& a) override {
    const T* g = a.out_grads[0].ptr<T>();
    const T* y = a.outputs[0].ptr<T>();
    for (int k : {1, 0}) {
      cu::StoreEach(ctx, where_, a.req[k], a.in_grads[k].ptr_or_null<T>(),
                    a.out_grads[0].Size(), [=] __device__(int64_t i) {
                      return AddReLUGrad(g[i], y[i]);
                    });
    }
  }
};

}  // namespace

MX_REGISTER_KERNEL(_fused_add_relu, kGPU, kOptimized)
    .Types({DType::kFloat32, DType::kFloat64})
    .Factory(TypedFactory<AddReLUGpu>());

}  // namespace ops
}  // namespace mx
