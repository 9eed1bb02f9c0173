#include "ops/nn/embedding.h"

#include "core/op/op.h"

namespace mx {
namespace ops {
namespace {

void InferEmbeddingShape(InferShapeContext* ctx) {
  const auto& p = ctx->params<EmbeddingParam>();
  ctx->AssignIn(1, PartialShape{p.input_dim, p.output_dim});
  const PartialShape& data = ctx->in(0);
  if (!data.rank_known()) return;
  std::vector<int64_t> out = data.dims();
  out.push_back(p.output_dim);
  ctx->AssignOut(0, PartialShape(out));
}

void InferEmbeddingType(InferTypeContext* ctx) {
  const int type = static_cast<int>(
      DTypeFromName(ctx->attrs().params<EmbeddingParam>().dtype));
  // Indices default to the weight's type, as in MXNet.
  if (ctx->in(0) == kUnknownType) ctx->AssignIn(0, type);
  ctx->AssignIn(1, type);
  ctx->AssignOut(0, type);
}

}  // namespace

MX_REGISTER_OP(Embedding)
    .Describe(
        "Row lookup: out[..., :] = weight[data[...], :]; data holds indices "
        "(any shape), weight is (input_dim, output_dim), out is data.shape + "
        "(output_dim,).")
    .Params<EmbeddingParam>()
    .Inputs({"data", "weight"})
    .InferShape(InferEmbeddingShape)
    .InferType(InferEmbeddingType)
    .Backward([](const NodeAttrs&) {
      return BackwardDeps{{0}, {0}, {}};
    })
    .NoGradient({"data"});

}  // namespace ops
}  // namespace mx
