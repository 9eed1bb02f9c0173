// Optimizers against MXNet's update rules written out here in double, over
// several steps with rescaling, clipping and weight decay; errors.
#include "core/train/optimizer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "core/engine/engine.h"
#include "tests/testing/error_message.h"

namespace mx {
namespace {

using ::mx::testing::MessageOf;
using ::testing::HasSubstr;

constexpr int kN = 37;
constexpr double kLr = 0.1, kWd = 0.01, kRescale = 0.5, kClip = 0.3;

std::vector<double> Random(uint64_t seed, double scale) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(-scale, scale);
  std::vector<double> v(kN);
  for (double& x : v) x = static_cast<float>(u(rng));  // float-representable
  return v;
}

double Prepared(double g, bool clip) {
  g *= kRescale;
  return clip ? std::clamp(g, -kClip, kClip) : g;
}

// One reference step on element i: weight, gradient, states, update count.
using Rule =
    std::function<void(double* w, double g, std::vector<double>* s, int64_t t)>;

void Check(const std::string& name, const AttrDict& params, int states,
           const Rule& rule) {
  SCOPED_TRACE(name);
  auto opt = Optimizer::Create(name, params);
  ASSERT_EQ(opt->NumStates(), states);
  std::vector<double> w = Random(1, 1);
  const std::vector<float> w32(w.begin(), w.end());
  NDArray weight = NDArray::FromVector(w32, Shape{kN});
  std::vector<NDArray> state = opt->CreateState(weight);
  std::vector<std::vector<double>> ref_state(kN,
                                             std::vector<double>(states, 0));
  for (int64_t t = 1; t <= 4; ++t) {
    const std::vector<double> g = Random(10 + t, 2);
    const std::vector<float> g32(g.begin(), g.end());
    UpdateStep step;
    step.lr = static_cast<float>(kLr);
    step.wd = static_cast<float>(kWd);
    step.t = t;
    opt->Update("fc1_weight", step, weight, NDArray::FromVector(g32, Shape{kN}),
                state);
    for (int i = 0; i < kN; ++i) rule(&w[i], g[i], &ref_state[i], t);
  }
  const std::vector<float> got = weight.ToVector<float>();
  for (int i = 0; i < kN; ++i) {
    EXPECT_NEAR(got[i], w[i], 2e-5 * std::max(1.0, std::fabs(w[i])))
        << "element " << i;
  }
}

const AttrDict kCommon = {{"rescale_grad", "0.5"}, {"clip_gradient", "0.3"}};

AttrDict With(AttrDict extra) {
  AttrDict all = kCommon;
  all.insert(extra.begin(), extra.end());
  return all;
}

TEST(OptimizerTest, SgdPlainAndMomentum) {
  Check("sgd", kCommon, 0,
        [](double* w, double g, std::vector<double>*, int64_t) {
          *w -= kLr * (Prepared(g, true) + kWd * *w);
        });
  Check("sgd", With({{"momentum", "0.9"}}), 1,
        [](double* w, double g, std::vector<double>* s, int64_t) {
          double& mom = (*s)[0];
          mom = 0.9 * mom - kLr * (Prepared(g, true) + kWd * *w);
          *w += mom;
        });
  // Without clipping.
  Check("sgd", {{"rescale_grad", "0.5"}}, 0,
        [](double* w, double g, std::vector<double>*, int64_t) {
          *w -= kLr * (Prepared(g, false) + kWd * *w);
        });
}

TEST(OptimizerTest, Nag) {
  Check("nag", With({{"momentum", "0.8"}}), 1,
        [](double* w, double g, std::vector<double>* s, int64_t) {
          const double gi = Prepared(g, true) + kWd * *w;
          double& mom = (*s)[0];
          mom = 0.8 * mom + gi;
          *w -= kLr * (gi + 0.8 * mom);
        });
}

TEST(OptimizerTest, Adam) {
  Check("adam", With({{"beta1", "0.8"}, {"beta2", "0.99"}}), 2,
        [](double* w, double g, std::vector<double>* s, int64_t t) {
          const double gi = Prepared(g, true) + kWd * *w;
          double& m = (*s)[0];
          double& v = (*s)[1];
          m = 0.8 * m + 0.2 * gi;
          v = 0.99 * v + 0.01 * gi * gi;
          const double lr_t =
              kLr * std::sqrt(1 - std::pow(0.99, t)) / (1 - std::pow(0.8, t));
          *w -= lr_t * m / (std::sqrt(v) + 1e-8);
        });
}

TEST(OptimizerTest, AdaGrad) {
  Check("adagrad", kCommon, 1,
        [](double* w, double g, std::vector<double>* s, int64_t) {
          const double gi = Prepared(g, true);
          double& h = (*s)[0];
          h += gi * gi;
          *w -= kLr * (gi / std::sqrt(h + 1e-7) + kWd * *w);
        });
}

TEST(OptimizerTest, RmsProp) {
  Check("rmsprop", With({{"gamma1", "0.95"}}), 1,
        [](double* w, double g, std::vector<double>* s, int64_t) {
          const double gi = std::clamp(g * kRescale + kWd * *w, -kClip, kClip);
          double& n = (*s)[0];
          n = 0.05 * gi * gi + 0.95 * n;
          *w -= kLr * gi / std::sqrt(n + 1e-8);
        });
}

TEST(OptimizerTest, ErrorsNameTheOptimizerAndParameter) {
  EXPECT_THAT(MessageOf([] { Optimizer::Create("adamw", {}); }),
              HasSubstr("unknown optimizer 'adamw' (known: adagrad, adam, "
                        "nag, rmsprop, sgd)"));
  EXPECT_THAT(MessageOf([] {
                Optimizer::Create("sgd", {{"momentun", "0.9"}});
              }),
              HasSubstr("momentum"));
  EXPECT_THAT(MessageOf([] {
                Optimizer::Create("sgd", {{"momentum", "1.5"}});
              }),
              HasSubstr("optimizer sgd: parameter 'momentum'"));
  auto sgd = Optimizer::Create("SGD", {{"learning_rate", "0.5"}});
  EXPECT_EQ(sgd->name(), "sgd");
  EXPECT_EQ(sgd->common().learning_rate, 0.5);
  EXPECT_THAT(MessageOf([&] {
                sgd->Update("fc1_bias", {}, NDArray::Zeros(Shape{3}),
                            NDArray::Zeros(Shape{4}), {});
              }),
              HasSubstr("parameter 'fc1_bias' has weight (3,) but gradient "
                        "(4,)"));
}

}  // namespace
}  // namespace mx
