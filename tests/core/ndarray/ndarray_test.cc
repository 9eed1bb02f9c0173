// NDArray behaviour, including every NDArray example of MXNet's Python guide
// and its early unit tests (test_ndarray.py), in C++. Runs on the threaded
// engine and, as ndarray_naive_test, on the naive one.
#include "core/ndarray/ndarray.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <thread>

#include "core/gpu/gpu.h"
#include "core/storage/storage.h"
#include "tests/testing/error_message.h"

namespace mx {
namespace {

using testing::MessageOf;

void ExpectAll(const NDArray& a, float value) {
  for (float v : a.ToVector<float>()) ASSERT_EQ(v, value);
}

// reldiff(a, b) = sum|a - b| / sum|a| as in MXNet's tests.
double RelDiff(const std::vector<float>& a, const std::vector<float>& b) {
  double diff = 0, norm = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    diff += std::fabs(a[i] - b[i]);
    norm += std::fabs(a[i]);
  }
  return diff == 0 ? 0 : diff / norm;
}

// A random shape as in MXNet's tests: dim in {1,2,3}, extents in [1,
// 1000^(1/dim)].
Shape RandomShape(std::mt19937& rng) {
  const int dim = 1 + static_cast<int>(rng() % 3);
  const int max_extent = static_cast<int>(std::pow(1000.0, 1.0 / dim));
  std::vector<int64_t> dims(dim);
  for (auto& d : dims) d = 1 + static_cast<int64_t>(rng() % max_extent);
  return Shape(dims);
}

std::vector<float> RandomValues(std::mt19937& rng, int64_t n, float lo = -10,
                                float hi = 10) {
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(static_cast<size_t>(n));
  for (auto& x : v) x = dist(rng);
  return v;
}

TEST(NDArrayGuideTest, CreateFillAndAdd) {
  NDArray a = NDArray::Full(Shape{10, 10}, 10);
  NDArray b = NDArray::Full(Shape{10, 10}, 20);
  NDArray c = a + b;
  ExpectAll(c, 30);
  EXPECT_EQ(c.shape(), (Shape{10, 10}));
  EXPECT_EQ(c.context(), Context::CPU());
  EXPECT_EQ(c.dtype(), DType::kFloat32);
}

TEST(NDArrayGuideTest, CopyChains) {
  NDArray a = NDArray::Full(Shape{4, 5}, 3);
  NDArray b = a.CopyTo(Context::CPU());
  NDArray c = b.CopyTo(Context::CPUPinned());
  NDArray d(Shape{4, 5});
  c.CopyTo(&d);
  ExpectAll(d, 3);
  EXPECT_FALSE(d.SharesMemoryWith(a));
  EXPECT_EQ(c.context(), Context::CPUPinned());
}

TEST(NDArrayGuideTest, ReassignThenAdd) {
  NDArray a = NDArray::Ones(Shape{3, 3});
  NDArray b = NDArray::Ones(Shape{3, 3});
  a = a + 1;
  b = b + 1;
  NDArray c = a + b;
  ExpectAll(c, 4);
}

TEST(NDArrayGuideTest, WriteAfterReadKeepsOldValue) {
  // c = a + 1; b.copyto(a): c must see a's old value.
  for (int trial = 0; trial < 50; ++trial) {
    NDArray a = NDArray::Full(Shape{256, 256}, 1);
    NDArray b = NDArray::Full(Shape{256, 256}, 5);
    NDArray c = a + 1;
    b.CopyTo(&a);
    ExpectAll(c, 2);
    ExpectAll(a, 5);
  }
}

TEST(NDArrayTest, ElementwiseMatchesReference) {
  std::mt19937 rng(0);
  for (int repeat = 0; repeat < 10; ++repeat) {
    const Shape shape = RandomShape(rng);
    const auto x = RandomValues(rng, shape.Size());
    auto y = RandomValues(rng, shape.Size());
    for (auto& v : y) {
      if (std::fabs(v) < 0.1f) v = 0.5f;
    }
    NDArray a = NDArray::FromVector(x, shape),
            b = NDArray::FromVector(y, shape);
    struct Case {
      NDArray got;
      float (*ref)(float, float);
    } cases[] = {{a + b, [](float p, float q) { return p + q; }},
                 {a - b, [](float p, float q) { return p - q; }},
                 {a * b, [](float p, float q) { return p * q; }},
                 {a / b, [](float p, float q) { return p / q; }}};
    for (auto& c : cases) {
      std::vector<float> want(x.size());
      for (size_t i = 0; i < x.size(); ++i) want[i] = c.ref(x[i], y[i]);
      EXPECT_LT(RelDiff(want, c.got.ToVector<float>()), 1e-6) << shape;
    }
  }
}

TEST(NDArrayTest, OddSizesHitVectorTails) {
  for (int64_t n : {1, 3, 15, 16, 17, 31, 33, 63, 65, 1001}) {
    std::vector<float> x(n), y(n);
    for (int64_t i = 0; i < n; ++i) {
      x[i] = static_cast<float>(i) * 0.5f;
      y[i] = static_cast<float>(n - i);
    }
    auto got =
        (NDArray::FromVector(x, Shape{n}) * NDArray::FromVector(y, Shape{n}))
            .ToVector<float>();
    for (int64_t i = 0; i < n; ++i) ASSERT_EQ(got[i], x[i] * y[i]) << n;
  }
}

TEST(NDArrayTest, ScalarArithmeticAsInMXNetTests) {
  NDArray c = NDArray::Full(Shape{10, 10}, 0.5);
  NDArray d = NDArray::Full(Shape{10, 10}, 1.0);
  d -= c * 2 / 3 * 6.0;
  EXPECT_NEAR(Sum(d).ToScalar(), -100, 1e-4);
  c += 0.5;
  EXPECT_NEAR(Sum(c).ToScalar(), 100, 1e-4);
  c.Fill(2);
  EXPECT_NEAR(Sum(c).ToScalar(), 200, 1e-4);
  d = -c + 2;
  EXPECT_NEAR(std::fabs(Sum(d).ToScalar()), 0, 1e-4);
  ExpectAll(2 - c, 0);
  ExpectAll(8 / c, 4);
  ExpectAll(3 * c, 6);
  ExpectAll(1 + c, 3);
}

TEST(NDArrayTest, InPlaceOperators) {
  NDArray a = NDArray::Full(Shape{7}, 6);
  NDArray b = NDArray::Full(Shape{7}, 2);
  a += b;
  ExpectAll(a, 8);
  a -= b;
  ExpectAll(a, 6);
  a *= b;
  ExpectAll(a, 12);
  a /= b;
  ExpectAll(a, 6);
  a += a;  // same array on both sides
  ExpectAll(a, 12);
  a *= 0.5;
  ExpectAll(a, 6);
}

TEST(NDArrayTest, NegateLeavesInputUnchanged) {
  NDArray x = NDArray::Full(Shape{2, 3}, 1.5);
  NDArray y = -x;
  ExpectAll(y, -1.5);
  ExpectAll(x, 1.5);
}

TEST(NDArrayTest, UnaryFunctions) {
  const std::vector<float> x = {0.25f, 1.0f, 4.0f, 9.0f};
  NDArray a = NDArray::FromVector(x, Shape{2, 2});
  const auto check = [&](const NDArray& got, double (*f)(double)) {
    auto v = got.ToVector<float>();
    for (size_t i = 0; i < x.size(); ++i) {
      EXPECT_NEAR(v[i], f(x[i]), 1e-6 * std::fabs(f(x[i])) + 1e-7);
    }
  };
  check(Sqrt(a), [](double v) { return std::sqrt(v); });
  check(Exp(a), [](double v) { return std::exp(v); });
  check(Log(a), [](double v) { return std::log(v); });
  check(Square(a), [](double v) { return v * v; });
  check(Abs(-a), [](double v) { return v; });
  check(Negate(a), [](double v) { return -v; });
}

TEST(NDArrayTest, Reductions) {
  NDArray a = NDArray::FromVector<float>({1, -2, 7, 4}, Shape{2, 2});
  NDArray s = Sum(a);
  EXPECT_EQ(s.shape().ndim(), 0);
  EXPECT_EQ(s.ToScalar(), 10);
  EXPECT_EQ(Mean(a).ToScalar(), 2.5);
  EXPECT_EQ(Max(a).ToScalar(), 7);
  NDArray ints = NDArray::FromVector<int32_t>({3, 9, -4}, Shape{3});
  EXPECT_EQ(Sum(ints).ToScalar(), 8);
  EXPECT_EQ(Max(ints).ToScalar(), 9);
  NDArray empty(Shape{0, 3});
  EXPECT_EQ(Sum(empty).ToScalar(), 0);
  NDArray m = Max(empty);
  EXPECT_EQ(MessageOf([&] { m.ToScalar(); }),
            "operator 'max' failed: max of an empty array (0 elements)");
}

TEST(NDArrayTest, DotMatchesNaiveProduct) {
  std::mt19937 rng(3);
  for (auto [m, k, n] : {std::tuple<int64_t, int64_t, int64_t>{1, 1, 1},
                         {3, 5, 7},
                         {17, 33, 9},
                         {64, 128, 31}}) {
    const auto x = RandomValues(rng, m * k, -1, 1);
    const auto y = RandomValues(rng, k * n, -1, 1);
    NDArray a = NDArray::FromVector(x, Shape{m, k});
    NDArray b = NDArray::FromVector(y, Shape{k, n});
    std::vector<float> want(m * n, 0);
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j)
        for (int64_t p = 0; p < k; ++p)
          want[i * n + j] += x[i * k + p] * y[p * n + j];
    EXPECT_LT(RelDiff(want, Dot(a, b).ToVector<float>()), 1e-5);
    // Transposed operands give the same product.
    NDArray at = NDArray::Empty(Shape{k, m}), bt = NDArray::Empty(Shape{n, k});
    std::vector<float> xt(m * k), yt(k * n);
    for (int64_t i = 0; i < m; ++i)
      for (int64_t p = 0; p < k; ++p) xt[p * m + i] = x[i * k + p];
    for (int64_t p = 0; p < k; ++p)
      for (int64_t j = 0; j < n; ++j) yt[j * k + p] = y[p * n + j];
    at.SyncCopyFromHost(xt.data(), xt.size() * 4);
    bt.SyncCopyFromHost(yt.data(), yt.size() * 4);
    EXPECT_LT(RelDiff(want, Dot(at, bt, true, true).ToVector<float>()), 1e-5);
  }
  EXPECT_EQ(MessageOf([] {
              Dot(NDArray(Shape{2, 3}), NDArray(Shape{4, 2}));
            }),
            "dot: inner dimensions differ: lhs (2,3) vs rhs (4,2) (3 vs 4)");
}

