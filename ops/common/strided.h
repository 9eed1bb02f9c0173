// Walking an output array in order while following other arrays through
// strides: the one loop behind broadcasting, reductions and transposes.
// An input broadcast along an axis has stride 0 there; a transposed input
// has its strides permuted.
#ifndef MX_OPS_COMMON_STRIDED_H_
#define MX_OPS_COMMON_STRIDED_H_

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "core/base/shape.h"
#include "core/op/kernel.h"
#include "core/op/partial_shape.h"

namespace mx {
namespace ops {

// Row-major strides (in elements) of `shape`.
std::vector<int64_t> RowMajorStrides(const Shape& shape);

// Strides of `in` (aligned to the right) when walking `out`'s indices: 0
// on the axes where `in` has extent 1 or none; `in` must broadcast to `out`.
std::vector<int64_t> BroadcastStrides(const Shape& in, const Shape& out);

// The NumPy broadcast of two shapes (aligned to the right; extent 1
// stretches); unknown extents stay unknown where they matter. Sets
// *problem when an axis has two extents > 1 that differ.
PartialShape BroadcastShape(const PartialShape& a, const PartialShape& b,
                            std::string* problem);

// Calls f(i, offsets) for every linear index i of an array of extents
// `dims`, in order, with offsets[k] = sum over axes of index * strides[k]
// (each strides[k] has dims.size() entries).
template <size_t K, typename F>
void ForEachStrided(const std::vector<int64_t>& dims,
                    const std::array<const int64_t*, K>& strides, F f) {
  const int nd = static_cast<int>(dims.size());
  int64_t total = 1;
  for (int64_t d : dims) total *= d;
  if (total == 0) return;
  std::array<int64_t, K> off{};
  if (nd == 0) {
    f(int64_t{0}, off);
    return;
  }
  std::vector<int64_t> idx(nd, 0);
  const int64_t inner = dims[nd - 1];
  std::array<int64_t, K> step;
  for (size_t k = 0; k < K; ++k) step[k] = strides[k][nd - 1];
  int64_t i = 0;
  while (true) {
    std::array<int64_t, K> o = off;
    for (int64_t j = 0; j < inner; ++j) {
      f(i + j, o);
      for (size_t k = 0; k < K; ++k) o[k] += step[k];
    }
    i += inner;
    int d = nd - 2;
    for (; d >= 0; --d) {
      for (size_t k = 0; k < K; ++k) off[k] += strides[k][d];
      if (++idx[d] < dims[d]) break;
      for (size_t k = 0; k < K; ++k) off[k] -= strides[k][d] * dims[d];
      idx[d] = 0;
    }
    if (d < 0) return;
  }
}

// out[i] = src[offset of i] for every index i of `dims` (strides into
// src), stored as `req` says: transposes, windows, broadcasts.
template <typename T>
void GatherStrided(const std::vector<int64_t>& dims,
                   const std::vector<int64_t>& strides, const T* src, T* out,
                   OpReq req) {
  if (req == OpReq::kNull) return;
  const bool add = req == OpReq::kAdd;
  ForEachStrided<1>(dims, {strides.data()},
                    [&](int64_t i, const std::array<int64_t, 1>& o) {
                      out[i] = add ? out[i] + src[o[0]] : src[o[0]];
                    });
}

// dst[offset of i] += g[i]: the gradient of GatherStrided, for gathers that
// may read an element several times (dst zeroed first unless `req` adds).
template <typename T>
void ScatterAddStrided(const std::vector<int64_t>& dims,
                       const std::vector<int64_t>& strides, const T* g, T* dst,
                       int64_t dst_size, OpReq req) {
  if (req == OpReq::kNull) return;
  if (req != OpReq::kAdd) std::fill(dst, dst + dst_size, T(0));
  ForEachStrided<1>(
      dims, {strides.data()},
      [&](int64_t i, const std::array<int64_t, 1>& o) { dst[o[0]] += g[i]; });
}

}  // namespace ops
}  // namespace mx

#endif  // MX_OPS_COMMON_STRIDED_H_
