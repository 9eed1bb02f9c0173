#include "core/train/kvstore.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "core/base/error.h"
#include "core/base/strings.h"
#include "core/train/kvstore_dist.h"
#include "core/train/kvstore_local.h"

namespace mx {

void LocalKVStore::Init(const std::string& key, const NDArray& value) {
  MX_CHECK(!entries_.count(key), "kvstore: key '", key,
           "' is initialized twice");
  Entry& e = entries_[key];
  e.value = value.CopyTo(value.context());
}

void LocalKVStore::Merge(const std::string& key,
                         const std::vector<NDArray>& values) {
  Entry& e = Find(key);
  MX_CHECK(!values.empty(), "kvstore: push of key '", key, "' without values");
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
}

void LocalKVStore::Update(const std::string& key) {
  Entry& e = Find(key);
  if (updater_) {
    updater_(key, e.merged, &e.value);
  } else {
    e.merged.CopyTo(&e.value);
  }
}

void LocalKVStore::Push(const std::string& key,
                        const std::vector<NDArray>& values) {
  Merge(key, values);
  if (deferred_) {
    unapplied_.insert(key);
  } else {
    Update(key);
  }
}

void LocalKVStore::Pull(const std::string& key, std::vector<NDArray>* outs) {
  Entry& e = Find(key);
  if (unapplied_.erase(key)) Update(key);
  for (NDArray& out : *outs) e.value.CopyTo(&out);
}

NDArray LocalKVStore::Value(const std::string& key) const {
  const auto it = entries_.find(key);
  MX_CHECK(it != entries_.end(), "kvstore: unknown key '", key, "'");
  return it->second.value;
}

LocalKVStore::Entry& LocalKVStore::Find(const std::string& key) {
  const auto it = entries_.find(key);
  MX_CHECK(it != entries_.end(), "kvstore: key '", key,
           "' was not initialized (Init before Push / Pull)");
  return it->second;
}

std::unique_ptr<KVStore> KVStore::Create(const std::string& type) {
  // "device" sums where the values live, as "local" does here: on the
  // first device's GPU when training on GPUs.
  const std::vector<std::string> local = {"local", "local_update_cpu",
                                          "local_allreduce_cpu", "device"};
  if (std::find(local.begin(), local.end(), type) != local.end()) {
    return std::make_unique<LocalKVStore>(type);
  }
  // dist_device_sync sums a process's devices where they live, as here.
  if (type == "dist_sync" || type == "dist_device_sync") {
    return NewDistSyncKVStore(type);
  }
  if (type == "dist_async" || type == "dist") {
    MX_THROW("kvstore '", type,
             "' (asynchronous parameter server) is not supported; use "
             "dist_sync (synchronous all-reduce over MPI)");
  }
  std::vector<std::string> all = local;
  all.push_back("dist_sync");
  all.push_back("dist_device_sync");
  MX_THROW("unknown kvstore type '", type, "'", DidYouMean(type, all),
           " (available: ", Join(all, ", "), ")");
}

}  // namespace mx
