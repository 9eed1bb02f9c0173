// Harness cases of Convolution: 1-D, 2-D and 3-D, padding, stride,
// dilation, groups, odd sizes, and each layout rule of the oneDNN kernel
// (first layers, channels-last, grouped).
#include "tests/testing/op_harness.h"

namespace mx::testing {
namespace {

std::vector<OpCase> ConvolutionCases() {
  return {
      {"conv2d_3x3",
       "Convolution",
       {{"kernel", "(3,3)"}, {"num_filter", "4"}},
       {{"data", Shape{2, 3, 7, 6}}},
       {Shape{2, 4, 5, 4}}},
      {"conv2d_pad_stride",
       "Convolution",
       {{"kernel", "(3,3)"},
        {"num_filter", "5"},
        {"pad", "(1,1)"},
        {"stride", "(2,2)"}},
       {{"data", Shape{2, 2, 7, 7}}},
       {Shape{2, 5, 4, 4}}},
      {"conv2d_dilate",
       "Convolution",
       {{"kernel", "(3,2)"}, {"num_filter", "2"}, {"dilate", "(2,2)"}},
       {{"data", Shape{1, 2, 9, 8}}},
       {Shape{1, 2, 5, 6}}},
      {"conv2d_groups",
       "Convolution",
       {{"kernel", "(3,3)"},
        {"num_filter", "6"},
        {"num_group", "3"},
        {"pad", "(1,1)"},
        {"no_bias", "True"}},
       {{"data", Shape{2, 3, 5, 5}}},
       {Shape{2, 6, 5, 5}}},
      {"conv1d",
       "Convolution",
       {{"kernel", "(3,)"}, {"num_filter", "3"}, {"stride", "(2,)"}},
       {{"data", Shape{2, 2, 11}}},
       {Shape{2, 3, 5}}},
      {"conv3d",
       "Convolution",
       {{"kernel", "(2,2,2)"}, {"num_filter", "2"}, {"pad", "(1,0,1)"}},
       {{"data", Shape{1, 2, 3, 4, 3}}},
       {Shape{1, 2, 4, 3, 4}}},
      // LeNet's first layer: one input channel (oneDNN's blocked-layout
      // weight gradient), filters not a multiple of the block.
      {"conv2d_first_layer",
       "Convolution",
       {{"kernel", "(5,5)"}, {"num_filter", "20"}},
       {{"data", Shape{2, 1, 9, 8}}},
       {Shape{2, 20, 5, 4}}},
      // More than 3 input channels: channels-last data, the input staged in
      // the (larger) output's memory.
      {"conv2d_channels_last",
       "Convolution",
       {{"kernel", "(3,3)"}, {"num_filter", "8"}, {"pad", "(1,1)"}},
       {{"data", Shape{2, 4, 5, 6}}},
       {Shape{2, 8, 5, 6}}},
      {"conv2d_1x1",
       "Convolution",
       {{"kernel", "(1,1)"}, {"num_filter", "3"}},
       {{"data", Shape{3, 4, 2, 3}}},
       {Shape{3, 3, 2, 3}}},
  };
}

MX_OP_CASES(ConvolutionCases);

}  // namespace
}  // namespace mx::testing
