// Harness cases of UpSampling: nearest (one input, several inputs
// concatenated or summed, and MXNet's shape rules) and bilinear (data and a
// per-channel kernel; odd and even scales).
#include "tests/testing/op_harness.h"

namespace mx::testing {
namespace {

std::vector<OpCase> UpSamplingCases() {
  return {
      {"upsampling_nearest_x2",
       "UpSampling",
       {{"scale", "2"}, {"sample_type", "nearest"}, {"num_args", "1"}},
       {{"arg0", Shape{2, 3, 3, 4}}},
       {Shape{2, 3, 6, 8}}},
      {"upsampling_concat_three",
       "UpSampling",
       {{"scale", "2"}, {"sample_type", "nearest"}, {"num_args", "3"}},
       {{"arg0", Shape{1, 2, 4, 4}},
        {"arg1", Shape{1, 1, 2, 2}},
        {"arg2", Shape{1, 3, 8, 8}}},
       {Shape{1, 6, 8, 8}}},
      {"upsampling_sum_two",
       "UpSampling",
       {{"scale", "3"},
        {"sample_type", "nearest"},
        {"num_args", "2"},
        {"multi_input_mode", "sum"}},
       {{"arg0", Shape{2, 2, 2, 2}}, {"arg1", Shape{2, 2, 3, 3}}},
       {Shape{2, 2, 6, 6}}},
      {"upsampling_bilinear_x2",
       "UpSampling",
       {{"scale", "2"},
        {"sample_type", "bilinear"},
        {"num_filter", "3"},
        {"num_args", "1"}},
       {{"data", Shape{2, 3, 3, 4}}},
       {Shape{2, 3, 6, 8}}},
      {"upsampling_bilinear_x3",
       "UpSampling",
       {{"scale", "3"},
        {"sample_type", "bilinear"},
        {"num_filter", "2"},
        {"num_args", "1"}},
       {{"data", Shape{1, 2, 2, 3}}},
       {Shape{1, 2, 6, 9}}},
  };
}

MX_OP_CASES(UpSamplingCases);

}  // namespace
}  // namespace mx::testing
