// NDArray and the engine on gpu(i): every operation against the CPU, copies
// between devices, and a randomized stress run of GPU work and copies
// (Note [GPU streams and events]). Every test but the first skips where no
// GPU is usable (a build without --config=cuda, or a machine without one).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "core/base/strings.h"
#include "core/engine/engine.h"
#include "core/gpu/gpu.h"
#include "core/ndarray/ndarray.h"
#include "tests/testing/error_message.h"

namespace mx {
namespace {

using testing::MessageOf;

TEST(GpuAvailabilityTest, MissingDeviceIsAClearError) {
  const int n = gpu::DeviceCount();
  const std::string message =
      MessageOf([n] { NDArray(Shape{2}, Context::GPU(n)); });
  EXPECT_EQ(message.rfind(StrCat("gpu(", n, ") is not available: "), 0), 0u)
      << message;
}

class GpuTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (gpu::DeviceCount() == 0) {
      GTEST_SKIP() << "no usable GPU (built with CUDA: " << gpu::BuiltWithCuda()
                   << ")";
    }
  }
  const Context gpu0_ = Context::GPU(0);
};

// A host array of `shape` with values drawn for `dtype` (never zero when
// `nonzero`).
NDArray RandomArray(const Shape& shape, DType dtype, std::mt19937* rng,
                    bool nonzero = false) {
  NDArray a(shape, Context::CPU(), DType::kFloat64);
  std::vector<double> v(static_cast<size_t>(shape.Size()));
  std::uniform_int_distribution<int> small(-9, 9);
  std::uniform_real_distribution<double> real(-4, 4);
  const bool integral = dtype != DType::kFloat32 && dtype != DType::kFloat64;
  for (double& x : v) {
    do {
      x = integral ? small(*rng) : real(*rng);
      if (dtype == DType::kUint8) x = std::abs(x);
    } while (nonzero && x == 0);
  }
  a.SyncCopyFromHost(v.data(), v.size() * sizeof(double));
  return a.AsType(dtype);
}

std::vector<double> Values(const NDArray& a) {
  return a.CopyTo(Context::CPU()).AsType(DType::kFloat64).ToVector<double>();
}

void ExpectClose(const NDArray& gpu_result, const NDArray& cpu_result,
                 const std::string& what) {
  const std::vector<double> g = Values(gpu_result);
  const std::vector<double> c = Values(cpu_result);
  ASSERT_EQ(g.size(), c.size()) << what;
  for (size_t i = 0; i < g.size(); ++i) {
    if (std::isnan(c[i])) {
      EXPECT_TRUE(std::isnan(g[i])) << what << " at " << i;
      continue;
    }
    EXPECT_NEAR(g[i], c[i], 1e-5 * (1 + std::abs(c[i]))) << what << " at " << i;
  }
}

TEST_F(GpuTest, CopiesRoundTripThroughEveryHostKind) {
  std::mt19937 rng(1);
  const NDArray host = RandomArray(Shape{3, 1001}, DType::kFloat32, &rng);
  const NDArray on_gpu = host.CopyTo(gpu0_);
  EXPECT_EQ(on_gpu.context(), gpu0_);
  EXPECT_EQ(on_gpu.CopyTo(Context::CPU()).ToVector<float>(),
            host.ToVector<float>());
  EXPECT_EQ(on_gpu.CopyTo(Context::CPUPinned()).ToVector<float>(),
            host.ToVector<float>());
  // Into an existing array, and converting on the way.
  NDArray back(Shape{3, 1001}, Context::CPU(), DType::kFloat64);
  on_gpu.CopyTo(&back);
  ExpectClose(back, host, "float32 gpu -> float64 cpu");
  // Synchronous copies from and to the host.
  std::vector<float> data(8);
  for (int i = 0; i < 8; ++i) data[i] = static_cast<float>(i) * 0.5f;
  NDArray g(Shape{8}, gpu0_);
  g.SyncCopyFromHost(data.data(), data.size() * sizeof(float));
  std::vector<float> out(8);
  g.SyncCopyToHost(out.data(), out.size() * sizeof(float));
  EXPECT_EQ(out, data);
}

