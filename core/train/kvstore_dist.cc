#include "core/train/kvstore_dist.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <utility>
#include <vector>

#include "core/base/env.h"
#include "core/base/strings.h"
#include "core/dist/communicator.h"
#include "core/engine/engine.h"
#include "core/train/kvstore_local.h"

namespace mx {
namespace {

// LocalKVStore whose merged gradients are summed over every process before
// the update. Pushes fill buckets of about MX_DIST_BUCKET_KB; a full bucket
// (or a Pull of one of its keys) is handed to the engine as one all-reduce,
// which runs as soon as its gradients exist, so communication overlaps the
// rest of backward. Every process pushes the same keys in the same order, so
// buckets and their tickets match across processes. A key's update is
// applied at its Pull, so a caller may still drop a pushed step (a step with
// NaN, skipped on every process): the key's next Push replaces it.
class DistSyncKVStore : public LocalKVStore {
 public:
  DistSyncKVStore(const std::string& type, dist::Communicator& comm)
      : LocalKVStore(type),
        comm_(comm),
        bucket_bytes_(EnvInt("MX_DIST_BUCKET_KB", 1024, 0, int64_t{1} << 30) *
                      1024) {}

  int rank() const override { return comm_.rank(); }
  int num_workers() const override { return comm_.size(); }

  // Stores rank 0's value on every process.
  void Init(const std::string& key, const NDArray& value) override {
    MX_CHECK(value.context().IsHost(), "kvstore ", type(), ": key '", key,
             "' lives on ", value.context(),
             "; summing GPU arrays across processes needs NCCL, which this "
             "build does not have yet (train on cpu devices)");
    MX_CHECK(
        value.dtype() == DType::kFloat32 || value.dtype() == DType::kFloat64,
        "kvstore ", type(), ": key '", key, "' is ", DTypeName(value.dtype()),
        "; only float32 and float64 values are summed across processes");
    LocalKVStore::Init(key, value);
    const NDArray stored = Value(key);
    stored.WaitToWrite();
    comm_.Broadcast(stored.RawData(), static_cast<int64_t>(stored.Bytes()), 0);
  }

  void Push(const std::string& key,
            const std::vector<NDArray>& values) override {
    // A key pushed again before its Pull (a skipped step): its first sum
    // goes out with its bucket, unused.
    if (std::find(open_.begin(), open_.end(), key) != open_.end()) Flush();
    unapplied_.erase(key);
    Merge(key, values);
    const NDArray& merged = Find(key).merged;
    if (!open_.empty() && Find(open_[0]).merged.dtype() != merged.dtype()) {
      Flush();
    }
    open_.push_back(key);
    open_bytes_ += static_cast<int64_t>(merged.Bytes());
    if (open_bytes_ >= bucket_bytes_) Flush();
  }

  void Pull(const std::string& key, std::vector<NDArray>* outs) override {
    if (std::find(open_.begin(), open_.end(), key) != open_.end()) Flush();
    LocalKVStore::Pull(key, outs);  // applies the update
  }

  void SetDeferredUpdate(bool) override {}  // always deferred

  NDArray Summed(const std::string& key) override {
    if (std::find(open_.begin(), open_.end(), key) != open_.end()) Flush();
    return LocalKVStore::Summed(key);
  }

 private:
  // Sums the open bucket's merged arrays over every process (one engine
  // function writing them); their updates wait for their Pull.
  void Flush() {
    std::vector<std::string> keys = std::move(open_);
    open_.clear();
    open_bytes_ = 0;
    std::vector<NDArray> arrays;
    std::vector<VarHandle> vars;
    int64_t total = 0;
    for (const std::string& key : keys) {
      arrays.push_back(Find(key).merged);
      vars.push_back(arrays.back().var());
      total += arrays.back().Size();
    }
    const DType dtype = arrays[0].dtype();
    NDArray buffer;  // a bucket of several arrays goes through one buffer
    if (arrays.size() > 1) {
      NDArray& b = buffers_[Join(keys, ",")];
      if (b.is_none()) b = NDArray(Shape({total}), Context::CPU(), dtype);
      buffer = b;
      vars.push_back(buffer.var());
    }
    const dist::Communicator::Ticket ticket = comm_.Reserve();
    dist::Communicator* comm = &comm_;
    Engine::Get()->PushAsync(
        [comm, ticket, arrays, buffer, total, dtype](
            RunContext, CallbackOnComplete on_complete) {
          comm->Submit(
              ticket,
              [arrays, buffer, total, dtype](dist::Collectives& c) {
                if (buffer.is_none()) {
                  c.AllReduceSum(arrays[0].RawData(), total, dtype);
                  return;
                }
                char* at = static_cast<char*>(buffer.RawData());
                for (const NDArray& a : arrays) {
                  std::memcpy(at, a.RawData(), a.Bytes());
                  at += a.Bytes();
                }
                c.AllReduceSum(buffer.RawData(), total, dtype);
                at = static_cast<char*>(buffer.RawData());
                for (const NDArray& a : arrays) {
                  std::memcpy(a.RawData(), at, a.Bytes());
                  at += a.Bytes();
                }
              },
              [on_complete](std::exception_ptr error) { on_complete(error); });
        },
        Context::CPU(), {}, vars, 0, "dist_sync all-reduce");
    unapplied_.insert(keys.begin(), keys.end());
  }

  dist::Communicator& comm_;
  const int64_t bucket_bytes_;
  std::vector<std::string> open_;  // keys of the bucket being filled
  int64_t open_bytes_ = 0;
  std::map<std::string, NDArray> buffers_;  // by the keys of their bucket
};

}  // namespace

std::unique_ptr<KVStore> NewDistSyncKVStore(const std::string& type) {
  return std::make_unique<DistSyncKVStore>(type, dist::Communicator::World());
}

}  // namespace mx
