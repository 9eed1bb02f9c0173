// BatchNorm's optimized CPU kernel (float32): channels split over the
// intra-op threads, each channel in vectorized passes at memory speed
// (statistics, then the output; backward: the two sums, then dx), written
// straight into the output without a temporary (the reference kernel's
// per-call buffer costs page faults: Note [Storage pool]).
#include <algorithm>
#include <cmath>
#include <cstdint>

#include "core/base/multiversion.h"
#include "core/engine/parallel.h"
#include "core/op/kernel.h"
#include "ops/common/kernel_util.h"
#include "ops/nn/batch_norm.h"

namespace mx {
namespace ops {
namespace {

constexpr int kLanes = 16;

// Sum of x[0, n) and of (x - center)^2, in kLanes float partial sums (a
// reduction the compiler vectorizes) combined in double.
MX_MULTIVERSION void SumAndSquares(const float* x, int64_t n, float center,
                                   double* sum, double* squares) {
  float s[kLanes] = {}, q[kLanes] = {};
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    for (int k = 0; k < kLanes; ++k) {
      const float d = x[i + k] - center;
      s[k] += d;
      q[k] += d * d;
    }
  }
  double ds = 0, dq = 0;
  for (; i < n; ++i) {
    const float d = x[i] - center;
    ds += d;
    dq += static_cast<double>(d) * d;
  }
  for (int k = 0; k < kLanes; ++k) {
    ds += s[k];
    dq += q[k];
  }
  *sum += ds;
  *squares += dq;
}

// Sum of g and of g * (x - mean), as SumAndSquares.
MX_MULTIVERSION void GradSums(const float* g, const float* x, int64_t n,
                              float mean, double* sum_g, double* sum_gx) {
  float s[kLanes] = {}, q[kLanes] = {};
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    for (int k = 0; k < kLanes; ++k) {
      s[k] += g[i + k];
      q[k] += g[i + k] * (x[i + k] - mean);
    }
  }
  double ds = 0, dq = 0;
  for (; i < n; ++i) {
    ds += g[i];
    dq += static_cast<double>(g[i]) * (x[i] - mean);
  }
  for (int k = 0; k < kLanes; ++k) {
    ds += s[k];
    dq += q[k];
  }
  *sum_g += ds;
  *sum_gx += dq;
}

// y = (or +=) x * scale + shift over [0, n).
MX_MULTIVERSION void ScaleShift(const float* x, int64_t n, float scale,
                                float shift, bool add, float* y) {
  if (add) {
    for (int64_t i = 0; i < n; ++i) y[i] += x[i] * scale + shift;
  } else {
    for (int64_t i = 0; i < n; ++i) y[i] = x[i] * scale + shift;
  }
}

// dx = (or +=) a * g + b * x + c over [0, n): the batch-statistics gradient
// scale (g - mg - xhat mgx) with xhat = (x - mean) istd, expanded.
MX_MULTIVERSION void GradAffine(const float* g, const float* x, int64_t n,
                                float a, float b, float c, bool add,
                                float* dx) {
  if (add) {
    for (int64_t i = 0; i < n; ++i) dx[i] += a * g[i] + b * x[i] + c;
  } else {
    for (int64_t i = 0; i < n; ++i) dx[i] = a * g[i] + b * x[i] + c;
  }
}

class BatchNormCpu : public OpKernel {
 public:
  explicit BatchNormCpu(const KernelSetup& s) : p_(s.params<BatchNormParam>()) {
    const Shape& d = s.in_shapes[0];
    split_ = SplitAt(d, PositiveAxis(p_.axis, d.ndim()));
  }

