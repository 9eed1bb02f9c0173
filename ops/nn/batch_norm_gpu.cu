// BatchNorm on the GPU: one block per channel for the statistics and the
// parameter gradients, elementwise kernels for the rest. Our own kernels
// rather than cuDNN's: cuDNN keeps the unbiased variance in moving_var where
// MXNet's CPU kernel (and ours) keep the biased one, and a model must not
// change with the device it was trained on.
#include <cmath>

#include "core/op/kernel.h"
#include "ops/common/cuda_loops.cuh"
#include "ops/common/kernel_util.h"
#include "ops/nn/batch_norm.h"

namespace mx {
namespace ops {
namespace {

// The block's sum of v, in every thread.
template <typename T>
__device__ T BroadcastSum(T v) {
  __shared__ T total;
  v = cu::BlockSum(v);
  if (threadIdx.x == 0) total = v;
  __syncthreads();
  const T result = total;
  __syncthreads();
  return result;
}

// Batch statistics of each channel: mean, biased variance, and the moving
// statistics updated.
template <typename T>
__global__ void BatchStatsKernel(const T* x, AxisSplit s, T momentum, T* mean,
                                 T* var, T* moving_mean, T* moving_var) {
  const int64_t count = s.outer * s.inner;
  for (int64_t c = blockIdx.x; c < s.extent; c += gridDim.x) {
    T sum = 0;
    for (int64_t j = threadIdx.x; j < count; j += blockDim.x) {
      sum += x[((j / s.inner) * s.extent + c) * s.inner + j % s.inner];
    }
    const T m = BroadcastSum(sum) / T(count);
    T sq = 0;
    for (int64_t j = threadIdx.x; j < count; j += blockDim.x) {
      const T d = x[((j / s.inner) * s.extent + c) * s.inner + j % s.inner] - m;
      sq += d * d;
    }
    sq = BroadcastSum(sq);
    if (threadIdx.x == 0) {
      mean[c] = m;
      var[c] = sq / T(count);
      moving_mean[c] = moving_mean[c] * momentum + m * (T(1) - momentum);
      moving_var[c] = moving_var[c] * momentum + var[c] * (T(1) - momentum);
    }
  }
}

// The output gradient at `at`, masked where the fused ReLU's output y is 0
// when y is given.
template <typename T>
__device__ T MaskedGrad(const T* g, const T* y, int64_t at) {
  return y == nullptr || y[at] > T(0) ? g[at] : T(0);
}

// Per channel: dbeta = sum g, dgamma = sum g xhat (stored as the reqs say),
// and their means over the channel into mg, mgx (the dx kernel's terms); g
// masked by y when given.
template <typename T>
__global__ void BatchNormGradKernel(const T* g, const T* y, const T* x,
                                    const T* mean, const T* var, AxisSplit s,
                                    T eps, bool fix_gamma, OpReq gamma_req,
                                    T* dgamma, OpReq beta_req, T* dbeta, T* mg,
                                    T* mgx) {
  const int64_t count = s.outer * s.inner;
  for (int64_t c = blockIdx.x; c < s.extent; c += gridDim.x) {
    const T istd = T(1) / sqrt(var[c] + eps);
    T sum_g = 0, sum_gx = 0;
    for (int64_t j = threadIdx.x; j < count; j += blockDim.x) {
      const int64_t at = ((j / s.inner) * s.extent + c) * s.inner + j % s.inner;
      const T gv = MaskedGrad(g, y, at);
      sum_g += gv;
      sum_gx += gv * (x[at] - mean[c]) * istd;
    }
    sum_g = BroadcastSum(sum_g);
    sum_gx = BroadcastSum(sum_gx);
    if (threadIdx.x == 0) {
      const T dg = fix_gamma ? T(0) : sum_gx;
      if (gamma_req == OpReq::kAdd) {
        dgamma[c] += dg;
      } else if (gamma_req != OpReq::kNull) {
        dgamma[c] = dg;
      }
      if (beta_req == OpReq::kAdd) {
        dbeta[c] += sum_g;
      } else if (beta_req != OpReq::kNull) {
        dbeta[c] = sum_g;
      }
      mg[c] = sum_g / T(count);
      mgx[c] = sum_gx / T(count);
    }
  }
}

template <typename T>
class BatchNormGpu : public NodeKernel {
 public:
  explicit BatchNormGpu(const KernelSetup& s)
      : NodeKernel(s), p_(s.params<BatchNormParam>()), relu_(WithReLU(s)) {
    const Shape& d = s.in_shapes[0];
    split_ = SplitAt(d, PositiveAxis(p_.axis, d.ndim()));
  }

