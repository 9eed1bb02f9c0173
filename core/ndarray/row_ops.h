// Row-wise NDArray functions of MXNet's early NDArray API (float32, host):
// pick / set / one-hot one column per row, and clipping. Each is pushed to the
// engine; an index outside the row raises mx::Error at the next wait.
#ifndef MX_CORE_NDARRAY_ROW_OPS_H_
#define MX_CORE_NDARRAY_ROW_OPS_H_

#include "core/ndarray/ndarray.h"

namespace mx {

// out[i] = lhs[i, index[i]]: lhs (n, k), index (n,) of column numbers.
NDArray ChooseElement0Index(const NDArray& lhs, const NDArray& index);
// A copy of lhs (n, k) with lhs[i, index[i]] = values[i]; values, index (n,).
NDArray FillElement0Index(const NDArray& lhs, const NDArray& values,
                          const NDArray& index);
// out (n, k) = 0 except out[i, index[i]] = 1; index (n,).
void OneHotEncode(const NDArray& index, NDArray* out);
// min(max(a, low), high) elementwise; mx::Error unless low <= high.
NDArray Clip(const NDArray& a, float low, float high);

}  // namespace mx

#endif  // MX_CORE_NDARRAY_ROW_OPS_H_
