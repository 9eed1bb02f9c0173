// ImageRecordIter: encoded images (JPEG, PNG, ...) in a RecordIO file, as
// MXNet's ImageRecordIter: decoded with OpenCV on preprocess_threads
// threads, resized, cropped to data_shape (random or centre), mirrored,
// mean-subtracted (per channel or a mean image) and scaled, in RGB order.
#ifndef MX_IO_IMAGE_RECORD_ITER_H_
#define MX_IO_IMAGE_RECORD_ITER_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/op/param.h"
#include "io/data_iter.h"
#include "io/instance_source.h"
#include "io/recordio.h"

namespace mx {
namespace io {

struct ImageRecordIterParam {
  std::string path_imgrec;
  std::string path_imgidx;
  int64_t label_width = 1;
  std::vector<int64_t> data_shape;
  int64_t batch_size = 128;
  int64_t preprocess_threads = 4;
  bool shuffle = false;
  int64_t seed = 0;
  int64_t num_parts = 1;
  int64_t part_index = 0;
  bool round_batch = true;
  int64_t prefetch_buffer = 4;
  int64_t resize = -1;
  bool rand_crop = false;
  bool rand_mirror = false;
  bool mirror = false;
  double mean_r = 0, mean_g = 0, mean_b = 0;
  std::string mean_img;
  double scale = 1;
  bool skip_corrupt = false;

  static void Declare(ParamDeclarer<ImageRecordIterParam>* d);
};

// The records of one .rec file as decoded, augmented float images.
class ImageRecordSource : public RandomAccessSource {
 public:
  // Finds every record (from path_imgidx, or by scanning the file) and
  // loads or computes the mean image. mx::Error naming the file otherwise.
  explicit ImageRecordSource(const ImageRecordIterParam& p);

  int64_t Size() const override {
    return static_cast<int64_t>(offsets_.size());
  }
  Shape InstanceShape() const override { return Shape(p_.data_shape); }
  int64_t LabelWidth() const override { return p_.label_width; }
  void Get(int64_t i, float* data, float* label) const override;
  // Decodes on preprocess_threads threads. Random crops and mirrors are
  // drawn per (seed, call, slot), so a run is reproducible.
  void GetMany(const int64_t* ids, int64_t n, float* data, float* label,
               bool* ok) const override;

  // Corrupt records skipped so far (skip_corrupt).
  int64_t skipped() const { return skipped_.load(); }

 private:
  // Decodes and augments record i into data / label; false when it is
  // corrupt and skip_corrupt is set. `augment` false: centre crop, no
  // mirror, no mean (for computing the mean image).
  bool Load(int64_t i, uint64_t rng_seed, bool augment, float* data,
            float* label) const;
  void LoadMeanImage();

  ImageRecordIterParam p_;
  std::unique_ptr<RecordReader> reader_;
  std::vector<uint64_t> offsets_;
  std::vector<float> mean_;  // (c, h, w) mean image, or empty
  mutable std::atomic<int64_t> skipped_{0};
  mutable std::atomic<uint64_t> calls_{0};
};

// An ImageRecordIter from MXNet-style parameters; errors name the
// parameter, or the file and record.
std::unique_ptr<DataIter> CreateImageRecordIter(const AttrDict& params);

}  // namespace io
}  // namespace mx

#endif  // MX_IO_IMAGE_RECORD_ITER_H_
