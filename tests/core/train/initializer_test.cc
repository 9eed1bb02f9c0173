// Initializers: the suffix rules, the scale of each random rule (checked on
// the bounds and the sample deviation of a large array), __init__
// overrides, reproducibility and errors.
#include "core/train/initializer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "tests/testing/error_message.h"

namespace mx {
namespace {

using ::mx::testing::MessageOf;
using ::testing::HasSubstr;

struct Stats {
  double lo, hi, mean, stddev;
};

Stats StatsOf(const NDArray& a) {
  const auto v = a.ToVector<float>();
  Stats s{1e9, -1e9, 0, 0};
  for (float x : v) {
    s.lo = std::min<double>(s.lo, x);
    s.hi = std::max<double>(s.hi, x);
    s.mean += x;
  }
  s.mean /= v.size();
  for (float x : v) s.stddev += (x - s.mean) * (x - s.mean);
  s.stddev = std::sqrt(s.stddev / v.size());
  return s;
}

// A (200, 50, 3, 3) convolution weight: fan_in 450, fan_out 1800.
const Shape kConv{200, 50, 3, 3};

TEST(InitializerTest, XavierUniformAndGaussian) {
  NDArray w(kConv);
  Initializer::Create("xavier")->Init("conv1_weight", &w);
  const double scale = std::sqrt(3.0 / ((450 + 1800) / 2.0));
  Stats s = StatsOf(w);
  EXPECT_GE(s.lo, -scale);
  EXPECT_LE(s.hi, scale);
  EXPECT_NEAR(s.stddev, scale / std::sqrt(3.0), 0.02 * scale);
  Initializer::Create(
      "xavier",
      {{"rnd_type", "gaussian"}, {"factor_type", "in"}, {"magnitude", "2"}})
      ->Init("conv1_weight", &w);
  s = StatsOf(w);
  EXPECT_NEAR(s.stddev, std::sqrt(2.0 / 450), 0.02 * std::sqrt(2.0 / 450));
  EXPECT_NEAR(s.mean, 0, 0.01 * std::sqrt(2.0 / 450));
}

TEST(InitializerTest, MsraUniformNormalConstant) {
  NDArray w(kConv);
  Initializer::Create("msra", {{"factor_type", "out"}, {"slope", "0"}})
      ->Init("w_weight", &w);
  EXPECT_NEAR(StatsOf(w).stddev, std::sqrt(2.0 / 1800),
              0.02 * std::sqrt(2.0 / 1800));
  Initializer::Create("uniform", {{"scale", "0.5"}})->Init("w_weight", &w);
  EXPECT_LE(StatsOf(w).hi, 0.5);
  EXPECT_NEAR(StatsOf(w).stddev, 0.5 / std::sqrt(3.0), 0.01);
  Initializer::Create("normal", {{"sigma", "2"}})->Init("w_weight", &w);
  EXPECT_NEAR(StatsOf(w).stddev, 2, 0.04);
  Initializer::Create("constant", {{"value", "0.25"}})->Init("w_weight", &w);
  EXPECT_EQ(StatsOf(w).lo, 0.25);
  EXPECT_EQ(StatsOf(w).hi, 0.25);
}

TEST(InitializerTest, SuffixRulesAndInitAttribute) {
  auto init = Initializer::Create("xavier");
  for (const auto& [name, want] :
       std::vector<std::pair<std::string, float>>{{"fc1_bias", 0},
                                                  {"bn1_beta", 0},
                                                  {"bn1_gamma", 1},
                                                  {"bn1_moving_mean", 0},
                                                  {"bn1_moving_var", 1}}) {
    NDArray a = NDArray::Full(Shape{5}, 7);
    init->Init(name, &a);
    EXPECT_EQ(a.ToVector<float>(), std::vector<float>(5, want)) << name;
  }
  NDArray a(Shape{4});
  init->Init("fc1_bias", &a, R"(["constant", {"value": 0.5}])");
  EXPECT_EQ(a.ToVector<float>(), std::vector<float>(4, 0.5f));
  init->Init("fc1_bias", &a, "one");
  EXPECT_EQ(a.ToVector<float>(), std::vector<float>(4, 1.f));
  init->Init("anything", &a, R"(["uniform", {"scale": 0.001}])");
  EXPECT_LE(StatsOf(a).hi, 0.001);
}

// MXNet's Bilinear kernel, by name ("bilinear") and by the upsampling<N>
// name rule of every initializer.
TEST(InitializerTest, BilinearKernel) {
  const std::vector<float> profile = {0.25f, 0.75f, 0.75f, 0.25f};
  std::vector<float> want;
  for (int c = 0; c < 2; ++c) {
    for (float y : profile) {
      for (float x : profile) want.push_back(y * x);
    }
  }
  NDArray a(Shape{2, 1, 4, 4});
  Initializer::Create("bilinear")->Init("up_weight", &a, "bilinear");
  EXPECT_EQ(a.ToVector<float>(), want);
  NDArray b(Shape{2, 1, 4, 4});
  Initializer::Create("xavier")->Init("upsampling0_weight", &b);
  EXPECT_EQ(b.ToVector<float>(), want);
  // scale 3: a 5-tap kernel, f = 3, c = 2/3.
  NDArray odd(Shape{1, 1, 1, 5});
  Initializer::Create("xavier")->Init("upsampling1_weight", &odd);
  const std::vector<float> got = odd.ToVector<float>();
  const std::vector<double> row = {1.0 / 3, 2.0 / 3, 1, 2.0 / 3, 1.0 / 3};
  for (int i = 0; i < 5; ++i) {
    EXPECT_NEAR(got[i], row[i] * (1 - 2.0 / 3), 1e-6) << i;
  }
  NDArray flat(Shape{4});
  EXPECT_THAT(MessageOf([&] {
                Initializer::Create("bilinear")->Init("x", &flat, "bilinear");
              }),
              HasSubstr("needs at least 2 axes"));
}

TEST(InitializerTest, SameSeedSameWeights) {
  NDArray a(Shape{10, 10}), b(Shape{10, 10});
  auto init = Initializer::Create("xavier");
  RandomSeed(5);
  init->Init("fc_weight", &a);
  RandomSeed(5);
  init->Init("fc_weight", &b);
  EXPECT_EQ(a.ToVector<float>(), b.ToVector<float>());
}

TEST(InitializerTest, ErrorsNameTheArrayAndInitializer) {
  NDArray a(Shape{3});
  EXPECT_THAT(
      MessageOf([&] { Initializer::Create("xavier")->Init("data", &a); }),
      HasSubstr("initializer: no rule for 'data'"));
  EXPECT_THAT(
      MessageOf([] { Initializer::Create("glorot"); }),
      HasSubstr(
          "unknown initializer 'glorot' (known: bilinear, constant, msra, "
          "normal, one, uniform, xavier, zero)"));
  EXPECT_THAT(MessageOf([] {
                Initializer::Create("xavier", {{"rnd_type", "cauchy"}});
              }),
              HasSubstr("initializer xavier: parameter 'rnd_type'"));
  EXPECT_THAT(
      MessageOf(
          [&] { Initializer::Create("zero")->Init("fc_bias", &a, "[1, 2]"); }),
      HasSubstr("__init__ of 'fc_bias': expected [\"name\", {params}]"));
}

}  // namespace
}  // namespace mx
