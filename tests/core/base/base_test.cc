#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>

#include "core/base/context.h"
#include "core/base/dtype.h"
#include "core/base/env.h"
#include "core/base/error.h"
#include "core/base/file_util.h"
#include "core/base/shape.h"
#include "tests/testing/error_message.h"

namespace mx {
namespace {

using testing::MessageOf;

TEST(ShapeTest, SizesAndPrinting) {
  EXPECT_EQ(Shape().ndim(), 0);
  EXPECT_EQ(Shape().Size(), 1);
  EXPECT_EQ(Shape().ToString(), "()");
  EXPECT_EQ(Shape{5}.ToString(), "(5,)");
  EXPECT_EQ((Shape{2, 3, 4}).ToString(), "(2,3,4)");
  EXPECT_EQ((Shape{2, 3, 4}).Size(), 24);
  EXPECT_EQ((Shape{2, 0, 4}).Size(), 0);
  EXPECT_EQ((Shape{2, 3, 4})[-1], 4);
  EXPECT_EQ((Shape{2, 3, 4}).ProdRange(1, 3), 12);
  const int64_t big = int64_t{1} << 40;
  EXPECT_EQ(Shape{big}.Size(), big);
  EXPECT_EQ(MessageOf([] {
              Shape{2, -1};
            }),
            "shape (2,-1): dimension 1 is -1; expected an extent >= 0");
  EXPECT_EQ(MessageOf([&] {
              Shape({big, big}).Size();
            }),
            "shape (1099511627776,1099511627776) has more elements than fit in "
            "int64");
  EXPECT_EQ(MessageOf([] {
              (Shape{2, 3})[2];
            }),
            "dimension 2 is out of range for shape (2,3) (ndim 2)");
}

TEST(DTypeTest, MXNetCodesNamesAndSizes) {
  EXPECT_EQ(static_cast<int>(DType::kFloat32), 0);
  EXPECT_EQ(static_cast<int>(DType::kFloat64), 1);
  EXPECT_EQ(static_cast<int>(DType::kFloat16), 2);
  EXPECT_EQ(static_cast<int>(DType::kUint8), 3);
  EXPECT_EQ(static_cast<int>(DType::kInt32), 4);
  EXPECT_EQ(static_cast<int>(DType::kInt8), 5);
  EXPECT_EQ(static_cast<int>(DType::kInt64), 6);
  for (int code = 0; code <= 6; ++code) {
    const DType t = DTypeFromCode(code);
    EXPECT_EQ(DTypeFromName(DTypeName(t)), t);
  }
  EXPECT_EQ(DTypeSize(DType::kFloat16), 2u);
  EXPECT_EQ(DTypeSize(DType::kInt64), 8u);
  EXPECT_EQ(MessageOf([] { DTypeFromName("float8"); }),
            "unknown dtype 'float8'; expected one of: float32, float64, "
            "float16, uint8, int32, int8, int64");
  EXPECT_EQ(MessageOf([] { DTypeFromCode(9); }),
            "unknown dtype code 9; expected 0..6 (float32=0, float64=1, "
            "float16=2, uint8=3, int32=4, int8=5, int64=6)");
}

TEST(DTypeTest, HalfConversionRoundTripsEveryHalf) {
  for (uint32_t bits = 0; bits < 0x10000; ++bits) {
    Half h{static_cast<uint16_t>(bits)};
    const float f = HalfToFloat(h);
    const Half back = FloatToHalf(f);
    if (std::isnan(f)) {
      ASSERT_TRUE(std::isnan(HalfToFloat(back))) << bits;
    } else {
      ASSERT_EQ(back.bits, bits) << "half bits " << bits << " -> " << f;
    }
  }
  EXPECT_EQ(HalfToFloat(FloatToHalf(1.0f)), 1.0f);
  EXPECT_EQ(HalfToFloat(FloatToHalf(65504.0f)), 65504.0f);
  EXPECT_TRUE(std::isinf(HalfToFloat(FloatToHalf(1e6f))));
  EXPECT_EQ(HalfToFloat(FloatToHalf(1.0f + 1.0f / 4096)),
            1.0f);  // ties to even
  EXPECT_EQ(HalfToFloat(FloatToHalf(5.96e-8f)),
            5.9604645e-8f);  // smallest subnormal
}

TEST(ContextTest, PrintsLikeMXNet) {
  EXPECT_EQ(Context::CPU().ToString(), "cpu(0)");
  EXPECT_EQ(Context::GPU(1).ToString(), "gpu(1)");
  EXPECT_EQ(Context::CPUPinned().ToString(), "cpu_pinned(0)");
  EXPECT_NE(Context::CPU(0), Context::CPU(1));
  EXPECT_TRUE(Context::CPUPinned().IsHost());
  EXPECT_FALSE(Context::GPU().IsHost());
}

// One grammar for every tool and config; what ToString writes parses back.
TEST(ContextTest, ParsesTheDeviceGrammar) {
  EXPECT_EQ(Context::Parse("cpu"), Context::CPU(0));
  EXPECT_EQ(Context::Parse("gpu"), Context::GPU(0));
  EXPECT_EQ(Context::Parse("cpu:3"), Context::CPU(3));
  EXPECT_EQ(Context::Parse("gpu:1"), Context::GPU(1));
  EXPECT_EQ(Context::Parse("gpu:1023"), Context::GPU(1023));
  for (const Context c : {Context::CPU(2), Context::GPU(7)}) {
    EXPECT_EQ(Context::Parse(c.ToString()), c);
  }
  for (const char* bad :
       {"", "tpu", "cpu:", "gpu:-1", "gpu:1x", "gpu:1024", "gpu:99999", "cpu(1",
        "cpu()", "cpu_pinned(0)", "CPU", "gpu::1", " cpu"}) {
    EXPECT_EQ(MessageOf([&] { Context::Parse(bad); }),
              std::string("bad device '") + bad +
                  "' (expected cpu, gpu, cpu:N or gpu:N)");
  }
}

TEST(ErrorTest, TwoTiers) {
  EXPECT_THROW(MX_CHECK(1 == 2, "user"), Error);
  try {
    MX_INTERNAL_CHECK(1 == 2, "x=", 3);
    FAIL();
  } catch (const InternalError& e) {
    const std::string what = e.what();
    EXPECT_EQ(what.rfind("internal error at tests/core/base/base_test.cc:", 0),
              0u)
        << what;
    EXPECT_NE(what.find("check '1 == 2' failed: x=3"), std::string::npos)
        << what;
  }
}

TEST(EnvTest, IntegersAreValidated) {
  setenv("MX_TEST_ENV_INT", "12", 1);
  EXPECT_EQ(EnvInt("MX_TEST_ENV_INT", 1, 0, 100), 12);
  setenv("MX_TEST_ENV_INT", "12x", 1);
  EXPECT_EQ(
      MessageOf([] { EnvInt("MX_TEST_ENV_INT", 1, 0, 100); }),
      "environment variable MX_TEST_ENV_INT='12x': expected an integer in "
      "[0, 100]");
  unsetenv("MX_TEST_ENV_INT");
  EXPECT_EQ(EnvInt("MX_TEST_ENV_INT", 5, 0, 100), 5);
  EXPECT_GE(NumCores(), 1);
}

TEST(FileUtilTest, AtomicWriteAndRead) {
  const std::string dir =
      std::getenv("TEST_TMPDIR") ? std::getenv("TEST_TMPDIR") : "/tmp";
  const std::string path = dir + "/atomic.bin";
  WriteFileAtomic(path, std::string("abc\0def", 7));
  EXPECT_EQ(ReadFile(path), std::string("abc\0def", 7));
  WriteFileAtomic(path, "");
  EXPECT_EQ(ReadFile(path), "");
  EXPECT_EQ(MessageOf([&] { ReadFile(dir); }),
            "cannot read '" + dir + "': not a regular file");
}

}  // namespace
}  // namespace mx
