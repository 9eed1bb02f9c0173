#include "core/storage/storage.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <set>
#include <string>

#include "core/base/error.h"
#include "core/base/strings.h"
#include "core/gpu/gpu.h"

namespace mx {
namespace {

TEST(StorageTest, SizeClassesBoundSlack) {
  EXPECT_EQ(StorageSizeClass(1), 64u);
  EXPECT_EQ(StorageSizeClass(64), 64u);
  EXPECT_EQ(StorageSizeClass(65), 128u);
  EXPECT_EQ(StorageSizeClass(1024), 1024u);
  EXPECT_EQ(StorageSizeClass(1025), 1280u);
  EXPECT_EQ(StorageSizeClass(4000), 4096u);
  for (size_t n = 1; n < (size_t{1} << 36); n = n * 3 + 1) {
    const size_t c = StorageSizeClass(n);
    EXPECT_GE(c, n);
    EXPECT_LE(c, std::max<size_t>(64, n + n / 4 + 64)) << n;
    if (n > (size_t{32} << 20)) EXPECT_LT(c - n, size_t{2} << 20) << n;
    EXPECT_EQ(c % 64, 0u) << n;
  }
  EXPECT_EQ(StorageSizeClass(size_t{33} << 20), size_t{34} << 20);
  EXPECT_EQ(StorageSizeClass((size_t{100} << 20) + 1), size_t{102} << 20);
}

TEST(StorageTest, AlignedPooledAndCounted) {
  Storage* s = Storage::Get();
  const Context ctx = Context::CPU(7);  // a pool of its own
  StorageHandle a = s->Alloc(1000, ctx);
  StorageHandle b = s->Alloc(100000, ctx);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(a.dptr) % 64, 0u);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(b.dptr) % 64, 0u);
  EXPECT_EQ(s->Stats(ctx).bytes_in_use, a.size + b.size);
  void* old_b = b.dptr;
  s->Free(b);
  EXPECT_EQ(s->Stats(ctx).bytes_in_use, a.size);
  EXPECT_EQ(s->Stats(ctx).bytes_cached, b.size);
  StorageHandle c = s->Alloc(99999, ctx);  // same size class: reused block
  EXPECT_EQ(c.dptr, old_b);
  EXPECT_EQ(s->Stats(ctx).pool_hits, 1u);
  EXPECT_EQ(s->Stats(ctx).peak_bytes_in_use, a.size + b.size);
  s->Free(a);
  s->Free(c);
  s->ResetPeak(ctx);
  EXPECT_EQ(s->Stats(ctx).peak_bytes_in_use, 0u);
  EXPECT_GT(s->Stats(ctx).bytes_cached, 0u);
  s->ReleaseCached(ctx);
  EXPECT_EQ(s->Stats(ctx).bytes_cached, 0u);
  StorageHandle empty = s->Alloc(0, ctx);
  EXPECT_EQ(empty.dptr, nullptr);
  s->Free(empty);
}

TEST(StorageTest, MissingGpuIsAClearError) {
  // gpu(DeviceCount()) never exists: gpu(0) in a build or on a machine
  // without GPUs.
  const Context missing = Context::GPU(gpu::DeviceCount());
  try {
    Storage::Get()->Alloc(16, missing);
    FAIL();
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_EQ(message.rfind(StrCat(missing, " is not available: "), 0), 0u)
        << message;
    if (!gpu::BuiltWithCuda()) {
      EXPECT_EQ(message,
                "gpu(0) is not available: this build of mx has no GPU backend "
                "(build with bazel --config=cuda); use cpu");
    }
  }
}

TEST(StorageTest, PinnedMemoryIsPooledLikeHostMemory) {
  Storage* s = Storage::Get();
  const Context ctx = Context::CPUPinned();
  StorageHandle h = s->Alloc(1000, ctx);
  ASSERT_NE(h.dptr, nullptr);
  static_cast<char*>(h.dptr)[999] = 7;  // host-addressable
  s->Free(h);
  StorageHandle again = s->Alloc(1000, ctx);
  EXPECT_EQ(again.dptr, h.dptr);
  s->Free(again);
}

}  // namespace
}  // namespace mx