  void Forward(const KernelContext& ctx, const ForwardArgs& a) override {
    const float* x = a.inputs[0].ptr<float>();
    const float* gamma = a.inputs[1].ptr<float>();
    const float* beta = a.inputs[2].ptr<float>();
    float* moving_mean = a.inputs[3].ptr<float>();
    float* moving_var = a.inputs[4].ptr<float>();
    float* mean = a.outputs[1].ptr<float>();
    float* var = a.outputs[2].ptr<float>();
    float* y = a.outputs[0].ptr<float>();
    const OpReq req = a.req[0];
    const bool batch_stats = ctx.is_train && !p_.use_global_stats;
    const double count = static_cast<double>(split_.outer * split_.inner);
    const float mom = static_cast<float>(p_.momentum);
    ParallelFor(split_.extent, 1, [&](int64_t begin, int64_t end) {
      for (int64_t c = begin; c < end; ++c) {
        if (batch_stats) {
          double sum = 0, ignored = 0;
          ForBlocks(c, [&](int64_t at) {
            SumAndSquares(x + at, split_.inner, 0.f, &sum, &ignored);
          });
          const float m = static_cast<float>(sum / count);
          double centered = 0, squares = 0;
          ForBlocks(c, [&](int64_t at) {
            SumAndSquares(x + at, split_.inner, m, &centered, &squares);
          });
          mean[c] = m;
          var[c] = static_cast<float>(squares / count);
          moving_mean[c] = moving_mean[c] * mom + mean[c] * (1.f - mom);
          moving_var[c] = moving_var[c] * mom + var[c] * (1.f - mom);
        } else {
          mean[c] = moving_mean[c];
          var[c] = moving_var[c];
        }
        if (req == OpReq::kNull) continue;
        const float scale =
            Gamma(gamma, c) / std::sqrt(var[c] + static_cast<float>(p_.eps));
        const float shift = beta[c] - mean[c] * scale;
        ForBlocks(c, [&](int64_t at) {
          ScaleShift(x + at, split_.inner, scale, shift, req == OpReq::kAdd,
                     y + at);
        });
      }
    });
  }

  void Backward(const KernelContext&, const BackwardArgs& a) override {
    const float* g = a.out_grads[0].ptr<float>();
    const float* x = a.inputs[0].ptr<float>();
    const float* gamma = a.inputs[1].ptr<float>();
    const float* mean = p_.use_global_stats ? a.inputs[3].ptr<float>()
                                            : a.outputs[1].ptr<float>();
    const float* var = p_.use_global_stats ? a.inputs[4].ptr<float>()
                                           : a.outputs[2].ptr<float>();
    float* dx = a.in_grads[0].ptr_or_null<float>();
    float* dgamma = a.in_grads[1].ptr_or_null<float>();
    float* dbeta = a.in_grads[2].ptr_or_null<float>();
    const double count = static_cast<double>(split_.outer * split_.inner);
    ParallelFor(split_.extent, 1, [&](int64_t begin, int64_t end) {
      for (int64_t c = begin; c < end; ++c) {
        const float istd = 1.f / std::sqrt(var[c] + static_cast<float>(p_.eps));
        double sum_g = 0, sum_gx = 0;
        ForBlocks(c, [&](int64_t at) {
          GradSums(g + at, x + at, split_.inner, mean[c], &sum_g, &sum_gx);
        });
        const float db = static_cast<float>(sum_g);
        const float dg = p_.fix_gamma ? 0.f : static_cast<float>(sum_gx * istd);
        Store(a.req[2], dbeta, c, db);
        Store(a.req[1], dgamma, c, dg);
        if (a.req[0] == OpReq::kNull) continue;
        const float scale = Gamma(gamma, c) * istd;
        // dx = scale (g - mg - (x - mean) istd mgx), or scale g with the
        // moving statistics as constants.
        float ga = scale, xb = 0.f, k = 0.f;
        if (!p_.use_global_stats) {
          const float mg = static_cast<float>(sum_g / count);
          const float mgx = static_cast<float>(sum_gx * istd / count);
          xb = -scale * istd * mgx;
          k = -scale * mg - xb * mean[c];
        }
        ForBlocks(c, [&](int64_t at) {
          GradAffine(g + at, x + at, split_.inner, ga, xb, k,
                     a.req[0] == OpReq::kAdd, dx + at);
        });
      }
    });
  }

 private:
  float Gamma(const float* gamma, int64_t c) const {
    return p_.fix_gamma ? 1.f : gamma[c];
  }

  static void Store(OpReq req, float* out, int64_t c, float v) {
    if (req == OpReq::kNull || out == nullptr) return;
    out[c] = req == OpReq::kAdd ? out[c] + v : v;
  }

  // Calls f(offset) for the start of each contiguous block of channel c.
  template <typename F>
  void ForBlocks(int64_t c, F f) const {
    for (int64_t o = 0; o < split_.outer; ++o) {
      f((o * split_.extent + c) * split_.inner);
    }
  }

  BatchNormParam p_;
  AxisSplit split_;
};

}  // namespace

MX_REGISTER_KERNEL(BatchNorm, kCPU, kOptimized)
    .Types({DType::kFloat32})
    // Channels last (one value per block) stay with the reference kernel.
    .Supports([](const KernelSetup& s) {
      const Shape& d = s.in_shapes[0];
      const BatchNormParam& p = s.params<BatchNormParam>();
      return SplitAt(d, PositiveAxis(p.axis, d.ndim())).inner >= kLanes;
    })
    .Factory(SimpleFactory<BatchNormCpu>());

}  // namespace ops
}  // namespace mx