TEST_F(GpuTest, ArithmeticMatchesTheCpuForEveryType) {
  std::mt19937 rng(2);
  const Shape shape{7, 129};  // odd sizes: grid-stride tails
  for (DType dtype : {DType::kFloat32, DType::kFloat64, DType::kInt32,
                      DType::kInt64, DType::kUint8, DType::kInt8}) {
    SCOPED_TRACE(DTypeName(dtype));
    const NDArray a = RandomArray(shape, dtype, &rng);
    const NDArray b = RandomArray(shape, dtype, &rng, /*nonzero=*/true);
    const NDArray ga = a.CopyTo(gpu0_);
    const NDArray gb = b.CopyTo(gpu0_);
    ExpectClose(ga + gb, a + b, "add");
    ExpectClose(ga - gb, a - b, "sub");
    ExpectClose(ga * gb, a * b, "mul");
    ExpectClose(ga / gb, a / b, "div");
    ExpectClose(ga + 3.0, a + 3.0, "add_scalar");
    ExpectClose(ga - 2.0, a - 2.0, "sub_scalar");
    ExpectClose(5.0 - ga, 5.0 - a, "rsub_scalar");
    ExpectClose(ga * 3.0, a * 3.0, "mul_scalar");
    ExpectClose(ga / 2.0, a / 2.0, "div_scalar");
    ExpectClose(7.0 / gb, 7.0 / b, "rdiv_scalar");
    ExpectClose(Negate(ga), Negate(a), "negative");
    ExpectClose(Abs(ga), Abs(a), "abs");
    ExpectClose(Square(ga), Square(a), "square");
    ExpectClose(Sum(ga), Sum(a), "sum");
    ExpectClose(Mean(ga), Mean(a), "mean");
    ExpectClose(Max(ga), Max(a), "max");
    NDArray acc = ga.CopyTo(gpu0_);
    acc += gb;
    acc *= 2.0;
    ExpectClose(acc, (a + b) * 2.0, "in place");
    if (dtype == DType::kFloat32 || dtype == DType::kFloat64) {
      const NDArray pos = Abs(a) + 0.5;
      const NDArray gpos = pos.CopyTo(gpu0_);
      ExpectClose(Sqrt(gpos), Sqrt(pos), "sqrt");
      ExpectClose(Log(gpos), Log(pos), "log");
      ExpectClose(Exp(ga), Exp(a), "exp");
    }
  }
}

TEST_F(GpuTest, FillAndCastMatchTheCpu) {
  const std::vector<DType> types = {
      DType::kFloat32, DType::kFloat64, DType::kFloat16, DType::kUint8,
      DType::kInt32,   DType::kInt8,    DType::kInt64};
  NDArray source(Shape{6}, Context::CPU(), DType::kFloat64);
  const std::vector<double> values = {-300.5, -1.25, 0, 2.75, 255.5, NAN};
  source.SyncCopyFromHost(values.data(), values.size() * sizeof(double));
  for (DType from : types) {
    const NDArray a = source.AsType(from);
    const NDArray ga = a.CopyTo(gpu0_);
    for (DType to : types) {
      SCOPED_TRACE(StrCat(DTypeName(from), " -> ", DTypeName(to)));
      ExpectClose(ga.AsType(to), a.AsType(to), "cast");
    }
    NDArray filled(Shape{1000}, gpu0_, from);
    filled.Fill(-2.5);
    ExpectClose(filled, NDArray::Full(Shape{1000}, -2.5, Context::CPU(), from),
                "fill");
  }
}

TEST_F(GpuTest, UserErrorsAreClear) {
  const NDArray g = NDArray::Ones(Shape{4}, gpu0_, DType::kInt32);
  const NDArray zero = NDArray::Zeros(Shape{4}, gpu0_, DType::kInt32);
  EXPECT_EQ(MessageOf([&] { (g / zero).WaitToRead(); }),
            "operator 'div' failed: integer division by zero at element 0");
  const NDArray c = NDArray::Ones(Shape{4}, Context::CPU(), DType::kInt32);
  EXPECT_EQ(MessageOf([&] { g + c; }),
            "add: operands are on different devices: lhs on gpu(0), rhs on "
            "cpu(0); copy one with CopyTo(gpu(0)) first");
  // As on the CPU: an op's error is reported by WaitForAll too, once.
  EXPECT_THROW(Engine::Get()->WaitForAll(), Error);
  EXPECT_NO_THROW(Engine::Get()->WaitForAll());
}

