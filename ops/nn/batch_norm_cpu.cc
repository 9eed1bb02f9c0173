// BatchNorm's optimized CPU kernel (float32), and the fused BatchNorm + ReLU
// op's: channels split over the intra-op threads, each channel in two
// vectorized passes at memory speed (forward: the statistics in one pass
// over the data shifted by one of its values, then the output; backward: the
// two sums, then dx), written straight into the output without a temporary
// (the reference kernel's per-call buffer costs page faults: Note [Storage
// pool]). The fused op's backward recomputes the ReLU's mask from the data
// instead of reading the output: a stream less (Note [Op fusion]).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "core/base/multiversion.h"
#include "core/engine/parallel.h"
#include "core/op/kernel.h"
#include "ops/common/kernel_util.h"
#include "ops/nn/batch_norm.h"

namespace mx {
namespace ops {
namespace {

constexpr int kLanes = 16;

// A range of channels' data: for each of `blocks` samples (`stride` apart),
// the channels' runs of `len` floats one after another. The helpers below
// walk it sample by sample, so that memory is read in long sequential
// stretches (a channel at a time would jump every run: every 196 bytes on a
// 7x7 plane), and each channel's sums still run in one fixed order (the
// same for any split of the channels over the threads).
struct Runs {
  int64_t blocks, stride, len;
};

// Per channel c of [0, channels): the two sums that add = adder(c)
// accumulates with add(a, b, s, q) over the channel's elements a (of `a`) and
// b (of `b`), in kLanes float partial sums per run (a reduction the compiler
// vectorizes) gathered in double, in one fixed order. `lanes` holds 2 *
// kLanes * channels doubles.
template <typename Adder>
[[gnu::always_inline]] inline void LaneSums(const float* a, const float* b,
                                            Runs r, int64_t channels,
                                            double* lanes, double* first,
                                            double* second, Adder adder) {
  std::fill(lanes, lanes + 2 * kLanes * channels, 0.0);
  for (int64_t n = 0; n < r.blocks; ++n) {
    for (int64_t c = 0; c < channels; ++c) {
      const int64_t at = n * r.stride + c * r.len;
      const float* av = a + at;
      const float* bv = b + at;
      const auto add = adder(c);
      float s[kLanes] = {}, q[kLanes] = {};
      int64_t i = 0;
      for (; i + kLanes <= r.len; i += kLanes) {
        for (int k = 0; k < kLanes; ++k) add(av[i + k], bv[i + k], s[k], q[k]);
      }
      // The tail into lane k (fixed, so the order stays the same).
      for (int k = 0; i < r.len; ++i, ++k) add(av[i], bv[i], s[k], q[k]);
      double* ds = lanes + 2 * kLanes * c;
      for (int k = 0; k < kLanes; ++k) {
        ds[k] += s[k];
        ds[kLanes + k] += q[k];
      }
    }
  }
  for (int64_t c = 0; c < channels; ++c) {
    const double* ds = lanes + 2 * kLanes * c;
    double ts = 0, tq = 0;
    for (int k = 0; k < kLanes; ++k) {
      ts += ds[k];
      tq += ds[kLanes + k];
    }
    first[c] = ts;
    second[c] = tq;
  }
}

// Per channel: sums of d = x - shift[c] and of d^2.
MX_MULTIVERSION void ShiftedSums(const float* x, Runs r, int64_t channels,
                                 const float* shift, double* lanes, double* sum,
                                 double* squares) {
  LaneSums(x, x, r, channels, lanes, sum, squares, [shift](int64_t c) {
    return [m = shift[c]](float v, float, float& s, float& q) {
      const float d = v - m;
      s += d;
      q += d * d;
    };
  });
}

// The fused ReLU's pre-activation: the same expression in forward and
// backward (in the same clone), so the same value, positive exactly where
// the output is.
[[gnu::always_inline]] inline float PreActivation(float x, float scale,
                                                  float shift) {
  return x * scale + shift;
}

// The forward's per-channel scale and shift of a fused ReLU's channels:
// where it cut, recomputed.
struct ReluAffine {
  const float* scale;
  const float* shift;
};

// Per channel: sums of g and of g (x - mean[c]), with g zero where the fused
// ReLU cut (when `relu`).
MX_MULTIVERSION void GradSums(const float* g, const float* x, Runs r,
                              int64_t channels, const float* mean,
                              const ReluAffine* relu, double* lanes,
                              double* sum_g, double* sum_gx) {
  if (relu != nullptr) {
    LaneSums(g, x, r, channels, lanes, sum_g, sum_gx, [&](int64_t c) {
      return [m = mean[c], sc = relu->scale[c], sh = relu->shift[c]](
                 float gv, float xv, float& s, float& q) {
        const float kept = KeepIf(gv, PreActivation(xv, sc, sh) > 0.f);
        s += kept;
        q += kept * (xv - m);
      };
    });
    return;
  }
  LaneSums(g, x, r, channels, lanes, sum_g, sum_gx, [mean](int64_t c) {
    return [m = mean[c]](float gv, float xv, float& s, float& q) {
      s += gv;
      q += gv * (xv - m);
    };
  });
}

// y = (or +=) x * scale[c] + shift[c] per channel, through max(0, .) when
// relu.
MX_MULTIVERSION void ScaleShift(const float* x, Runs r, int64_t channels,
                                const float* scale, const float* shift,
                                bool relu, bool add, float* y) {
  for (int64_t b = 0; b < r.blocks; ++b) {
    for (int64_t c = 0; c < channels; ++c) {
      const int64_t at = b * r.stride + c * r.len;
      const float* xv = x + at;
      float* yv = y + at;
      const float sc = scale[c], sh = shift[c];
      if (relu) {
        const auto out = [&](int64_t i) {
          const float v = PreActivation(xv[i], sc, sh);
          return v > 0.f ? v : 0.f;
        };
        if (add) {
          for (int64_t i = 0; i < r.len; ++i) yv[i] += out(i);
        } else {
          for (int64_t i = 0; i < r.len; ++i) yv[i] = out(i);
        }
      } else if (add) {
        for (int64_t i = 0; i < r.len; ++i) yv[i] += xv[i] * sc + sh;
      } else {
        for (int64_t i = 0; i < r.len; ++i) yv[i] = xv[i] * sc + sh;
      }
    }
  }
}

// dx = (or +=) a[c] g + b[c] x + k[c] per channel: the batch-statistics
// gradient scale (g - mg - xhat mgx) with xhat = (x - mean) istd, expanded;
// g zero where the fused ReLU cut (when `relu`).
MX_MULTIVERSION void GradAffine(const float* g, const float* x, Runs r,
                                int64_t channels, const float* a,
                                const float* b, const float* k,
                                const ReluAffine* relu, bool add, float* dx) {
  for (int64_t n = 0; n < r.blocks; ++n) {
    for (int64_t c = 0; c < channels; ++c) {
      const int64_t at = n * r.stride + c * r.len;
      const float* gv = g + at;
      const float* xv = x + at;
      float* dv = dx + at;
      const float ac = a[c], bc = b[c], kc = k[c];
      if (relu != nullptr) {
        const float sc = relu->scale[c], sh = relu->shift[c];
        const auto v = [&](int64_t i) {
          const bool kept = PreActivation(xv[i], sc, sh) > 0.f;
          return ac * KeepIf(gv[i], kept) + bc * xv[i] + kc;
        };
        if (add) {
          for (int64_t i = 0; i < r.len; ++i) dv[i] += v(i);
        } else {
          for (int64_t i = 0; i < r.len; ++i) dv[i] = v(i);
        }
      } else if (add) {
        for (int64_t i = 0; i < r.len; ++i)
          dv[i] += ac * gv[i] + bc * xv[i] + kc;
      } else {
        for (int64_t i = 0; i < r.len; ++i)
          dv[i] = ac * gv[i] + bc * xv[i] + kc;
      }
    }
  }
}

class BatchNormCpu : public OpKernel {
 public:
  explicit BatchNormCpu(const KernelSetup& s)
      : p_(s.params<BatchNormParam>()), relu_(WithReLU(s)) {
    const Shape& d = s.in_shapes[0];
    split_ = SplitAt(d, PositiveAxis(p_.axis, d.ndim()));
    runs_ = {split_.outer, split_.extent * split_.inner, split_.inner};
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
      const int64_t channels = end - begin, at = Start(begin);
      std::vector<float> scale(channels), shift(channels);
      if (batch_stats) {
        // One pass over the data shifted by one of its values per channel
        // (close to the mean, so that the variance keeps its precision).
        std::vector<double> lanes(2 * kLanes * channels), sum(channels),
            squares(channels);
        for (int64_t c = 0; c < channels; ++c) shift[c] = x[Start(begin + c)];
        ShiftedSums(x + at, runs_, channels, shift.data(), lanes.data(),
                    sum.data(), squares.data());
        for (int64_t c = 0; c < channels; ++c) {
          const double m = sum[c] / count;
          const int64_t ch = begin + c;
          mean[ch] = static_cast<float>(shift[c] + m);
          var[ch] =
              static_cast<float>(std::max(0.0, squares[c] / count - m * m));
          moving_mean[ch] = moving_mean[ch] * mom + mean[ch] * (1.f - mom);
          moving_var[ch] = moving_var[ch] * mom + var[ch] * (1.f - mom);
        }
      } else {
        for (int64_t ch = begin; ch < end; ++ch) {
          mean[ch] = moving_mean[ch];
          var[ch] = moving_var[ch];
        }
      }
      if (req == OpReq::kNull) return;
      for (int64_t c = 0; c < channels; ++c) {
        Affine(begin + c, gamma, beta, mean, var, &scale[c], &shift[c]);
      }
      ScaleShift(x + at, runs_, channels, scale.data(), shift.data(), relu_,
                 req == OpReq::kAdd, y + at);
    });
  }

