// KVStore: where data-parallel training sums gradients and keeps the weights,
// as MXNet's kvstore with update_on_kvstore. Init stores a key's weight; Push
// sums the gradients of every device into one array and applies the updater
// to the stored weight; Pull copies the weight back to every device. All work
// is pushed to the engine, so pushes of different keys overlap.
//   local (also MXNet's local_update_cpu and local_allreduce_cpu): the
//          store lives on the first device's context (several CPU contexts
//          here; GPUs with the CUDA backend).
//   dist_sync (also dist_device_sync): as local, and the local sums are
//          summed over every process of an MPI job before the update, so
//          all replicas apply the same update (Note [Distributed training]).
#ifndef MX_CORE_TRAIN_KVSTORE_H_
#define MX_CORE_TRAIN_KVSTORE_H_

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/ndarray/ndarray.h"

namespace mx {

class KVStore {
 public:
  // Applies summed gradient `grad` to the stored `weight` of `key`.
  using Updater = std::function<void(const std::string& key,
                                     const NDArray& grad, NDArray* weight)>;

  // "local" (or its MXNet names local_update_cpu, local_allreduce_cpu,
  // device), "dist_sync" (or dist_device_sync); mx::Error listing the types
  // for any other name.
  static std::unique_ptr<KVStore> Create(const std::string& type);
  virtual ~KVStore() = default;

  virtual std::string type() const = 0;
  // Stores a copy of `value` under `key` (mx::Error if the key exists).
  virtual void Init(const std::string& key, const NDArray& value) = 0;
  // Sums `values` (one per device, same shape) and updates the stored
  // weight with the updater (or replaces it with the sum when none is set).
  // dist_sync updates at the key's next Pull instead; a second Push before
  // it replaces the first.
  virtual void Push(const std::string& key,
                    const std::vector<NDArray>& values) = 0;
  // Copies the stored value of `key` into every array of `outs`.
  virtual void Pull(const std::string& key, std::vector<NDArray>* outs) = 0;
  virtual void SetUpdater(Updater updater) = 0;
  // With `deferred`, a Push only sums and the key's update waits for its
  // next Pull, so the caller may read the sum (Summed) in between, e.g. for
  // the global gradient norm. dist_sync always defers.
  virtual void SetDeferredUpdate(bool deferred) = 0;
  // The sum of the key's last Push over the devices (and the processes of
  // dist_sync), as engine work that a reader waits for.
  virtual NDArray Summed(const std::string& key) = 0;
  // The stored value (for checkpoints).
  virtual NDArray Value(const std::string& key) const = 0;
  // This process's rank among the workers of a distributed store, and their
  // number (0 and 1 for local stores).
  virtual int rank() const { return 0; }
  virtual int num_workers() const { return 1; }
};

}  // namespace mx

#endif  // MX_CORE_TRAIN_KVSTORE_H_
