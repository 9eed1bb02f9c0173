#include "ops/nn/softmax_output.h"

#include "core/op/op.h"
#include "ops/common/same_shape.h"

namespace mx {
namespace ops {
namespace {

void InferSoftmaxOutputShape(InferShapeContext* ctx) {
  const auto& p = ctx->params<SoftmaxOutputParam>();
  const PartialShape data = InferDataShapedOutput(ctx);
  if (!data.rank_known()) return;
  if (data.ndim() < 1) ctx->Fail("data must have at least 1 dimension");
  const PartialShape& label = ctx->in(1);
  const int n = data.ndim();
  if (p.multi_output) {
    if (n < 2) ctx->Fail("multi_output needs data of at least 2 dimensions");
    // MXNet accepts (N, x1*x2...), (N, x1, x2, ...) and (N, 1, x1, ...).
    std::vector<int64_t> rest(data.dims().begin() + 2, data.dims().end());
    const PartialShape flat{data[0], data.ProdRange(2, n)};
    std::vector<int64_t> kept = {data[0]};
    kept.insert(kept.end(), rest.begin(), rest.end());
    std::vector<int64_t> keepdim = data.dims();
    keepdim[1] = 1;
    for (const PartialShape& form :
         {flat, PartialShape(kept), PartialShape(keepdim)}) {
      if (label.rank_known() && PartialShape(label).Merge(form)) {
        ctx->AssignIn(1, form);
        return;
      }
    }
    ctx->AssignIn(1, flat);
    return;
  }
  // A label of the data's shape holds class probabilities.
  if (label.rank_known() && label.ndim() == n && n > 1 &&
      PartialShape(label).Merge(data)) {
    ctx->AssignIn(1, data);
    return;
  }
  if (p.preserve_shape) {
    ctx->AssignIn(1, PartialShape(std::vector<int64_t>(data.dims().begin(),
                                                       data.dims().end() - 1)));
  } else {
    ctx->AssignIn(1, PartialShape{data[0]});
  }
}

}  // namespace

MX_REGISTER_OP(SoftmaxOutput)
    .Alias("Softmax")
    .Describe(
        "Softmax over classes (axis 1 of (N, C) or flattened data) with the "
        "cross-entropy gradient (softmax - onehot(label)) * grad_scale; needs "
        "no head gradient.")
    .Params<SoftmaxOutputParam>()
    .Inputs({"data", "label"})
    .InferShape(InferSoftmaxOutputShape)
    .Backward([](const NodeAttrs& a) {
      return a.params<SoftmaxOutputParam>().out_grad
                 ? BackwardDeps{{0}, {1}, {0}}
                 : BackwardDeps{{}, {1}, {0}};
    })
    .NoGradient({"label"})
    .Loss([](const NodeAttrs& a) {
      return !a.params<SoftmaxOutputParam>().out_grad;
    });

}  // namespace ops
}  // namespace mx
