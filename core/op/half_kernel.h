// Float16 for every op on the host (Note [Float16 arithmetic]): a kernel
// with no float16 variant runs as its float32 kernel on converted copies,
// each result rounded to half when stored, as mshadow's half_t computes.
#ifndef MX_CORE_OP_HALF_KERNEL_H_
#define MX_CORE_OP_HALF_KERNEL_H_

#include <cstddef>
#include <memory>

#include "core/op/kernel.h"

namespace mx {

// Wraps `inner`, a float32 kernel of a node with `num_args` arguments:
// float16 arrays given to the wrapper are converted to float32 before each
// call, and its float16 outputs (and auxiliary states, the inputs after the
// arguments) written back as the call's req says.
std::unique_ptr<OpKernel> MakeHalfKernel(std::unique_ptr<OpKernel> inner,
                                         size_t num_args);

}  // namespace mx

#endif  // MX_CORE_OP_HALF_KERNEL_H_
