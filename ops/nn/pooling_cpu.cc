// Pooling's optimized CPU kernel: the reference's semantics (max ignores NaN
// and sends the gradient to the first maximum of its window; avg divides by
// the window clipped to the padded data) with each axis's window bounds
// precomputed, dedicated loops for 2x2 stride-2 and unit-stride max pooling,
// and channels split over the intra-op threads.
#include <algorithm>
#include <limits>
#include <optional>
#include <vector>

#include "core/base/multiversion.h"
#include "core/engine/parallel.h"
#include "core/op/kernel.h"
#include "ops/common/kernel_util.h"
#include "ops/common/window.h"
#include "ops/nn/conv_planes.h"
#include "ops/nn/pooling.h"

namespace mx {
namespace ops {
namespace {

// Elements one parallel range should at least cover.
constexpr int64_t kGrainElements = 1 << 14;

// acc < v ? v : acc: the reference's std::max order, so NaN is skipped.
template <typename T>
inline T MaxOf(T acc, T v) {
  return acc < v ? v : acc;
}

// Max pooling with unit strides (Inception's 3x3, stride 1, pad 1 branch) on
// the convolutions' plane geometry (ops/nn/conv_planes.h): each channel
// copied into a plane padded with -inf, so every window is whole and, with
// the outputs at the plane's pitch, each tap is one long vector loop (the
// columns past each output row are computed and dropped; their gradient is
// 0). The taps are visited in the reference's order, so the maximum and the
// first maximum (where the gradient goes) are the reference's.
struct UnitStride {
  Plane p;
  Phases q;
  explicit UnitStride(const Window& w) : p(w), q(p) {}
  // Whether w is a 2-D unit-stride window whose outputs cover exactly the
  // padded data.
  static bool Fits(const Window& w) {
    return w.in[0] == 1 && w.kernel[0] == 1 && w.stride[1] == 1 &&
           w.stride[2] == 1 &&
           w.out[1] == w.in[1] + 2 * w.pad[1] - w.kernel[1] + 1 &&
           w.out[2] == w.in[2] + 2 * w.pad[2] - w.kernel[2] + 1;
  }
  // Scratch elements UnitStrideMax and UnitStrideMaxGrad need.
  int64_t scratch() const { return 2 * q.size + 3 * q.padded; }
};

// buf (q.size) = x padded with -inf; m (q.padded, at pitch wq) = the window
// maxima.
template <typename T>
[[gnu::always_inline]] inline void WindowMaxima(const UnitStride& g, const T* x,
                                                T* buf, T* m) {
  constexpr T kLowest = -std::numeric_limits<T>::infinity();
  Split(g.q, x, buf, kLowest);
  std::fill(m, m + g.q.padded, kLowest);
  for (const int64_t tap : g.q.taps) {
    const T* src = buf + tap;
    for (int64_t o = 0; o < g.q.padded; ++o) m[o] = MaxOf(m[o], src[o]);
  }
}

// y (oh, ow) = (or +=) the pooled channel x.
template <typename T>
[[gnu::always_inline]] inline void UnitStrideMax(const UnitStride& g,
                                                 const T* x, T* y, bool add,
                                                 T* scratch) {
  T* buf = scratch;
  T* m = buf + g.q.size;
  WindowMaxima(g, x, buf, m);
  if (!add) return TakeOutput(g.p, g.q, m, y);
  for (int64_t oy = 0; oy < g.p.oh; ++oy) {
    const T* src = m + oy * g.q.wq;
    T* out = y + oy * g.p.ow;
    for (int64_t o = 0; o < g.p.ow; ++o) out[o] += src[o];
  }
}

// dx (ih, iw) = (or +=) gy sent to each window's first maximum (none when
// every element is -inf or NaN).
template <typename T>
[[gnu::always_inline]] inline void UnitStrideMaxGrad(const UnitStride& g,
                                                     const T* x, const T* gy,
                                                     T* dx, bool add,
                                                     T* scratch) {
  constexpr T kLowest = -std::numeric_limits<T>::infinity();
  const Phases& q = g.q;
  T* buf = scratch;
  T* dbuf = buf + q.size;
  T* m = dbuf + q.size;
  T* grad = m + q.padded;     // gy at pitch wq, 0 in the dropped columns
  T* left = grad + q.padded;  // 1 while the first maximum is to come
  WindowMaxima(g, x, buf, m);
  PlaceOutput(g.p, q, gy, grad);
  for (int64_t o = 0; o < q.padded; ++o) {
    left[o] = m[o] > kLowest ? T(1) : T(0);
  }
  std::fill(dbuf, dbuf + q.size, T(0));
  for (const int64_t tap : q.taps) {
    const T* src = buf + tap;
    T* dst = dbuf + tap;
    for (int64_t o = 0; o < q.padded; ++o) {
      const T first = src[o] == m[o] ? left[o] : T(0);
      dst[o] += KeepIf(grad[o], first != T(0));
      left[o] -= first;
    }
  }
  if (!add) std::fill(dx, dx + g.p.ih * g.p.iw, T(0));
  MergeAdd(q, dbuf, dx);
}

// The float32 loops compiled for AVX-512, AVX2 + FMA and baseline x86-64.
MX_MULTIVERSION void UnitStrideMaxF(const UnitStride& g, const float* x,
                                    float* y, bool add, float* scratch) {
  UnitStrideMax(g, x, y, add, scratch);
}
MX_MULTIVERSION void UnitStrideMaxGradF(const UnitStride& g, const float* x,
                                        const float* gy, float* dx, bool add,
                                        float* scratch) {
  UnitStrideMaxGrad(g, x, gy, dx, add, scratch);
}
void UnitStrideMaxAny(const UnitStride& g, const float* x, float* y, bool add,
                      float* scratch) {
  UnitStrideMaxF(g, x, y, add, scratch);
}
void UnitStrideMaxAny(const UnitStride& g, const double* x, double* y, bool add,
                      double* scratch) {
  UnitStrideMax(g, x, y, add, scratch);
}
void UnitStrideMaxGradAny(const UnitStride& g, const float* x, const float* gy,
                          float* dx, bool add, float* scratch) {
  UnitStrideMaxGradF(g, x, gy, dx, add, scratch);
}
void UnitStrideMaxGradAny(const UnitStride& g, const double* x,
                          const double* gy, double* dx, bool add,
                          double* scratch) {
  UnitStrideMaxGrad(g, x, gy, dx, add, scratch);
}

template <typename T>
class PoolingCpu : public OpKernel {
 public:
  explicit PoolingCpu(const KernelSetup& s) {
    const auto& p = s.params<PoolingParam>();
    const Shape& d = s.in_shapes[0];
    w_ = PoolingWindow(s);
    channels_ = d[0] * d[1];
    max_ = p.pool_type == "max";
    avg_ = p.pool_type == "avg";
    for (int a = 0; a < 3; ++a) {
      for (int64_t o = 0; o < w_.out[a]; ++o) {
        axis_[a].push_back(PoolingRange(w_, a, o));
      }
    }
    max_2x2_ = max_ && w_.in[0] == 1 && w_.kernel[1] == 2 &&
               w_.kernel[2] == 2 && w_.stride[1] == 2 && w_.stride[2] == 2 &&
               w_.pad[1] == 0 && w_.pad[2] == 0 && 2 * w_.out[1] <= w_.in[1] &&
               2 * w_.out[2] <= w_.in[2];  // not past the data ("full")
    if (max_ && UnitStride::Fits(w_)) unit_.emplace(w_);
  }

