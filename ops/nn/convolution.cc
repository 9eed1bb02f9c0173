#include "ops/nn/convolution.h"

#include "core/base/error.h"
#include "core/op/op.h"
#include "ops/common/spatial.h"

namespace mx {
namespace ops {
namespace {

void InferConvolutionShape(InferShapeContext* ctx) {
  const auto& p = ctx->params<ConvolutionParam>();
  const size_t n = p.kernel.size();
  const PartialShape& data = ctx->in(0);
  if (!CheckSpatialRank(ctx, data, n)) return;
  const int64_t channels = GroupedChannels(ctx, data, p.num_group);
  const auto stride = SpatialOr(p.stride, n, 1);
  const auto dilate = SpatialOr(p.dilate, n, 1);
  const auto pad = SpatialOr(p.pad, n, 0);
  std::vector<int64_t> weight = {p.num_filter,
                                 channels < 0 ? -1 : channels / p.num_group};
  std::vector<int64_t> out = {data[0], p.num_filter};
  for (size_t i = 0; i < n; ++i) {
    weight.push_back(p.kernel[i]);
    out.push_back(ConvOutExtent(ctx, static_cast<int>(i), data[2 + i],
                                p.kernel[i], stride[i], pad[i], dilate[i]));
  }
  ctx->AssignIn(1, PartialShape(weight));
  if (!p.no_bias) ctx->AssignIn(2, PartialShape{p.num_filter});
  ctx->AssignOut(0, PartialShape(out));
}

}  // namespace

MX_REGISTER_OP(Convolution)
    .Describe(
        "Convolution over 1, 2 or 3 spatial axes (NCW, NCHW, NCDHW): weight "
        "(num_filter, C/num_group, kernel...), bias (num_filter,); output "
        "extent floor((x + 2 pad - dilate (k - 1) - 1) / stride) + 1.")
    .Params<ConvolutionParam>()
    .Inputs([](const NodeAttrs& a) {
      return DataWeightBias(a.params<ConvolutionParam>().no_bias);
    })
    .InferShape(InferConvolutionShape)
    .Backward([](const NodeAttrs&) {
      return BackwardDeps{{0}, {0, 1}, {}};
    });

}  // namespace ops
}  // namespace mx
