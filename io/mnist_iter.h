// MNISTIter: MNIST-format (IDX) images and labels, plain or gzip, as MXNet's
// MNISTIter with the same parameter names.
#ifndef MX_IO_MNIST_ITER_H_
#define MX_IO_MNIST_ITER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/op/param.h"
#include "io/data_iter.h"
#include "io/instance_source.h"

namespace mx {
namespace io {

struct MnistIterParam {
  std::string image, label;
  int64_t batch_size = 128;
  bool shuffle = true;
  bool reshuffle = true;
  std::vector<int64_t> data_shape;
  bool flat = false;
  int64_t seed = 0;
  bool silent = false;
  int64_t num_parts = 1;
  int64_t part_index = 0;
  int64_t prefetch_buffer = 4;
  double scale = 1.0 / 256;
  std::string last_batch = "discard";

  static void Declare(ParamDeclarer<MnistIterParam>* d);
};

// The images of an IDX pair in memory (one byte per pixel), scaled on read.
class MnistSource : public RandomAccessSource {
 public:
  // mx::Error naming the file for a missing, truncated or wrong-magic file,
  // and for image and label files of different counts.
  MnistSource(const std::string& image_path, const std::string& label_path,
              bool flat, double scale);

  int64_t Size() const override { return count_; }
  Shape InstanceShape() const override;
  int64_t LabelWidth() const override { return 1; }
  void Get(int64_t i, float* data, float* label) const override;

  // The labels, as stored (tests use them).
  const std::vector<uint8_t>& labels() const { return labels_; }

 private:
  int64_t count_ = 0, rows_ = 0, cols_ = 0;
  bool flat_;
  float scale_;
  std::vector<uint8_t> pixels_, labels_;
};

// An MNISTIter from MXNet-style parameters ("image", "batch_size", ...);
// errors name the parameter ("MNISTIter: batch_size ...") or the file.
std::unique_ptr<DataIter> CreateMnistIter(const AttrDict& params);

}  // namespace io
}  // namespace mx

#endif  // MX_IO_MNIST_ITER_H_
