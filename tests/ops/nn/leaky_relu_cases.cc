// Harness cases of LeakyReLU: leaky, elu, prelu (per-channel and 1-D), rrelu
// in training (sampled slopes) and inference (their mean).
#include <cmath>
#include <string>

#include "core/base/strings.h"
#include "tests/testing/op_harness.h"

namespace mx::testing {
namespace {

// rrelu's outputs on another device: slopes (the mask) in [lower, upper]
// (their mean at inference), out = x > 0 ? x : slope x.
auto RReLUCheck(double lower, double upper, bool train) {
  return [=](const std::vector<std::vector<double>>& in,
             const std::vector<std::vector<double>>& out) -> std::string {
    const std::vector<double>& x = in[0];
    const std::vector<double>& mask = out[1];
    for (size_t i = 0; i < x.size(); ++i) {
      const double m = mask[i];
      const bool ok = train ? m >= lower - 1e-6 && m <= upper + 1e-6
                            : std::fabs(m - (lower + upper) / 2) < 1e-6;
      if (!ok) return StrCat("slope[", i, "] is ", m);
      const double y = x[i] > 0 ? x[i] : m * x[i];
      if (std::fabs(out[0][i] - y) > 1e-6) {
        return StrCat("output[", i, "] is ", out[0][i], ", expected ", y);
      }
    }
    return "";
  };
}

std::vector<OpCase> LeakyReLUCases() {
  OpCase rrelu_test{"rrelu_inference",
                    "LeakyReLU",
                    {{"act_type", "rrelu"}},
                    {{"data", Shape{3, 5}}},
                    {Shape{3, 5}}};
  rrelu_test.is_train = false;
  rrelu_test.check_random_outputs = RReLUCheck(0.125, 0.334, false);
  OpCase rrelu_train{
      "rrelu_train",
      "LeakyReLU",
      {{"act_type", "rrelu"}, {"lower_bound", "0.1"}, {"upper_bound", "0.4"}},
      {{"data", Shape{4, 9}}},
      {Shape{4, 9}}};
  rrelu_train.check_random_outputs = RReLUCheck(0.1, 0.4, true);
  return {
      {"leaky_slope",
       "LeakyReLU",
       {{"act_type", "leaky"}, {"slope", "0.1"}},
       {{"data", Shape{3, 7}}},
       {Shape{3, 7}}},
      {"elu",
       "LeakyReLU",
       {{"act_type", "elu"}, {"slope", "0.5"}},
       {{"data", Shape{2, 3, 4}}},
       {Shape{2, 3, 4}}},
      {"prelu_channels",
       "LeakyReLU",
       {{"act_type", "prelu"}},
       {{"data", Shape{2, 3, 4, 5}}},
       {Shape{2, 3, 4, 5}}},
      {"prelu_1d",
       "LeakyReLU",
       {{"act_type", "prelu"}},
       {{"data", Shape{6}}},
       {Shape{6}}},
      rrelu_train,
      rrelu_test,
  };
}

MX_OP_CASES(LeakyReLUCases);

}  // namespace
}  // namespace mx::testing
