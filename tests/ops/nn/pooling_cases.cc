// Harness cases of Pooling: max, avg and sum; valid and full conventions;
// padding; global pooling; 1-D and 3-D.
#include "tests/testing/op_harness.h"

namespace mx::testing {
namespace {

std::vector<OpCase> PoolingCases() {
  std::vector<OpCase> cases;
  for (const char* t : {"max", "avg", "sum"}) {
    const std::string type = t;
    cases.push_back(
        {"pool_" + type + "_2x2",
         "Pooling",
         {{"kernel", "(2,2)"}, {"stride", "(2,2)"}, {"pool_type", t}},
         {{"data", Shape{2, 3, 6, 5}}},
         {Shape{2, 3, 3, 2}}});
    cases.push_back({"pool_" + type + "_full_pad",
                     "Pooling",
                     {{"kernel", "(3,3)"},
                      {"stride", "(2,2)"},
                      {"pad", "(1,1)"},
                      {"pool_type", t},
                      {"pooling_convention", "full"}},
                     {{"data", Shape{1, 2, 6, 7}}},
                     {Shape{1, 2, 4, 4}}});
    cases.push_back(
        {"pool_" + type + "_global",
         "Pooling",
         {{"kernel", "(1,1)"}, {"global_pool", "True"}, {"pool_type", t}},
         {{"data", Shape{2, 3, 4, 5}}},
         {Shape{2, 3, 1, 1}}});
  }
  cases.push_back(
      {"pool_max_1d",
       "Pooling",
       {{"kernel", "(3,)"}, {"stride", "(2,)"}, {"pool_type", "max"}},
       {{"data", Shape{2, 2, 9}}},
       {Shape{2, 2, 4}}});
  cases.push_back({"pool_avg_3d",
                   "Pooling",
                   {{"kernel", "(2,2,2)"}, {"pool_type", "avg"}},
                   {{"data", Shape{1, 2, 3, 4, 3}}},
                   {Shape{1, 2, 2, 3, 2}}});
  return cases;
}

MX_OP_CASES(PoolingCases);

}  // namespace
}  // namespace mx::testing
