// Convolution on oneDNN (the CPU's best kernels, AVX-512 where present,
// chosen by oneDNN at bind): float32, 1-D and 2-D, any stride, padding,
// dilation and groups, on the layouts each primitive runs best on
// (channels-last or blocked, reordered in the workspace; Note [Convolution
// on oneDNN]).
// Requests the primitives cannot do in place (accumulating into outputs or
// gradients) go to a fallback kernel. Note [Convolution on oneDNN] in
// docs/design_notes.md.
#ifndef MX_OPS_NN_CONVOLUTION_DNNL_H_
#define MX_OPS_NN_CONVOLUTION_DNNL_H_

#include <memory>

#include "core/op/kernel.h"

namespace mx {
namespace ops {

// The oneDNN kernel for `setup`, or nullptr when it cannot run it (another
// type, 3-D, or MX_USE_DNNL=0). A kernel from `fallback` runs the calls with
// kAdd requests.
std::unique_ptr<OpKernel> MakeDnnlConvolution(const KernelSetup& setup,
                                              const KernelFactory& fallback);

}  // namespace ops
}  // namespace mx

#endif  // MX_OPS_NN_CONVOLUTION_DNNL_H_
