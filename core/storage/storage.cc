#include "core/storage/storage.h"

#include <cstdlib>
#include <map>
#include <mutex>
#include <new>
#include <unordered_map>
#include <vector>

#include "core/base/env.h"
#include "core/base/error.h"
#include "core/gpu/gpu.h"

namespace mx {
namespace {

constexpr size_t kAlignment = 64;

// Raw memory of one device kind, without pooling.
class DeviceAllocator {
 public:
  virtual ~DeviceAllocator() = default;
  virtual void* Allocate(size_t bytes, Context ctx) = 0;
  virtual void Deallocate(void* ptr, Context ctx) = 0;
};

class HostAllocator : public DeviceAllocator {
 public:
  void* Allocate(size_t bytes, Context ctx) override {
    void* p = std::aligned_alloc(kAlignment, bytes);
    if (p == nullptr) {
      throw OutOfMemoryError(StrCat("out of memory on ", ctx,
                                    ": cannot allocate ", bytes, " bytes"));
    }
    return p;
  }
  void Deallocate(void* ptr, Context) override { std::free(ptr); }
};

// cudaMalloc'd memory of one GPU. Out of memory is reported by returning null
// (the pool frees its cached blocks and tries again).
class GpuAllocator : public DeviceAllocator {
 public:
  void* Allocate(size_t bytes, Context ctx) override {
    gpu::CheckDevice(ctx);
    return gpu::DeviceAllocate(bytes, ctx.dev_id);
  }
  void Deallocate(void* ptr, Context ctx) override {
    gpu::DeviceFree(ptr, ctx.dev_id);
  }
};

// Page-locked host memory where CUDA and a GPU are present, plain host memory
// otherwise (cpu_pinned then behaves like cpu).
class PinnedAllocator : public DeviceAllocator {
 public:
  void* Allocate(size_t bytes, Context ctx) override {
    if (gpu::DeviceCount() == 0) return host_.Allocate(bytes, ctx);
    return gpu::PinnedAllocate(bytes);
  }
  void Deallocate(void* ptr, Context ctx) override {
    if (gpu::DeviceCount() == 0) return host_.Deallocate(ptr, ctx);
    gpu::PinnedFree(ptr);
  }

 private:
  HostAllocator host_;
};

// The pool of one context.
struct Pool {
  std::mutex mu;
  std::unordered_map<size_t, std::vector<void*>>
      free_blocks;  // size class -> blocks
  StorageStats stats;
};

class PooledStorage : public Storage {
 public:
  PooledStorage() : pooling_(EnvInt("MX_STORAGE_POOL", 1, 0, 1) != 0) {}

  StorageHandle Alloc(size_t bytes, Context ctx) override {
    StorageHandle h;
    h.ctx = ctx;
    if (bytes == 0) return h;
    const size_t size = StorageSizeClass(bytes);
    MX_CHECK(size >= bytes, "cannot allocate ", bytes, " bytes on ", ctx);
    Pool& pool = PoolOf(ctx);
    {
      std::lock_guard<std::mutex> lock(pool.mu);
      ++pool.stats.allocs;
      auto it = pool.free_blocks.find(size);
      if (it != pool.free_blocks.end() && !it->second.empty()) {
        h.dptr = it->second.back();
        it->second.pop_back();
        ++pool.stats.pool_hits;
        pool.stats.bytes_cached -= size;
      }
    }
    if (h.dptr == nullptr) h.dptr = AllocateFresh(size, ctx);
    h.size = size;
    std::lock_guard<std::mutex> lock(pool.mu);
    pool.stats.bytes_in_use += size;
    if (pool.stats.bytes_in_use > pool.stats.peak_bytes_in_use) {
      pool.stats.peak_bytes_in_use = pool.stats.bytes_in_use;
    }
    return h;
  }

