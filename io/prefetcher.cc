#include "io/prefetcher.h"

#include <chrono>

#include "core/base/error.h"

namespace mx {
namespace io {

Prefetcher::Prefetcher(std::unique_ptr<BatchSource> source, int64_t buffer)
    : source_(std::move(source)), buffer_(buffer) {
  MX_CHECK(buffer_ >= 0, "prefetch_buffer must be at least 0, got ", buffer_);
  data_desc_ = source_->DataShape();
  label_desc_ = source_->LabelShape();
  batch_.data = {NDArray::Zeros(data_desc_.shape)};
  batch_.label = {NDArray::Zeros(label_desc_.shape)};
  if (buffer_ == 0) return;
  for (int64_t i = 0; i < buffer_; ++i) {
    free_.push_back(std::make_unique<Slot>());
  }
  producing_ = true;
  thread_ = std::thread([this] { Produce(); });
}

Prefetcher::~Prefetcher() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

// Fills free slots until the epoch ends, fails or is abandoned by Reset,
// then waits for the next epoch.
void Prefetcher::Produce() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait(lock, [&] { return stop_ || (producing_ && !free_.empty()); });
    if (stop_) return;
    std::unique_ptr<Slot> slot = std::move(free_.back());
    free_.pop_back();
    busy_ = true;
    lock.unlock();
    slot->end = false;
    slot->error = nullptr;
    try {
      slot->end = !source_->NextBatch(&slot->batch);
    } catch (...) {
      slot->error = std::current_exception();
    }
    lock.lock();
    busy_ = false;
    if (!producing_) {
      free_.push_back(std::move(slot));  // Reset abandoned this epoch
    } else {
      if (slot->end || slot->error) producing_ = false;
      ready_.push_back(std::move(slot));
    }
    cv_.notify_all();
  }
}

void Prefetcher::Publish(const HostBatch& host) {
  // SyncCopyFromHost waits for pending engine reads of the previous batch.
  batch_.data[0].SyncCopyFromHost(host.data.data(),
                                  host.data.size() * sizeof(float));
  batch_.label[0].SyncCopyFromHost(host.label.data(),
                                   host.label.size() * sizeof(float));
  batch_.pad = host.pad;
  batch_.index = host.index;
}

bool Prefetcher::Next() {
  if (epoch_done_) return false;
  if (buffer_ == 0) {
    bool more = false;
    try {
      more = source_->NextBatch(&host_);
    } catch (...) {
      epoch_done_ = true;  // as with prefetching: an error ends the epoch
      throw;
    }
    if (!more) {
      epoch_done_ = true;
      return false;
    }
    Publish(host_);
    return true;
  }
  std::unique_ptr<Slot> slot;
  {
    std::unique_lock<std::mutex> lock(mu_);
    if (ready_.empty()) {
      const auto start = std::chrono::steady_clock::now();
      cv_.wait(lock, [&] { return !ready_.empty(); });
      wait_seconds_ += std::chrono::duration<double>(
                           std::chrono::steady_clock::now() - start)
                           .count();
    }
    slot = std::move(ready_.front());
    ready_.pop_front();
  }
  const bool end = slot->end;
  const std::exception_ptr error = slot->error;
  if (!end && !error) Publish(slot->batch);
  {
    std::lock_guard<std::mutex> lock(mu_);
    free_.push_back(std::move(slot));
  }
  cv_.notify_all();
  if (error) {
    epoch_done_ = true;
    std::rethrow_exception(error);
  }
  if (end) epoch_done_ = true;
  return !end;
}

void Prefetcher::Reset() { SkipEpochs(1); }

void Prefetcher::SkipEpochs(int64_t epochs) {
  if (epochs == 0) return;
  if (buffer_ == 0) {
    source_->SkipEpochs(epochs);
    epoch_done_ = false;
    return;
  }
  std::unique_lock<std::mutex> lock(mu_);
  // Stop the producer after the batch in hand, drop what it made, rewind
  // the source while the producer is idle, start the next epoch.
  producing_ = false;
  cv_.wait(lock, [&] { return !busy_; });
  while (!ready_.empty()) {
    free_.push_back(std::move(ready_.front()));
    ready_.pop_front();
  }
  source_->SkipEpochs(epochs);
  producing_ = true;
  epoch_done_ = false;
  lock.unlock();
  cv_.notify_all();
}

}  // namespace io
}  // namespace mx
