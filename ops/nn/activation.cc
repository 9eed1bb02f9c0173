#include "ops/nn/activation.h"

#include "core/op/op.h"
#include "ops/common/same_shape.h"

namespace mx {
namespace ops {

MX_REGISTER_OP(Activation)
    .Describe("Elementwise activation; the output has the input's shape.")
    .Params<ActivationParam>()
    .InferShape(InferSameShape)
    // softsign's gradient needs x; the others are functions of the output.
    .Backward([](const NodeAttrs& a) {
      return a.params<ActivationParam>().act_type == "softsign"
                 ? BackwardDeps{{0}, {0}, {}}
                 : BackwardDeps{{0}, {}, {0}};
    })
    .InplaceForward({{0, 0}})
    .InplaceBackward({{0, 0}});

}  // namespace ops
}  // namespace mx
