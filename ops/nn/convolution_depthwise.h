// Depthwise convolution on the CPU (num_group equal to the channels, one
// filter per channel: MobileNet's 3x3 layers): direct loops over each
// channel's plane in our NCHW layout, no reorders and no im2col. Note
// [Depthwise convolution] in docs/design_notes.md.
#ifndef MX_OPS_NN_CONVOLUTION_DEPTHWISE_H_
#define MX_OPS_NN_CONVOLUTION_DEPTHWISE_H_

#include <memory>

#include "core/op/kernel.h"

namespace mx {
namespace ops {

// The depthwise kernel for `setup`, or nullptr when the convolution is not
// depthwise with one filter per channel, not 1-D or 2-D, or not float32 /
// float64.
std::unique_ptr<OpKernel> MakeDepthwiseConvolution(const KernelSetup& setup);

}  // namespace ops
}  // namespace mx

#endif  // MX_OPS_NN_CONVOLUTION_DEPTHWISE_H_
