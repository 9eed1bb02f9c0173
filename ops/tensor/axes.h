// What the axis ops share with their optimized kernels.
#ifndef MX_OPS_TENSOR_AXES_H_
#define MX_OPS_TENSOR_AXES_H_

#include <string>
#include <vector>

#include "core/op/op.h"

namespace mx {
namespace ops {

// The permutation a transpose or SwapAxis node applies to an ndim-array
// (output axis i is input axis perm[i]); "" in *problem or what is wrong.
std::vector<int> TransposePermutation(const NodeAttrs& attrs, int ndim,
                                      std::string* problem);

}  // namespace ops
}  // namespace mx

#endif  // MX_OPS_TENSOR_AXES_H_
