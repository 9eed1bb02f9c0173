// Harness cases of FullyConnected.
#include "tests/testing/op_harness.h"

namespace mx::testing {
namespace {

std::vector<OpCase> FullyConnectedCases() {
  return {
      {"fc_odd",
       "FullyConnected",
       {{"num_hidden", "7"}},
       {{"data", Shape{5, 13}}},
       {Shape{5, 7}}},
      {"fc_flatten_4d",
       "FullyConnected",
       {{"num_hidden", "3"}},
       {{"data", Shape{2, 3, 2, 2}}},
       {Shape{2, 3}}},
      {"fc_no_bias",
       "FullyConnected",
       {{"num_hidden", "4"}, {"no_bias", "True"}},
       {{"data", Shape{3, 9}}},
       {Shape{3, 4}}},
      {"fc_no_flatten",
       "FullyConnected",
       {{"num_hidden", "5"}, {"flatten", "False"}},
       {{"data", Shape{2, 3, 6}}},
       {Shape{2, 3, 5}}},
      {"fc_batch1",
       "FullyConnected",
       {{"num_hidden", "1"}},
       {{"data", Shape{1, 17}}},
       {Shape{1, 1}}},
  };
}

MX_OP_CASES(FullyConnectedCases);

}  // namespace
}  // namespace mx::testing
