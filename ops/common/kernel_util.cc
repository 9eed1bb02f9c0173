#include "ops/common/kernel_util.h"

#include "core/base/strings.h"

namespace mx {
namespace ops {

AxisSplit SplitAt(const Shape& shape, int axis) {
  AxisSplit s;
  s.outer = shape.ProdRange(0, axis);
  s.extent = shape[axis];
  s.inner = shape.ProdRange(axis + 1, shape.ndim());
  return s;
}

std::string AxisProblem(int64_t axis, int ndim, const char* what) {
  if (axis >= -ndim && axis < ndim) return "";
  return StrCat(what, " ", axis, " is out of range for ", ndim,
                "-d data; expected ", -ndim, " <= ", what, " < ", ndim);
}

int64_t GrownExtent(int axis, int64_t extent, int64_t factor, int64_t extra,
                    std::string* problem) {
  if (extent < 0) return -1;
  int64_t out = 0;
  if (__builtin_mul_overflow(extent, factor, &out) ||
      __builtin_add_overflow(out, extra, &out)) {
    *problem = StrCat("the output's axis ", axis, " (", extent, " * ", factor,
                      " + ", extra, " elements) does not fit in int64");
    return -1;
  }
  return out;
}

}  // namespace ops
}  // namespace mx
