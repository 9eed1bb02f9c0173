#include "ops/nn/fully_connected.h"

#include "core/op/op.h"
#include "ops/common/spatial.h"

namespace mx {
namespace ops {
namespace {

void InferFullyConnectedShape(InferShapeContext* ctx) {
  const auto& p = ctx->params<FullyConnectedParam>();
  const PartialShape& data = ctx->in(0);
  if (!data.rank_known()) return;
  if (data.ndim() == 0) ctx->Fail("data must have at least 1 dimension");
  PartialShape out;
  int64_t k;
  if (p.flatten) {
    k = data.ProdRange(1, data.ndim());
    out = PartialShape{data[0], p.num_hidden};
  } else {
    k = data[-1];
    std::vector<int64_t> dims = data.dims();
    dims.back() = p.num_hidden;
    out = PartialShape(dims);
  }
  ctx->AssignIn(1, PartialShape{p.num_hidden, k});
  if (!p.no_bias) ctx->AssignIn(2, PartialShape{p.num_hidden});
  ctx->AssignOut(0, out);
}

}  // namespace

MX_REGISTER_OP(FullyConnected)
    .Describe(
        "Fully connected layer: out = data * weight^T + bias, with data "
        "flattened to (N, K), weight (num_hidden, K), bias (num_hidden,).")
    .Params<FullyConnectedParam>()
    .Inputs([](const NodeAttrs& a) {
      return DataWeightBias(a.params<FullyConnectedParam>().no_bias);
    })
    .InferShape(InferFullyConnectedShape)
    .Backward([](const NodeAttrs&) {
      return BackwardDeps{{0}, {0, 1}, {}};
    });

}  // namespace ops
}  // namespace mx