  // The per-channel means of g and g xhat.
  size_t BackwardWorkspace() const override {
    return 2 * split_.extent * sizeof(T);
  }

  void Forward(const KernelContext& ctx, const ForwardArgs& a) override {
    const T* x = a.inputs[0].ptr<T>();
    const T* gamma = a.inputs[1].ptr<T>();
    const T* beta = a.inputs[2].ptr<T>();
    T* moving_mean = a.inputs[3].ptr<T>();
    T* moving_var = a.inputs[4].ptr<T>();
    T* mean = a.outputs[1].ptr<T>();
    T* var = a.outputs[2].ptr<T>();
    const AxisSplit s = split_;
    if (ctx.is_train && !p_.use_global_stats) {
      BatchStatsKernel<<<Blocks(), cu::kThreads, 0, cu::StreamOf(ctx)>>>(
          x, s, T(p_.momentum), mean, var, moving_mean, moving_var);
      CheckLaunch(where_);
    } else {
      cu::ForEach(ctx, where_, s.extent, [=] __device__(int64_t c) {
        mean[c] = moving_mean[c];
        var[c] = moving_var[c];
      });
    }
    const T eps = T(p_.eps);
    const bool fix_gamma = p_.fix_gamma, relu = relu_;
    cu::StoreEach(ctx, where_, a.req[0], a.outputs[0].ptr<T>(), Elements(),
                  [=] __device__(int64_t i) {
                    const int64_t c = (i / s.inner) % s.extent;
                    const T scale =
                        (fix_gamma ? T(1) : gamma[c]) / sqrt(var[c] + eps);
                    const T v = x[i] * scale + (beta[c] - mean[c] * scale);
                    return !relu || v > T(0) ? v : T(0);
                  });
  }

  void Backward(const KernelContext& ctx, const BackwardArgs& a) override {
    const T* g = a.out_grads[0].ptr<T>();
    const T* y = relu_ ? a.outputs[0].ptr<T>() : nullptr;
    const T* x = a.inputs[0].ptr<T>();
    const T* gamma = a.inputs[1].ptr<T>();
    const bool global = p_.use_global_stats;
    const T* mean = global ? a.inputs[3].ptr<T>() : a.outputs[1].ptr<T>();
    const T* var = global ? a.inputs[4].ptr<T>() : a.outputs[2].ptr<T>();
    const AxisSplit s = split_;
    T* mg = static_cast<T*>(ctx.workspace);
    T* mgx = mg + s.extent;
    const T eps = T(p_.eps);
    const bool fix_gamma = p_.fix_gamma;
    BatchNormGradKernel<<<Blocks(), cu::kThreads, 0, cu::StreamOf(ctx)>>>(
        g, y, x, mean, var, s, eps, fix_gamma, a.req[1],
        a.in_grads[1].ptr_or_null<T>(), a.req[2],
        a.in_grads[2].ptr_or_null<T>(), mg, mgx);
    CheckLaunch(where_);
    cu::StoreEach(ctx, where_, a.req[0], a.in_grads[0].ptr_or_null<T>(),
                  Elements(), [=] __device__(int64_t i) {
                    const int64_t c = (i / s.inner) % s.extent;
                    const T istd = T(1) / sqrt(var[c] + eps);
                    const T scale = (fix_gamma ? T(1) : gamma[c]) * istd;
                    const T gv = MaskedGrad(g, y, i);
                    if (global) return gv * scale;
                    const T xhat = (x[i] - mean[c]) * istd;
                    return scale * (gv - mg[c] - xhat * mgx[c]);
                  });
  }

 private:
  unsigned Blocks() const {
    return static_cast<unsigned>(std::min<int64_t>(split_.extent, 65535));
  }
  int64_t Elements() const {
    return split_.outer * split_.extent * split_.inner;
  }

  BatchNormParam p_;
  bool relu_;  // the fused op
  AxisSplit split_;
};

}  // namespace

MX_REGISTER_KERNEL(BatchNorm, kGPU, kOptimized)
    .Types({DType::kFloat32, DType::kFloat64})
    .Factory(TypedFactory<BatchNormGpu>());
MX_REGISTER_KERNEL(_contrib_BatchNormWithReLU, kGPU, kOptimized)
    .Types({DType::kFloat32, DType::kFloat64})
    .Factory(TypedFactory<BatchNormGpu>());

}  // namespace ops
}  // namespace mx
