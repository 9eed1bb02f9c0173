// Harness cases of Activation.
#include <cmath>

#include "tests/testing/op_harness.h"

namespace mx::testing {
namespace {

// Away from relu's kink at 0.
void AwayFromZero(const std::string&, std::vector<double>* v,
                  std::mt19937_64*) {
  for (double& x : *v) {
    if (std::fabs(x) < 0.01) x += 0.05;
  }
}

std::vector<OpCase> ActivationCases() {
  std::vector<OpCase> cases;
  for (const char* t : {"relu", "sigmoid", "tanh", "softrelu", "softsign"}) {
    cases.push_back({std::string("activation_") + t,
                     "Activation",
                     {{"act_type", t}},
                     {{"data", Shape{3, 4, 5}}},
                     {Shape{3, 4, 5}},
                     AwayFromZero});
  }
  return cases;
}

MX_OP_CASES(ActivationCases);

}  // namespace
}  // namespace mx::testing
