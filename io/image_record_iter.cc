#include "io/image_record_iter.h"

#include <algorithm>
#include <any>
#include <cstdio>
#include <exception>
#include <fstream>
#include <mutex>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <random>
#include <thread>
#include <utility>

#include "core/base/error.h"
#include "core/base/strings.h"
#include "core/ndarray/ndarray_io.h"
#include "io/image_ops.h"
#include "io/iter_params.h"

namespace mx {
namespace io {

void ImageRecordIterParam::Declare(ParamDeclarer<ImageRecordIterParam>* d) {
  using P = ImageRecordIterParam;
  d->Field("path_imgrec", &P::path_imgrec)
      .Default("./data/imgrec.rec")
      .Doc("The RecordIO file of image records.");
  d->Field("path_imgidx", &P::path_imgidx)
      .Default("")
      .Doc(
          "Its .idx (key<TAB>offset lines); without it the file is scanned "
          "once at start.");
  d->Field("label_width", &P::label_width)
      .Default(1)
      .Min(1)
      .Doc(
          "Labels per image; the label array is (batch,) for 1, else "
          "(batch, label_width).");
  d->Field("data_shape", &P::data_shape)
      .Required()
      .Min(1)
      .Doc(
          "(channels, height, width) of the output; channels 1 (grey) or 3 "
          "(RGB).");
  d->Field("batch_size", &P::batch_size)
      .Default(128)
      .Min(1)
      .Doc("Samples per batch.");
  d->Field("preprocess_threads", &P::preprocess_threads)
      .Default(4)
      .Min(1)
      .Doc("Threads decoding and augmenting images.");
  DeclareOrderFields(d, /*shuffle_default=*/false);
  d->Field("round_batch", &P::round_batch)
      .Default(true)
      .Doc(
          "Complete the last batch from the next epoch; otherwise repeat "
          "the epoch's first images. pad says how many.");
  d->Field("resize", &P::resize)
      .Default(-1)
      .Doc("Resize the shorter edge to this first; -1 keeps the size.");
  d->Field("rand_crop", &P::rand_crop)
      .Default(false)
      .Doc("Crop at a random offset (else the centre).");
  d->Field("rand_mirror", &P::rand_mirror)
      .Default(false)
      .Doc("Mirror left-right with probability 1/2.");
  d->Field("mirror", &P::mirror).Default(false).Doc("Always mirror.");
  d->Field("mean_r", &P::mean_r)
      .Default(0.0)
      .Doc("Subtracted from red (grey).");
  d->Field("mean_g", &P::mean_g).Default(0.0).Doc("Subtracted from green.");
  d->Field("mean_b", &P::mean_b).Default(0.0).Doc("Subtracted from blue.");
  d->Field("mean_img", &P::mean_img)
      .Default("")
      .Doc(
          "A mean image file (.params, key mean_img, data_shape); computed "
          "from centre crops and saved when it does not exist.");
  d->Field("scale", &P::scale)
      .Default(1.0)
      .Doc("Multiplier after mean subtraction.");
  d->Field("skip_corrupt", &P::skip_corrupt)
      .Default(false)
      .Doc(
          "Skip images that do not decode (with a warning and a count) "
          "instead of failing.");
  d->Check([](const P& p) -> std::string {
    if (p.data_shape.size() != 3 ||
        (p.data_shape[0] != 1 && p.data_shape[0] != 3)) {
      return StrCat("data_shape ", PythonTuple(p.data_shape),
                    " must be (channels, height, width) with 1 or 3 "
                    "channels");
    }
    return "";
  });
}

ImageRecordSource::ImageRecordSource(const ImageRecordIterParam& p)
    : p_(p), reader_(std::make_unique<RecordReader>(p.path_imgrec)) {
  if (!p_.path_imgidx.empty()) {
    for (const auto& [key, offset] : ReadRecordIndex(p_.path_imgidx)) {
      MX_CHECK(offset < reader_->size(), "'", p_.path_imgidx, "': entry ",
               offsets_.size() + 1, " (key ", key, ") has offset ", offset,
               ", past the end of '", p_.path_imgrec, "' (", reader_->size(),
               " bytes)");
      offsets_.push_back(offset);
    }
  } else {
    std::string record;
    uint64_t at = 0, next = 0;
    while (reader_->ReadAt(at, &record, &next)) {
      offsets_.push_back(at);
      at = next;
    }
  }
  MX_CHECK(!offsets_.empty(), "'", p_.path_imgrec, "' holds no records");
  if (!p_.mean_img.empty()) LoadMeanImage();
}

void ImageRecordSource::LoadMeanImage() {
  const Shape shape(p_.data_shape);
  if (std::ifstream(p_.mean_img).good()) {
    const auto arrays = LoadNDArrayMap(p_.mean_img);
    const auto it = arrays.find("mean_img");
    MX_CHECK(it != arrays.end(), "'", p_.mean_img,
             "' has no array named mean_img");
    MX_CHECK(it->second.shape() == shape, "'", p_.mean_img,
             "': mean_img has shape ", it->second.shape(),
             ", expected data_shape ", shape);
    mean_ = it->second.ToFloatVector();
    return;
  }
  // MXNet computes the mean of the centre crops once and saves it.
  const int64_t size = shape.Size();
  std::vector<double> sum(static_cast<size_t>(size), 0.0);
  std::vector<float> image(static_cast<size_t>(size)), label(p_.label_width);
  int64_t count = 0;
  for (int64_t i = 0; i < Size(); ++i) {
    if (!Load(i, 0, /*augment=*/false, image.data(), label.data())) continue;
    for (int64_t k = 0; k < size; ++k) sum[k] += image[k];
    ++count;
  }
  MX_CHECK(count > 0, "'", p_.path_imgrec,
           "': no image decodes, so there is no mean image");
  std::vector<float> mean(static_cast<size_t>(size));
  for (int64_t k = 0; k < size; ++k)
    mean[k] = static_cast<float>(sum[k] / count);
  SaveNDArrayMap(p_.mean_img, {{"mean_img", NDArray::FromVector(mean, shape)}});
  mean_ = std::move(mean);
}

bool ImageRecordSource::Load(int64_t i, uint64_t rng_seed, bool augment,
                             float* data, float* label) const {
  const std::string where =
      StrCat("'", p_.path_imgrec, "' record ", i, " (byte ", offsets_[i], ")");
  std::string record;
  uint64_t next = 0;
  MX_CHECK(reader_->ReadAt(offsets_[i], &record, &next), where,
           ": past the end of the file");
  const ImageRecord r = UnpackImageRecord(record, where);
  MX_CHECK(static_cast<int64_t>(r.labels.size()) == p_.label_width, where,
           " has ", r.labels.size(), " label(s) but label_width is ",
           p_.label_width,
           " (set label_width to the labels each record holds)");
  std::copy_n(r.labels.begin(), p_.label_width, label);

  const int channels = static_cast<int>(p_.data_shape[0]);
  const int height = static_cast<int>(p_.data_shape[1]);
  const int width = static_cast<int>(p_.data_shape[2]);
  std::string why;
  cv::Mat img = DecodeImage(
      r.image, channels == 1 ? cv::IMREAD_GRAYSCALE : cv::IMREAD_COLOR, &why);
  if (img.empty()) {
    MX_CHECK(p_.skip_corrupt, where, ": the image (", r.image.size(),
             " bytes) ", why, "; set skip_corrupt to skip such records");
    const int64_t n = ++skipped_;
    if (n <= 10) {
      std::fprintf(
          stderr, "warning: %s: the image does not decode; skipped%s\n",
          where.c_str(), n == 10 ? " (further warnings silenced)" : "");
    }
    return false;
  }
  try {
    if (p_.resize > 0) ResizeShorterEdge(&img, p_.resize, cv::INTER_LINEAR);
    if (img.rows < height || img.cols < width) {
      // Too small to crop: scale up, keeping the aspect ratio.
      ScaleImage(&img,
                 std::max(static_cast<double>(height) / img.rows,
                          static_cast<double>(width) / img.cols),
                 cv::INTER_LINEAR, width, height);
    }
  } catch (const cv::Exception& e) {
    MX_THROW(where, ": the ", img.cols, "x", img.rows,
             " image cannot be resized (OpenCV: ", e.err, ")");
  }
  std::mt19937_64 rng(rng_seed);
  int y0 = (img.rows - height) / 2, x0 = (img.cols - width) / 2;
  bool flip = false;
  if (augment) {
    if (p_.rand_crop) {
      y0 = static_cast<int>(rng() %
                            static_cast<uint64_t>(img.rows - height + 1));
      x0 =
          static_cast<int>(rng() % static_cast<uint64_t>(img.cols - width + 1));
    }
    flip = p_.mirror || (p_.rand_mirror && (rng() & 1));
  }
  const float scale = augment ? static_cast<float>(p_.scale) : 1.f;
  const float means[3] = {static_cast<float>(p_.mean_r),
                          static_cast<float>(p_.mean_g),
                          static_cast<float>(p_.mean_b)};
  const bool use_mean_img = augment && !mean_.empty();
  for (int y = 0; y < height; ++y) {
    const uint8_t* row = img.ptr<uint8_t>(y0 + y);
    for (int x = 0; x < width; ++x) {
      const int sx = x0 + (flip ? width - 1 - x : x);
      for (int c = 0; c < channels; ++c) {
        // OpenCV decodes BGR; the output is RGB, as MXNet.
        const float v = channels == 1 ? row[sx] : row[sx * 3 + (2 - c)];
        const int64_t at = (static_cast<int64_t>(c) * height + y) * width + x;
        const float mean =
            use_mean_img ? mean_[at] : (augment ? means[c] : 0.f);
        data[at] = (v - mean) * scale;
      }
    }
  }
  return true;
}

void ImageRecordSource::Get(int64_t i, float* data, float* label) const {
  bool ok = false;
  GetMany(&i, 1, data, label, &ok);
  MX_CHECK(ok, "'", p_.path_imgrec, "' record ", i, " was skipped as corrupt");
}

void ImageRecordSource::GetMany(const int64_t* ids, int64_t n, float* data,
                                float* label, bool* ok) const {
  const uint64_t call = calls_++;
  const int64_t size = InstanceShape().Size();
  std::atomic<int64_t> next{0};
  // The error of the first failing instance, whichever thread meets it
  // first: instances are claimed in order, so every one before a failure is
  // loaded (and may fail) before the workers stop.
  std::exception_ptr error;
  int64_t error_k = n;
  std::mutex error_mu;
  const auto work = [&] {
    for (int64_t k = next++; k < n; k = next++) {
      try {
        std::seed_seq seq{
            static_cast<uint32_t>(p_.seed), static_cast<uint32_t>(call),
            static_cast<uint32_t>(call >> 32), static_cast<uint32_t>(k)};
        uint32_t words[2];
        seq.generate(words, words + 2);
        const uint64_t seed = uint64_t{words[0]} << 32 | words[1];
        ok[k] = Load(ids[k], seed, /*augment=*/true, data + k * size,
                     label + k * p_.label_width);
      } catch (...) {
        std::lock_guard<std::mutex> lock(error_mu);
        if (k < error_k) {
          error = std::current_exception();
          error_k = k;
        }
        next = n;  // stop the others early
      }
    }
  };
  const int64_t threads = std::min<int64_t>(p_.preprocess_threads, n);
  std::vector<std::thread> pool;
  for (int64_t t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
  if (error) std::rethrow_exception(error);
}

std::unique_ptr<DataIter> CreateImageRecordIter(const AttrDict& params) {
  static const auto schema = MakeParamSchema<ImageRecordIterParam>();
  const auto p = std::any_cast<ImageRecordIterParam>(
      schema->Parse(params, "ImageRecordIter"));
  auto source = std::make_shared<const ImageRecordSource>(p);
  BatchOptions batch;
  batch.batch_size = p.batch_size;
  batch.last_batch = p.round_batch ? LastBatch::kRoundBatch : LastBatch::kPad;
  return MakeIterator(std::move(source), OrderOf(p), batch, p.prefetch_buffer);
}

}  // namespace io
}  // namespace mx
