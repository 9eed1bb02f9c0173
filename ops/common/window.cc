#include "ops/common/window.h"

namespace mx {
namespace ops {

Window Window::Make(const Shape& data, const Shape& out,
                    const std::vector<int64_t>& kernel,
                    const std::vector<int64_t>& stride,
                    const std::vector<int64_t>& pad,
                    const std::vector<int64_t>& dilate) {
  Window w;
  const int n = data.ndim() - 2;  // spatial axes
  const int skip = 3 - n;
  for (int i = 0; i < n; ++i) {
    w.in[skip + i] = data[2 + i];
    w.out[skip + i] = out[2 + i];
    w.kernel[skip + i] = kernel.empty() ? data[2 + i] : kernel[i];
    if (!stride.empty()) w.stride[skip + i] = stride[i];
    if (!pad.empty()) w.pad[skip + i] = pad[i];
    if (!dilate.empty()) w.dilate[skip + i] = dilate[i];
  }
  return w;
}

AxisRange PoolingRange(const Window& w, int axis, int64_t o) {
  const int64_t start = o * w.stride[axis] - w.pad[axis];
  const int64_t padded_end =
      std::min(start + w.kernel[axis], w.in[axis] + w.pad[axis]);
  return {std::max<int64_t>(start, 0),
          std::min(start + w.kernel[axis], w.in[axis]),
          std::max<int64_t>(padded_end - start, 1)};
}

}  // namespace ops
}  // namespace mx
