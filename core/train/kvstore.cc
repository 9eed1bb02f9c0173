#include "core/train/kvstore.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "core/base/error.h"
#include "core/base/strings.h"

namespace mx {
namespace {

// Sums on the first value's device and updates there (MXNet's
// local_update_cpu; its local_allreduce_cpu is the same on CPUs, where
// every device shares the host's memory).
class LocalKVStore : public KVStore {
 public:
  explicit LocalKVStore(std::string type) : type_(std::move(type)) {}
  std::string type() const override { return type_; }

  void Init(const std::string& key, const NDArray& value) override {
    MX_CHECK(!entries_.count(key), "kvstore: key '", key,
             "' is initialized twice");
    Entry& e = entries_[key];
    e.value = value.CopyTo(value.context());
  }

  void Push(const std::string& key,
            const std::vector<NDArray>& values) override {
    Entry& e = Find(key);
    MX_CHECK(!values.empty(), "kvstore: push of key '", key,
             "' without values");
    if (e.merged.is_none())
      e.merged = NDArray(e.value.shape(), e.value.context(), e.value.dtype());
    for (size_t d = 0; d < values.size(); ++d) {
      MX_CHECK(values[d].shape() == e.value.shape(), "kvstore: key '", key,
               "' holds shape ", e.value.shape(), ", pushed value ", d,
               " has shape ", values[d].shape());
      if (d == 0) {
        values[0].CopyTo(&e.merged);
        continue;
      }
      const NDArray* term = &values[d];
      if (values[d].context() != e.value.context()) {
        if (e.staging.size() < values.size()) e.staging.resize(values.size());
        NDArray& stage = e.staging[d];
        if (stage.is_none()) {
          stage = NDArray(e.value.shape(), e.value.context(), e.value.dtype());
        }
        values[d].CopyTo(&stage);
        term = &stage;
      }
      e.merged += *term;
    }
    if (updater_) {
      updater_(key, e.merged, &e.value);
    } else {
      e.merged.CopyTo(&e.value);
    }
  }

  void Pull(const std::string& key, std::vector<NDArray>* outs) override {
    Entry& e = Find(key);
    for (NDArray& out : *outs) e.value.CopyTo(&out);
  }

  void SetUpdater(Updater updater) override { updater_ = std::move(updater); }

  NDArray Value(const std::string& key) const override {
    const auto it = entries_.find(key);
    MX_CHECK(it != entries_.end(), "kvstore: unknown key '", key, "'");
    return it->second.value;
  }

 private:
  struct Entry {
    NDArray value, merged;
    std::vector<NDArray> staging;  // per device, on value's context
  };

  Entry& Find(const std::string& key) {
    const auto it = entries_.find(key);
    MX_CHECK(it != entries_.end(), "kvstore: key '", key,
             "' was not initialized (Init before Push / Pull)");
    return it->second;
  }

  std::string type_;
  std::map<std::string, Entry> entries_;
  Updater updater_;
};

}  // namespace

std::unique_ptr<KVStore> KVStore::Create(const std::string& type) {
  // "device" sums where the values live, as "local" does here: on the
  // first device's GPU when training on GPUs.
  const std::vector<std::string> local = {"local", "local_update_cpu",
                                          "local_allreduce_cpu", "device"};
  if (std::find(local.begin(), local.end(), type) != local.end()) {
    return std::make_unique<LocalKVStore>(type);
  }
  MX_THROW("unknown kvstore type '", type, "'", DidYouMean(type, local),
           " (available: local, local_update_cpu, local_allreduce_cpu, "
           "device; dist_sync comes with the MPI backend)");
}

}  // namespace mx
