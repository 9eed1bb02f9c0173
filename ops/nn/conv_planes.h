// Plane geometry shared by the direct kernels (depthwise and few-channel
// convolutions, unit-stride max pooling): a channel's plane split into
// its stride phases so that every tap of the kernel is one long vector loop
// over the output plane. Note [Depthwise convolution] in
// docs/design_notes.md.
#ifndef MX_OPS_NN_CONV_PLANES_H_
#define MX_OPS_NN_CONV_PLANES_H_

#include <algorithm>
#include <cstdint>
#include <vector>

#include "ops/common/window.h"

namespace mx {
namespace ops {

// Loop lengths over a plane are multiples of this (the widest vector, 16
// floats with AVX-512).
constexpr int64_t kPadLanes = 16;

// 32-byte vectors of T, and their unaligned form (used through pointer
// casts only: passing vectors by value would change the baseline clone's
// ABI).
template <typename T>
struct Vec32 {
  typedef T type __attribute__((vector_size(32)));
  typedef T unaligned __attribute__((vector_size(32), aligned(sizeof(T))));
  static constexpr int64_t kWidth = 32 / sizeof(T);
};

// One channel's plane geometry (rows and columns of data and output, the
// kernel's taps, stride, padding and dilation).
struct Plane {
  int64_t ih, iw, oh, ow, kh, kw, sy, sx, py, px, dy, dx;
  explicit Plane(const Window& w)
      : ih(w.in[1]),
        iw(w.in[2]),
        oh(w.out[1]),
        ow(w.out[2]),
        kh(w.kernel[1]),
        kw(w.kernel[2]),
        sy(w.stride[1]),
        sx(w.stride[2]),
        py(w.pad[1]),
        px(w.pad[2]),
        dy(w.dilate[1]),
        dx(w.dilate[2]) {}
};

// The zero-padded input plane split into its stride phases: phase (ry, rx)
// holds the padded elements (a sy + ry, b sx + rx) at row a, column b, with
// pitch wq = ow + the widest tap reach (kw - 1) dx / sx. Tap (ky, kx) of
// output (oy, ox) then reads phase ((ky dy) % sy, (kx dx) % sx) at
// (oy + (ky dy) / sy, ox + (kx dx) / sx): for every stride each tap is one
// long multiply-add over oh * wq elements with no bounds (the wq - ow
// columns past each output row compute values that are dropped, or multiply
// zeros), a few long vector loops per plane instead of a short loop per row
// and tap. Unit stride is the case of one phase.
struct Phases {
  int64_t wq, hq;   // pitch and rows of a phase
  int64_t phase;    // elements of a phase (with a zero tail)
  int64_t outputs;  // oh * wq: the output rows at pitch wq
  // outputs rounded up to kPadLanes: the length of every tap's loop, so that
  // no loop ends in a scalar tail (small planes: 7 x 9 = 63 outputs would
  // run 7 of 63 elements one by one). The padded outputs are dropped.
  int64_t padded;
  int64_t size;               // of all phases, and the tail padded reads reach
  std::vector<int64_t> taps;  // where tap ky * kw + kx's reads start
  // A run of input elements of one row that lie in one phase row: `count`
  // elements from `in`, `step` (the stride) apart, to consecutive columns
  // from `at`. Elements no output reads are in no run. Computed once: the
  // divisions cost more than a small plane's copy.
  struct Run {
    int64_t in, at, count, step;
  };
  std::vector<Run> runs;

