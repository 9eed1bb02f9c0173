// Harness cases of LeakyReLU: leaky, elu, prelu (per-channel and 1-D), rrelu
// in training (sampled slopes) and inference (their mean).
#include "tests/testing/op_harness.h"

namespace mx::testing {
namespace {

std::vector<OpCase> LeakyReLUCases() {
  OpCase rrelu_test{"rrelu_inference",
                    "LeakyReLU",
                    {{"act_type", "rrelu"}},
                    {{"data", Shape{3, 5}}},
                    {Shape{3, 5}}};
  rrelu_test.is_train = false;
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
      {"rrelu_train",
       "LeakyReLU",
       {{"act_type", "rrelu"}, {"lower_bound", "0.1"}, {"upper_bound", "0.4"}},
       {{"data", Shape{4, 9}}},
       {Shape{4, 9}}},
      rrelu_test,
  };
}

MX_OP_CASES(LeakyReLUCases);

}  // namespace
}  // namespace mx::testing
