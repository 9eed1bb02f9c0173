// Storage: pooled device memory. Freed blocks are kept per size class and
// reused, because fresh pages are very costly on our machines (see
// docs/design_notes.md, Note [Storage pool]).
#ifndef MX_CORE_STORAGE_STORAGE_H_
#define MX_CORE_STORAGE_STORAGE_H_

#include <cstddef>
#include <cstdint>
#include <memory>

#include "core/base/context.h"

namespace mx {

// A block of device memory. `size` is the usable size (the size class, >= the
// requested bytes).
struct StorageHandle {
  void* dptr = nullptr;
  size_t size = 0;
  Context ctx;
};

// Counters of one device's pool, in bytes of size classes.
struct StorageStats {
  size_t bytes_in_use = 0;  // handed out and not yet freed
  size_t peak_bytes_in_use =
      0;                    // maximum of bytes_in_use since start or ResetPeak
  size_t bytes_cached = 0;  // freed blocks kept for reuse
  uint64_t allocs = 0;      // Alloc calls with bytes > 0
  uint64_t pool_hits = 0;   // of those, served from the pool
};

class Storage {
 public:
  // The process-wide storage manager (never destroyed).
  static Storage* Get();

  // Returns a 64-byte aligned block of at least `bytes` on `ctx` (dptr null
  // when bytes == 0). mx::Error when the device is unavailable or out of
  // memory.
  virtual StorageHandle Alloc(size_t bytes, Context ctx) = 0;
  // Returns the block to its pool (or to the system when pooling is off:
  // MX_STORAGE_POOL=0).
  virtual void Free(StorageHandle handle) = 0;
  // Gives every cached block of `ctx` back to the system.
  virtual void ReleaseCached(Context ctx) = 0;
  // Counters of `ctx`'s pool.
  virtual StorageStats Stats(Context ctx) = 0;
  // Sets peak_bytes_in_use to the current bytes_in_use.
  virtual void ResetPeak(Context ctx) = 0;

  virtual ~Storage() = default;
};

// The size class `bytes` is rounded up to: multiples of 64 up to 1 KiB, then
// four classes per power of two (at most 25% slack) up to 32 MiB, then
// multiples of 2 MiB (at most 6% slack).
size_t StorageSizeClass(size_t bytes);

}  // namespace mx

#endif  // MX_CORE_STORAGE_STORAGE_H_
