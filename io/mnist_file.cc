#include "io/mnist_file.h"

#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <ios>

#include "core/base/error.h"
#include "core/base/file_system.h"
#include "core/base/file_util.h"

namespace mx {
namespace io {
namespace {

// A file read in pieces, inflated when it is gzip-compressed (plain files
// pass through). Local files stream through gzread; URIs (s3://) are
// fetched whole, then inflated from memory.
class GzipReader {
 public:
  explicit GzipReader(const std::string& path) : path_(path) {
    if (UriScheme(path).empty() || UriScheme(path) == "file") {
      const std::string local = UriScheme(path).empty() ? path : path.substr(7);
      f_ = gzopen(local.c_str(), "rb");
      MX_CHECK(f_ != nullptr, "cannot open '", path,
               "'; install the data set with tools/setup.sh or pass its "
               "folder");
      std::error_code ec;
      const auto size = std::filesystem::file_size(local, ec);
      file_bytes_ = ec ? -1 : static_cast<int64_t>(size);
      return;
    }
    bytes_ = ReadFile(path);
    file_bytes_ = static_cast<int64_t>(bytes_.size());
    gzip_ = bytes_.size() >= 2 &&
            static_cast<unsigned char>(bytes_[0]) == 0x1f &&
            static_cast<unsigned char>(bytes_[1]) == 0x8b;
    if (gzip_) {
      MX_CHECK(inflateInit2(&z_, 16 + MAX_WBITS) == Z_OK, "'", path,
               "': zlib could not start");
      z_.next_in = reinterpret_cast<Bytef*>(bytes_.data());
      z_.avail_in = static_cast<uInt>(bytes_.size());
    }
  }
  ~GzipReader() {
    if (f_ != nullptr) gzclose(f_);
    if (gzip_) inflateEnd(&z_);
  }
  GzipReader(const GzipReader&) = delete;
  GzipReader& operator=(const GzipReader&) = delete;

  // The file's size as stored (compressed); -1 when unknown.
  int64_t file_bytes() const { return file_bytes_; }

  // Reads up to `size` bytes into `out`; returns how many (fewer at the
  // end of the file).
  size_t Read(void* out, size_t size) {
    if (f_ == nullptr) return ReadMemory(static_cast<char*>(out), size);
    size_t done = 0;
    while (done < size) {
      const unsigned piece =
          static_cast<unsigned>(std::min<size_t>(size - done, 1 << 30));
      const int n = gzread(f_, static_cast<char*>(out) + done, piece);
      if (n < 0) {
        int err = 0;
        const char* msg = gzerror(f_, &err);
        MX_THROW("cannot read '", path_, "': ", msg ? msg : "");
      }
      if (n == 0) break;
      done += static_cast<size_t>(n);
    }
    return done;
  }

  // Bytes left to the end of the file (read and dropped).
  size_t Rest() {
    char buf[1 << 16];
    size_t total = 0;
    while (size_t n = Read(buf, sizeof buf)) total += n;
    return total;
  }

 private:
  size_t ReadMemory(char* out, size_t size) {
    if (!gzip_) {
      const size_t n = std::min(size, bytes_.size() - at_);
      std::memcpy(out, bytes_.data() + at_, n);
      at_ += n;
      return n;
    }
    size_t done = 0;
    while (done < size && !ended_) {
      z_.next_out = reinterpret_cast<Bytef*>(out + done);
      z_.avail_out = static_cast<uInt>(std::min<size_t>(size - done, 1u << 30));
      const uInt before = z_.avail_out;
      const int code = inflate(&z_, Z_NO_FLUSH);
      done += before - z_.avail_out;
      if (code == Z_STREAM_END) {
        ended_ = true;
      } else {
        MX_CHECK(code == Z_OK || (code == Z_BUF_ERROR && z_.avail_in > 0),
                 "cannot read '", path_,
                 "': ", z_.msg != nullptr ? z_.msg : "truncated gzip data");
      }
    }
    return done;
  }

  std::string path_;
  gzFile f_ = nullptr;
  int64_t file_bytes_ = -1;
  std::string bytes_;  // a URI's whole file
  size_t at_ = 0;      // in bytes_, when not gzip
  bool gzip_ = false, ended_ = false;
  z_stream z_{};
};

uint32_t BigEndian32(const unsigned char* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) |
         (uint32_t{p[2]} << 8) | p[3];
}

}  // namespace

// The data is inflated straight into its array: no whole-file copy, so
// the peak memory is the data set itself.
IdxArray ReadIdxFile(const std::string& path, int ndim) {
  GzipReader in(path);
  const size_t header = 4 + 4 * static_cast<size_t>(ndim);
  unsigned char head[4 + 4 * 4];
  MX_CHECK(ndim >= 1 && ndim <= 4, "IDX files of ", ndim,
           " dimensions are not supported");
  const size_t got = in.Read(head, header);
  MX_CHECK(got == header, "'", path, "': truncated IDX header (", got,
           " bytes, expected at least ", header, ")");
  const uint32_t magic = BigEndian32(head);
  MX_CHECK(magic == 0x800u + static_cast<uint32_t>(ndim), "'", path,
           "': IDX magic 0x", std::hex, magic, std::dec, ", expected 0x",
           std::hex, 0x800 + ndim, std::dec, " (unsigned bytes, ", ndim, "-d)");
  IdxArray out;
  double claimed = 1;  // in double: four 32-bit extents overflow int64
  for (int i = 0; i < ndim; ++i) {
    out.dims.push_back(BigEndian32(head + 4 + 4 * i));
    claimed *= static_cast<double>(out.dims.back());
  }
  // A corrupt header must not make us allocate more than the file can
  // hold: deflate inflates at most 1032:1 (a file of unknown size, such as
  // a pipe, is only held to what int64 can count).
  const int64_t file_bytes = in.file_bytes();
  const double most =
      file_bytes < 0 ? 4e18 : 1032.0 * static_cast<double>(file_bytes);
  MX_CHECK(claimed <= most, "'", path, "': the IDX header claims ",
           static_cast<uint64_t>(std::min(claimed, 1.8e19)),
           " data bytes, more than ",
           file_bytes < 0
               ? std::string("can be read")
               : "a " + std::to_string(file_bytes) + "-byte file can hold");
  const int64_t size = static_cast<int64_t>(claimed);
  out.data.resize(static_cast<size_t>(size));
  const size_t read = in.Read(out.data.data(), out.data.size());
  const size_t extra = read == out.data.size() ? in.Rest() : 0;
  MX_CHECK(read == out.data.size() && extra == 0, "'", path,
           "': ", read + extra, " data bytes, expected ", size);
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
