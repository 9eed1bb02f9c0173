// Convolution: 1-D, 2-D or 3-D, grouped and dilated (MXNet's Convolution).
#ifndef MX_OPS_NN_CONVOLUTION_H_
#define MX_OPS_NN_CONVOLUTION_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ops/common/conv_params.h"

namespace mx {
namespace ops {

struct ConvolutionParam {
  std::vector<int64_t> kernel, stride, dilate, pad;
  int64_t num_filter = 0;
  int64_t num_group = 1;
  int64_t workspace = 1024;
  bool no_bias = false;
  std::optional<std::string> cudnn_tune;
  bool cudnn_off = false;
  std::optional<std::string> layout;

  static void Declare(ParamDeclarer<ConvolutionParam>* d) {
    DeclareConvFields(d, /*no_bias_default=*/false,
                      /*workspace_default=*/1024);
  }
};

}  // namespace ops
}  // namespace mx

#endif  // MX_OPS_NN_CONVOLUTION_H_