TEST(NDArrayTest, ViewsShareStorage) {
  NDArray a = NDArray::FromVector<float>({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11},
                                         Shape{4, 3});
  NDArray rows = a.Slice(1, 3);
  EXPECT_EQ(rows.shape(), (Shape{2, 3}));
  EXPECT_EQ(rows.ToVector<float>(), (std::vector<float>{3, 4, 5, 6, 7, 8}));
  rows.Fill(-1);  // A[1:3] = -1 writes through the view
  EXPECT_EQ(a.ToVector<float>(),
            (std::vector<float>{0, 1, 2, -1, -1, -1, -1, -1, -1, 9, 10, 11}));
  NDArray flat = a.Reshape(std::vector<int64_t>{-1});
  EXPECT_EQ(flat.shape(), (Shape{12}));
  EXPECT_TRUE(flat.SharesMemoryWith(a));
  EXPECT_EQ(a.Reshape(Shape{2, 6}).At(1).ToVector<float>(),
            (std::vector<float>{-1, -1, -1, 9, 10, 11}));
  EXPECT_EQ(MessageOf([&] {
              a.Reshape(Shape{5, 2});
            }),
            "Reshape of NDArray(4,3) float32 @cpu(0) to (5,2): size mismatch "
            "(12 vs 10 elements)");
  EXPECT_EQ(MessageOf([&] { a.Slice(2, 5); }),
            "Slice [2, 5) of NDArray(4,3) float32 @cpu(0): expected 0 <= begin "
            "<= end <= 4");
}

