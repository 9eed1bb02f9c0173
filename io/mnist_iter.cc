#include "io/mnist_iter.h"

#include <any>
#include <utility>

#include "core/base/error.h"
#include "io/iter_params.h"
#include "io/mnist_file.h"

namespace mx {
namespace io {

void MnistIterParam::Declare(ParamDeclarer<MnistIterParam>* d) {
  d->Field("image", &MnistIterParam::image)
      .Default("./train-images-idx3-ubyte")
      .Doc(
          "Images: an IDX file of unsigned bytes (N, rows, cols), .gz or "
          "plain.");
  d->Field("label", &MnistIterParam::label)
      .Default("./train-labels-idx1-ubyte")
      .Doc("Labels: an IDX file of unsigned bytes (N,).");
  d->Field("batch_size", &MnistIterParam::batch_size)
      .Default(128)
      .Min(1)
      .Doc("Samples per batch.");
  DeclareOrderFields(d, /*shuffle_default=*/true);
  d->Field("reshuffle", &MnistIterParam::reshuffle)
      .Default(true)
      .Doc(
          "With shuffle: a new order every epoch; False keeps the first "
          "order (MXNet's MNISTIter, which shuffles once).");
  d->Field("data_shape", &MnistIterParam::data_shape)
      .Default(std::vector<int64_t>{})
      .Doc(
          "Accepted for compatibility (MXNet's tests pass it): when given, "
          "it must equal one sample's shape, (rows*cols,) with flat or (1, "
          "rows, cols).");
  d->Field("flat", &MnistIterParam::flat)
      .Default(false)
      .Doc("Data (batch, rows*cols) instead of (batch, 1, rows, cols).");
  d->Field("silent", &MnistIterParam::silent)
      .Default(false)
      .Doc("Accepted for compatibility; the iterator prints nothing.");
  d->Field("scale", &MnistIterParam::scale)
      .Default(1.0 / 256)
      .Doc("Pixel multiplier (MXNet uses 1/256).");
  d->Field("last_batch", &MnistIterParam::last_batch)
      .Default("discard")
      .Enum({"discard", "pad", "round_batch"})
      .Doc(
          "The epoch's incomplete last batch: dropped (MXNet), padded with "
          "the epoch's first samples, or completed from the next epoch.");
}

MnistSource::MnistSource(const std::string& image_path,
                         const std::string& label_path, bool flat, double scale)
    : flat_(flat), scale_(static_cast<float>(scale)) {
  IdxArray images = ReadIdxFile(image_path, 3);
  IdxArray labels = ReadIdxFile(label_path, 1);
  MX_CHECK(images.dims[0] == labels.dims[0], "'", image_path, "' has ",
           images.dims[0], " images but '", label_path, "' has ",
           labels.dims[0], " labels");
  MX_CHECK(images.dims[0] > 0, "'", image_path,
           "' holds no images (its IDX header says 0): an empty data set");
  MX_CHECK(images.dims[1] > 0 && images.dims[2] > 0, "'", image_path,
           "' holds images of ", images.dims[1], "x", images.dims[2],
           " pixels; expected at least 1x1");
  count_ = images.dims[0];
  rows_ = images.dims[1];
  cols_ = images.dims[2];
  pixels_ = std::move(images.data);
  labels_ = std::move(labels.data);
}

Shape MnistSource::InstanceShape() const {
  return flat_ ? Shape{rows_ * cols_} : Shape{1, rows_, cols_};
}

void MnistSource::Get(int64_t i, float* data, float* label) const {
  const int64_t n = rows_ * cols_;
  const uint8_t* p = pixels_.data() + i * n;
  for (int64_t k = 0; k < n; ++k) data[k] = p[k] * scale_;
  *label = labels_[i];
}

std::unique_ptr<DataIter> CreateMnistIter(const AttrDict& params) {
  static const auto schema = MakeParamSchema<MnistIterParam>();
  const auto p =
      std::any_cast<MnistIterParam>(schema->Parse(params, "MNISTIter"));
  auto source =
      std::make_shared<const MnistSource>(p.image, p.label, p.flat, p.scale);
  if (!p.data_shape.empty()) {
    const Shape sample = source->InstanceShape();
    MX_CHECK(Shape(p.data_shape) == sample, "MNISTIter: data_shape ",
             Shape(p.data_shape).ToString(), " does not match the samples of '",
             p.image, "', which are ", sample.ToString(),
             p.flat ? " (flat)" : " (not flat)");
  }
  BatchOptions batch;
  batch.batch_size = p.batch_size;
  batch.last_batch = ParseLastBatch(p.last_batch, "MNISTIter: last_batch");
  OrderOptions order = OrderOf(p);
  order.reshuffle = p.reshuffle;
  return MakeIterator(std::move(source), order, batch, p.prefetch_buffer);
}

}  // namespace io
}  // namespace mx