  explicit Phases(const Plane& p)
      : wq(p.ow + (p.kw - 1) * p.dx / p.sx),
        hq(p.oh + (p.kh - 1) * p.dy / p.sy),
        phase(hq * wq + (p.kw - 1) * p.dx / p.sx),
        outputs(p.oh * wq),
        padded((outputs + kPadLanes - 1) / kPadLanes * kPadLanes),
        size(p.sy * p.sx * phase) {
    for (int64_t ky = 0; ky < p.kh; ++ky) {
      for (int64_t kx = 0; kx < p.kw; ++kx) {
        const int64_t y = ky * p.dy, x = kx * p.dx;
        taps.push_back(((y % p.sy) * p.sx + x % p.sx) * phase + y / p.sy * wq +
                       x / p.sx);
        size = std::max(size, taps.back() + padded);
      }
    }
    for (int64_t iy = 0; iy < p.ih; ++iy) {
      const int64_t y = iy + p.py, a = y / p.sy;
      if (a >= hq) continue;
      const int64_t row = (y % p.sy) * p.sx * phase + a * wq;
      for (int64_t rx = 0; rx < p.sx; ++rx) {
        // The first input column of phase rx: (ix + px) % sx == rx.
        const int64_t ix0 = ((rx - p.px) % p.sx + p.sx) % p.sx;
        if (ix0 >= p.iw) continue;
        const int64_t b0 = (ix0 + p.px) / p.sx;
        const int64_t count = std::min((p.iw - ix0 + p.sx - 1) / p.sx, wq - b0);
        if (count > 0) {
          runs.push_back({iy * p.iw + ix0, row + rx * phase + b0, count, p.sx});
        }
      }
    }
  }
};

// Sum of a[j] b[j] over [0, n), in kDotLanes partial sums so that it vectorizes
// (a float sum in one register is a chain the compiler must keep in order).
constexpr int kDotLanes = 16;
template <typename T>
[[gnu::always_inline]] inline T Dot(const T* a, const T* b, int64_t n) {
  T lanes[kDotLanes] = {};
  int64_t j = 0;
  for (; j + kDotLanes <= n; j += kDotLanes) {
    for (int k = 0; k < kDotLanes; ++k) lanes[k] += a[j + k] * b[j + k];
  }
  T s = 0;
  for (; j < n; ++j) s += a[j] * b[j];
  for (int k = 0; k < kDotLanes; ++k) s += lanes[k];
  return s;
}

// buf (q.size) = the phases of `in` (ih, iw), `fill` elsewhere (the
// padding: zeros for convolutions, -inf for max pooling).
template <typename T>
[[gnu::always_inline]] inline void Split(const Phases& q, const T* in, T* buf,
                                         T fill = T(0)) {
  std::fill(buf, buf + q.size, fill);
  for (const Phases::Run& r : q.runs) {
    const T* src = in + r.in;
    T* dst = buf + r.at;
    if (r.step == 1) {
      std::copy(src, src + r.count, dst);
    } else {
      for (int64_t j = 0; j < r.count; ++j) dst[j] = src[j * r.step];
    }
  }
}

// din (ih, iw) += the input elements' share of buf (q.size).
template <typename T>
[[gnu::always_inline]] inline void MergeAdd(const Phases& q, const T* buf,
                                            T* din) {
  for (const Phases::Run& r : q.runs) {
    const T* src = buf + r.at;
    T* dst = din + r.in;
    if (r.step == 1) {
      for (int64_t j = 0; j < r.count; ++j) dst[j] += src[j];
    } else {
      for (int64_t j = 0; j < r.count; ++j) dst[j * r.step] += src[j];
    }
  }
}

// gbuf (q.padded) = the output plane `out` (oh, ow) at pitch wq, zeros in
// the columns past each row and in the padding.
template <typename T>
[[gnu::always_inline]] inline void PlaceOutput(const Plane& p, const Phases& q,
                                               const T* out, T* gbuf) {
  std::fill(gbuf, gbuf + q.padded, T(0));
  for (int64_t oy = 0; oy < p.oh; ++oy) {
    std::copy(out + oy * p.ow, out + (oy + 1) * p.ow, gbuf + oy * q.wq);
  }
}

// out (oh, ow) = the output rows of buf (at pitch wq), without the columns
// past each row.
template <typename T>
[[gnu::always_inline]] inline void TakeOutput(const Plane& p, const Phases& q,
                                              const T* buf, T* out) {
  for (int64_t oy = 0; oy < p.oh; ++oy) {
    std::copy(buf + oy * q.wq, buf + oy * q.wq + p.ow, out + oy * p.ow);
  }
}

}  // namespace ops
}  // namespace mx

#endif  // MX_OPS_NN_CONV_PLANES_H_
