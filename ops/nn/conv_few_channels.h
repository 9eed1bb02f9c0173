// The forward and weight gradient of a convolution with few input channels
// (a network's first layer) computed directly on our NCHW planes, through
// the input's stride phases: forward, blocks of filters accumulate every
// tap over the plane; weight gradient, per filter, input channel and tap,
// one dot product of the output gradient with the phases. Note
// [Few-channel convolution] in docs/design_notes.md.
#ifndef MX_OPS_NN_CONV_FEW_CHANNELS_H_
#define MX_OPS_NN_CONV_FEW_CHANNELS_H_

#include "core/op/kernel.h"
#include "ops/nn/convolution.h"

namespace mx {
namespace ops {

// Whether DirectForward and DirectWeightGradient compute `d`: one group, at
// most kMaxDirectChannels input channels, 1-D or 2-D.
constexpr int64_t kMaxDirectChannels = 3;
bool DirectWeightGradientApplies(const ConvDims& d);

// y (batch, filters, output plane) = the float32 convolution `d` of x with
// weights w and bias b (null when none), written (not added). Samples split
// over the intra-op threads.
void DirectForward(const ConvDims& d, const float* x, const float* w,
                   const float* b, float* y);

// dw (filters, channels, kernel) and db (filters; null when no bias) of the
// float32 convolution `d` from its output gradient gy and input x, stored as
// their requests say (null pointers are skipped). Filters split over the
// intra-op threads, each filter's sums over the samples in order (the same
// every run); the bias gradient is SumChannels'.
void DirectWeightGradient(const ConvDims& d, const float* gy, const float* x,
                          float* dw, OpReq dw_req, float* db, OpReq db_req);

}  // namespace ops
}  // namespace mx

#endif  // MX_OPS_NN_CONV_FEW_CHANNELS_H_
