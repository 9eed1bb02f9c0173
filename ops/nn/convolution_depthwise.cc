#include "ops/nn/convolution_depthwise.h"

#include <algorithm>
#include <vector>

#include "core/base/multiversion.h"
#include "core/engine/parallel.h"
#include "ops/nn/convolution.h"

namespace mx {
namespace ops {
namespace {

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
        dx(w.dilate[2]) {
    FindColumns();
  }
  // The input row tap ky of output row oy reads (maybe outside [0, ih)).
  int64_t Row(int64_t oy, int64_t ky) const { return oy * sy - py + ky * dy; }
  // The input column of output column 0 for tap kx.
  int64_t Offset(int64_t kx) const { return kx * dx - px; }
  // The output columns [begin, end) whose tap kx reads inside [0, iw),
  // computed once (a division per row and tap cost more than the sums).
  void Columns(int64_t kx, int64_t* begin, int64_t* end) const {
    *begin = columns[2 * kx];
    *end = columns[2 * kx + 1];
  }
  std::vector<int64_t> columns;  // per tap kx: begin, end

 private:
  void FindColumns() {
    for (int64_t kx = 0; kx < kw; ++kx) {
      const int64_t offset = Offset(kx);
      const int64_t begin = offset >= 0 ? 0 : (-offset + sx - 1) / sx;
      const int64_t last = iw - 1 - offset;
      const int64_t end = last < 0 ? 0 : std::min(ow, last / sx + 1);
      columns.push_back(begin);
      columns.push_back(std::max(begin, end));
    }
  }
};

// out (oh, ow) = bias + the taps of `filter` over `in` (ih, iw).
template <typename T>
[[gnu::always_inline]] inline void ForwardPlane(const Plane& p, const T* in,
                                                const T* filter, T bias,
                                                T* out) {
  std::fill(out, out + p.oh * p.ow, bias);
  for (int64_t oy = 0; oy < p.oh; ++oy) {
    T* row = out + oy * p.ow;
    for (int64_t ky = 0; ky < p.kh; ++ky) {
      const int64_t iy = p.Row(oy, ky);
      if (iy < 0 || iy >= p.ih) continue;
      for (int64_t kx = 0; kx < p.kw; ++kx) {
        const int64_t offset = p.Offset(kx);
        int64_t b, e;
        p.Columns(kx, &b, &e);
        const T w = filter[ky * p.kw + kx];
        const T* src = in + iy * p.iw + offset;
        if (p.sx == 1) {
          for (int64_t o = b; o < e; ++o) row[o] += w * src[o];
        } else {
          for (int64_t o = b; o < e; ++o) row[o] += w * src[o * p.sx];
        }
      }
    }
  }
}

// din (ih, iw) += the output gradient `grad` (oh, ow) spread back over the
// taps that read each input element.
template <typename T>
[[gnu::always_inline]] inline void DataPlane(const Plane& p, const T* grad,
                                             const T* filter, T* din) {
  for (int64_t oy = 0; oy < p.oh; ++oy) {
    const T* g = grad + oy * p.ow;
    for (int64_t ky = 0; ky < p.kh; ++ky) {
      const int64_t iy = p.Row(oy, ky);
      if (iy < 0 || iy >= p.ih) continue;
      for (int64_t kx = 0; kx < p.kw; ++kx) {
        const int64_t offset = p.Offset(kx);
        int64_t b, e;
        p.Columns(kx, &b, &e);
        const T w = filter[ky * p.kw + kx];
        T* dst = din + iy * p.iw + offset;
        if (p.sx == 1) {
          for (int64_t o = b; o < e; ++o) dst[o] += w * g[o];
        } else {
          for (int64_t o = b; o < e; ++o) dst[o * p.sx] += w * g[o];
        }
      }
    }
  }
}

// taps[ky][kx] += sum of grad[oy][ox] in[iy][ix] over the plane.
template <typename T>
[[gnu::always_inline]] inline void WeightPlane(const Plane& p, const T* grad,
                                               const T* in, T* taps) {
  for (int64_t oy = 0; oy < p.oh; ++oy) {
    const T* g = grad + oy * p.ow;
    for (int64_t ky = 0; ky < p.kh; ++ky) {
      const int64_t iy = p.Row(oy, ky);
      if (iy < 0 || iy >= p.ih) continue;
      for (int64_t kx = 0; kx < p.kw; ++kx) {
        const int64_t offset = p.Offset(kx);
        int64_t b, e;
        p.Columns(kx, &b, &e);
        const T* src = in + iy * p.iw + offset;
        T s = 0;
        if (p.sx == 1) {
          for (int64_t o = b; o < e; ++o) s += g[o] * src[o];
        } else {
          for (int64_t o = b; o < e; ++o) s += g[o] * src[o * p.sx];
        }
        taps[ky * p.kw + kx] += s;
      }
    }
  }
}

// Unit stride: the plane is copied into a zero-padded buffer of pitch
// Wp = ow + (kw - 1) dx, so that every tap is one long multiply-add over
// oh * Wp elements with no bounds (the Wp - ow columns past each output row
// compute values that are dropped, or multiply zeros): a few long vector
// loops per plane instead of a short loop per row and tap.
struct Padded {
  int64_t wp, hp, size;  // pitch, rows, elements (with a zero tail)
  explicit Padded(const Plane& p)
      : wp(p.ow + (p.kw - 1) * p.dx),
        hp(p.oh + (p.kh - 1) * p.dy),
        size(hp * wp + (p.kw - 1) * p.dx) {}
  int64_t Tap(const Plane& p, int64_t ky, int64_t kx) const {
    return ky * p.dy * wp + kx * p.dx;
  }
};

// sum of a[j] b[j] over [0, n), in kLanes partial sums so that it vectorizes
// (a float sum in one register is a chain the compiler must keep in order).
constexpr int kLanes = 16;
template <typename T>
[[gnu::always_inline]] inline T Dot(const T* a, const T* b, int64_t n) {
  T lanes[kLanes] = {};
  int64_t j = 0;
  for (; j + kLanes <= n; j += kLanes) {
    for (int k = 0; k < kLanes; ++k) lanes[k] += a[j + k] * b[j + k];
  }
  T s = 0;
  for (; j < n; ++j) s += a[j] * b[j];
  for (int k = 0; k < kLanes; ++k) s += lanes[k];
  return s;
}

// buf (size) = `in` (rows x cols) placed at (top, left) in zeros of pitch wp.
template <typename T>
[[gnu::always_inline]] inline void PlaceRows(const T* in, int64_t rows,
                                             int64_t cols, int64_t top,
                                             int64_t left, int64_t wp,
                                             int64_t size, T* buf) {
  std::fill(buf, buf + size, T(0));
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t y = top + r;
    const int64_t begin = std::max<int64_t>(0, -left);
    const int64_t end = std::min(cols, wp - left);
    if (y < 0 || y * wp >= size || begin >= end) continue;
    std::copy(in + r * cols + begin, in + r * cols + end,
              buf + y * wp + left + begin);
  }
}

template <typename T>
[[gnu::always_inline]] inline void ForwardUnit(const Plane& p, const T* in,
                                               const T* filter, T bias, T* out,
                                               T* pad, T* acc) {
  const Padded q(p);
  PlaceRows(in, std::min(p.ih, q.hp - p.py), p.iw, p.py, p.px, q.wp, q.size,
            pad);
  const int64_t n = p.oh * q.wp;
  std::fill(acc, acc + n, bias);
  for (int64_t ky = 0; ky < p.kh; ++ky) {
    for (int64_t kx = 0; kx < p.kw; ++kx) {
      const T w = filter[ky * p.kw + kx];
      const T* src = pad + q.Tap(p, ky, kx);
      for (int64_t j = 0; j < n; ++j) acc[j] += w * src[j];
    }
  }
  for (int64_t oy = 0; oy < p.oh; ++oy) {
    std::copy(acc + oy * q.wp, acc + oy * q.wp + p.ow, out + oy * p.ow);
  }
}

// The output gradient of one plane at pitch wp (zeros in the dropped
// columns), then: din += its spread over the taps (when din), taps += its
// products with the padded input (when taps).
template <typename T>
[[gnu::always_inline]] inline void BackwardUnit(const Plane& p, const T* grad,
                                                const T* in, const T* filter,
                                                T* din, T* taps, T* gpad,
                                                T* pad) {
  const Padded q(p);
  const int64_t n = p.oh * q.wp;
  PlaceRows(grad, p.oh, p.ow, 0, 0, q.wp, n, gpad);
  if (taps) {
    PlaceRows(in, std::min(p.ih, q.hp - p.py), p.iw, p.py, p.px, q.wp, q.size,
              pad);
    for (int64_t ky = 0; ky < p.kh; ++ky) {
      for (int64_t kx = 0; kx < p.kw; ++kx) {
        taps[ky * p.kw + kx] += Dot(gpad, pad + q.Tap(p, ky, kx), n);
      }
    }
  }
  if (din) {
    std::fill(pad, pad + q.size, T(0));
    for (int64_t ky = 0; ky < p.kh; ++ky) {
      for (int64_t kx = 0; kx < p.kw; ++kx) {
        const T w = filter[ky * p.kw + kx];
        T* dst = pad + q.Tap(p, ky, kx);
        for (int64_t j = 0; j < n; ++j) dst[j] += w * gpad[j];
      }
    }
    // The input's elements sit at (iy + py, ix + px); those past the padded
    // rows or columns no output reads (gradient 0).
    const int64_t rows = std::min(p.ih, q.hp - p.py);
    const int64_t cols = std::min(p.iw, q.wp - p.px);
    for (int64_t iy = 0; iy < rows; ++iy) {
      const T* src = pad + (iy + p.py) * q.wp + p.px;
      T* dst = din + iy * p.iw;
      for (int64_t ix = 0; ix < cols; ++ix) dst[ix] += src[ix];
    }
  }
}

// The float32 planes compiled for AVX-512, AVX2 and baseline x86-64.
MX_MULTIVERSION void ForwardPlaneF(const Plane& p, const float* in,
                                   const float* filter, float bias,
                                   float* out) {
  ForwardPlane(p, in, filter, bias, out);
}
MX_MULTIVERSION void DataPlaneF(const Plane& p, const float* grad,
                                const float* filter, float* din) {
  DataPlane(p, grad, filter, din);
}
MX_MULTIVERSION void WeightPlaneF(const Plane& p, const float* grad,
                                  const float* in, float* taps) {
  WeightPlane(p, grad, in, taps);
}
MX_MULTIVERSION void ForwardUnitF(const Plane& p, const float* in,
                                  const float* filter, float bias, float* out,
                                  float* pad, float* acc) {
  ForwardUnit(p, in, filter, bias, out, pad, acc);
}
MX_MULTIVERSION void BackwardUnitF(const Plane& p, const float* grad,
                                   const float* in, const float* filter,
                                   float* din, float* taps, float* gpad,
                                   float* pad) {
  BackwardUnit(p, grad, in, filter, din, taps, gpad, pad);
}
void ForwardUnitAny(const Plane& p, const float* in, const float* filter,
                    float bias, float* out, float* pad, float* acc) {
  ForwardUnitF(p, in, filter, bias, out, pad, acc);
}
void ForwardUnitAny(const Plane& p, const double* in, const double* filter,
                    double bias, double* out, double* pad, double* acc) {
  ForwardUnit(p, in, filter, bias, out, pad, acc);
}
void BackwardUnitAny(const Plane& p, const float* grad, const float* in,
                     const float* filter, float* din, float* taps, float* gpad,
                     float* pad) {
  BackwardUnitF(p, grad, in, filter, din, taps, gpad, pad);
}
void BackwardUnitAny(const Plane& p, const double* grad, const double* in,
                     const double* filter, double* din, double* taps,
                     double* gpad, double* pad) {
  BackwardUnit(p, grad, in, filter, din, taps, gpad, pad);
}
void ForwardPlaneAny(const Plane& p, const float* in, const float* filter,
                     float bias, float* out) {
  ForwardPlaneF(p, in, filter, bias, out);
}
void ForwardPlaneAny(const Plane& p, const double* in, const double* filter,
                     double bias, double* out) {
  ForwardPlane(p, in, filter, bias, out);
}
void DataPlaneAny(const Plane& p, const float* grad, const float* filter,
                  float* din) {
  DataPlaneF(p, grad, filter, din);
}
void DataPlaneAny(const Plane& p, const double* grad, const double* filter,
                  double* din) {
  DataPlane(p, grad, filter, din);
}
void WeightPlaneAny(const Plane& p, const float* grad, const float* in,
                    float* taps) {
  WeightPlaneF(p, grad, in, taps);
}
void WeightPlaneAny(const Plane& p, const double* grad, const double* in,
                    double* taps) {
  WeightPlane(p, grad, in, taps);
}

template <typename T>
class DepthwiseConvolution : public OpKernel {
 public:
  explicit DepthwiseConvolution(const KernelSetup& s)
      : d_(ConvDims::Of(s)), p_(d_.w) {}

