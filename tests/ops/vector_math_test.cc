// The vectorized float32 math against libm in double precision, over a
// sweep of the whole useful range, plus saturation far outside it.
#include "ops/common/vector_math.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

namespace mx::ops {
namespace {

// Inputs from -lo to hi in small steps, plus values around 0 and the
// branch point of tanh.
std::vector<float> Sweep(float lo, float hi) {
  std::vector<float> x;
  for (float v = lo; v <= hi; v += 0.0137f) x.push_back(v);
  for (float v : {0.f, 1e-30f, -1e-30f, 1e-6f, -1e-6f, 0.6249f, 0.625f, -0.625f,
                  0.6251f}) {
    x.push_back(v);
  }
  return x;
}

void ExpectClose(const std::string& what,
                 void (*fn)(const float*, float*, int64_t),
                 const std::function<double(double)>& want,
                 const std::vector<float>& x, double rel, double abs) {
  std::vector<float> y(x.size());
  fn(x.data(), y.data(), static_cast<int64_t>(x.size()));
  for (size_t i = 0; i < x.size(); ++i) {
    const double w = want(x[i]);
    ASSERT_LE(std::fabs(y[i] - w), rel * std::fabs(w) + abs)
        << what << "(" << x[i] << ") = " << y[i] << ", expected " << w;
  }
}

TEST(VectorMathTest, ExpMatchesLibm) {
  ExpectClose(
      "exp", VecExp, [](double v) { return std::exp(v); }, Sweep(-87.f, 88.f),
      4e-7, 0);
}

TEST(VectorMathTest, TanhMatchesLibm) {
  ExpectClose(
      "tanh", VecTanh, [](double v) { return std::tanh(v); },
      Sweep(-20.f, 20.f), 4e-7, 1e-30);
}

TEST(VectorMathTest, SigmoidMatchesLibm) {
  ExpectClose(
      "sigmoid", VecSigmoid, [](double v) { return 1 / (1 + std::exp(-v)); },
      Sweep(-80.f, 40.f), 4e-7, 1e-38);
}

TEST(VectorMathTest, SaturatesWithoutInfOrNaN) {
  const std::vector<float> x = {-1e30f, -200.f, 200.f, 1e30f};
  std::vector<float> e(4), t(4), s(4);
  VecExp(x.data(), e.data(), 4);
  VecTanh(x.data(), t.data(), 4);
  VecSigmoid(x.data(), s.data(), 4);
  EXPECT_LT(e[0], 1e-37f);
  EXPECT_GT(e[3], 1e38f);
  EXPECT_TRUE(std::isfinite(e[3]));
  EXPECT_EQ(t[0], -1.f);
  EXPECT_EQ(t[3], 1.f);
  EXPECT_LT(s[0], 1e-37f);
  EXPECT_EQ(s[3], 1.f);
}

}  // namespace
}  // namespace mx::ops
