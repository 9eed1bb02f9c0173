// Deconvolution (transposed convolution): the gradient of Convolution with
// respect to its data, used as an upsampling layer (MXNet's Deconvolution).
#ifndef MX_OPS_NN_DECONVOLUTION_H_
#define MX_OPS_NN_DECONVOLUTION_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/op/kernel.h"
#include "ops/common/conv_params.h"
#include "ops/nn/convolution.h"

namespace mx {
namespace ops {

struct DeconvolutionParam {
  std::vector<int64_t> kernel, stride, dilate, pad, adj, target_shape;
  int64_t num_filter = 0;
  int64_t num_group = 1;
  int64_t workspace = 512;
  bool no_bias = true;
  std::optional<std::string> cudnn_tune;
  bool cudnn_off = false;
  std::optional<std::string> layout;

  static void Declare(ParamDeclarer<DeconvolutionParam>* d) {
    DeclareConvFields(d, /*no_bias_default=*/true, /*workspace_default=*/512);
    d->Field("adj", &DeconvolutionParam::adj)
        .Default({})
        .Min(0)
        .Doc(
            "Extra output extent on the high side per spatial axis; () "
            "means 0. Must be smaller than the stride.");
    d->Field("target_shape", &DeconvolutionParam::target_shape)
        .Default({})
        .Min(1)
        .Doc(
            "Output spatial shape; when set, pad and adj are computed to "
            "reach it.");
    d->Check([](const DeconvolutionParam& p) {
      std::string problem = CheckSpatialTuples(
          p.kernel, {{"adj", &p.adj}, {"target_shape", &p.target_shape}});
      const auto stride = SpatialOr(p.stride, p.kernel.size(), 1);
      // With target_shape, adj (like pad) is ignored, as in MXNet.
      const size_t checked = p.target_shape.empty() ? p.adj.size() : 0;
      for (size_t i = 0; problem.empty() && i < checked; ++i) {
        if (p.adj[i] >= stride[i]) {
          problem =
              StrCat("adj ", PythonTuple(p.adj),
                     " must be smaller than stride ", PythonTuple(stride));
        }
      }
      return problem;
    });
  }
};

// The Convolution whose data gradient a Deconvolution node computes: its
// data is the node's output (in_c = num_filter), its output the node's data
// (out_c = the data's channels), and the weight array is the same. Padding
// derived from target_shape is applied.
ConvDims DeconvAsConv(const KernelSetup& s);

}  // namespace ops
}  // namespace mx

#endif  // MX_OPS_NN_DECONVOLUTION_H_