TEST(NDArrayTest, OperandsOnTwoDevicesAreAnError) {
  NDArray a = NDArray::Ones(Shape{2}, Context::CPU());
  NDArray b = NDArray::Ones(Shape{2}, Context::CPUPinned());
  EXPECT_EQ(MessageOf([&] { a + b; }),
            "add: operands are on different devices: lhs on cpu(0), rhs on "
            "cpu_pinned(0); copy one with CopyTo(cpu(0)) first");
  if (!gpu::BuiltWithCuda()) {
    EXPECT_EQ(MessageOf([] { NDArray(Shape{2}, Context::GPU(0)); }),
              "gpu(0) is not available: this build of mx has no GPU backend "
              "(build with bazel --config=cuda); use cpu");
  }
}

TEST(NDArrayTest, ShapeAndTypeMismatchesAreErrors) {
  EXPECT_EQ(MessageOf([] {
              NDArray(Shape{2, 3}) * NDArray(Shape{3, 2});
            }),
            "mul: shape mismatch: lhs (2,3) vs rhs (3,2)");
  EXPECT_EQ(MessageOf([] {
              NDArray(Shape{2}) +
                  NDArray(Shape{2}, Context::CPU(), DType::kInt32);
            }),
            "add: element type mismatch: lhs float32 vs rhs int32; convert one "
            "with AsType");
  EXPECT_EQ(MessageOf([] { NDArray() + NDArray(Shape{1}); }),
            "add: lhs is a none NDArray (no shape, no memory)");
}

