#include "io/label_columns.h"

#include <set>
#include <utility>

#include "core/base/error.h"
#include "core/base/strings.h"

namespace mx {
namespace io {
namespace {

class LabelColumnsIter : public DataIter {
 public:
  LabelColumnsIter(std::unique_ptr<DataIter> inner,
                   std::vector<LabelColumns> labels)
      : inner_(std::move(inner)), labels_(std::move(labels)) {
    MX_CHECK(!labels_.empty(), "no label named");
    const DataDesc source = inner_->ProvideLabel().at(0);
    MX_CHECK(source.shape.ndim() == 1 || source.shape.ndim() == 2,
             "the iterator's label has shape ", source.shape,
             "; columns are taken from a (batch,) or (batch, k) label");
    batch_size_ = source.shape[0];
    width_ = source.shape.ndim() == 1 ? 1 : source.shape[1];
    std::set<std::string> names;
    for (const LabelColumns& l : labels_) {
      MX_CHECK(!l.name.empty(), "a label without a name");
      MX_CHECK(names.insert(l.name).second, "label '", l.name,
               "' is named twice");
      for (int64_t c : l.columns) {
        MX_CHECK(c >= 0 && c < width_, "label '", l.name, "': column ", c,
                 " is not one of the iterator's label columns (0 to ",
                 width_ - 1, "; its label has shape ", source.shape, ")");
      }
      Shape shape = source.shape;
      if (l.columns.size() == 1) shape = Shape({batch_size_});
      if (l.columns.size() > 1) {
        shape = Shape({batch_size_, static_cast<int64_t>(l.columns.size())});
      }
      descs_.push_back({l.name, shape});
      // Whole labels are the inner arrays themselves (set on each Next).
      arrays_.push_back(l.columns.empty() ? NDArray() : NDArray::Empty(shape));
    }
  }

  void Reset() override { inner_->Reset(); }
  void SkipEpochs(int64_t epochs) override { inner_->SkipEpochs(epochs); }
  bool Next() override {
    if (!inner_->Next()) return false;
    const DataBatch& in = inner_->Value();
    batch_.data = in.data;
    batch_.pad = in.pad;
    batch_.index = in.index;
    batch_.label.resize(labels_.size());
    std::vector<float> rows, picked;  // (host copies only for columns)
    for (size_t i = 0; i < labels_.size(); ++i) {
      const std::vector<int64_t>& columns = labels_[i].columns;
      if (columns.empty()) {
        batch_.label[i] = in.label[0];
        continue;
      }
      if (rows.empty()) rows = in.label.at(0).ToFloatVector();
      picked.resize(static_cast<size_t>(batch_size_) * columns.size());
      for (int64_t r = 0; r < batch_size_; ++r) {
        for (size_t c = 0; c < columns.size(); ++c) {
          picked[r * columns.size() + c] = rows[r * width_ + columns[c]];
        }
      }
      // (Waits for the pending reads of the previous batch's copy.)
      arrays_[i].SyncCopyFromHost(picked.data(), picked.size() * sizeof(float));
      batch_.label[i] = arrays_[i];
    }
    return true;
  }
  const DataBatch& Value() const override { return batch_; }
  std::vector<DataDesc> ProvideData() const override {
    return inner_->ProvideData();
  }
  std::vector<DataDesc> ProvideLabel() const override { return descs_; }
  double WaitSeconds() const override { return inner_->WaitSeconds(); }
  int64_t BatchesPerEpoch() const override { return inner_->BatchesPerEpoch(); }

 private:
  std::unique_ptr<DataIter> inner_;
  std::vector<LabelColumns> labels_;
  std::vector<DataDesc> descs_;
  std::vector<NDArray> arrays_;  // per label; none for a whole label
  int64_t batch_size_ = 0, width_ = 1;
  DataBatch batch_;
};

}  // namespace

std::unique_ptr<DataIter> SelectLabels(std::unique_ptr<DataIter> inner,
                                       std::vector<LabelColumns> labels) {
  return std::make_unique<LabelColumnsIter>(std::move(inner),
                                            std::move(labels));
}

}  // namespace io
}  // namespace mx
