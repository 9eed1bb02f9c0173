#include "ops/nn/deconvolution.h"

#include "core/base/error.h"
#include "core/op/op.h"
#include "ops/common/spatial.h"

namespace mx {
namespace ops {
namespace {

void InferDeconvolutionShape(InferShapeContext* ctx) {
  const auto& p = ctx->params<DeconvolutionParam>();
  const size_t n = p.kernel.size();
  const PartialShape& data = ctx->in(0);
  if (!CheckSpatialRank(ctx, data, n)) return;
  const int64_t channels = GroupedChannels(ctx, data, p.num_group);
  const auto stride = SpatialOr(p.stride, n, 1);
  const auto dilate = SpatialOr(p.dilate, n, 1);
  const auto pad = SpatialOr(p.pad, n, 0);
  const auto adj = SpatialOr(p.adj, n, 0);
  std::vector<int64_t> weight = {channels, p.num_filter / p.num_group};
  std::vector<int64_t> out = {data[0], p.num_filter};
  for (size_t i = 0; i < n; ++i) {
    weight.push_back(p.kernel[i]);
    const int64_t in = data[2 + i];
    const int64_t window = dilate[i] * (p.kernel[i] - 1) + 1;
    if (in < 0) {
      out.push_back(p.target_shape.empty() ? -1 : p.target_shape[i]);
      continue;
    }
    const int64_t full = stride[i] * (in - 1) + window;
    if (!p.target_shape.empty()) {
      // MXNet derives pad and adj from the target: the output is the target
      // whenever the unpadded output is at least that large.
      if (full < p.target_shape[i]) {
        ctx->Fail(StrCat("target_shape ", PythonTuple(p.target_shape),
                         " is larger than the deconvolution can produce (",
                         full, " along spatial axis ", i, ")"));
      }
      out.push_back(p.target_shape[i]);
      continue;
    }
    const int64_t extent = full - 2 * pad[i] + adj[i];
    if (extent < 1) {
      ctx->Fail(StrCat("pad ", pad[i], " leaves no output along spatial axis ",
                       i, " (", full, " - 2*", pad[i], ")"));
    }
    out.push_back(extent);
  }
  ctx->AssignIn(1, PartialShape(weight));
  if (!p.no_bias) ctx->AssignIn(2, PartialShape{p.num_filter});
  ctx->AssignOut(0, PartialShape(out));
}

}  // namespace

MX_REGISTER_OP(Deconvolution)
    .Describe(
        "Transposed convolution: weight (C, num_filter/num_group, kernel...), "
        "bias (num_filter,) unless no_bias (the default); output extent "
        "stride (x - 1) + dilate (k - 1) + 1 - 2 pad + adj, or target_shape.")
    .Params<DeconvolutionParam>()
    .Inputs([](const NodeAttrs& a) {
      return DataWeightBias(a.params<DeconvolutionParam>().no_bias);
    })
    .InferShape(InferDeconvolutionShape)
    .Backward([](const NodeAttrs&) {
      return BackwardDeps{{0}, {0, 1}, {}};
    });

}  // namespace ops
}  // namespace mx
