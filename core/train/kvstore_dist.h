// dist_sync: the kvstore of data-parallel training over the processes of an
// MPI job (Note [Distributed training]).
#ifndef MX_CORE_TRAIN_KVSTORE_DIST_H_
#define MX_CORE_TRAIN_KVSTORE_DIST_H_

#include <memory>
#include <string>

#include "core/train/kvstore.h"

namespace mx {

// A dist_sync store (type "dist_sync" or "dist_device_sync") on this
// process's world (dist::Communicator::World()).
std::unique_ptr<KVStore> NewDistSyncKVStore(const std::string& type);

}  // namespace mx

#endif  // MX_CORE_TRAIN_KVSTORE_DIST_H_
