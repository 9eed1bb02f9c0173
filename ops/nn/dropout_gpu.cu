// Dropout on the GPU: the mask from cuRAND's Philox generator (counter-based:
// element i draws from subsequence i of a seed taken from the device's
// random generator, so no generator state lives on the GPU).
#include <curand_kernel.h>

#include "core/op/kernel.h"
#include "ops/common/cuda_loops.cuh"
#include "ops/common/kernel_util.h"
#include "ops/nn/dropout.h"

namespace mx {
namespace ops {
namespace {

template <typename T>
class DropoutGpu : public NodeKernel {
 public:
  explicit DropoutGpu(const KernelSetup& s)
      : NodeKernel(s),
        p_(s.params<DropoutParam>().p),
        always_(s.params<DropoutParam>().mode == "always") {}

  bool NeedsRandom() const override { return true; }

  void Forward(const KernelContext& ctx, const ForwardArgs& a) override {
    const T* x = a.inputs[0].ptr<T>();
    T* mask = a.outputs[1].ptr<T>();
    const int64_t n = a.inputs[0].Size();
    if ((ctx.is_train || always_) && p_ > 0) {
      const T keep = p_ < 1 ? T(1 / (1 - p_)) : T(0);
      const float threshold = static_cast<float>(1 - p_);
      const unsigned long long seed = (*ctx.rng)();
      cu::ForEach(ctx, where_, n, [=] __device__(int64_t i) {
        curandStatePhilox4_32_10_t state;
        curand_init(seed, static_cast<unsigned long long>(i), 0, &state);
        // curand_uniform is in (0, 1]: keep when u <= 1 - p.
        mask[i] = curand_uniform(&state) <= threshold ? keep : T(0);
      });
    } else {
      cu::ForEach(ctx, where_, n, [=] __device__(int64_t i) { mask[i] = 1; });
    }
    cu::StoreEach(ctx, where_, a.req[0], a.outputs[0].ptr<T>(), n,
                  [=] __device__(int64_t i) { return x[i] * mask[i]; });
  }

  void Backward(const KernelContext& ctx, const BackwardArgs& a) override {
    const T* g = a.out_grads[0].ptr<T>();
    const T* mask = a.outputs[1].ptr<T>();
    cu::StoreEach(ctx, where_, a.req[0], a.in_grads[0].ptr_or_null<T>(),
                  a.out_grads[0].Size(),
                  [=] __device__(int64_t i) { return g[i] * mask[i]; });
  }

 private:
  double p_;
  bool always_;
};

}  // namespace

MX_REGISTER_KERNEL(Dropout, kGPU, kOptimized)
    .Types({DType::kFloat32, DType::kFloat64})
    .Factory(TypedFactory<DropoutGpu>());

}  // namespace ops
}  // namespace mx
