// add_n: the elementwise sum of any number of inputs (MXNet's add_n, alias
// ElementWiseSum).
#include "core/op/op.h"
#include "ops/common/same_shape.h"
#include "ops/tensor/variadic.h"

namespace mx {
namespace ops {

MX_REGISTER_OP(add_n)
    .Alias("ElementWiseSum")
    .Describe("out = arg0 + arg1 + ... ; every input gets the output gradient.")
    .Params<AddNParam>()
    .Inputs([](const NodeAttrs& a) {
      return VariadicInputNames(a.params<AddNParam>().num_args);
    })
    .VariadicInputs("num_args")
    .InferShape(InferSameShape)
    .Backward([](const NodeAttrs&) {
      return BackwardDeps{{0}, {}, {}};
    })
    .InplaceForward({{0, 0}})
    .InplaceBackward({{0, 0}});

}  // namespace ops
}  // namespace mx