  void Backward(const KernelContext&, const BackwardArgs& a) override {
    const float* g = a.out_grads[0].ptr<float>();
    const float* x = a.inputs[0].ptr<float>();
    const float* gamma = a.inputs[1].ptr<float>();
    const float* beta = a.inputs[2].ptr<float>();
    const float* mean = p_.use_global_stats ? a.inputs[3].ptr<float>()
                                            : a.outputs[1].ptr<float>();
    const float* var = p_.use_global_stats ? a.inputs[4].ptr<float>()
                                           : a.outputs[2].ptr<float>();
    float* dx = a.in_grads[0].ptr_or_null<float>();
    float* dgamma = a.in_grads[1].ptr_or_null<float>();
    float* dbeta = a.in_grads[2].ptr_or_null<float>();
    const double count = static_cast<double>(split_.outer * split_.inner);
    ParallelFor(split_.extent, 1, [&](int64_t begin, int64_t end) {
      const int64_t channels = end - begin, at = Start(begin);
      std::vector<double> lanes(2 * kLanes * channels), sum_g(channels),
          sum_gx(channels);
      // The forward's affine map: where the fused ReLU cut.
      std::vector<float> scale(relu_ ? channels : 0), shift(scale.size());
      for (int64_t c = 0; c < static_cast<int64_t>(scale.size()); ++c) {
        Affine(begin + c, gamma, beta, mean, var, &scale[c], &shift[c]);
      }
      const ReluAffine relu{scale.data(), shift.data()};
      const ReluAffine* cut = relu_ ? &relu : nullptr;
      GradSums(g + at, x + at, runs_, channels, mean + begin, cut, lanes.data(),
               sum_g.data(), sum_gx.data());
      std::vector<float> ga(channels), xb(channels, 0.f), k(channels, 0.f);
      for (int64_t c = 0; c < channels; ++c) {
        const int64_t ch = begin + c;
        const float istd =
            1.f / std::sqrt(var[ch] + static_cast<float>(p_.eps));
        const float dg =
            p_.fix_gamma ? 0.f : static_cast<float>(sum_gx[c] * istd);
        Store(a.req[2], dbeta, ch, static_cast<float>(sum_g[c]));
        Store(a.req[1], dgamma, ch, dg);
        // dx = scale (g - mg - (x - mean) istd mgx), or scale g with the
        // moving statistics as constants.
        const float scale = Gamma(gamma, ch) * istd;
        ga[c] = scale;
        if (!p_.use_global_stats) {
          const float mg = static_cast<float>(sum_g[c] / count);
          const float mgx = static_cast<float>(sum_gx[c] * istd / count);
          xb[c] = -scale * istd * mgx;
          k[c] = -scale * mg - xb[c] * mean[ch];
        }
      }
      if (a.req[0] == OpReq::kNull) return;
      GradAffine(g + at, x + at, runs_, channels, ga.data(), xb.data(),
                 k.data(), cut, a.req[0] == OpReq::kAdd, dx + at);
    });
  }

