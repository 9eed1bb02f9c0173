#include "ops/nn/convolution_depthwise.h"

#include <algorithm>
#include <vector>

#include "core/base/multiversion.h"
#include "core/engine/parallel.h"
#include "ops/common/kernel_util.h"
#include "ops/nn/conv_planes.h"
#include "ops/nn/convolution.h"

namespace mx {
namespace ops {
namespace {

// out[j, j + 2 width) = start + the sum over t of w[t] src[t][j + ...], for
// every j of [0, n) in steps of two vectors (n a multiple of them): each
// chunk's sums stay in registers over all taps (a pass over memory per tap
// was a load and a store per multiply-add: forward 20-30% slower).
// src[t] = base + offsets[t].
template <typename T>
[[gnu::always_inline]] inline void SumTaps(const T* base,
                                           const std::vector<int64_t>& offsets,
                                           const T* w, T start, int64_t n,
                                           T* out) {
  using V = typename Vec32<T>::type;
  using U = typename Vec32<T>::unaligned;
  constexpr int64_t kWidth = Vec32<T>::kWidth;
  const int64_t taps = static_cast<int64_t>(offsets.size());
  for (int64_t j = 0; j < n; j += 2 * kWidth) {
    V lo = V{} + start, hi = lo;
    for (int64_t t = 0; t < taps; ++t) {
      const T* src = base + offsets[t] + j;
      lo += w[t] * *reinterpret_cast<const U*>(src);
      hi += w[t] * *reinterpret_cast<const U*>(src + kWidth);
    }
    *reinterpret_cast<U*>(out + j) = lo;
    *reinterpret_cast<U*>(out + j + kWidth) = hi;
  }
}

// out (oh, ow) = bias + the taps of `filter` over `in`, through the phases
// in `buf` and the pitch-wq sums in `acc` (q.padded).
template <typename T>
[[gnu::always_inline]] inline void ForwardPlane(const Plane& p, const Phases& q,
                                                const T* in, const T* filter,
                                                T bias, T* out, T* buf,
                                                T* acc) {
  Split(q, in, buf);
  SumTaps(buf, q.taps, filter, bias, q.padded, acc);
  TakeOutput(p, q, acc, out);
}

// The output gradient of one plane at pitch wq (zeros in the dropped
// columns) in `gbuf`, then: din += its spread over the taps (when din),
// taps += its products with the input's phases (when taps).
template <typename T>
[[gnu::always_inline]] inline void BackwardPlane(const Plane& p,
                                                 const Phases& q, const T* grad,
                                                 const T* in, const T* filter,
                                                 T* din, T* taps, T* gbuf,
                                                 T* buf) {
  const int64_t n = q.padded;
  PlaceOutput(p, q, grad, gbuf);
  if (taps) {
    Split(q, in, buf);
    for (int64_t ky = 0; ky < p.kh; ++ky) {
      for (int64_t kx = 0; kx < p.kw; ++kx) {
        taps[ky * p.kw + kx] += Dot(gbuf, buf + q.taps[ky * p.kw + kx], n);
      }
    }
  }
  if (din) {
    std::fill(buf, buf + q.size, T(0));
    for (int64_t ky = 0; ky < p.kh; ++ky) {
      for (int64_t kx = 0; kx < p.kw; ++kx) {
        const T w = filter[ky * p.kw + kx];
        T* dst = buf + q.taps[ky * p.kw + kx];
        for (int64_t j = 0; j < n; ++j) dst[j] += w * gbuf[j];
      }
    }
    MergeAdd(q, buf, din);
  }
}

// The float32 planes compiled for AVX-512, AVX2 + FMA and baseline x86-64.
MX_MULTIVERSION void ForwardPlaneF(const Plane& p, const Phases& q,
                                   const float* in, const float* filter,
                                   float bias, float* out, float* buf,
                                   float* acc) {
  ForwardPlane(p, q, in, filter, bias, out, buf, acc);
}
MX_MULTIVERSION void BackwardPlaneF(const Plane& p, const Phases& q,
                                    const float* grad, const float* in,
                                    const float* filter, float* din,
                                    float* taps, float* gbuf, float* buf) {
  BackwardPlane(p, q, grad, in, filter, din, taps, gbuf, buf);
}
void ForwardPlaneAny(const Plane& p, const Phases& q, const float* in,
                     const float* filter, float bias, float* out, float* buf,
                     float* acc) {
  ForwardPlaneF(p, q, in, filter, bias, out, buf, acc);
}
void ForwardPlaneAny(const Plane& p, const Phases& q, const double* in,
                     const double* filter, double bias, double* out,
                     double* buf, double* acc) {
  ForwardPlane(p, q, in, filter, bias, out, buf, acc);
}
void BackwardPlaneAny(const Plane& p, const Phases& q, const float* grad,
                      const float* in, const float* filter, float* din,
                      float* taps, float* gbuf, float* buf) {
  BackwardPlaneF(p, q, grad, in, filter, din, taps, gbuf, buf);
}
void BackwardPlaneAny(const Plane& p, const Phases& q, const double* grad,
                      const double* in, const double* filter, double* din,
                      double* taps, double* gbuf, double* buf) {
  BackwardPlane(p, q, grad, in, filter, din, taps, gbuf, buf);
}

template <typename T>
class DepthwiseConvolution : public OpKernel {
 public:
  explicit DepthwiseConvolution(const KernelSetup& s)
      : d_(ConvDims::Of(s)), p_(d_.w), q_(p_) {}

