#include "ops/common/strided.h"

#include <algorithm>

#include "core/base/error.h"

namespace mx {
namespace ops {

std::vector<int64_t> RowMajorStrides(const Shape& shape) {
  std::vector<int64_t> s(shape.ndim(), 1);
  for (int i = shape.ndim() - 2; i >= 0; --i) s[i] = s[i + 1] * shape[i + 1];
  return s;
}

std::vector<int64_t> BroadcastStrides(const Shape& in, const Shape& out) {
  MX_INTERNAL_CHECK(in.ndim() <= out.ndim(), "broadcast of ", in, " to ", out);
  const std::vector<int64_t> own = RowMajorStrides(in);
  std::vector<int64_t> s(out.ndim(), 0);
  const int shift = out.ndim() - in.ndim();
  for (int i = 0; i < in.ndim(); ++i) {
    MX_INTERNAL_CHECK(in[i] == out[i + shift] || in[i] == 1, "broadcast of ",
                      in, " to ", out);
    s[i + shift] = in[i] == 1 ? 0 : own[i];
  }
  return s;
}

PartialShape BroadcastShape(const PartialShape& a, const PartialShape& b,
                            std::string* problem) {
  problem->clear();
  if (!a.rank_known() || !b.rank_known()) return PartialShape();
  const int nd = std::max(a.ndim(), b.ndim());
  std::vector<int64_t> dims(nd, -1);
  for (int i = 0; i < nd; ++i) {
    const int ia = i - (nd - a.ndim()), ib = i - (nd - b.ndim());
    const int64_t x = ia >= 0 ? a[ia] : 1, y = ib >= 0 ? b[ib] : 1;
    if (x == 1) {
      dims[i] = y;
    } else if (y == 1) {
      dims[i] = x;
    } else if (x >= 0 && y >= 0 && x != y) {
      *problem = "shapes " + a.ToString() + " and " + b.ToString() +
                 " do not broadcast: axis " + std::to_string(i) +
                 " has extents " + std::to_string(x) + " and " +
                 std::to_string(y) + "; expected equal extents or 1";
      return PartialShape();
    } else {
      // Unknown (-1) against a known extent > 1 (or both unknown).
      dims[i] = std::max(x, y);
    }
  }
  return PartialShape(dims);
}

}  // namespace ops
}  // namespace mx
