// The parameter fields Convolution and Deconvolution share, declared once.
#ifndef MX_OPS_COMMON_CONV_PARAMS_H_
#define MX_OPS_COMMON_CONV_PARAMS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/base/strings.h"
#include "core/op/param.h"
#include "ops/common/spatial.h"

namespace mx {
namespace ops {

// Declares kernel, stride, dilate, pad, num_filter, num_group, workspace,
// no_bias, cudnn_tune, cudnn_off and layout on P (which has those members),
// plus the checks between them.
template <typename P>
void DeclareConvFields(ParamDeclarer<P>* d, bool no_bias_default,
                       int64_t workspace_default) {
  d->Field("kernel", &P::kernel)
      .Required()
      .Min(1)
      .Doc("Window size: (w,), (h, w) or (d, h, w).");
  d->Field("stride", &P::stride)
      .Default({})
      .Min(1)
      .Doc("Window step per spatial axis; () means 1.");
  d->Field("dilate", &P::dilate)
      .Default({})
      .Min(1)
      .Doc("Dilation per spatial axis; () means 1.");
  d->Field("pad", &P::pad)
      .Default({})
      .Min(0)
      .Doc("Zero padding per spatial axis, on both sides; () means 0.");
  d->Field("num_filter", &P::num_filter)
      .Required()
      .Min(1)
      .Doc("Number of output channels.");
  d->Field("num_group", &P::num_group)
      .Default(1)
      .Min(1)
      .Doc(
          "Number of groups: channels are split into num_group independent "
          "convolutions.");
  d->Field("workspace", &P::workspace)
      .Default(workspace_default)
      .Min(0)
      .Doc("Temporary workspace limit in MB (a hint for cuDNN).");
  d->Field("no_bias", &P::no_bias)
      .Default(no_bias_default)
      .Doc("Leave out the bias input.");
  d->Field("cudnn_tune", &P::cudnn_tune)
      .Default(std::nullopt)
      .Enum({"off", "limited_workspace", "fastest"})
      .Doc("cuDNN algorithm search mode (GPU only).");
  d->Field("cudnn_off", &P::cudnn_off)
      .Default(false)
      .Doc("Do not use cuDNN (GPU only).");
  d->Field("layout", &P::layout)
      .Default(std::nullopt)
      .Enum(LayoutNames())
      .Doc("Data layout; None means channel-first (NCW, NCHW, NCDHW).");
  d->Check([](const P& p) {
    std::string problem = CheckSpatialTuples(
        p.kernel,
        {{"stride", &p.stride}, {"dilate", &p.dilate}, {"pad", &p.pad}});
    if (problem.empty()) problem = CheckChannelFirstLayout(p.layout);
    if (problem.empty() && p.num_filter % p.num_group != 0) {
      problem = StrCat("num_filter ", p.num_filter,
                       " is not divisible by num_group ", p.num_group);
    }
    return problem;
  });
}

}  // namespace ops
}  // namespace mx

#endif  // MX_OPS_COMMON_CONV_PARAMS_H_