  void Forward(const KernelContext&, const ForwardArgs& a) override {
    const OpReq req = a.req[0];
    if (req == OpReq::kNull) return;
    const T* x = a.inputs[0].ptr<T>();
    T* y = a.outputs[0].ptr<T>();
    const int64_t is = w_.InSize(), os = w_.OutSize();
    ParallelFor(channels_, Grain(), [&](int64_t c0, int64_t c1) {
      if (unit_) {
        std::vector<T> scratch(static_cast<size_t>(unit_->scratch()));
        for (int64_t c = c0; c < c1; ++c) {
          UnitStrideMaxAny(*unit_, x + c * is, y + c * os, req == OpReq::kAdd,
                           scratch.data());
        }
        return;
      }
      for (int64_t c = c0; c < c1; ++c) {
        PoolChannel(x + c * is, y + c * os, req == OpReq::kAdd);
      }
    });
  }

  void Backward(const KernelContext&, const BackwardArgs& a) override {
    const OpReq req = a.req[0];
    if (req == OpReq::kNull) return;
    const T* g = a.out_grads[0].ptr<T>();
    const T* x = a.inputs[0].ptr<T>();
    T* dx = a.in_grads[0].ptr<T>();
    const int64_t is = w_.InSize(), os = w_.OutSize();
    // 2x2 windows that tile the data write every element once: no zeroing.
    const bool tiles = max_2x2_ && 2 * w_.out[1] == w_.in[1] &&
                       2 * w_.out[2] == w_.in[2] && req != OpReq::kAdd;
    ParallelFor(channels_, Grain(), [&](int64_t c0, int64_t c1) {
      if (unit_) {
        std::vector<T> scratch(static_cast<size_t>(unit_->scratch()));
        for (int64_t c = c0; c < c1; ++c) {
          UnitStrideMaxGradAny(*unit_, x + c * is, g + c * os, dx + c * is,
                               req == OpReq::kAdd, scratch.data());
        }
        return;
      }
      if (tiles) {
        for (int64_t c = c0; c < c1; ++c) {
          WriteTiles2x2(x + c * is, g + c * os, dx + c * is);
        }
        return;
      }
      if (req != OpReq::kAdd) std::fill(dx + c0 * is, dx + c1 * is, T(0));
      for (int64_t c = c0; c < c1; ++c) {
        ScatterChannel(x + c * is, g + c * os, dx + c * is);
      }
    });
  }

