#include "ops/nn/leaky_relu.h"

#include "core/op/op.h"
#include "ops/common/same_shape.h"

namespace mx {
namespace ops {
namespace {

bool IsPReLU(const NodeAttrs& a) {
  return a.params<LeakyReLUParam>().act_type == "prelu";
}
bool IsRReLU(const NodeAttrs& a) {
  return a.params<LeakyReLUParam>().act_type == "rrelu";
}

void InferLeakyReLUShape(InferShapeContext* ctx) {
  const PartialShape data = InferDataShapedOutput(ctx);
  // rrelu's mask has the data's shape too.
  for (int i = 1; i < ctx->num_outputs(); ++i) ctx->AssignOut(i, data);
  if (IsPReLU(ctx->attrs()) && data.rank_known()) {
    // One slope per channel (axis 1); a single one for 1-D data.
    ctx->AssignIn(1, PartialShape{data.ndim() >= 2 ? data[1] : 1});
  }
}

}  // namespace

MX_REGISTER_OP(LeakyReLU)
    .Describe(
        "Leaky rectifiers: leaky, prelu (input gamma, one slope per channel), "
        "rrelu (hidden output mask holds the sampled slopes), elu.")
    .Params<LeakyReLUParam>()
    .Inputs([](const NodeAttrs& a) {
      return IsPReLU(a) ? std::vector<std::string>{"data", "gamma"}
                        : std::vector<std::string>{"data"};
    })
    .Outputs([](const NodeAttrs& a) {
      return IsRReLU(a) ? std::vector<std::string>{"output", "mask"}
                        : std::vector<std::string>{"output"};
    })
    .VisibleOutputs([](const NodeAttrs&) { return 1; })
    .InferShape(InferLeakyReLUShape)
    .Backward([](const NodeAttrs& a) {
      if (IsPReLU(a)) return BackwardDeps{{0}, {0, 1}, {}};
      if (IsRReLU(a)) return BackwardDeps{{0}, {0}, {1}};
      return BackwardDeps{{0}, {0}, {0}};
    });

}  // namespace ops
}  // namespace mx
