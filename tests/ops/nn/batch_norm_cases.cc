// Harness cases of BatchNorm: training with batch statistics, global
// statistics, fix_gamma on and off, 2-D and 4-D data (MXNet's shapes), and
// blocks wide enough for the optimized kernel; the same for BatchNorm and
// ReLU fused.
#include "tests/testing/op_harness.h"

namespace mx::testing {
namespace {

// Moving variance must stay positive.
void PositiveVariance(const std::string& n, std::vector<double>* v,
                      std::mt19937_64* rng) {
  if (n == "moving_var") FillUniform(v, 0.5, 1.5, rng);
}

std::vector<OpCase> BatchNormCases() {
  std::vector<OpCase> cases;
  for (const char* fix : {"True", "False"}) {
    const std::string tag = std::string(fix) == "True" ? "_fixgamma" : "";
    cases.push_back({"bn_2d" + tag,
                     "BatchNorm",
                     {{"fix_gamma", fix}},
                     {{"data", Shape{4, 3}}},
                     {Shape{4, 3}},
                     PositiveVariance});
    cases.push_back({"bn_4d" + tag,
                     "BatchNorm",
                     {{"fix_gamma", fix}},
                     {{"data", Shape{2, 3, 2, 2}}},
                     {Shape{2, 3, 2, 2}},
                     PositiveVariance});
    // Blocks of 35 values: the optimized kernel's vector loops and tails.
    cases.push_back({"bn_4d_wide" + tag,
                     "BatchNorm",
                     {{"fix_gamma", fix}},
                     {{"data", Shape{3, 2, 5, 7}}},
                     {Shape{3, 2, 5, 7}},
                     PositiveVariance});
  }
  OpCase wide_global{"bn_wide_global_stats",
                     "BatchNorm",
                     {{"fix_gamma", "False"}, {"use_global_stats", "True"}},
                     {{"data", Shape{2, 3, 17}}},
                     {Shape{2, 3, 17}},
                     PositiveVariance};
  cases.push_back(wide_global);
  OpCase wide_inference{"bn_wide_inference",      "BatchNorm",
                        {{"fix_gamma", "False"}}, {{"data", Shape{2, 2, 20}}},
                        {Shape{2, 2, 20}},        PositiveVariance};
  wide_inference.is_train = false;
  wide_inference.check_gradient = false;
  cases.push_back(wide_inference);
  cases.push_back({"bn_global_stats",
                   "BatchNorm",
                   {{"fix_gamma", "False"}, {"use_global_stats", "True"}},
                   {{"data", Shape{3, 2, 3}}},
                   {Shape{3, 2, 3}},
                   PositiveVariance});
  OpCase inference{"bn_inference",           "BatchNorm",
                   {{"fix_gamma", "False"}}, {{"data", Shape{2, 3, 2}}},
                   {Shape{2, 3, 2}},         PositiveVariance};
  inference.is_train = false;
  inference.check_gradient = false;  // backward assumes batch statistics
  cases.push_back(inference);
  cases.push_back({"bn_axis_last",
                   "BatchNorm",
                   {{"fix_gamma", "False"}, {"axis", "-1"}},
                   {{"data", Shape{3, 2, 4}}},
                   {Shape{3, 2, 4}},
                   PositiveVariance});
  // Channels of more than 4096 values: the GPU kernel sums each channel in
  // several parts (the last one shorter), also with the channels last.
  cases.push_back({"bn_channel_parts",
                   "BatchNorm",
                   {{"fix_gamma", "False"}},
                   {{"data", Shape{5, 3, 37, 41}}},
                   {Shape{5, 3, 37, 41}},
                   PositiveVariance});
  cases.push_back({"bn_channel_parts_axis_last",
                   "BatchNorm",
                   {{"fix_gamma", "False"}, {"axis", "-1"}},
                   {{"data", Shape{9001, 2}}},
                   {Shape{9001, 2}},
                   PositiveVariance});
  cases.push_back({"bn_relu_channel_parts",
                   "_contrib_BatchNormWithReLU",
                   {{"fix_gamma", "False"}},
                   {{"data", Shape{5, 3, 37, 41}}},
                   {Shape{5, 3, 37, 41}},
                   PositiveVariance});
  // BatchNorm + ReLU fused (Note [Op fusion]): the same cases' shapes; the
  // optimized kernel recomputes the ReLU's cut, the reference reads it.
  for (const Shape& shape : {Shape{2, 3, 2, 2}, Shape{3, 2, 5, 7}}) {
    for (const char* global : {"False", "True"}) {
      cases.push_back({"bn_relu_" + std::to_string(shape.Size()) +
                           (std::string(global) == "True" ? "_global" : ""),
                       "_contrib_BatchNormWithReLU",
                       {{"fix_gamma", "False"}, {"use_global_stats", global}},
                       {{"data", shape}},
                       {shape},
                       PositiveVariance});
    }
  }
  OpCase relu_inference{"bn_relu_inference",      "_contrib_BatchNormWithReLU",
                        {{"fix_gamma", "False"}}, {{"data", Shape{2, 2, 20}}},
                        {Shape{2, 2, 20}},        PositiveVariance};
  relu_inference.is_train = false;
  relu_inference.check_gradient = false;
  cases.push_back(relu_inference);
  return cases;
}

MX_OP_CASES(BatchNormCases);

}  // namespace
}  // namespace mx::testing