// Float16 arithmetic: computed in float32, each result rounded to half.
TEST(NDArrayTest, Float16ArithmeticRoundsEachResultToHalf) {
  const NDArray a =
      NDArray::FromVector<float>({1.5f, -2.25f, 1000.f, 0.1f}, Shape{4})
          .AsType(DType::kFloat16);
  const NDArray b =
      NDArray::FromVector<float>({0.5f, 4.f, 1000.f, 0.2f}, Shape{4})
          .AsType(DType::kFloat16);
  const std::vector<float> sum =
      (a + b).AsType(DType::kFloat32).ToVector<float>();
  EXPECT_EQ(sum[0], 2.0f);
  EXPECT_EQ(sum[1], 1.75f);
  EXPECT_EQ(sum[2], 2000.f);
  // 0.1 and 0.2 are not halves: the sum of their halves, rounded to half.
  EXPECT_EQ(sum[3], HalfToFloat(FloatToHalf(HalfToFloat(FloatToHalf(0.1f)) +
                                            HalfToFloat(FloatToHalf(0.2f)))));
  const NDArray big = (a * 100.0).AsType(DType::kFloat32);
  EXPECT_TRUE(std::isinf(big.ToVector<float>()[2]));  // 1e5 > half's max
  EXPECT_EQ(Sqrt(b).AsType(DType::kFloat32).ToVector<float>()[1], 2.f);
  EXPECT_EQ(b.AsType(DType::kFloat16).dtype(), DType::kFloat16);
}

TEST(NDArrayTest, KernelErrorsSurfaceAtTheNextWait) {
  NDArray a = NDArray::FromVector<int32_t>({4, 9}, Shape{2});
  NDArray z = NDArray::FromVector<int32_t>({2, 0}, Shape{2});
  NDArray q = a / z;
  NDArray r =
      q + a;  // depends on the failed result: skipped, inherits the error
  EXPECT_EQ(MessageOf([&] { r.WaitToRead(); }),
            "operator 'div' failed: integer division by zero at element 1");
  EXPECT_THROW(Engine::Get()->WaitForAll(), Error);
  EXPECT_NO_THROW(Engine::Get()->WaitForAll());
  // The arrays recover once written again.
  q.Fill(1);
  EXPECT_THROW(q.WaitToRead(),
               Error);  // q's own error is still to be reported once
  q.Fill(1);
  EXPECT_EQ(q.ToVector<int32_t>(), (std::vector<int32_t>{1, 1}));
}

