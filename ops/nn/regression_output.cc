#include "ops/nn/regression_output.h"

#include "core/op/op.h"
#include "ops/common/same_shape.h"

namespace mx {
namespace ops {
namespace {

void InferRegressionShape(InferShapeContext* ctx) {
  const PartialShape data = InferDataShapedOutput(ctx);
  if (!data.rank_known()) return;
  const PartialShape& label = ctx->in(1);
  // As MXNet: data (N, 1) takes labels (N,); otherwise labels have the
  // data's shape (same batch and size when given).
  if (!label.rank_known()) {
    if (data.ndim() == 2 && data[1] == 1) {
      ctx->AssignIn(1, PartialShape{data[0]});
    } else {
      ctx->AssignIn(1, data);
    }
    return;
  }
  if (label.ndim() == 0 ||
      (data.ndim() > 0 && label[0] >= 0 && data[0] >= 0 &&
       label[0] != data[0]) ||
      (label.IsKnown() && data.IsKnown() &&
       label.ToShape().Size() != data.ToShape().Size())) {
    ctx->Fail("label " + label.ToString() + " does not match data " +
              data.ToString() + ": expected the same batch size and size");
  }
}

void DeclareRegression(OpDef& op, const char* doc) {
  op.Describe(doc)
      .Params<RegressionOutputParam>()
      .Inputs({"data", "label"})
      .InferShape(InferRegressionShape)
      .Backward([](const NodeAttrs&) {
        return BackwardDeps{{}, {1}, {0}};
      })
      .NoGradient({"label"})
      .Loss()
      .InplaceForward({{0, 0}});
}

}  // namespace

[[maybe_unused]] static const bool kLinearRegistered = [] {
  DeclareRegression(OpRegistry::Global().Register("LinearRegressionOutput"),
                    "Identity in forward; gradient (out - label) * "
                    "grad_scale / num_output (squared error).");
  DeclareRegression(OpRegistry::Global().Register("LogisticRegressionOutput"),
                    "Sigmoid in forward; gradient (out - label) * grad_scale "
                    "/ num_output (logistic cross-entropy).");
  return true;
}();

}  // namespace ops
}  // namespace mx