  void Free(StorageHandle h) override {
    if (h.dptr == nullptr) return;
    Pool& pool = PoolOf(h.ctx);
    {
      std::lock_guard<std::mutex> lock(pool.mu);
      MX_INTERNAL_CHECK(pool.stats.bytes_in_use >= h.size,
                        "freeing more than is in use on ", h.ctx);
      pool.stats.bytes_in_use -= h.size;
      if (pooling_) {
        pool.free_blocks[h.size].push_back(h.dptr);
        pool.stats.bytes_cached += h.size;
        return;
      }
    }
    AllocatorOf(h.ctx).Deallocate(h.dptr, h.ctx);
  }

  void ReleaseCached(Context ctx) override {
    Pool& pool = PoolOf(ctx);
    std::unordered_map<size_t, std::vector<void*>> blocks;
    {
      std::lock_guard<std::mutex> lock(pool.mu);
      blocks.swap(pool.free_blocks);
      pool.stats.bytes_cached = 0;
    }
    for (auto& [size, list] : blocks) {
      for (void* p : list) AllocatorOf(ctx).Deallocate(p, ctx);
    }
  }

  StorageStats Stats(Context ctx) override {
    Pool& pool = PoolOf(ctx);
    std::lock_guard<std::mutex> lock(pool.mu);
    return pool.stats;
  }

  void ResetPeak(Context ctx) override {
    Pool& pool = PoolOf(ctx);
    std::lock_guard<std::mutex> lock(pool.mu);
    pool.stats.peak_bytes_in_use = pool.stats.bytes_in_use;
  }

 private:
  Pool& PoolOf(Context ctx) {
    std::lock_guard<std::mutex> lock(pools_mu_);
    std::unique_ptr<Pool>& p = pools_[ctx];
    if (!p) p = std::make_unique<Pool>();
    return *p;
  }

  DeviceAllocator& AllocatorOf(Context ctx) {
    switch (ctx.dev_type) {
      case DeviceType::kGPU:
        return gpu_;
      case DeviceType::kCPUPinned:
        return pinned_;
      default:
        return host_;
    }
  }

  // New memory from the device; when it is full, gives the pool's cached
  // blocks back and tries once more, then reports what is in use.
  void* AllocateFresh(size_t size, Context ctx) {
    void* p = AllocatorOf(ctx).Allocate(size, ctx);
    if (p != nullptr) return p;
    ReleaseCached(ctx);
    p = AllocatorOf(ctx).Allocate(size, ctx);
    if (p != nullptr) return p;
    const StorageStats stats = Stats(ctx);
    throw OutOfMemoryError(
        StrCat("out of memory on ", ctx, ": cannot allocate ", size,
               " bytes; mx holds ", stats.bytes_in_use,
               " bytes in arrays there (peak ", stats.peak_bytes_in_use,
               "); use a smaller batch or model"));
  }

  const bool pooling_;
  std::mutex pools_mu_;
  std::map<Context, std::unique_ptr<Pool>> pools_;
  HostAllocator host_;
  PinnedAllocator pinned_;
  GpuAllocator gpu_;
};

}  // namespace

size_t StorageSizeClass(size_t bytes) {
  if (bytes <= 1024) return (bytes + kAlignment - 1) / kAlignment * kAlignment;
  // Above 32 MiB, 2 MiB steps (a GPU's allocation granularity): an
  // executor's large activation blocks would waste up to a quarter of their
  // size in the classes below (1.7 GB of ResNet-50's 14 GB at batch 128).
  constexpr size_t kLarge = size_t{32} << 20, kLargeStep = size_t{2} << 20;
  if (bytes > kLarge) {
    if (bytes > SIZE_MAX - kLargeStep) return 0;  // caller reports overflow
    return (bytes + kLargeStep - 1) / kLargeStep * kLargeStep;
  }
  const int top = 63 - __builtin_clzll(bytes);  // bytes in [2^top, 2^(top+1))
  const size_t step = size_t{1} << (top - 2);
  if (bytes > SIZE_MAX - step) return 0;  // caller reports overflow
  return (bytes + step - 1) / step * step;
}

Storage* Storage::Get() {
  static Storage* const instance = new PooledStorage();
  return instance;
}

}  // namespace mx
