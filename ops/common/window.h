// Spatial windows of convolution and pooling, normalized to three spatial
// axes (d, h, w): 1-D and 2-D ops get leading axes of extent 1, so one set of
// loops serves every rank.
#ifndef MX_OPS_COMMON_WINDOW_H_
#define MX_OPS_COMMON_WINDOW_H_

#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

#include "core/base/shape.h"

namespace mx {
namespace ops {

using Dims3 = std::array<int64_t, 3>;

struct Window {
  Dims3 in{1, 1, 1}, out{1, 1, 1};
  Dims3 kernel{1, 1, 1}, stride{1, 1, 1}, pad{0, 0, 0}, dilate{1, 1, 1};

  // From NC<spatial> data and output shapes and the op's tuples (empty
  // stride / pad / dilate mean 1 / 0 / 1).
  static Window Make(const Shape& data, const Shape& out,
                     const std::vector<int64_t>& kernel,
                     const std::vector<int64_t>& stride,
                     const std::vector<int64_t>& pad,
                     const std::vector<int64_t>& dilate);

  int64_t InSize() const { return in[0] * in[1] * in[2]; }
  int64_t OutSize() const { return out[0] * out[1] * out[2]; }
  int64_t KernelSize() const { return kernel[0] * kernel[1] * kernel[2]; }
};

// Output position `o`'s pooling window along `axis`: the part inside the
// data, and its length clipped to the padded data (the average's divisor,
// padding counted as MXNet does; at least 1).
struct AxisRange {
  int64_t begin, end;
  int64_t padded;
};
AxisRange PoolingRange(const Window& w, int axis, int64_t o);

// Calls f(kernel_offset, out_offset, in_offset) for every (kernel position,
// output position) pair whose input position lies inside the data
// (padding skipped); offsets are flat within one channel.
template <typename F>
void ForEachTap(const Window& w, F f) {
  for (int64_t kd = 0; kd < w.kernel[0]; ++kd)
    for (int64_t kh = 0; kh < w.kernel[1]; ++kh)
      for (int64_t kw = 0; kw < w.kernel[2]; ++kw) {
        const int64_t k = (kd * w.kernel[1] + kh) * w.kernel[2] + kw;
        for (int64_t od = 0; od < w.out[0]; ++od) {
          const int64_t id = od * w.stride[0] - w.pad[0] + kd * w.dilate[0];
          if (id < 0 || id >= w.in[0]) continue;
          for (int64_t oh = 0; oh < w.out[1]; ++oh) {
            const int64_t ih = oh * w.stride[1] - w.pad[1] + kh * w.dilate[1];
            if (ih < 0 || ih >= w.in[1]) continue;
            for (int64_t ow = 0; ow < w.out[2]; ++ow) {
              const int64_t iw = ow * w.stride[2] - w.pad[2] + kw * w.dilate[2];
              if (iw < 0 || iw >= w.in[2]) continue;
              f(k, (od * w.out[1] + oh) * w.out[2] + ow,
                (id * w.in[1] + ih) * w.in[2] + iw);
            }
          }
        }
      }
}

// Like ForEachTap, a row of outputs at a time: calls f(k, out_row, in_row,
// first, lo, hi) for every kernel position k and output row (od, oh), where
// out_row is the offset of output (od, oh, 0) within a channel, in_row that
// of input (id, ih, 0) or -1 when the row is in the padding, and output
// positions ow in [lo, hi) read input in_row + first + ow * stride[2] (the
// others fall in the padding).
template <typename F>
void ForEachTapRow(const Window& w, F f) {
  const int64_t sw = w.stride[2];
  for (int64_t kd = 0; kd < w.kernel[0]; ++kd)
    for (int64_t kh = 0; kh < w.kernel[1]; ++kh)
      for (int64_t kw = 0; kw < w.kernel[2]; ++kw) {
        const int64_t k = (kd * w.kernel[1] + kh) * w.kernel[2] + kw;
        // ow is valid when 0 <= ow * sw + first < in[2].
        const int64_t first = kw * w.dilate[2] - w.pad[2];
        const int64_t lo = first >= 0 ? 0 : (-first + sw - 1) / sw;
        const int64_t hi = std::max(
            lo,
            std::min(w.out[2],
                     first >= w.in[2] ? 0 : (w.in[2] - first + sw - 1) / sw));
        for (int64_t od = 0; od < w.out[0]; ++od) {
          const int64_t id = od * w.stride[0] - w.pad[0] + kd * w.dilate[0];
          for (int64_t oh = 0; oh < w.out[1]; ++oh) {
            const int64_t ih = oh * w.stride[1] - w.pad[1] + kh * w.dilate[1];
            const bool inside =
                id >= 0 && id < w.in[0] && ih >= 0 && ih < w.in[1];
            f(k, (od * w.out[1] + oh) * w.out[2],
              inside ? (id * w.in[1] + ih) * w.in[2] : int64_t{-1}, first, lo,
              hi);
          }
        }
      }
}

// im2col: col (channels x kernel size rows, out size columns, row stride
// `ld`, at least the out size) of one block of `channels` channels (rows
// channel-major); zeros where the window is in the padding.
template <typename T>
void Im2Col(const T* data, int64_t channels, const Window& w, T* col,
            int64_t ld) {
  const int64_t k_size = w.KernelSize(), row_len = w.out[2], sw = w.stride[2];
  for (int64_t c = 0; c < channels; ++c) {
    const T* x = data + c * w.InSize();
    T* rows = col + c * k_size * ld;
    ForEachTapRow(w, [&](int64_t k, int64_t out_row, int64_t in_row,
                         int64_t first, int64_t lo, int64_t hi) {
      T* dst = rows + k * ld + out_row;
      if (in_row < 0) {
        std::fill(dst, dst + row_len, T(0));
        return;
      }
      std::fill(dst, dst + lo, T(0));
      const T* src = x + in_row + first;
      if (sw == 1) {
        std::copy(src + lo, src + hi, dst + lo);
      } else {
        for (int64_t ow = lo; ow < hi; ++ow) dst[ow] = src[ow * sw];
      }
      std::fill(dst + hi, dst + row_len, T(0));
    });
  }
}
template <typename T>
void Im2Col(const T* data, int64_t channels, const Window& w, T* col) {
  Im2Col(data, channels, w, col, w.OutSize());
}

// col2im: adds col (as Im2Col lays it out, row stride `ld`) back into data.
template <typename T>
void Col2ImAdd(const T* col, int64_t channels, const Window& w, T* data,
               int64_t ld) {
  const int64_t k_size = w.KernelSize(), sw = w.stride[2];
  for (int64_t c = 0; c < channels; ++c) {
    T* x = data + c * w.InSize();
    const T* rows = col + c * k_size * ld;
    ForEachTapRow(w, [&](int64_t k, int64_t out_row, int64_t in_row,
                         int64_t first, int64_t lo, int64_t hi) {
      if (in_row < 0) return;
      const T* src = rows + k * ld + out_row;
      T* dst = x + in_row + first;
      if (sw == 1) {
        for (int64_t ow = lo; ow < hi; ++ow) dst[ow] += src[ow];
      } else {
        for (int64_t ow = lo; ow < hi; ++ow) dst[ow * sw] += src[ow];
      }
    });
  }
}
template <typename T>
void Col2ImAdd(const T* col, int64_t channels, const Window& w, T* data) {
  Col2ImAdd(col, channels, w, data, w.OutSize());
}

}  // namespace ops
}  // namespace mx

#endif  // MX_OPS_COMMON_WINDOW_H_
