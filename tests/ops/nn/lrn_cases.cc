// Harness cases of LRN: windows smaller than, equal to and larger than the
// channel count; alpha large enough that the cross-channel term of the
// gradient matters.
#include "tests/testing/op_harness.h"

namespace mx::testing {
namespace {

std::vector<OpCase> LRNCases() {
  return {
      {"lrn_nsize3",
       "LRN",
       {{"nsize", "3"}, {"alpha", "0.5"}},
       {{"data", Shape{2, 5, 3, 4}}},
       {Shape{2, 5, 3, 4}}},
      {"lrn_nsize5_defaults",
       "LRN",
       {{"nsize", "5"}},
       {{"data", Shape{1, 6, 2, 3}}},
       {Shape{1, 6, 2, 3}}},
      {"lrn_window_wider_than_channels",
       "LRN",
       {{"nsize", "7"}, {"alpha", "2"}, {"beta", "0.5"}, {"knorm", "1"}},
       {{"data", Shape{2, 3, 2, 2}}},
       {Shape{2, 3, 2, 2}}},
  };
}

MX_OP_CASES(LRNCases);

}  // namespace
}  // namespace mx::testing
