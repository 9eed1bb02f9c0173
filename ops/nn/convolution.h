// Convolution: 1-D, 2-D or 3-D, grouped and dilated (MXNet's Convolution).
#ifndef MX_OPS_NN_CONVOLUTION_H_
#define MX_OPS_NN_CONVOLUTION_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/op/kernel.h"
#include "ops/common/conv_params.h"
#include "ops/common/window.h"

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

// The sizes of one Convolution node: data (batch, in_c, in...), weight
// (out_c, in_c / groups, kernel...), output (batch, out_c, out...).
struct ConvDims {
  int64_t batch = 0, in_c = 0, out_c = 0, groups = 1;
  bool bias = true;
  Window w;
  int64_t in_per_group() const { return in_c / groups; }
  int64_t out_per_group() const { return out_c / groups; }
  // Elements of one group's im2col buffer (rows in_per_group x kernel,
  // one column per output position).
  size_t ColumnElements() const {
    return static_cast<size_t>(in_per_group() * w.KernelSize() * w.OutSize());
  }
  static ConvDims Of(const KernelSetup& s);
};

}  // namespace ops
}  // namespace mx

#endif  // MX_OPS_NN_CONVOLUTION_H_
