// Sample-level stages of an iterator: sources yield one instance at a time
// into caller memory; OrderedSource shuffles and shards a random-access one.
#ifndef MX_IO_INSTANCE_SOURCE_H_
#define MX_IO_INSTANCE_SOURCE_H_

#include <cstdint>
#include <memory>
#include <random>
#include <vector>

#include "core/base/shape.h"

namespace mx {
namespace io {

// Instances in order, epoch by epoch.
class InstanceSource {
 public:
  virtual ~InstanceSource() = default;
  // Shape of one instance's data (no batch axis) and its label count.
  virtual Shape InstanceShape() const = 0;
  virtual int64_t LabelWidth() const = 0;
  // Rewinds to the start of the next epoch.
  virtual void Reset() = 0;
  // As DataIter::SkipEpochs.
  virtual void SkipEpochs(int64_t epochs) {
    for (int64_t e = 0; e < epochs; ++e) Reset();
  }
  // Writes the next instance (InstanceShape().Size() floats, LabelWidth()
  // labels) and its index in the data set; false at the end of the epoch.
  virtual bool Next(float* data, float* label, int64_t* index) = 0;
  // Up to `n` instances into consecutive slots; returns how many (fewer
  // only at the end of the epoch). Sources that decode in parallel
  // override it; the default calls Next.
  virtual int64_t NextMany(int64_t n, float* data, float* label,
                           int64_t* index);
  // Instances an epoch is expected to hold (skipped corrupt records make
  // fewer); -1 when unknown until the end (streamed files).
  virtual int64_t InstancesPerEpoch() const { return -1; }
};

// Instances addressable by position (in-memory data sets).
class RandomAccessSource {
 public:
  virtual ~RandomAccessSource() = default;
  virtual int64_t Size() const = 0;
  virtual Shape InstanceShape() const = 0;
  virtual int64_t LabelWidth() const = 0;
  // Writes instance i, 0 <= i < Size().
  virtual void Get(int64_t i, float* data, float* label) const = 0;
  // Writes instances ids[0..n) into consecutive slots; ok[k] = false marks
  // one the source skips (a corrupt record it was told to skip). The
  // default calls Get; sources that decode in parallel override it.
  virtual void GetMany(const int64_t* ids, int64_t n, float* data, float* label,
                       bool* ok) const;
};

// How an OrderedSource walks a random-access one.
struct OrderOptions {
  bool shuffle = false;
  // Epoch e's order is a permutation drawn from (seed, e): the same seed
  // gives the same sequence of epochs.
  uint64_t seed = 0;
  // Contiguous shards of the (unshuffled) data, as MXNet's num_parts /
  // part_index; shuffling happens within the shard.
  int64_t num_parts = 1;
  int64_t part_index = 0;
  // False keeps the first epoch's permutation for every epoch (MXNet's
  // MNISTIter shuffles once, at load).
  bool reshuffle = true;
};

// A RandomAccessSource as an InstanceSource: its shard, in order or
// reshuffled every epoch. mx::Error for a bad shard.
class OrderedSource : public InstanceSource {
 public:
  OrderedSource(std::shared_ptr<const RandomAccessSource> source,
                const OrderOptions& options);

  Shape InstanceShape() const override { return source_->InstanceShape(); }
  int64_t LabelWidth() const override { return source_->LabelWidth(); }
  void Reset() override;
  // One shuffle, whatever `epochs` is: each epoch's order is seeded from
  // (seed, epoch).
  void SkipEpochs(int64_t epochs) override;
  bool Next(float* data, float* label, int64_t* index) override;
  int64_t NextMany(int64_t n, float* data, float* label,
                   int64_t* index) override;
  int64_t InstancesPerEpoch() const override { return end_ - begin_; }

  // Positions of this shard's instances in the current epoch's order.
  const std::vector<int64_t>& order() const { return order_; }

 private:
  void MakeOrder();

  std::shared_ptr<const RandomAccessSource> source_;
  OrderOptions options_;
  int64_t begin_ = 0, end_ = 0;  // the shard
  int64_t epoch_ = 0;
  size_t cursor_ = 0;
  std::vector<int64_t> order_;
};

}  // namespace io
}  // namespace mx

#endif  // MX_IO_INSTANCE_SOURCE_H_
