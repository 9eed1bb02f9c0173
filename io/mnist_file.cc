#include "io/mnist_file.h"

#include <zlib.h>

#include <ios>

#include "core/base/error.h"

namespace mx {
namespace io {
namespace {

// Reads a whole file, inflating it when it is gzip-compressed (gzread
// passes plain files through).
std::string ReadMaybeGzip(const std::string& path) {
  gzFile f = gzopen(path.c_str(), "rb");
  MX_CHECK(f != nullptr, "cannot open '", path,
           "'; install the data set with tools/setup.sh or pass its folder");
  std::string out;
  char buf[1 << 16];
  int n;
  while ((n = gzread(f, buf, sizeof buf)) > 0) out.append(buf, n);
  int err = 0;
  const char* msg = gzerror(f, &err);
  const std::string why = msg ? msg : "";
  gzclose(f);
  MX_CHECK(n == 0 && err == Z_OK, "cannot read '", path, "': ", why);
  return out;
}

uint32_t BigEndian32(const std::string& bytes, size_t offset) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data() + offset);
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) |
         (uint32_t{p[2]} << 8) | p[3];
}

}  // namespace

IdxArray ReadIdxFile(const std::string& path, int ndim) {
  const std::string bytes = ReadMaybeGzip(path);
  const size_t header = 4 + 4 * static_cast<size_t>(ndim);
  MX_CHECK(bytes.size() >= header, "'", path, "': truncated IDX header (",
           bytes.size(), " bytes, expected at least ", header, ")");
  const uint32_t magic = BigEndian32(bytes, 0);
  MX_CHECK(magic == 0x800u + static_cast<uint32_t>(ndim), "'", path,
           "': IDX magic 0x", std::hex, magic, std::dec, ", expected 0x",
           std::hex, 0x800 + ndim, std::dec, " (unsigned bytes, ", ndim, "-d)");
  IdxArray out;
  int64_t size = 1;
  for (int i = 0; i < ndim; ++i) {
    out.dims.push_back(BigEndian32(bytes, 4 + 4 * i));
    size *= out.dims.back();
  }
  MX_CHECK(bytes.size() == header + static_cast<size_t>(size), "'", path,
           "': ", bytes.size() - header, " data bytes, expected ", size);
  out.data.assign(bytes.begin() + header, bytes.end());
  return out;
}

MnistSplit LoadMnistSplit(const std::string& dir, const std::string& prefix) {
  const std::string image_path = dir + "/" + prefix + "-images-idx3-ubyte.gz";
  const std::string label_path = dir + "/" + prefix + "-labels-idx1-ubyte.gz";
  const IdxArray images = ReadIdxFile(image_path, 3);
  const IdxArray labels = ReadIdxFile(label_path, 1);
  MX_CHECK(images.dims[0] == labels.dims[0], "'", image_path, "' has ",
           images.dims[0], " images but '", label_path, "' has ",
           labels.dims[0], " labels");
  MnistSplit split;
  split.rows = images.dims[1];
  split.cols = images.dims[2];
  split.images =
      NDArray::FromVector(images.data,
                          Shape{images.dims[0], split.rows * split.cols})
          .AsType(DType::kFloat32) /
      255.0;
  split.labels.assign(labels.data.begin(), labels.data.end());
  for (size_t i = 0; i < split.labels.size(); ++i) {
    MX_CHECK(split.labels[i] < 10, "'", label_path, "': label ",
             split.labels[i], " of record ", i, " is outside 0..9");
  }
  return split;
}

}  // namespace io
}  // namespace mx