  void Forward(const KernelContext&, const ForwardArgs& a) override {
    const OpReq req = a.req[0];
    if (req == OpReq::kNull) return;
    const T* x = a.inputs[0].ptr<T>();
    const T* wt = a.inputs[1].ptr<T>();
    const T* bias = d_.bias ? a.inputs[2].ptr<T>() : nullptr;
    T* y = a.outputs[0].ptr<T>();
    const int64_t is = p_.ih * p_.iw, os = p_.oh * p_.ow, taps = p_.kh * p_.kw;
    const bool unit = UnitStride();
    const Padded q(p_);
    ParallelFor(d_.batch * d_.in_c, 1, [&](int64_t begin, int64_t end) {
      // Adding to y goes through a plane of scratch.
      std::vector<T> sums(req == OpReq::kAdd ? static_cast<size_t>(os) : 0);
      std::vector<T> pad(unit ? static_cast<size_t>(q.size) : 0),
          acc(unit ? static_cast<size_t>(p_.oh * q.wp) : 0);
      for (int64_t i = begin; i < end; ++i) {
        const int64_t c = i % d_.in_c;
        T* out = req == OpReq::kAdd ? sums.data() : y + i * os;
        const T b = bias ? bias[c] : T(0);
        if (unit) {
          ForwardUnitAny(p_, x + i * is, wt + c * taps, b, out, pad.data(),
                         acc.data());
        } else {
          ForwardPlaneAny(p_, x + i * is, wt + c * taps, b, out);
        }
        if (req == OpReq::kAdd) {
          const T* src = sums.data();
          StoreEach(req, y + i * os, os, [src](int64_t k) { return src[k]; });
        }
      }
    });
  }

