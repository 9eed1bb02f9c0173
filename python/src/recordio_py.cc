// mx.recordio's C++ side: RecordIO files (io/recordio.h) and OpenCV's image
// codecs for pack_img / unpack_img.
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <memory>
#include <opencv2/imgcodecs.hpp>
#include <string>
#include <vector>

#include "core/base/error.h"
#include "io/recordio.h"
#include "python/src/module.h"

namespace py = pybind11;

namespace mx {
namespace python {
namespace {

// Encoded bytes of an image (H, W) or (H, W, C) uint8 array, in the format
// of `ext` (".jpg", ".png").
py::bytes EncodeImage(const py::array& image, const std::string& ext,
                      int quality) {
  py::array_t<uint8_t, py::array::c_style> img(image);
  MX_CHECK(img.ndim() == 2 || img.ndim() == 3,
           "pack_img: expected an (H, W) or (H, W, C) array, got ", img.ndim(),
           " axes");
  const int channels = img.ndim() == 3 ? static_cast<int>(img.shape(2)) : 1;
  MX_CHECK(channels == 1 || channels == 3 || channels == 4,
           "pack_img: ", channels, " channels; expected 1, 3 or 4");
  const cv::Mat mat(static_cast<int>(img.shape(0)),
                    static_cast<int>(img.shape(1)), CV_8UC(channels),
                    const_cast<uint8_t*>(img.data()));
  std::vector<int> params;
  if (ext == ".jpg" || ext == ".jpeg") {
    params = {cv::IMWRITE_JPEG_QUALITY, quality};
  } else if (ext == ".png") {
    params = {cv::IMWRITE_PNG_COMPRESSION, quality};
  }
  std::vector<uint8_t> out;
  bool ok = false;
  try {
    ok = cv::imencode(ext, mat, out, params);
  } catch (const cv::Exception& e) {
    MX_THROW("pack_img: cannot encode as '", ext, "': ", e.what());
  }
  MX_CHECK(ok, "pack_img: cannot encode as '", ext, "'");
  return py::bytes(reinterpret_cast<const char*>(out.data()), out.size());
}

// The image (H, W, C) uint8 array of encoded bytes; flags as OpenCV's
// imdecode (-1 as stored, 0 gray, 1 color).
py::array DecodeImage(const py::bytes& bytes, int flags) {
  const std::string raw = bytes;
  cv::Mat img;
  try {
    img = cv::imdecode(cv::Mat(1, static_cast<int>(raw.size()), CV_8U,
                               const_cast<char*>(raw.data())),
                       flags);
  } catch (const cv::Exception& e) {
    MX_THROW("unpack_img: cannot decode the image: ", e.what());
  }
  MX_CHECK(!img.empty(), "unpack_img: the record's ", raw.size(),
           " bytes are not an image OpenCV can decode");
  MX_CHECK(img.depth() == CV_8U, "unpack_img: only 8-bit images");
  std::vector<py::ssize_t> shape = {img.rows, img.cols};
  if (img.channels() > 1) shape.push_back(img.channels());
  py::array_t<uint8_t> out(shape);
  const size_t row = static_cast<size_t>(img.cols) * img.channels();
  for (int r = 0; r < img.rows; ++r) {
    std::memcpy(out.mutable_data() + r * row, img.ptr(r), row);
  }
  return out;
}

}  // namespace

void BindRecordIO(py::module_& m) {
  py::module_ r = m.def_submodule("recordio", "RecordIO files");
  py::class_<io::RecordWriter>(r, "Writer",
                               "Appends records; files appear at close.")
      .def(py::init<const std::string&, const std::string&>(), py::arg("path"),
           py::arg("index_path") = "")
      .def(
          "write",
          [](io::RecordWriter& w, const py::bytes& b) {
            return w.Write(std::string(b));
          },
          "Writes a record; returns its offset.")
      .def(
          "write_key",
          [](io::RecordWriter& w, uint64_t key, const py::bytes& b) {
            return w.Write(key, std::string(b));
          },
          "Writes a record and its index line; returns its offset.")
      .def("close", &io::RecordWriter::Close);
  py::class_<io::RecordReader>(r, "Reader", "Reads records.")
      .def(py::init<const std::string&>(), py::arg("path"))
      .def(
          "read",
          [](io::RecordReader& rd) -> py::object {
            std::string rec;
            if (!rd.Next(&rec)) return py::none();
            return py::bytes(rec);
          },
          "The next record, or None at the end.")
      .def("seek", &io::RecordReader::Seek)
      .def("tell", &io::RecordReader::Tell);
  r.def("read_index", &io::ReadRecordIndex, py::arg("path"));
  r.def("encode_image", &EncodeImage, py::arg("image"), py::arg("ext"),
        py::arg("quality"));
  r.def("decode_image", &DecodeImage, py::arg("bytes"), py::arg("flags"));
}

}  // namespace python
}  // namespace mx