 private:
  int64_t Grain() const {
    return std::max<int64_t>(
        1, kGrainElements / std::max<int64_t>(1, w_.InSize()));
  }

  // out = (or +=) the pooled channel x.
  void PoolChannel(const T* x, T* out, bool add) const {
    const auto put = [add](T* o, T v) { *o = add ? *o + v : v; };
    if (max_2x2_) {
      for (int64_t oh = 0; oh < w_.out[1]; ++oh) {
        const T* r0 = x + 2 * oh * w_.in[2];
        const T* r1 = r0 + w_.in[2];
        T* o = out + oh * w_.out[2];
        for (int64_t ow = 0; ow < w_.out[2]; ++ow) {
          T acc = -std::numeric_limits<T>::infinity();
          acc = MaxOf(acc, r0[2 * ow]);
          acc = MaxOf(acc, r0[2 * ow + 1]);
          acc = MaxOf(acc, r1[2 * ow]);
          acc = MaxOf(acc, r1[2 * ow + 1]);
          put(o + ow, acc);
        }
      }
      return;
    }
    for (const AxisRange& rd : axis_[0]) {
      for (const AxisRange& rh : axis_[1]) {
        for (const AxisRange& rw : axis_[2])
          put(out++, PoolWindow(x, rd, rh, rw));
      }
    }
  }

  T PoolWindow(const T* x, const AxisRange& rd, const AxisRange& rh,
               const AxisRange& rw) const {
    T acc = max_ ? -std::numeric_limits<T>::infinity() : T(0);
    for (int64_t d = rd.begin; d < rd.end; ++d) {
      for (int64_t h = rh.begin; h < rh.end; ++h) {
        const T* row = x + (d * w_.in[1] + h) * w_.in[2];
        if (max_) {
          for (int64_t w = rw.begin; w < rw.end; ++w) acc = MaxOf(acc, row[w]);
        } else {
          for (int64_t w = rw.begin; w < rw.end; ++w) acc += row[w];
        }
      }
    }
    if (avg_) acc /= static_cast<T>(rd.padded * rh.padded * rw.padded);
    return acc;
  }