  void Backward(const KernelContext&, const BackwardArgs& a) override {
    const T* gy = a.out_grads[0].ptr<T>();
    const T* x = a.inputs[0].ptr<T>();
    const T* wt = a.inputs[1].ptr<T>();
    const OpReq dx_req = a.req[0], dw_req = a.req[1];
    const OpReq db_req = d_.bias ? a.req[2] : OpReq::kNull;
    T* dx = dx_req == OpReq::kNull ? nullptr : a.in_grads[0].ptr_or_null<T>();
    T* dw = dw_req == OpReq::kNull ? nullptr : a.in_grads[1].ptr_or_null<T>();
    T* db = db_req == OpReq::kNull ? nullptr : a.in_grads[2].ptr_or_null<T>();
    if (UnitStride())
      return UnitBackward(gy, x, wt, dx, dx_req, dw, dw_req, db, db_req);
    if (dx) DataGradient(gy, wt, dx, dx_req);
    if (dw || db) WeightGradient(gy, x, dw, dw_req, db, db_req);
  }

 private:
  bool UnitStride() const { return p_.sy == 1 && p_.sx == 1; }

  // Unit stride: both gradients in one pass over each plane's output
  // gradient.
  void UnitBackward(const T* gy, const T* x, const T* wt, T* dx, OpReq dx_req,
                    T* dw, OpReq dw_req, T* db, OpReq db_req) const {
    const int64_t is = p_.ih * p_.iw, os = p_.oh * p_.ow, taps = p_.kh * p_.kw;
    const Padded q(p_);
    PerChannel(gy, dw, dw_req, db, db_req, [&](int64_t c, int64_t i, T* sums) {
      // Per-thread scratch: the padded output gradient and input planes.
      thread_local std::vector<T> gpad, pad;
      gpad.resize(static_cast<size_t>(p_.oh * q.wp));
      pad.resize(static_cast<size_t>(q.size));
      T* din = dx ? dx + i * is : nullptr;
      if (din && dx_req != OpReq::kAdd) std::fill(din, din + is, T(0));
      if (din || dw) {
        BackwardUnitAny(p_, gy + i * os, x + i * is, wt + c * taps, din,
                        dw ? sums : nullptr, gpad.data(), pad.data());
      }
    });
  }

