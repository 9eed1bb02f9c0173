// Harness cases of Pooling: max, avg and sum; valid and full conventions;
// padding; global pooling; 1-D and 3-D; many channels.
#include <limits>

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
  // 2x2 stride 2 whose "full" output reaches past odd data (the optimized
  // kernel's 2x2 loop must not apply).
  cases.push_back({"pool_max_2x2_full_odd",
                   "Pooling",
                   {{"kernel", "(2,2)"},
                    {"stride", "(2,2)"},
                    {"pooling_convention", "full"}},
                   {{"data", Shape{1, 2, 7, 5}}},
                   {Shape{1, 2, 4, 3}}});
  // Enough channels to be split over threads (against the reference only:
  // numeric gradients of 37k inputs would take long).
  for (const char* t : {"max", "avg"}) {
    OpCase many{std::string("pool_") + t + "_many_channels",
                "Pooling",
                {{"kernel", "(2,2)"}, {"stride", "(2,2)"}, {"pool_type", t}},
                {{"data", Shape{2, 512, 6, 6}}},
                {Shape{2, 512, 3, 3}}};
    many.check_gradient = false;
    cases.push_back(many);
  }
  // Ties everywhere (values in {-1, 0, 1}, some -inf): the gradient goes to
  // each window's first maximum in every kernel, and nowhere for a window of
  // -inf only. Numeric gradients are undefined at ties.
  OpCase ties{"pool_max_2x2_ties",
              "Pooling",
              {{"kernel", "(2,2)"}, {"stride", "(2,2)"}},
              {{"data", Shape{2, 3, 6, 8}}},
              {Shape{2, 3, 3, 4}}};
  ties.init = [](const std::string& name, std::vector<double>* v,
                 std::mt19937_64* rng) {
    std::uniform_int_distribution<int> level(-1, 1);
    for (double& x : *v) x = level(*rng);
    if (name == "data") {
      for (size_t i = 0; i < 4; ++i) {  // the first window of channel 0
        (*v)[i / 2 * 8 + i % 2] = -std::numeric_limits<double>::infinity();
      }
    }
  };
  ties.check_gradient = false;
  cases.push_back(ties);
  // Unit strides, the padded-plane kernel: Inception's 3x3 pad 1, and a
  // 2x3 window with uneven padding; ties and -inf windows as above.
  cases.push_back({"pool_max_3x3_stride1",
                   "Pooling",
                   {{"kernel", "(3,3)"}, {"stride", "(1,1)"}, {"pad", "(1,1)"}},
                   {{"data", Shape{2, 3, 7, 9}}},
                   {Shape{2, 3, 7, 9}}});
  cases.push_back({"pool_max_2x3_stride1",
                   "Pooling",
                   {{"kernel", "(2,3)"}, {"pad", "(1,0)"}},
                   {{"data", Shape{2, 2, 5, 6}}},
                   {Shape{2, 2, 6, 4}}});
  OpCase unit_ties{"pool_max_3x3_stride1_ties",
                   "Pooling",
                   {{"kernel", "(3,3)"}, {"stride", "(1,1)"}, {"pad", "(1,1)"}},
                   {{"data", Shape{2, 3, 6, 8}}},
                   {Shape{2, 3, 6, 8}}};
  unit_ties.init = ties.init;
  unit_ties.check_gradient = false;
  cases.push_back(unit_ties);
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