// MXNet's guide: "a = mx.nd.ones((2,3), mx.gpu()); b = a * 2 + 1".
TEST_F(GpuTest, GuideExampleRunsOnTheGpu) {
  const NDArray a = NDArray::Ones(Shape{2, 3}, gpu0_);
  const NDArray b = a * 2.0 + 1.0;
  EXPECT_EQ(b.context(), gpu0_);
  EXPECT_EQ(b.CopyTo(Context::CPU()).ToVector<float>(),
            std::vector<float>(6, 3.0f));
  EXPECT_EQ(Sum(b).ToScalar(), 18.0);
}

// Random operations over a few arrays, mirrored on the CPU: the GPU arrays
// are read and written by compute on several streams, copies in both
// directions and views, and freed while kernels are in flight. Values stay
// small integers in float64, so results must match exactly.
TEST_F(GpuTest, StressMatchesTheCpu) {
  constexpr int kArrays = 6;
  constexpr int kOps = 3000;
  const Shape shape{64, 33};
  std::vector<NDArray> g, c;
  for (int i = 0; i < kArrays; ++i) {
    c.push_back(NDArray::Full(shape, i, Context::CPU(), DType::kFloat64));
    g.push_back(c.back().CopyTo(gpu0_));
  }
  std::mt19937 rng(3);
  std::uniform_int_distribution<int> pick(0, kArrays - 1);
  std::uniform_int_distribution<int> kind(0, 6);
  for (int step = 0; step < kOps; ++step) {
    const int d = pick(rng), x = pick(rng), y = pick(rng);
    switch (kind(rng)) {
      case 0:  // d = x + y
        g[d] = g[x] + g[y];
        c[d] = c[x] + c[y];
        break;
      case 1:  // d -= x
        g[d] -= g[x];
        c[d] -= c[x];
        break;
      case 2:  // d = (x mod-ish) keep values small
        g[d] = g[x] * 0.5 - 1.0;
        c[d] = c[x] * 0.5 - 1.0;
        break;
      case 3: {  // round trip through the host
        const NDArray host = g[x].CopyTo(Context::CPU());
        g[d] = host.CopyTo(gpu0_);
        c[d] = c[x].CopyTo(Context::CPU());
        break;
      }
      case 4:  // copy into an existing GPU array (GPU -> GPU)
        if (d != x) {
          g[x].CopyTo(&g[d]);
          c[x].CopyTo(&c[d]);
        }
        break;
      case 5:  // a temporary freed at once
        g[d] += Negate(g[y]) + g[y];
        c[d] += Negate(c[y]) + c[y];
        break;
      case 6:  // fill a row through a view
        g[d].At(step % 64).Fill(step % 7);
        c[d].At(step % 64).Fill(step % 7);
        break;
    }
    if (step % 50 == 49) {  // keep magnitudes small and exact
      for (int i = 0; i < kArrays; ++i) {
        g[i] = g[i] * 0.0 + static_cast<double>(i);
        c[i] = c[i] * 0.0 + static_cast<double>(i);
      }
    }
  }
  for (int i = 0; i < kArrays; ++i) {
    EXPECT_EQ(Values(g[i]), Values(c[i])) << "array " << i;
  }
  Engine::Get()->WaitForAll();
}

TEST_F(GpuTest, CopiesBetweenGpus) {
  if (gpu::DeviceCount() < 2) GTEST_SKIP() << "one GPU";
  std::mt19937 rng(4);
  const NDArray host = RandomArray(Shape{1000}, DType::kFloat32, &rng);
  const NDArray on1 = host.CopyTo(gpu0_).CopyTo(Context::GPU(1));
  EXPECT_EQ(on1.context(), Context::GPU(1));
  EXPECT_EQ(Values(on1 * 2.0), Values(host * 2.0));
}

}  // namespace
}  // namespace mx