  // dx (req) = the output gradient spread back over the taps, per plane.
  void DataGradient(const T* gy, const T* wt, T* dx, OpReq req) const {
    const int64_t is = p_.ih * p_.iw, os = p_.oh * p_.ow, taps = p_.kh * p_.kw;
    ParallelFor(d_.batch * d_.in_c, 1, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) {
        T* din = dx + i * is;
        if (req != OpReq::kAdd) std::fill(din, din + is, T(0));
        DataPlaneAny(p_, gy + i * os, wt + (i % d_.in_c) * taps, din);
      }
    });
  }

  // dw[c] = sum over samples of each tap's products; db[c] = sum of the
  // channel's output gradient.
  void WeightGradient(const T* gy, const T* x, T* dw, OpReq dw_req, T* db,
                      OpReq db_req) const {
    const int64_t is = p_.ih * p_.iw, os = p_.oh * p_.ow;
    PerChannel(gy, dw, dw_req, db, db_req, [&](int64_t, int64_t i, T* sums) {
      if (dw) WeightPlaneAny(p_, gy + i * os, x + i * is, sums);
    });
  }

  // Channels split over the threads; for channel c, `plane(c, i, sums)` on
  // each sample's plane i in order, adding to the channel's tap sums; then
  // dw[c] = the tap sums and db[c] = the sum of the channel's output
  // gradient, stored as their requests say. Each channel's sums run in one
  // fixed order (the same every run: exact resume).
  template <typename PlaneFn>
  void PerChannel(const T* gy, T* dw, OpReq dw_req, T* db, OpReq db_req,
                  const PlaneFn& plane) const {
    const int64_t os = p_.oh * p_.ow, taps = p_.kh * p_.kw;
    ParallelFor(d_.in_c, 1, [&](int64_t begin, int64_t end) {
      std::vector<T> sums(static_cast<size_t>(taps));
      for (int64_t c = begin; c < end; ++c) {
        std::fill(sums.begin(), sums.end(), T(0));
        T bias_sum = 0;
        for (int64_t n = 0; n < d_.batch; ++n) {
          const int64_t i = n * d_.in_c + c;
          plane(c, i, sums.data());
          if (db) {
            const T* g = gy + i * os;
            T s = 0;
            for (int64_t k = 0; k < os; ++k) s += g[k];
            bias_sum += s;
          }
        }
        if (dw) {
          const T* src = sums.data();
          StoreEach(dw_req, dw + c * taps, taps,
                    [src](int64_t k) { return src[k]; });
        }
        if (db) StoreEach(db_req, db + c, 1, [=](int64_t) { return bias_sum; });
      }
    });
  }

  ConvDims d_;
  Plane p_;
};

}  // namespace

std::unique_ptr<OpKernel> MakeDepthwiseConvolution(const KernelSetup& setup) {
  const ConvDims d = ConvDims::Of(setup);
  const bool depthwise =
      d.groups > 1 && d.groups == d.in_c && d.out_c == d.in_c;
  const bool planar = d.w.in[0] == 1 && d.w.kernel[0] == 1 && d.w.out[0] == 1;
  if (!depthwise || !planar) return nullptr;
  switch (setup.dtype) {
    case DType::kFloat32:
      return std::make_unique<DepthwiseConvolution<float>>(setup);
    case DType::kFloat64:
      return std::make_unique<DepthwiseConvolution<double>>(setup);
    default:
      return nullptr;
  }
}

}  // namespace ops
}  // namespace mx
