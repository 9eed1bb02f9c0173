// Prefetcher: the DataIter at the top of every iterator. A background
// thread fills up to `buffer` host batches ahead from a BatchSource (so
// decoding overlaps compute); Next hands the oldest to the caller as
// NDArrays and counts the time it waited. buffer 0 produces in the caller.
#ifndef MX_IO_PREFETCHER_H_
#define MX_IO_PREFETCHER_H_

#include <condition_variable>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "io/data_iter.h"

namespace mx {
namespace io {

class Prefetcher : public DataIter {
 public:
  Prefetcher(std::unique_ptr<BatchSource> source, int64_t buffer);
  ~Prefetcher() override;

  void Reset() override;
  void SkipEpochs(int64_t epochs) override;
  bool Next() override;
  const DataBatch& Value() const override { return batch_; }
  std::vector<DataDesc> ProvideData() const override { return {data_desc_}; }
  std::vector<DataDesc> ProvideLabel() const override { return {label_desc_}; }
  double WaitSeconds() const override { return wait_seconds_; }
  int64_t BatchesPerEpoch() const override {
    return source_->BatchesPerEpoch();
  }

 private:
  // One produced item: a batch, the end of the epoch, or an error.
  struct Slot {
    HostBatch batch;
    bool end = false;
    std::exception_ptr error;
  };

  void Produce();
  void Publish(const HostBatch& host);

  std::unique_ptr<BatchSource> source_;
  const int64_t buffer_;
  DataDesc data_desc_, label_desc_;
  DataBatch batch_;
  HostBatch host_;  // the batch being made when buffer is 0
  double wait_seconds_ = 0;
  bool epoch_done_ = false;

  // Shared with the producer thread.
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::unique_ptr<Slot>> ready_;
  std::vector<std::unique_ptr<Slot>> free_;
  bool producing_ = false;  // the producer works on the current epoch
  bool busy_ = false;       // the producer is inside source_->NextBatch
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace io
}  // namespace mx

#endif  // MX_IO_PREFETCHER_H_
