#include "core/storage/storage.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <set>

#include "core/base/error.h"

namespace mx {
namespace {

TEST(StorageTest, SizeClassesBoundSlack) {
  EXPECT_EQ(StorageSizeClass(1), 64u);
  EXPECT_EQ(StorageSizeClass(64), 64u);
  EXPECT_EQ(StorageSizeClass(65), 128u);
  EXPECT_EQ(StorageSizeClass(1024), 1024u);
  EXPECT_EQ(StorageSizeClass(1025), 1280u);
  EXPECT_EQ(StorageSizeClass(4000), 4096u);
  for (size_t n = 1; n < (size_t{1} << 26); n = n * 3 + 1) {
    const size_t c = StorageSizeClass(n);
    EXPECT_GE(c, n);
    EXPECT_LE(c, std::max<size_t>(64, n + n / 4 + 64)) << n;
    EXPECT_EQ(c % 64, 0u) << n;
  }
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

TEST(StorageTest, GpuWithoutCudaIsAClearError) {
  try {
    Storage::Get()->Alloc(16, Context::GPU(0));
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(),
                 "cannot allocate on gpu(0): this build of mx has no CUDA "
                 "support; use cpu()");
  }
}

}  // namespace
}  // namespace mx
