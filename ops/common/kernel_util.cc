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

}  // namespace ops
}  // namespace mx
