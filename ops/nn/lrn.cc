#include "ops/nn/lrn.h"

#include "core/op/op.h"
#include "ops/common/same_shape.h"

namespace mx {
namespace ops {
namespace {

void InferLRNShape(InferShapeContext* ctx) {
  InferSameShape(ctx);
  const PartialShape& data = ctx->in(0);
  if (data.rank_known() && data.ndim() != 4) {
    ctx->Fail("data must be 4-D (N,C,H,W)");
  }
}

}  // namespace

MX_REGISTER_OP(LRN)
    .Describe(
        "Local response normalization across channels: out = x (knorm + "
        "alpha / nsize * sum of x^2 over nsize channels)^-beta; the hidden "
        "output tmp_norm keeps the normalizer.")
    .Params<LRNParam>()
    .Outputs({"output", "tmp_norm"})
    .VisibleOutputs([](const NodeAttrs&) { return 1; })
    .InferShape(InferLRNShape)
    .Backward([](const NodeAttrs&) {
      return BackwardDeps{{0}, {0}, {0, 1}};
    });

}  // namespace ops
}  // namespace mx
