#include "io/batch_loader.h"

#include <algorithm>
#include <cstring>

#include "core/base/error.h"

namespace mx {
namespace io {

const char* LastBatchName(LastBatch policy) {
  switch (policy) {
    case LastBatch::kDiscard:
      return "discard";
    case LastBatch::kPad:
      return "pad";
    case LastBatch::kRoundBatch:
      return "round_batch";
  }
  return "?";
}

LastBatch ParseLastBatch(const std::string& text, const std::string& key) {
  for (LastBatch p :
       {LastBatch::kDiscard, LastBatch::kPad, LastBatch::kRoundBatch}) {
    if (text == LastBatchName(p)) return p;
  }
  MX_THROW(key, ": '", text,
           "' is not a last-batch policy; expected 'discard', 'pad' or "
           "'round_batch'");
}

BatchLoader::BatchLoader(std::unique_ptr<InstanceSource> source,
                         const BatchOptions& options)
    : source_(std::move(source)), options_(options) {
  MX_CHECK(options_.batch_size >= 1, "batch_size must be at least 1, got ",
           options_.batch_size);
  instance_size_ = source_->InstanceShape().Size();
  label_width_ = source_->LabelWidth();
}

DataDesc BatchLoader::DataShape() const {
  std::vector<int64_t> dims = {options_.batch_size};
  const Shape instance = source_->InstanceShape();
  for (int64_t d : instance.dims()) dims.push_back(d);
  return {options_.data_name, Shape(dims)};
}

DataDesc BatchLoader::LabelShape() const {
  if (label_width_ == 1)
    return {options_.label_name, Shape{options_.batch_size}};
  return {options_.label_name, Shape{options_.batch_size, label_width_}};
}

int64_t BatchLoader::BatchesPerEpoch() const {
  const int64_t n = source_->InstancesPerEpoch(), b = options_.batch_size;
  if (n < 0) return -1;
  return options_.last_batch == LastBatch::kDiscard ? n / b : (n + b - 1) / b;
}

void BatchLoader::Reset() { SkipEpochs(1); }

void BatchLoader::SkipEpochs(int64_t epochs) {
  if (epochs == 0) return;
  exhausted_ = false;
  start_index_.clear();
  // A round-batch epoch end already moved the source into the next epoch.
  if (skip_reset_) {
    skip_reset_ = false;
    --epochs;
  }
  source_->SkipEpochs(epochs);
}

void BatchLoader::FillFromStart(HostBatch* out, int64_t slot, int64_t k) const {
  std::memcpy(out->data.data() + slot * instance_size_,
              start_data_.data() + k * instance_size_,
              sizeof(float) * instance_size_);
  std::memcpy(out->label.data() + slot * label_width_,
              start_label_.data() + k * label_width_,
              sizeof(float) * label_width_);
  out->index[slot] = start_index_[k];
}

bool BatchLoader::NextBatch(HostBatch* out) {
  if (exhausted_) return false;
  const int64_t batch = options_.batch_size;
  out->data.resize(static_cast<size_t>(batch * instance_size_));
  out->label.resize(static_cast<size_t>(batch * label_width_));
  out->index.resize(static_cast<size_t>(batch));
  out->pad = 0;
  int64_t filled = source_->NextMany(batch, out->data.data(), out->label.data(),
                                     out->index.data());
  // (An empty pass keeps nothing: memcpy must not see the null data of an
  // empty vector.)
  if (options_.last_batch == LastBatch::kPad && filled > 0 &&
      static_cast<int64_t>(start_index_.size()) < batch) {
    // Keep the epoch's first instances for padding its last batch.
    const int64_t keep = std::min<int64_t>(
        filled, batch - static_cast<int64_t>(start_index_.size()));
    start_data_.resize((start_index_.size() + keep) * instance_size_);
    start_label_.resize((start_index_.size() + keep) * label_width_);
    std::memcpy(start_data_.data() + start_index_.size() * instance_size_,
                out->data.data(), sizeof(float) * keep * instance_size_);
    std::memcpy(start_label_.data() + start_index_.size() * label_width_,
                out->label.data(), sizeof(float) * keep * label_width_);
    start_index_.insert(start_index_.end(), out->index.begin(),
                        out->index.begin() + keep);
  }
  if (filled == batch) return true;
  exhausted_ = true;
  if (filled == 0) return false;
  switch (options_.last_batch) {
    case LastBatch::kDiscard:
      return false;
    case LastBatch::kPad:
      for (int64_t slot = filled; slot < batch; ++slot) {
        FillFromStart(
            out, slot,
            (slot - filled) % static_cast<int64_t>(start_index_.size()));
      }
      break;
    case LastBatch::kRoundBatch:
      source_->Reset();
      skip_reset_ = true;
      for (int64_t slot = filled; slot < batch;) {
        const int64_t got = source_->NextMany(
            batch - slot, out->data.data() + slot * instance_size_,
            out->label.data() + slot * label_width_, &out->index[slot]);
        slot += got;
        if (slot < batch) {
          // Fewer instances than a batch: start yet another pass.
          MX_CHECK(got > 0 || slot > filled,
                   "round_batch: the data source is empty");
          source_->Reset();
        }
      }
      break;
  }
  out->pad = batch - filled;
  return true;
}

}  // namespace io
}  // namespace mx
