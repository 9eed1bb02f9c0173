// Harness cases of Dropout: training, inference (identity), mode "always".
// A GPU draws other random numbers than the CPU: its outputs are checked for
// what dropout promises instead (check_random_outputs).
#include <cmath>
#include <string>

#include "core/base/strings.h"
#include "tests/testing/op_harness.h"

namespace mx::testing {
namespace {

// out = x mask with every mask value 0 or 1 / (1 - p), and a fraction of
// zeros in [low, high]; or the identity (mask 1) when not dropping.
auto DropoutCheck(double p, bool dropping, double low, double high) {
  return [=](const std::vector<std::vector<double>>& in,
             const std::vector<std::vector<double>>& out) -> std::string {
    const std::vector<double>& x = in[0];
    const std::vector<double>& y = out[0];
    const std::vector<double>& mask = out[1];
    const double keep = dropping && p < 1 ? 1 / (1 - p) : 1;
    size_t zeros = 0;
    for (size_t i = 0; i < x.size(); ++i) {
      const bool zero = dropping && mask[i] == 0;
      if (!zero && std::fabs(mask[i] - keep) > 1e-6 * keep) {
        return StrCat("mask[", i, "] is ", mask[i], ", expected 0 or ", keep);
      }
      if (std::fabs(y[i] - x[i] * mask[i]) > 1e-6) {
        return StrCat("output[", i, "] is ", y[i], ", expected ",
                      x[i] * mask[i]);
      }
      zeros += zero;
    }
    const double fraction = static_cast<double>(zeros) / x.size();
    if (fraction < low || fraction > high) {
      return StrCat("dropped a fraction ", fraction, ", expected one in [", low,
                    ", ", high, "] for p ", p);
    }
    return "";
  };
}

std::vector<OpCase> DropoutCases() {
  OpCase train{"dropout_train",
               "Dropout",
               {{"p", "0.3"}},
               {{"data", Shape{4, 25}}},
               {Shape{4, 25}}};
  train.check_random_outputs = DropoutCheck(0.3, true, 0.15, 0.45);
  OpCase test = train;
  test.name = "dropout_inference";
  test.is_train = false;
  test.check_random_outputs = DropoutCheck(0.3, false, 0, 0);
  OpCase always{"dropout_always",
                "Dropout",
                {{"p", "0.5"}, {"mode", "always"}},
                {{"data", Shape{3, 7}}},
                {Shape{3, 7}}};
  always.is_train = false;
  always.check_random_outputs = DropoutCheck(0.5, true, 0.15, 0.85);
  OpCase none{
      "dropout_p0", "Dropout", {{"p", "0"}}, {{"data", Shape{5}}}, {Shape{5}}};
  none.check_random_outputs = DropoutCheck(0, false, 0, 0);
  return {train, test, always, none};
}

MX_OP_CASES(DropoutCases);

}  // namespace
}  // namespace mx::testing
