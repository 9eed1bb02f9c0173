// MNIST-format files: IDX arrays of unsigned bytes, plain or gzip-compressed
// (Fashion-MNIST ships as .gz), and the image/label file pairs built on them.
#ifndef MX_IO_MNIST_FILE_H_
#define MX_IO_MNIST_FILE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "core/ndarray/ndarray.h"

namespace mx {
namespace io {

// An IDX array: extents and row-major bytes.
struct IdxArray {
  std::vector<int64_t> dims;
  std::vector<uint8_t> data;
};

// Reads an IDX file of unsigned bytes (magic 0x0000080N) with `ndim`
// extents; gzip input is detected and inflated. mx::Error naming the file
// for a missing, truncated or wrong-magic file.
IdxArray ReadIdxFile(const std::string& path, int ndim);

// One split of an MNIST-format data set: images (n, rows * cols) as float32
// scaled to [0, 1], labels as integers in [0, 10).
struct MnistSplit {
  NDArray images;
  std::vector<int> labels;
  int64_t rows = 0, cols = 0;
};

// Loads "<dir>/<prefix>-images-idx3-ubyte.gz" and the matching labels file
// (prefix "train" or "t10k"); errors name the file and the mismatch.
MnistSplit LoadMnistSplit(const std::string& dir, const std::string& prefix);

// Where tools and tests look for Fashion-MNIST by default.
inline constexpr const char* kFashionMnistDir =
    "/usr/share/datasets/fashion-mnist";

}  // namespace io
}  // namespace mx

#endif  // MX_IO_MNIST_FILE_H_
