// BatchNorm on the GPU. Our own kernels rather than cuDNN's: cuDNN keeps the
// unbiased variance in moving_var where MXNet's CPU kernel (and ours) keep the
// biased one, and a model must not change with the device it was trained on.
//
// Each channel's sums (forward: x and x^2; backward: g and g (x - mean)) are
// taken in double by blocks of (part, channel) over slices of the channel's
// outer x inner elements, then added per channel in a fixed order (the same
// result every run); a second kernel turns them into per-channel
// coefficients, and one elementwise pass applies them. Every pass reads its
// inputs once, at the memory's bandwidth (one block per channel took 20x
// longer on ResNet-50's first layer).
#include <algorithm>
#include <cmath>

#include "core/op/kernel.h"
#include "ops/common/cuda_loops.cuh"
#include "ops/common/fast_divmod.h"
#include "ops/common/kernel_util.h"
#include "ops/nn/batch_norm.h"

namespace mx {
namespace ops {
namespace {

constexpr int64_t kElementsPerPart = 16 * cu::kThreads;
constexpr int64_t kMaxParts = 1024;
constexpr unsigned kMaxChannelBlocks = 65535;

// A channel's elements j in [0, outer inner) and where they lie in (outer,
// channels, inner) data.
struct ChannelElements {
  Divider inner;  // j -> outer index
  int64_t channels, count;
  __device__ int64_t Offset(int64_t j, int64_t c) const {
    const int64_t o = inner.Div(j);
    return (o * channels + c) * inner.divisor() + (j - o * inner.divisor());
  }
};

// The channel of a flat index of (outer, channels, inner) data.
struct ChannelOf {
  Divider inner, channels;
  __device__ int64_t operator()(int64_t i) const {
    return channels.Mod(inner.Div(i));
  }
};

// Per (part, channel) block: the sums of a(v) and b(v) over the part's slice
// of the channel, where v is the element's offset; into sum_a / sum_b at
// [c parts + part].
template <typename F>
__global__ void PartialSumsKernel(ChannelElements e, int64_t per_part, F f,
                                  double* sum_a, double* sum_b) {
  const int64_t part = blockIdx.x, parts = gridDim.x;
  const int64_t begin = part * per_part;
  const int64_t end = begin + per_part < e.count ? begin + per_part : e.count;
  for (int64_t c = blockIdx.y; c < e.channels; c += gridDim.y) {
    double a = 0, b = 0;
    for (int64_t j = begin + threadIdx.x; j < end; j += blockDim.x) {
      f(e.Offset(j, c), c, &a, &b);
    }
    a = cu::BlockSum(a);
    b = cu::BlockSum(b);
    if (threadIdx.x == 0) {
      sum_a[c * parts + part] = a;
      sum_b[c * parts + part] = b;
    }
  }
}

// The per-channel sums' layout in a workspace: the parts' partial sums
// (doubles), then `coefficients` arrays of T per channel.
template <typename T>
struct Workspace {
  double* sum_a;
  double* sum_b;
  T* coef;  // coefficient k of channel c at [k channels + c]

  static size_t Bytes(int64_t parts, int64_t channels, int coefficients) {
    return (2 * parts * channels) * sizeof(double) +
           coefficients * channels * sizeof(T);
  }
  Workspace(void* base, int64_t parts, int64_t channels) {
    sum_a = static_cast<double*>(base);
    sum_b = sum_a + parts * channels;
    coef = reinterpret_cast<T*>(sum_b + parts * channels);
  }
};

// The output gradient at `at`, masked where the fused ReLU's output y is 0
// when y is given.
template <typename T>
__device__ T MaskedGrad(const T* g, const T* y, int64_t at) {
  return y == nullptr || y[at] > T(0) ? g[at] : T(0);
}

template <typename T>
class BatchNormGpu : public NodeKernel {
 public:
  explicit BatchNormGpu(const KernelSetup& s)
      : NodeKernel(s), p_(s.params<BatchNormParam>()), relu_(WithReLU(s)) {
    const Shape& d = s.in_shapes[0];
    const AxisSplit split = SplitAt(d, PositiveAxis(p_.axis, d.ndim()));
    const int64_t count = split.outer * split.inner;
    channels_ = split.extent;
    elements_ = count * channels_;
    parts_ = std::clamp<int64_t>(
        (count + kElementsPerPart - 1) / kElementsPerPart, 1, kMaxParts);
    per_part_ = (count + parts_ - 1) / parts_;
    walk_ = {Divider(split.inner, count), channels_, count};
    channel_of_ = {Divider(split.inner, elements_),
                   Divider(channels_, split.outer * channels_ + 1)};
  }

  // Partial sums, then scale and shift per channel.
  size_t ForwardWorkspace() const override {
    return Workspace<T>::Bytes(parts_, channels_, 2);
  }
  // Partial sums, then the dx coefficients per channel.
  size_t BackwardWorkspace() const override {
    return Workspace<T>::Bytes(parts_, channels_, 3);
  }

