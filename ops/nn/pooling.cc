#include "ops/nn/pooling.h"

#include "core/base/error.h"
#include "core/op/op.h"

namespace mx {
namespace ops {
namespace {

void InferPoolingShape(InferShapeContext* ctx) {
  const auto& p = ctx->params<PoolingParam>();
  const PartialShape& data = ctx->in(0);
  if (!data.rank_known()) return;
  std::vector<int64_t> out = {data[0], data[1]};
  if (p.global_pool) {
    if (data.ndim() < 3 || data.ndim() > 5) {
      ctx->Fail("data must be 3-D, 4-D or 5-D (N,C,spatial...) for pooling");
    }
    out.resize(data.ndim(), 1);
    ctx->AssignOut(0, PartialShape(out));
    return;
  }
  const size_t n = p.kernel.size();
  CheckSpatialRank(ctx, data, n);
  const auto stride = SpatialOr(p.stride, n, 1);
  const auto pad = SpatialOr(p.pad, n, 0);
  for (size_t i = 0; i < n; ++i) {
    const int64_t in = data[2 + i];
    if (in < 0) {
      out.push_back(-1);
      continue;
    }
    if (in + 2 * pad[i] < p.kernel[i]) {
      ctx->Fail(StrCat("kernel ", p.kernel[i],
                       " is larger than the padded input along spatial "
                       "axis ",
                       i, " (", in, " + 2*", pad[i], ")"));
    }
    const int64_t span = in + 2 * pad[i] - p.kernel[i];
    out.push_back(p.pooling_convention == "full"
                      ? 1 + (span + stride[i] - 1) / stride[i]
                      : 1 + span / stride[i]);
  }
  ctx->AssignOut(0, PartialShape(out));
}

}  // namespace

MX_REGISTER_OP(Pooling)
    .Describe(
        "Max, average or sum pooling over 1, 2 or 3 spatial axes, or over "
        "everything with global_pool.")
    .Params<PoolingParam>()
    .InferShape(InferPoolingShape)
    .Backward([](const NodeAttrs&) {
      return BackwardDeps{{0}, {0}, {0}};
    });

}  // namespace ops
}  // namespace mx
