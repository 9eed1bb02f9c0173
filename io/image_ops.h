// Small OpenCV image steps shared by the image-record iterator and im2rec.
#ifndef MX_IO_IMAGE_OPS_H_
#define MX_IO_IMAGE_OPS_H_

#include <algorithm>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <string>
#include <string_view>

namespace mx {
namespace io {

// Decodes encoded image bytes (imdecode `flags`); an empty Mat when they do
// not decode, with the reason in `*why`. OpenCV throws for some bad input
// (a header claiming a huge size): that is a failed decode too, never an
// exception that escapes.
inline cv::Mat DecodeImage(std::string_view bytes, int flags,
                           std::string* why) {
  *why = "does not decode";
  if (bytes.empty()) return cv::Mat();
  const cv::Mat raw(1, static_cast<int>(bytes.size()), CV_8UC1,
                    const_cast<char*>(bytes.data()));
  try {
    return cv::imdecode(raw, flags);
  } catch (const cv::Exception& e) {
    *why = "does not decode (OpenCV: " + e.err + ")";
    return cv::Mat();
  }
}

// Scales `img` by `f` (rounded sizes, at least min_cols x min_rows).
inline void ScaleImage(cv::Mat* img, double f, int interpolation,
                       int min_cols = 1, int min_rows = 1) {
  cv::resize(
      *img, *img,
      cv::Size(std::max(min_cols, static_cast<int>(img->cols * f + 0.5)),
               std::max(min_rows, static_cast<int>(img->rows * f + 0.5))),
      0, 0, interpolation);
}

// Resizes `img` so its shorter edge is `edge` pixels, keeping the aspect.
inline void ResizeShorterEdge(cv::Mat* img, int64_t edge, int interpolation) {
  ScaleImage(img, static_cast<double>(edge) / std::min(img->rows, img->cols),
             interpolation);
}

}  // namespace io
}  // namespace mx

#endif  // MX_IO_IMAGE_OPS_H_
