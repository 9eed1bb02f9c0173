#include "io/instance_source.h"

#include <algorithm>
#include <numeric>

#include "core/base/error.h"

namespace mx {
namespace io {

int64_t InstanceSource::NextMany(int64_t n, float* data, float* label,
                                 int64_t* index) {
  const int64_t size = InstanceShape().Size(), width = LabelWidth();
  int64_t k = 0;
  while (k < n && Next(data + k * size, label + k * width, index + k)) ++k;
  return k;
}

void RandomAccessSource::GetMany(const int64_t* ids, int64_t n, float* data,
                                 float* label, bool* ok) const {
  const int64_t size = InstanceShape().Size(), width = LabelWidth();
  for (int64_t k = 0; k < n; ++k) {
    Get(ids[k], data + k * size, label + k * width);
    ok[k] = true;
  }
}

OrderedSource::OrderedSource(std::shared_ptr<const RandomAccessSource> source,
                             const OrderOptions& options)
    : source_(std::move(source)), options_(options) {
  MX_CHECK(options_.num_parts >= 1, "num_parts must be at least 1, got ",
           options_.num_parts);
  MX_CHECK(options_.part_index >= 0 && options_.part_index < options_.num_parts,
           "part_index ", options_.part_index, " is outside [0, ",
           options_.num_parts, ") (num_parts ", options_.num_parts, ")");
  const int64_t n = source_->Size();
  // Shard k holds [n k / parts, n (k + 1) / parts): sizes differ by at most
  // one and every instance is in exactly one shard.
  begin_ = n * options_.part_index / options_.num_parts;
  end_ = n * (options_.part_index + 1) / options_.num_parts;
  MakeOrder();
}

void OrderedSource::MakeOrder() {
  order_.resize(static_cast<size_t>(end_ - begin_));
  std::iota(order_.begin(), order_.end(), begin_);
  if (options_.shuffle) {
    // A generator per epoch, seeded from (seed, epoch): reproducible and
    // independent of how far earlier epochs were read.
    std::seed_seq seq{static_cast<uint32_t>(options_.seed),
                      static_cast<uint32_t>(options_.seed >> 32),
                      static_cast<uint32_t>(epoch_)};
    std::mt19937_64 rng(seq);
    std::shuffle(order_.begin(), order_.end(), rng);
  }
  cursor_ = 0;
}

void OrderedSource::Reset() { SkipEpochs(1); }

void OrderedSource::SkipEpochs(int64_t epochs) {
  if (epochs == 0) return;
  if (options_.shuffle && !options_.reshuffle) {
    cursor_ = 0;
    return;
  }
  epoch_ += epochs;
  MakeOrder();
}

bool OrderedSource::Next(float* data, float* label, int64_t* index) {
  if (cursor_ >= order_.size()) return false;
  const int64_t i = order_[cursor_++];
  source_->Get(i, data, label);
  *index = i;
  return true;
}

int64_t OrderedSource::NextMany(int64_t n, float* data, float* label,
                                int64_t* index) {
  const int64_t size = InstanceShape().Size(), width = LabelWidth();
  int64_t filled = 0;
  // Skipped instances leave holes: close them and ask for more.
  while (filled < n && cursor_ < order_.size()) {
    const int64_t want = std::min<int64_t>(
        n - filled, static_cast<int64_t>(order_.size() - cursor_));
    const int64_t* ids = order_.data() + cursor_;
    std::unique_ptr<bool[]> ok(new bool[want]());
    source_->GetMany(ids, want, data + filled * size, label + filled * width,
                     ok.get());
    int64_t kept = filled;
    for (int64_t k = 0; k < want; ++k) {
      if (!ok[k]) continue;
      if (kept != filled + k) {
        std::copy_n(data + (filled + k) * size, size, data + kept * size);
        std::copy_n(label + (filled + k) * width, width, label + kept * width);
      }
      index[kept++] = ids[k];
    }
    cursor_ += static_cast<size_t>(want);
    filled = kept;
  }
  return filled;
}

}  // namespace io
}  // namespace mx