TEST(NDArrayTest, TypesAndConversions) {
  NDArray f = NDArray::FromVector<float>({1.5f, -2.25f, 300.0f}, Shape{3});
  EXPECT_EQ(f.AsType(DType::kFloat64).ToVector<double>(),
            (std::vector<double>{1.5, -2.25, 300.0}));
  EXPECT_EQ(f.AsType(DType::kInt32).ToVector<int32_t>(),
            (std::vector<int32_t>{1, -2, 300}));
  EXPECT_EQ(f.AsType(DType::kUint8).ToVector<uint8_t>(),
            (std::vector<uint8_t>{1, 0, 255}));  // saturates
  EXPECT_EQ(f.AsType(DType::kFloat16).AsType(DType::kFloat32).ToVector<float>(),
            (std::vector<float>{1.5f, -2.25f, 300.0f}));
  NDArray i64 = NDArray::Full(Shape{2, 2}, 7, Context::CPU(), DType::kInt64);
  EXPECT_EQ((i64 * 3).ToVector<int64_t>(), (std::vector<int64_t>(4, 21)));
  EXPECT_EQ(MessageOf([&] { i64.ToVector<float>(); }),
            "ToVector<float32> of NDArray NDArray(2,2) int64 @cpu(0); use "
            "AsType first");
}

TEST(NDArrayTest, ZeroDimensionalAndEmptyArrays) {
  NDArray s = NDArray::Full(Shape(), 4);
  EXPECT_EQ(s.Size(), 1);
  EXPECT_EQ((s * s).ToScalar(), 16);
  NDArray e(Shape{0, 5});
  EXPECT_EQ(e.Size(), 0);
  EXPECT_TRUE((e + e).ToVector<float>().empty());
}

TEST(NDArrayTest, RandomIsReproducibleFromTheSeed) {
  RandomSeed(42);
  NDArray u1 = RandomUniform(-1, 1, Shape{1000});
  NDArray n1 = RandomNormal(2, 3, Shape{20001});
  RandomSeed(42);
  NDArray u2 = RandomUniform(-1, 1, Shape{1000});
  NDArray n2 = RandomNormal(2, 3, Shape{20001});
  EXPECT_EQ(u1.ToVector<float>(), u2.ToVector<float>());
  EXPECT_EQ(n1.ToVector<float>(), n2.ToVector<float>());
  RandomSeed(43);
  EXPECT_NE(RandomUniform(-1, 1, Shape{1000}).ToVector<float>(),
            u1.ToVector<float>());
  for (float v : u1.ToVector<float>()) {
    ASSERT_GE(v, -1);
    ASSERT_LT(v, 1);
  }
  EXPECT_NEAR(Mean(n1).ToScalar(), 2, 0.1);
  const double var = Mean(Square(n1 - 2)).ToScalar();
  EXPECT_NEAR(std::sqrt(var), 3, 0.1);
  EXPECT_NEAR(Mean(u1).ToScalar(), 0, 0.1);
}

TEST(NDArrayTest, MemoryReturnsToThePoolWhenArraysDie) {
  const Context ctx = Context::CPU(3);  // a pool of its own
  Engine::Get()->WaitForAll();
  {
    NDArray a = NDArray::Ones(Shape{1000}, ctx);
    NDArray b = a * 2;
    Engine::Get()->WaitForAll();
    EXPECT_EQ(Storage::Get()->Stats(ctx).bytes_in_use,
              2 * StorageSizeClass(4000));
  }
  Engine::Get()->WaitForAll();
  EXPECT_EQ(Storage::Get()->Stats(ctx).bytes_in_use, 0u);
  NDArray again = NDArray::Ones(Shape{1000}, ctx);
  EXPECT_GE(Storage::Get()->Stats(ctx).pool_hits, 1u);
}

TEST(NDArrayTest, ConcurrentUsersFromManyThreads) {
  NDArray acc = NDArray::Zeros(Shape{64});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([acc]() mutable {
      for (int i = 0; i < 200; ++i) acc += 1;
    });
  }
  for (auto& t : threads) t.join();
  ExpectAll(acc, 800);
}

}  // namespace
}  // namespace mx
