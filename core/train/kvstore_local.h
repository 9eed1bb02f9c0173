// LocalKVStore: the kvstore of one process (kvstore.h's local types), and
// the base of dist_sync, which adds the sum over processes between the local
// sum and the update.
#ifndef MX_CORE_TRAIN_KVSTORE_LOCAL_H_
#define MX_CORE_TRAIN_KVSTORE_LOCAL_H_

#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/train/kvstore.h"

namespace mx {

// Sums on the first value's device and updates there (MXNet's
// local_update_cpu; its local_allreduce_cpu is the same on CPUs, where
// every device shares the host's memory).
class LocalKVStore : public KVStore {
 public:
  explicit LocalKVStore(std::string type) : type_(std::move(type)) {}
  std::string type() const override { return type_; }
  void Init(const std::string& key, const NDArray& value) override;
  void Push(const std::string& key,
            const std::vector<NDArray>& values) override;
  void Pull(const std::string& key, std::vector<NDArray>* outs) override;
  void SetUpdater(Updater updater) override { updater_ = std::move(updater); }
  void SetDeferredUpdate(bool deferred) override { deferred_ = deferred; }
  NDArray Summed(const std::string& key) override { return Find(key).merged; }
  NDArray Value(const std::string& key) const override;

 protected:
  struct Entry {
    NDArray value, merged;
    std::vector<NDArray> staging;  // per device, on value's context
  };
  Entry& Find(const std::string& key);
  // Sums `values` into the entry's `merged` array (pushed to the engine).
  void Merge(const std::string& key, const std::vector<NDArray>& values);
  // Applies the updater to the entry (or stores `merged` when none is set).
  void Update(const std::string& key);
  // Keys summed whose update waits for their Pull.
  std::set<std::string> unapplied_;
  bool deferred_ = false;

 private:
  std::string type_;
  std::map<std::string, Entry> entries_;
  Updater updater_;
};

}  // namespace mx

#endif  // MX_CORE_TRAIN_KVSTORE_LOCAL_H_
