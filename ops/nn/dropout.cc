#include "ops/nn/dropout.h"

#include "core/op/op.h"
#include "ops/common/same_shape.h"

namespace mx {
namespace ops {

MX_REGISTER_OP(Dropout)
    .Describe(
        "Dropout: out = x * mask with mask = (U < 1 - p) / (1 - p) in "
        "training (kept in the hidden output mask); identity at inference.")
    .Params<DropoutParam>()
    .Outputs({"output", "mask"})
    .VisibleOutputs([](const NodeAttrs&) { return 1; })
    .InferShape(InferSameShape)
    .Backward([](const NodeAttrs&) {
      return BackwardDeps{{0}, {}, {1}};
    })
    .InplaceForward({{0, 0}})
    .InplaceBackward({{0, 0}});

}  // namespace ops
}  // namespace mx