 private:
  float Gamma(const float* gamma, int64_t c) const {
    return p_.fix_gamma ? 1.f : gamma[c];
  }

  // The forward's out = x * scale + shift of channel ch (one function, so
  // that backward recomputes the fused ReLU's cut from the same floats).
  void Affine(int64_t ch, const float* gamma, const float* beta,
              const float* mean, const float* var, float* scale,
              float* shift) const {
    *scale = Gamma(gamma, ch) / std::sqrt(var[ch] + static_cast<float>(p_.eps));
    *shift = beta[ch] - mean[ch] * *scale;
  }

  static void Store(OpReq req, float* out, int64_t c, float v) {
    if (req == OpReq::kNull || out == nullptr) return;
    out[c] = req == OpReq::kAdd ? out[c] + v : v;
  }

  // Where channel c's first run starts.
  int64_t Start(int64_t c) const { return c * split_.inner; }

  BatchNormParam p_;
  bool relu_;  // the fused op
  AxisSplit split_;
  Runs runs_;  // of one channel
};

// Channels last (one value per block) stay with the reference kernel.
bool HasChannelRuns(const KernelSetup& s) {
  const Shape& d = s.in_shapes[0];
  const BatchNormParam& p = s.params<BatchNormParam>();
  return SplitAt(d, PositiveAxis(p.axis, d.ndim())).inner >= kLanes;
}

}  // namespace

MX_REGISTER_KERNEL(BatchNorm, kCPU, kOptimized)
    .Types({DType::kFloat32})
    .Supports(HasChannelRuns)
    .Factory(SimpleFactory<BatchNormCpu>());
MX_REGISTER_KERNEL(_contrib_BatchNormWithReLU, kCPU, kOptimized)
    .Types({DType::kFloat32})
    .Supports(HasChannelRuns)
    .Factory(SimpleFactory<BatchNormCpu>());

}  // namespace ops
}  // namespace mx
