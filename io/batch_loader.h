// BatchLoader: groups the instances of an InstanceSource into host batches,
// with MXNet's last-batch policies.
#ifndef MX_IO_BATCH_LOADER_H_
#define MX_IO_BATCH_LOADER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "io/data_iter.h"
#include "io/instance_source.h"

namespace mx {
namespace io {

// What happens to an epoch's last, incomplete batch.
enum class LastBatch {
  // Dropped (MXNet's MNISTIter): 60000 samples in batches of 128 give 468.
  kDiscard,
  // Completed with the epoch's first samples again, pad = how many
  // (MXNet's NDArrayIter last_batch_handle='pad').
  kPad,
  // Completed with the next epoch's first samples, pad = how many; that
  // epoch then continues after them (MXNet's round_batch=True).
  kRoundBatch,
};

// "discard", "pad", "round_batch"; ParseLastBatch throws mx::Error naming
// `key` and the valid values otherwise.
const char* LastBatchName(LastBatch policy);
LastBatch ParseLastBatch(const std::string& text, const std::string& key);

struct BatchOptions {
  int64_t batch_size = 128;
  LastBatch last_batch = LastBatch::kPad;
  std::string data_name = "data";
  std::string label_name = "softmax_label";
};

class BatchLoader : public BatchSource {
 public:
  // mx::Error unless batch_size >= 1.
  BatchLoader(std::unique_ptr<InstanceSource> source,
              const BatchOptions& options);

  void Reset() override;
  void SkipEpochs(int64_t epochs) override;
  bool NextBatch(HostBatch* out) override;
  // data (batch, instance...); label (batch,) for one label per instance,
  // (batch, width) otherwise.
  DataDesc DataShape() const override;
  DataDesc LabelShape() const override;
  // From the source's instance count and the last-batch policy (with
  // kRoundBatch an epoch may yield one batch less).
  int64_t BatchesPerEpoch() const override;

 private:
  // Copies cached instance `k` of this epoch's start into slot `slot`.
  void FillFromStart(HostBatch* out, int64_t slot, int64_t k) const;

  std::unique_ptr<InstanceSource> source_;
  BatchOptions options_;
  int64_t instance_size_ = 0, label_width_ = 0;
  bool skip_reset_ = false;  // kRoundBatch already started the next epoch
  bool exhausted_ = false;
  // The epoch's first batch_size instances, for kPad.
  std::vector<float> start_data_, start_label_;
  std::vector<int64_t> start_index_;
};

}  // namespace io
}  // namespace mx

#endif  // MX_IO_BATCH_LOADER_H_
