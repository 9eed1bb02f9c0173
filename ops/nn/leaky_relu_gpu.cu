// LeakyReLU on the GPU; rrelu's slopes from cuRAND's Philox generator (as
// Dropout's mask).
#include <curand_kernel.h>

#include "core/op/kernel.h"
#include "ops/common/cuda_loops.cuh"
#include "ops/common/kernel_util.h"
#include "ops/nn/leaky_relu.h"

namespace mx {
namespace ops {
namespace {

template <typename T>
class LeakyReLUGpu : public NodeKernel {
 public:
  explicit LeakyReLUGpu(const KernelSetup& s)
      : NodeKernel(s),
        act_(LeakyOf(s.params<LeakyReLUParam>().act_type)),
        slope_(s.params<LeakyReLUParam>().slope),
        lower_(s.params<LeakyReLUParam>().lower_bound),
        upper_(s.params<LeakyReLUParam>().upper_bound),
        channels_(s.in_shapes[0].ndim() >= 2
                      ? SplitAt(s.in_shapes[0], 1)
                      : AxisSplit{1, 1, s.in_shapes[0].Size()}) {}

  bool NeedsRandom() const override { return act_ == Leaky::kRReLU; }

  void Forward(const KernelContext& ctx, const ForwardArgs& a) override {
    const T* x = a.inputs[0].ptr<T>();
    T* y = a.outputs[0].ptr<T>();
    const int64_t n = a.inputs[0].Size();
    const T slope = T(slope_);
    const auto store = [&](auto f) {
      cu::StoreEach(ctx, where_, a.req[0], y, n, f);
    };
    switch (act_) {
      case Leaky::kLeaky:
        return store([=] __device__(int64_t i) {
          return x[i] > T(0) ? x[i] : slope * x[i];
        });
      case Leaky::kELU:
        return store([=] __device__(int64_t i) {
          return x[i] > T(0) ? x[i] : T(slope * expm1(x[i]));
        });
      case Leaky::kPReLU: {
        const T* gamma = a.inputs[1].ptr<T>();
        const int64_t extent = channels_.extent, inner = channels_.inner;
        return store([=] __device__(int64_t i) {
          const T v = x[i];
          return v > T(0) ? v : gamma[(i / inner) % extent] * v;
        });
      }
      case Leaky::kRReLU: {
        T* mask = a.outputs[1].ptr<T>();
        if (ctx.is_train) {
          const double lower = lower_, span = upper_ - lower_;
          const unsigned long long seed = (*ctx.rng)();
          cu::ForEach(ctx, where_, n, [=] __device__(int64_t i) {
            curandStatePhilox4_32_10_t state;
            curand_init(seed, static_cast<unsigned long long>(i), 0, &state);
            mask[i] = T(lower + span * (1.0 - curand_uniform_double(&state)));
          });
        } else {
          const T mean = T((lower_ + upper_) / 2);
          cu::ForEach(ctx, where_, n,
                      [=] __device__(int64_t i) { mask[i] = mean; });
        }
        return store([=] __device__(int64_t i) {
          return x[i] > T(0) ? x[i] : mask[i] * x[i];
        });
      }
    }
  }

  void Backward(const KernelContext& ctx, const BackwardArgs& a) override {
    const T* g = a.out_grads[0].ptr<T>();
    const T* x = a.inputs[0].ptr<T>();
    T* dx = a.in_grads[0].ptr_or_null<T>();
    const int64_t n = a.out_grads[0].Size();
    const T slope = T(slope_);
    const auto store = [&](auto f) {
      cu::StoreEach(ctx, where_, a.req[0], dx, n, f);
    };
    switch (act_) {
      case Leaky::kLeaky:
        return store([=] __device__(int64_t i) {
          return x[i] > T(0) ? g[i] : slope * g[i];
        });
      case Leaky::kELU:
        return store([=] __device__(int64_t i) {
          return x[i] > T(0) ? g[i] : T(slope * exp(x[i])) * g[i];
        });
      case Leaky::kRReLU: {
        const T* mask = a.outputs[1].ptr<T>();
        return store([=] __device__(int64_t i) {
          return x[i] > T(0) ? g[i] : mask[i] * g[i];
        });
      }
      case Leaky::kPReLU: {
        const T* gamma = a.inputs[1].ptr<T>();
        const int64_t extent = channels_.extent, inner = channels_.inner;
        store([=] __device__(int64_t i) {
          return x[i] > T(0) ? g[i] : gamma[(i / inner) % extent] * g[i];
        });
        // dgamma[c] = sum of g x over the non-positive x of channel c.
        cu::ChannelSums<T>(ctx, where_, channels_, a.req[1],
                           a.in_grads[1].ptr_or_null<T>(),
                           [=] __device__(int64_t i) {
                             return x[i] > T(0) ? T(0) : g[i] * x[i];
                           });
        return;
      }
    }
  }

 private:
  Leaky act_;
  double slope_, lower_, upper_;
  AxisSplit channels_;  // data around axis 1; 1-D data is one channel
};

}  // namespace

MX_REGISTER_KERNEL(LeakyReLU, kGPU, kOptimized)
    .Types({DType::kFloat32, DType::kFloat64})
    .Factory(TypedFactory<LeakyReLUGpu>());

}  // namespace ops
}  // namespace mx
