// Pointwise convolution on the CPU (a 1x1 kernel, no padding: MobileNet's
// and Inception's 1x1 layers, strided residual projections): on our NCHW
// layout each sample's output is one matrix product, so it runs as BLAS
// products straight on the arrays (strided inputs gathered first), no
// reorders and no im2col. Note [Pointwise convolution] in
// docs/design_notes.md.
#ifndef MX_OPS_NN_CONVOLUTION_POINTWISE_H_
#define MX_OPS_NN_CONVOLUTION_POINTWISE_H_

#include <memory>

#include "core/op/kernel.h"

namespace mx {
namespace ops {

// The pointwise kernel for `setup`, or nullptr when the convolution is not
// 1x1 without padding, or not float32 / float64.
std::unique_ptr<OpKernel> MakePointwiseConvolution(const KernelSetup& setup);

}  // namespace ops
}  // namespace mx

#endif  // MX_OPS_NN_CONVOLUTION_POINTWISE_H_
