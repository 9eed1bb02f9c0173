#include "ops/common/kernel_util.h"

namespace mx {
namespace ops {

AxisSplit SplitAt(const Shape& shape, int axis) {
  AxisSplit s;
  s.outer = shape.ProdRange(0, axis);
  s.extent = shape[axis];
  s.inner = shape.ProdRange(axis + 1, shape.ndim());
  return s;
}

}  // namespace ops
}  // namespace mx
