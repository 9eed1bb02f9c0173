// Harness cases of softmax / log_softmax / SoftmaxActivation, LayerNorm,
// InstanceNorm and L2Normalization, and of the random sampling ops (their
// outputs are checked for their distribution: other devices draw other
// numbers).
#include <cmath>
#include <string>

#include "core/base/strings.h"
#include "tests/testing/op_harness.h"

namespace mx::testing {
namespace {

std::vector<OpCase> SoftmaxCases() {
  return {
      {"softmax_last", "softmax", {}, {{"data", Shape{3, 7}}}, {Shape{3, 7}}},
      {"softmax_axis1_temperature",
       "softmax",
       {{"axis", "1"}, {"temperature", "2.5"}},
       {{"data", Shape{2, 4, 3}}},
       {Shape{2, 4, 3}}},
      {"log_softmax_last",
       "log_softmax",
       {},
       {{"data", Shape{3, 7}}},
       {Shape{3, 7}}},
      {"log_softmax_axis0",
       "log_softmax",
       {{"axis", "0"}},
       {{"data", Shape{5, 2, 3}}},
       {Shape{5, 2, 3}}},
      // Rows for the optimized kernel's threads and vector tails.
      {"softmax_rows_67x37",
       "softmax",
       {},
       {{"data", Shape{67, 37}}},
       {Shape{67, 37}}},
      {"softmax_long_rows_temperature",
       "softmax",
       {{"temperature", "0.7"}},
       {{"data", Shape{3, 2, 1001}}},
       {Shape{3, 2, 1001}}},
      {"log_softmax_rows_67x37_temperature",
       "log_softmax",
       {{"temperature", "1.5"}},
       {{"data", Shape{67, 37}}},
       {Shape{67, 37}}},
      {"softmax_activation_instance",
       "SoftmaxActivation",
       {},
       {{"data", Shape{3, 2, 4}}},
       {Shape{3, 2, 4}}},
      {"softmax_activation_channel",
       "SoftmaxActivation",
       {{"mode", "channel"}},
       {{"data", Shape{2, 5, 3, 2}}},
       {Shape{2, 5, 3, 2}}},
  };
}

std::vector<OpCase> NormCases() {
  std::vector<OpCase> cases = {
      {"layer_norm_last",
       "LayerNorm",
       {},
       {{"data", Shape{4, 6}}},
       {Shape{4, 6}}},
      {"layer_norm_axis1",
       "LayerNorm",
       {{"axis", "1"}, {"eps", "0.01"}},
       {{"data", Shape{2, 5, 3}}},
       {Shape{2, 5, 3}}},
      // Rows for the optimized kernel's threads and vector tails.
      {"layer_norm_rows_67x37",
       "LayerNorm",
       {},
       {{"data", Shape{67, 37}}},
       {Shape{67, 37}}},
      {"layer_norm_long_rows",
       "LayerNorm",
       {{"eps", "0.001"}},
       {{"data", Shape{3, 2, 129}}},
       {Shape{3, 2, 129}}},
      {"instance_norm_4d",
       "InstanceNorm",
       {},
       {{"data", Shape{2, 3, 4, 5}}},
       {Shape{2, 3, 4, 5}}},
      {"instance_norm_3d",
       "InstanceNorm",
       {{"eps", "0.1"}},
       {{"data", Shape{3, 2, 7}}},
       {Shape{3, 2, 7}}},
  };
  for (const char* mode : {"instance", "channel", "spatial"}) {
    cases.push_back({std::string("l2_normalization_") + mode,
                     "L2Normalization",
                     {{"mode", mode}},
                     {{"data", Shape{2, 3, 4}}},
                     {Shape{2, 3, 4}}});
  }
  // gamma and beta away from 0 so every term of the gradient matters.
  for (OpCase& c : cases) {
    c.init = [](const std::string& name, std::vector<double>* v,
                std::mt19937_64* rng) {
      if (name == "data") return FillUniform(v, -2, 2, rng);
      FillUniform(v, 0.5, 1.5, rng);
    };
  }
  return cases;
}

// Every value in [low, high) and the mean near (low + high) / 2.
auto UniformCheck(double low, double high) {
  return [=](const std::vector<std::vector<double>>&,
             const std::vector<std::vector<double>>& out) -> std::string {
    double sum = 0;
    for (double v : out[0]) {
      if (v < low || v >= high) return StrCat("draw ", v, " out of range");
      sum += v;
    }
    const double mean = sum / out[0].size(), expected = (low + high) / 2;
    if (std::fabs(mean - expected) > 0.1 * (high - low)) {
      return StrCat("mean ", mean, ", expected about ", expected);
    }
    return "";
  };
}

auto NormalCheck(double loc, double scale) {
  return [=](const std::vector<std::vector<double>>&,
             const std::vector<std::vector<double>>& out) -> std::string {
    double sum = 0, sq = 0;
    for (double v : out[0]) sum += v;
    const double mean = sum / out[0].size();
    for (double v : out[0]) sq += (v - mean) * (v - mean);
    const double sd = std::sqrt(sq / out[0].size());
    if (std::fabs(mean - loc) > 0.2 * scale ||
        std::fabs(sd - scale) > 0.2 * scale) {
      return StrCat("mean ", mean, " deviation ", sd, ", expected about ", loc,
                    " and ", scale);
    }
    return "";
  };
}

std::vector<OpCase> SampleCases() {
  OpCase uniform{"random_uniform",
                 "_random_uniform",
                 {{"low", "-2"}, {"high", "3"}, {"shape", "(20, 30)"}},
                 {},
                 {Shape{20, 30}}};
  uniform.check_random_outputs = UniformCheck(-2, 3);
  OpCase normal{"random_normal",
                "_random_normal",
                {{"loc", "1"}, {"scale", "0.5"}, {"shape", "(40, 25)"}},
                {},
                {Shape{40, 25}}};
  normal.check_random_outputs = NormalCheck(1, 0.5);
  return {uniform, normal};
}

MX_OP_CASES(SoftmaxCases);
MX_OP_CASES(NormCases);
MX_OP_CASES(SampleCases);

}  // namespace
}  // namespace mx::testing