  void Forward(const KernelContext&, const ForwardArgs& a) override {
    const OpReq req = a.req[0];
    if (req == OpReq::kNull) return;
    const T* x = a.inputs[0].ptr<T>();
    const T* wt = a.inputs[1].ptr<T>();
    const T* bias = d_.bias ? a.inputs[2].ptr<T>() : nullptr;
    T* y = a.outputs[0].ptr<T>();
    const int64_t is = p_.ih * p_.iw, os = p_.oh * p_.ow, taps = p_.kh * p_.kw;
    ParallelFor(d_.batch * d_.in_c, 1, [&](int64_t begin, int64_t end) {
      // Adding to y goes through a plane of scratch.
      std::vector<T> sums(req == OpReq::kAdd ? static_cast<size_t>(os) : 0);
      std::vector<T> buf(static_cast<size_t>(q_.size)),
          acc(static_cast<size_t>(q_.padded));
      for (int64_t i = begin; i < end; ++i) {
        const int64_t c = i % d_.in_c;
        T* out = req == OpReq::kAdd ? sums.data() : y + i * os;
        ForwardPlaneAny(p_, q_, x + i * is, wt + c * taps,
                        bias ? bias[c] : T(0), out, buf.data(), acc.data());
        if (req == OpReq::kAdd) {
          const T* src = sums.data();
          StoreEach(req, y + i * os, os, [src](int64_t k) { return src[k]; });
        }
      }
    });
  }

  // Both gradients in one pass over each plane's output gradient; channels
  // split over the threads, each channel's weight sums over the samples in
  // order (the same every run: exact resume). The bias gradient is
  // SumChannels'.
  void Backward(const KernelContext&, const BackwardArgs& a) override {
    const T* gy = a.out_grads[0].ptr<T>();
    const T* x = a.inputs[0].ptr<T>();
    const T* wt = a.inputs[1].ptr<T>();
    const OpReq dx_req = a.req[0], dw_req = a.req[1];
    T* dx = dx_req == OpReq::kNull ? nullptr : a.in_grads[0].ptr_or_null<T>();
    T* dw = dw_req == OpReq::kNull ? nullptr : a.in_grads[1].ptr_or_null<T>();
    const int64_t is = p_.ih * p_.iw, os = p_.oh * p_.ow, taps = p_.kh * p_.kw;
    ParallelFor(d_.in_c, 1, [&](int64_t begin, int64_t end) {
      std::vector<T> sums(static_cast<size_t>(taps));
      std::vector<T> gbuf(static_cast<size_t>(q_.padded)),
          buf(static_cast<size_t>(q_.size));
      for (int64_t c = begin; c < end; ++c) {
        std::fill(sums.begin(), sums.end(), T(0));
        for (int64_t n = 0; n < d_.batch; ++n) {
          const int64_t i = n * d_.in_c + c;
          T* din = dx ? dx + i * is : nullptr;
          if (din && dx_req != OpReq::kAdd) std::fill(din, din + is, T(0));
          if (din || dw) {
            BackwardPlaneAny(p_, q_, gy + i * os, x + i * is, wt + c * taps,
                             din, dw ? sums.data() : nullptr, gbuf.data(),
                             buf.data());
          }
        }
        if (dw) {
          const T* src = sums.data();
          StoreEach(dw_req, dw + c * taps, taps,
                    [src](int64_t k) { return src[k]; });
        }
      }
    });
    if (d_.bias) {
      SumChannels(gy, d_.batch, d_.in_c, os, a.in_grads[2].ptr_or_null<T>(),
                  a.req[2]);
    }
  }

 private:
  ConvDims d_;
  Plane p_;
  Phases q_;
};

}  // namespace

std::unique_ptr<OpKernel> MakeDepthwiseConvolution(const KernelSetup& setup) {
  const ConvDims d = ConvDims::Of(setup);
  const bool depthwise =
      d.groups > 1 && d.groups == d.in_c && d.out_c == d.in_c;
  const bool planar = d.w.in[0] == 1 && d.w.kernel[0] == 1 && d.w.out[0] == 1;
  if (!depthwise || !planar) return nullptr;
  return TypedFactory<DepthwiseConvolution>()(setup);
}

}  // namespace ops
}  // namespace mx
