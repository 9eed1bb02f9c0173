// Harness cases of Deconvolution: 1-D, 2-D and 3-D, stride with pad and adj,
// dilation, groups, target_shape (even and odd padding), bias.
#include "tests/testing/op_harness.h"

namespace mx::testing {
namespace {

std::vector<OpCase> DeconvolutionCases() {
  return {
      {"deconv2d_3x3",
       "Deconvolution",
       {{"kernel", "(3,3)"}, {"num_filter", "4"}},
       {{"data", Shape{2, 3, 4, 5}}},
       {Shape{2, 4, 6, 7}}},
      {"deconv2d_stride_pad_adj_bias",
       "Deconvolution",
       {{"kernel", "(3,3)"},
        {"num_filter", "3"},
        {"stride", "(2,2)"},
        {"pad", "(1,1)"},
        {"adj", "(1,0)"},
        {"no_bias", "False"}},
       {{"data", Shape{2, 2, 3, 3}}},
       {Shape{2, 3, 6, 5}}},
      {"deconv2d_groups",
       "Deconvolution",
       {{"kernel", "(2,2)"}, {"num_filter", "6"}, {"num_group", "2"}},
       {{"data", Shape{1, 4, 3, 3}}},
       {Shape{1, 6, 4, 4}}},
      {"deconv2d_dilate",
       "Deconvolution",
       {{"kernel", "(3,2)"}, {"num_filter", "2"}, {"dilate", "(2,2)"}},
       {{"data", Shape{1, 2, 4, 3}}},
       {Shape{1, 2, 8, 5}}},
      {"deconv2d_target_shape",
       "Deconvolution",
       {{"kernel", "(4,4)"},
        {"num_filter", "3"},
        {"stride", "(2,2)"},
        {"target_shape", "(8,9)"},
        {"no_bias", "False"}},
       {{"data", Shape{2, 2, 4, 4}}},
       {Shape{2, 3, 8, 9}}},
      {"deconv1d",
       "Deconvolution",
       {{"kernel", "(3,)"}, {"num_filter", "2"}, {"stride", "(2,)"}},
       {{"data", Shape{2, 3, 5}}},
       {Shape{2, 2, 11}}},
      {"deconv3d",
       "Deconvolution",
       {{"kernel", "(2,2,2)"}, {"num_filter", "2"}, {"no_bias", "False"}},
       {{"data", Shape{1, 2, 2, 3, 2}}},
       {Shape{1, 2, 3, 4, 3}}},
  };
}

MX_OP_CASES(DeconvolutionCases);

}  // namespace
}  // namespace mx::testing