  void Forward(const KernelContext& ctx, const ForwardArgs& a) override {
    const T* x = a.inputs[0].ptr<T>();
    const T* gamma = a.inputs[1].ptr<T>();
    const T* beta = a.inputs[2].ptr<T>();
    T* moving_mean = a.inputs[3].ptr<T>();
    T* moving_var = a.inputs[4].ptr<T>();
    T* mean = a.outputs[1].ptr<T>();
    T* var = a.outputs[2].ptr<T>();
    Workspace<T> w(ctx.workspace, parts_, channels_);
    T* scale = w.coef;
    T* shift = w.coef + channels_;
    const double* sum = w.sum_a;
    const double* sq = w.sum_b;
    const bool batch_stats = ctx.is_train && !p_.use_global_stats;
    if (batch_stats) {
      PartialSums(
          ctx,
          [=] __device__(int64_t at, int64_t, double* s, double* q) {
            const double v = x[at];
            *s += v;
            *q += v * v;
          },
          w);
    }
    const int64_t parts = parts_, count = walk_.count;
    const T momentum = T(p_.momentum), eps = T(p_.eps);
    const bool fix_gamma = p_.fix_gamma;
    cu::ForEach(ctx, where_, channels_, [=] __device__(int64_t c) {
      T m, v;
      if (batch_stats) {
        double s = 0, q = 0;
        for (int64_t k = 0; k < parts; ++k) {
          s += sum[c * parts + k];
          q += sq[c * parts + k];
        }
        const double dm = s / count;
        m = T(dm);
        v = T(fmax(q / count - dm * dm, 0.0));
        moving_mean[c] = moving_mean[c] * momentum + m * (T(1) - momentum);
        moving_var[c] = moving_var[c] * momentum + v * (T(1) - momentum);
      } else {
        m = moving_mean[c];
        v = moving_var[c];
      }
      mean[c] = m;
      var[c] = v;
      scale[c] = (fix_gamma ? T(1) : gamma[c]) / sqrt(v + eps);
      shift[c] = beta[c] - m * scale[c];
    });
    const bool relu = relu_;
    const ChannelOf channel_of = channel_of_;
    cu::StoreEach(ctx, where_, a.req[0], a.outputs[0].ptr<T>(), elements_,
                  [=] __device__(int64_t i) {
                    const int64_t c = channel_of(i);
                    const T v = x[i] * scale[c] + shift[c];
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
    Workspace<T> w(ctx.workspace, parts_, channels_);
    // dx = scale g - mg - gx (x - mean) per channel (scale alone with the
    // global statistics).
    T* scale = w.coef;
    T* mg = w.coef + channels_;
    T* gx = w.coef + 2 * channels_;
    const double* sum_g = w.sum_a;
    const double* sum_gc = w.sum_b;  // sum g (x - mean)
    PartialSums(
        ctx,
        [=] __device__(int64_t at, int64_t c, double* sg, double* sgc) {
          const double gv = MaskedGrad(g, y, at);
          *sg += gv;
          *sgc += gv * (double(x[at]) - double(mean[c]));
        },
        w);
    const int64_t parts = parts_, count = walk_.count;
    const T eps = T(p_.eps);
    const bool fix_gamma = p_.fix_gamma;
    const OpReq gamma_req = a.req[1], beta_req = a.req[2];
    T* dgamma = a.in_grads[1].ptr_or_null<T>();
    T* dbeta = a.in_grads[2].ptr_or_null<T>();
    cu::ForEach(ctx, where_, channels_, [=] __device__(int64_t c) {
      double sg = 0, sgc = 0;
      for (int64_t k = 0; k < parts; ++k) {
        sg += sum_g[c * parts + k];
        sgc += sum_gc[c * parts + k];
      }
      const double istd = 1.0 / sqrt(double(var[c]) + double(eps));
      const double sgx = sgc * istd;  // sum g xhat
      const T dg = fix_gamma ? T(0) : T(sgx);
      if (gamma_req == OpReq::kAdd) {
        dgamma[c] += dg;
      } else if (gamma_req != OpReq::kNull) {
        dgamma[c] = dg;
      }
      if (beta_req == OpReq::kAdd) {
        dbeta[c] += T(sg);
      } else if (beta_req != OpReq::kNull) {
        dbeta[c] = T(sg);
      }
      const double sc = (fix_gamma ? 1.0 : double(gamma[c])) * istd;
      scale[c] = T(sc);
      mg[c] = global ? T(0) : T(sc * sg / count);
      gx[c] = global ? T(0) : T(sc * istd * sgx / count);
    });
    const ChannelOf channel_of = channel_of_;
    cu::StoreEach(ctx, where_, a.req[0], a.in_grads[0].ptr_or_null<T>(),
                  elements_, [=] __device__(int64_t i) {
                    const int64_t c = channel_of(i);
                    return scale[c] * MaskedGrad(g, y, i) - mg[c] -
                           gx[c] * (x[i] - mean[c]);
                  });
  }

 private:
  template <typename F>
  void PartialSums(const KernelContext& ctx, F f, const Workspace<T>& w) {
    if (channels_ == 0) return;
    const dim3 grid(
        static_cast<unsigned>(parts_),
        static_cast<unsigned>(std::min<int64_t>(channels_, kMaxChannelBlocks)));
    PartialSumsKernel<<<grid, cu::kThreads, 0, cu::StreamOf(ctx)>>>(
        walk_, per_part_, f, w.sum_a, w.sum_b);
    CheckLaunch(where_);
  }

  BatchNormParam p_;
  bool relu_;  // the fused op
  int64_t channels_ = 0, elements_ = 0, parts_ = 1, per_part_ = 0;
  ChannelElements walk_;
  ChannelOf channel_of_;
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
