#include "io/ndarray_iter.h"

#include <cstring>
#include <vector>

#include "core/base/error.h"
#include "io/iter_params.h"

namespace mx {
namespace io {
namespace {

class ArraySource : public RandomAccessSource {
 public:
  ArraySource(const NDArray& data, const NDArray& label) {
    const Shape& shape = data.shape();
    MX_CHECK(shape.ndim() >= 1 && shape[0] >= 1,
             "NDArrayIter: data must have at least one sample, got shape ",
             shape);
    count_ = shape[0];
    instance_ = Shape(
        std::vector<int64_t>(shape.dims().begin() + 1, shape.dims().end()));
    data_ = data.ToFloatVector();
    if (label.is_none()) {
      width_ = 1;
      label_.assign(static_cast<size_t>(count_), 0.f);
      return;
    }
    const Shape& ls = label.shape();
    MX_CHECK((ls.ndim() == 1 || ls.ndim() == 2) && ls[0] == count_,
             "NDArrayIter: label shape ", ls, " does not match data shape ",
             shape, " (expected (", count_, ",) or (", count_, ", k))");
    width_ = ls.ndim() == 2 ? ls[1] : 1;
    label_ = label.ToFloatVector();
  }

  int64_t Size() const override { return count_; }
  Shape InstanceShape() const override { return instance_; }
  int64_t LabelWidth() const override { return width_; }
  void Get(int64_t i, float* data, float* label) const override {
    const int64_t n = instance_.Size();
    std::memcpy(data, data_.data() + i * n, sizeof(float) * n);
    std::memcpy(label, label_.data() + i * width_, sizeof(float) * width_);
  }

 private:
  int64_t count_ = 0, width_ = 1;
  Shape instance_;
  std::vector<float> data_, label_;
};

}  // namespace

std::unique_ptr<DataIter> CreateNDArrayIter(const NDArray& data,
                                            const NDArray& label,
                                            const NDArrayIterOptions& options) {
  auto source = std::make_shared<const ArraySource>(data, label);
  return MakeIterator(std::move(source), options.order, options.batch,
                      options.prefetch_buffer);
}

}  // namespace io
}  // namespace mx
