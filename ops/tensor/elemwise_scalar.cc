#include "ops/tensor/elemwise_scalar.h"

#include "core/op/op.h"
#include "ops/common/same_shape.h"

namespace mx {
namespace ops {
namespace {

// What each scalar op's backward reads besides the output gradient.
enum class Reads { kNothing, kInput, kOutput };

struct ScalarOp {
  const char* name;
  const char* alias;
  const char* doc;
  Reads reads;
};

constexpr ScalarOp kScalarOps[] = {
    {"_plus_scalar", "_PlusScalar", "out = data + scalar", Reads::kNothing},
    {"_minus_scalar", "_MinusScalar", "out = data - scalar", Reads::kNothing},
    {"_rminus_scalar", "_RMinusScalar", "out = scalar - data", Reads::kNothing},
    {"_mul_scalar", "_MulScalar", "out = data * scalar", Reads::kNothing},
    {"_div_scalar", "_DivScalar", "out = data / scalar", Reads::kNothing},
    {"_rdiv_scalar", "_RDivScalar", "out = scalar / data", Reads::kInput},
    {"_power_scalar", "_PowerScalar", "out = data ^ scalar", Reads::kInput},
    {"_rpower_scalar", "_RPowerScalar", "out = scalar ^ data", Reads::kOutput},
    {"_maximum_scalar", "_MaximumScalar", "out = max(data, scalar)",
     Reads::kInput},
    {"_minimum_scalar", "_MinimumScalar", "out = min(data, scalar)",
     Reads::kInput},
};

[[maybe_unused]] const bool kRegistered = [] {
  for (const ScalarOp& op : kScalarOps) {
    BackwardDeps deps{{0}, {}, {}};
    if (op.reads == Reads::kInput) deps.inputs = {0};
    if (op.reads == Reads::kOutput) deps.outputs = {0};
    OpRegistry::Global()
        .Register(op.name)
        .Alias(op.alias)
        .Describe(op.doc)
        .Params<ScalarParam>()
        .InferShape(InferSameShape)
        .Backward([deps](const NodeAttrs&) { return deps; })
        .InplaceForward({{0, 0}});
  }
  return true;
}();

}  // namespace
}  // namespace ops
}  // namespace mx
