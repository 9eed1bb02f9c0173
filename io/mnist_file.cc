#include "io/mnist_file.h"

#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <ios>
#include <memory>
#include <new>
#include <vector>

#include "core/base/error.h"
#include "core/base/file_system.h"
#include "core/base/file_util.h"

namespace mx {
namespace io {
namespace {

// A file read in pieces, inflated when it is gzip-compressed (plain files
// pass through), from any URI by ranged reads. Gzip is checked whole: each
// member's CRC-32 and length (zlib checks the trailer), a stream that ends
// before its trailer is truncated, and bytes after the last member that do
// not start another member are an error (gzread would ignore both).
class GzipReader {
 public:
  explicit GzipReader(const std::string& path) : path_(path) {
    try {
      file_ = FileSystemFor(path).OpenRead(path);
    } catch (const InternalError&) {
      throw;
    } catch (const Error& e) {
      MX_THROW(e.what(),
               "; install the data set with tools/setup.sh or pass its folder");
    }
    size_ = file_->Size();
    char magic[2] = {0, 0};
    gzip_ = file_->ReadAt(0, 2, magic) == 2 &&
            static_cast<unsigned char>(magic[0]) == 0x1f &&
            static_cast<unsigned char>(magic[1]) == 0x8b;
    if (gzip_) {
      MX_CHECK(inflateInit2(&z_, 16 + MAX_WBITS) == Z_OK, "'", path,
               "': zlib could not start");
    }
  }
  ~GzipReader() {
    if (gzip_) inflateEnd(&z_);
  }
  GzipReader(const GzipReader&) = delete;
  GzipReader& operator=(const GzipReader&) = delete;

  // The file's size as stored (compressed).
  int64_t file_bytes() const { return size_; }

  // Reads up to `size` bytes into `out`; returns how many (fewer only at
  // the end of the data).
  size_t Read(void* out, size_t size) {
    if (size == 0) return 0;  // `out` may be an empty vector's null data
    char* dst = static_cast<char*>(out);
    if (!gzip_) {
      const int64_t n = file_->ReadAt(at_, static_cast<int64_t>(size), dst);
      at_ += n;
      return static_cast<size_t>(n);
    }
    size_t done = 0;
    while (done < size && !ended_) {
      if (z_.avail_in == 0) Refill();
      if (z_.avail_in == 0) {
        MX_THROW("cannot read '", path_,
                 "': truncated gzip data (the file ends inside the "
                 "compressed stream, before its CRC and length)");
      }
      z_.next_out = reinterpret_cast<Bytef*>(dst + done);
      z_.avail_out = static_cast<uInt>(std::min<size_t>(size - done, 1u << 30));
      const uInt before = z_.avail_out;
      const int code = inflate(&z_, Z_NO_FLUSH);
      done += before - z_.avail_out;
      if (code == Z_STREAM_END) {
        NextMember();
      } else {
        MX_CHECK(code == Z_OK || code == Z_BUF_ERROR, "cannot read '", path_,
                 "': ", z_.msg != nullptr ? z_.msg : "corrupt gzip data",
                 " (a corrupt or truncated .gz file)");
      }
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
  void Refill() {
    const int64_t n = file_->ReadAt(at_, kChunk, chunk_.data());
    at_ += n;
    z_.next_in = reinterpret_cast<Bytef*>(chunk_.data());
    z_.avail_in = static_cast<uInt>(n);
  }

  // After a member's trailer: the end of the data, or another member
  // (concatenated .gz files are one stream, as gzip -d reads them).
  void NextMember() {
    if (z_.avail_in == 0) Refill();
    if (z_.avail_in == 0) {
      ended_ = true;
      return;
    }
    const unsigned char* p = z_.next_in;
    if (z_.avail_in < 2 || p[0] != 0x1f || p[1] != 0x8b) {
      const int64_t extra = size_ - (at_ - z_.avail_in);
      MX_THROW("cannot read '", path_, "': ", extra,
               " bytes of something else follow the gzip data (a damaged "
               "or appended-to file)");
    }
    MX_CHECK(inflateReset(&z_) == Z_OK, "'", path_, "': zlib could not reset");
  }

  static constexpr int64_t kChunk = 1 << 20;
  std::string path_;
  std::unique_ptr<RandomAccessFile> file_;
  int64_t size_ = 0;
  int64_t at_ = 0;  // the next byte of the file to read
  std::vector<char> chunk_ = std::vector<char>(kChunk);
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
  // hold: deflate inflates at most 1032:1.
  const int64_t file_bytes = in.file_bytes();
  MX_CHECK(claimed <= 1032.0 * static_cast<double>(file_bytes), "'", path,
           "': the IDX header claims ",
           static_cast<uint64_t>(std::min(claimed, 1.8e19)),
           " data bytes, more than a ", file_bytes, "-byte file can hold");
  const int64_t size = static_cast<int64_t>(claimed);
  try {
    out.data.resize(static_cast<size_t>(size));
  } catch (const std::bad_alloc&) {
    MX_THROW("'", path, "': the IDX header claims ", size,
             " data bytes, which do not fit in memory");
  }
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
