// Small helpers shared by kernels.
#ifndef MX_OPS_COMMON_KERNEL_UTIL_H_
#define MX_OPS_COMMON_KERNEL_UTIL_H_

#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

#include "core/base/shape.h"
#include "core/op/kernel.h"

namespace mx {
namespace ops {

// A kernel that remembers "<Op> '<node>'" for its error messages (kernels
// must not keep the KernelSetup's attrs pointer).
class NodeKernel : public OpKernel {
 public:
  explicit NodeKernel(const KernelSetup& s) : where_(s.attrs->Where()) {}

 protected:
  std::string where_;
};

// v when keep, else +0, as a bit mask: no branch (data-dependent branches
// on random values mispredict) and loops of it vectorize.
template <typename T>
inline T KeepIf(T v, bool keep) {
  using Bits = std::conditional_t<sizeof(T) == 4, uint32_t, uint64_t>;
  Bits bits;
  std::memcpy(&bits, &v, sizeof bits);
  bits &= Bits(0) - static_cast<Bits>(keep);
  std::memcpy(&v, &bits, sizeof bits);
  return v;
}

// Sizes of `shape` split around `axis`: (outer, extent, inner).
struct AxisSplit {
  int64_t outer = 1, extent = 1, inner = 1;
};
AxisSplit SplitAt(const Shape& shape, int axis);

// Axis `axis` of an ndim-array, counting from the end when negative.
inline int PositiveAxis(int64_t axis, int ndim) {
  return static_cast<int>(axis < 0 ? axis + ndim : axis);
}

// "" when -ndim <= axis < ndim, else "axis 3 is out of range for 2-d data;
// expected -2 <= axis < 2" (`what` names the parameter: "axis", "dim").
std::string AxisProblem(int64_t axis, int ndim, const char* what = "axis");

// An output extent grown from an input extent: extent * factor + extra (-1
// when extent is unknown, < 0); sets *problem to "axis 1: 4 * 2^62 + 0 does
// not fit in int64" style text when it overflows.
int64_t GrownExtent(int axis, int64_t extent, int64_t factor, int64_t extra,
                    std::string* problem);

// Moves a part (outer, part_extent, inner) to or from a whole (outer,
// whole.extent, inner) at `offset` along the middle axis, storing as `req`
// says: into the whole (Concat forward) or out of it (its backward).
template <typename T>
void PartToWhole(const T* part, int64_t part_extent, T* whole,
                 const AxisSplit& w, int64_t offset, OpReq req) {
  const int64_t row = part_extent * w.inner;
  for (int64_t o = 0; o < w.outer; ++o) {
    StoreEach(req, whole + (o * w.extent + offset) * w.inner, row,
              [=](int64_t i) { return part[o * row + i]; });
  }
}
template <typename T>
void WholeToPart(const T* whole, const AxisSplit& w, int64_t offset, T* part,
                 int64_t part_extent, OpReq req) {
  const int64_t row = part_extent * w.inner;
  for (int64_t o = 0; o < w.outer; ++o) {
    const T* src = whole + (o * w.extent + offset) * w.inner;
    StoreEach(req, part + o * row, row, [=](int64_t i) { return src[i]; });
  }
}

// The sum of v[0, n) in 16 partial sums, so that it vectorizes (one float
// accumulator is a chain the compiler must keep in order); the same order
// every call.
template <typename T>
inline T LaneSum(const T* v, int64_t n) {
  constexpr int kLanes = 16;
  T lanes[kLanes] = {};
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    for (int k = 0; k < kLanes; ++k) lanes[k] += v[i + k];
  }
  T s = 0;
  for (; i < n; ++i) s += v[i];
  for (int k = 0; k < kLanes; ++k) s += lanes[k];
  return s;
}

// Per-channel sums of g (batch, channels, spatial) into out (channels),
// stored as `req` says (bias gradients of convolutions).
template <typename T>
void SumChannels(const T* g, int64_t batch, int64_t channels, int64_t spatial,
                 T* out, OpReq req) {
  if (req == OpReq::kNull) return;
  std::vector<T> sum(static_cast<size_t>(channels), T(0));
  for (int64_t n = 0; n < batch; ++n) {
    for (int64_t c = 0; c < channels; ++c) {
      sum[c] += LaneSum(g + (n * channels + c) * spatial, spatial);
    }
  }
  StoreArray(req, out, sum.data(), channels);
}

// Adds bias[c] to every element of channel c of y (batch, channels,
// spatial).
template <typename T>
void AddChannelBias(const T* bias, int64_t batch, int64_t channels,
                    int64_t spatial, T* y) {
  for (int64_t n = 0; n < batch; ++n) {
    for (int64_t c = 0; c < channels; ++c) {
      T* yc = y + (n * channels + c) * spatial;
      for (int64_t i = 0; i < spatial; ++i) yc[i] += bias[c];
    }
  }
}

// Kernels of ops that only copy: out = data, data gradient = out gradient
// (Flatten, Reshape); alias-safe for in-place.
template <typename T>
class CopyKernel : public OpKernel {
 public:
  explicit CopyKernel(const KernelSetup&) {}
  void Forward(const KernelContext&, const ForwardArgs& a) override {
    StoreArray(a.req[0], a.outputs[0].ptr<T>(), a.inputs[0].ptr<T>(),
               a.outputs[0].Size());
  }
  void Backward(const KernelContext&, const BackwardArgs& a) override {
    StoreArray(a.req[0], a.in_grads[0].ptr<T>(), a.out_grads[0].ptr<T>(),
               a.in_grads[0].Size());
  }
};

}  // namespace ops
}  // namespace mx

#endif  // MX_OPS_COMMON_KERNEL_UTIL_H_