  // dx = g at each 2x2 window's first maximum, 0 elsewhere, for windows
  // that tile the channel. Branch-free: the first maximum is the first
  // element equal to the window's (NaN-skipping) maximum, and the stores
  // are masked, as random data would mispredict every branch.
  void WriteTiles2x2(const T* x, const T* g, T* dx) const {
    constexpr T kLowest = -std::numeric_limits<T>::infinity();
    for (int64_t oh = 0; oh < w_.out[1]; ++oh) {
      const T* x0 = x + 2 * oh * w_.in[2];
      const T* x1 = x0 + w_.in[2];
      T* d0 = dx + 2 * oh * w_.in[2];
      T* d1 = d0 + w_.in[2];
      const T* go = g + oh * w_.out[2];
      for (int64_t ow = 0; ow < w_.out[2]; ++ow) {
        const T a = x0[2 * ow], b = x0[2 * ow + 1];
        const T c = x1[2 * ow], d = x1[2 * ow + 1];
        const T m = MaxOf(MaxOf(MaxOf(MaxOf(kLowest, a), b), c), d);
        const bool found = m > kLowest;  // not all -inf or NaN
        const bool ea = found & (a == m);
        const bool eb = found & !ea & (b == m);
        const bool ec = found & !ea & !eb & (c == m);
        const bool ed = found & !ea & !eb & !ec & (d == m);
        d0[2 * ow] = KeepIf(go[ow], ea);
        d0[2 * ow + 1] = KeepIf(go[ow], eb);
        d1[2 * ow] = KeepIf(go[ow], ec);
        d1[2 * ow + 1] = KeepIf(go[ow], ed);
      }
    }
  }

  // dx += the gradient g of one channel sent back through its windows.
  void ScatterChannel(const T* x, const T* g, T* dx) const {
    int64_t o = 0;
    for (const AxisRange& rd : axis_[0]) {
      for (const AxisRange& rh : axis_[1]) {
        for (const AxisRange& rw : axis_[2]) {
          ScatterWindow(x, g[o++], rd, rh, rw, dx);
        }
      }
    }
  }

  // Max: go to the window's first maximum (without branches: random data
  // mispredicts); avg and sum: to every element.
  void ScatterWindow(const T* x, T go, const AxisRange& rd, const AxisRange& rh,
                     const AxisRange& rw, T* dx) const {
    if (max_) {
      int64_t best = -1;
      T best_value = -std::numeric_limits<T>::infinity();
      for (int64_t d = rd.begin; d < rd.end; ++d) {
        for (int64_t h = rh.begin; h < rh.end; ++h) {
          const int64_t row = (d * w_.in[1] + h) * w_.in[2];
          for (int64_t w = rw.begin; w < rw.end; ++w) {
            const bool better = x[row + w] > best_value;
            best_value = better ? x[row + w] : best_value;
            best = better ? row + w : best;
          }
        }
      }
      if (best >= 0) dx[best] += go;
      return;
    }
    const T share =
        avg_ ? go / static_cast<T>(rd.padded * rh.padded * rw.padded) : go;
    for (int64_t d = rd.begin; d < rd.end; ++d) {
      for (int64_t h = rh.begin; h < rh.end; ++h) {
        T* row = dx + (d * w_.in[1] + h) * w_.in[2];
        for (int64_t w = rw.begin; w < rw.end; ++w) row[w] += share;
      }
    }
  }

  Window w_;
  int64_t channels_ = 0;
  bool max_ = true, avg_ = false, max_2x2_ = false;
  std::optional<UnitStride> unit_;  // unit-stride max pooling
  std::vector<AxisRange> axis_[3];
};

}  // namespace

MX_REGISTER_KERNEL(Pooling, kCPU, kOptimized)
    .Types({DType::kFloat32, DType::kFloat64})
    .Factory(TypedFactory<PoolingCpu>());

}  // namespace ops
}  // namespace mx
