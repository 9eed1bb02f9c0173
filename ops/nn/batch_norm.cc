#include "ops/nn/batch_norm.h"

#include "core/op/op.h"
#include "ops/common/same_shape.h"
#include "ops/common/spatial.h"

namespace mx {
namespace ops {
namespace {

void InferBatchNormShape(InferShapeContext* ctx) {
  const auto& p = ctx->params<BatchNormParam>();
  const PartialShape data = InferDataShapedOutput(ctx);
  if (!data.rank_known()) return;
  if (data.ndim() < 1) ctx->Fail("data must have at least 1 dimension");
  const int axis = NormalizeAxis(ctx, "axis", p.axis, data.ndim());
  const PartialShape channel{data[axis]};
  for (int i = 1; i < 5; ++i) ctx->AssignIn(i, channel);
  ctx->AssignOut(1, channel);
  ctx->AssignOut(2, channel);
}

}  // namespace

MX_REGISTER_OP(BatchNorm)
    .Describe(
        "Batch normalization over every axis but `axis`: out = gamma (x - "
        "mean) / sqrt(var + eps) + beta, with batch statistics in training "
        "and moving_mean / moving_var otherwise.")
    .Params<BatchNormParam>()
    .Inputs({"data", "gamma", "beta"})
    .AuxStates({"moving_mean", "moving_var"})
    .Outputs({"output", "mean", "var"})
    .VisibleOutputs([](const NodeAttrs& a) {
      return a.params<BatchNormParam>().output_mean_var ? 3 : 1;
    })
    .InferShape(InferBatchNormShape)
    .Backward([](const NodeAttrs&) {
      return BackwardDeps{{0}, {0, 1, 2, 3, 4}, {1, 2}};
    })
    // As MXNet: moving statistics start at mean 0 and variance 1.
    .OnInputVariable([](const NodeAttrs&, int index, AttrDict* var_attrs) {
      if (var_attrs->count("__init__")) return;
      if (index == 3) (*var_attrs)["__init__"] = "[\"zero\", {}]";
      if (index == 4) (*var_attrs)["__init__"] = "[\"one\", {}]";
    });

}  // namespace ops
}  // namespace mx
