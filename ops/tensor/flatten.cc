// Flatten: (N, d1, d2, ...) -> (N, d1*d2*...) (MXNet's Flatten).
#include "core/op/kernel.h"
#include "core/op/op.h"
#include "ops/common/kernel_util.h"

namespace mx {
namespace ops {
namespace {

void InferFlattenShape(InferShapeContext* ctx) {
  const PartialShape& data = ctx->in(0);
  if (!data.rank_known()) return;
  if (data.ndim() == 0) ctx->Fail("data must have at least 1 dimension");
  ctx->AssignOut(0, PartialShape{data[0], data.ProdRange(1, data.ndim())});
}

}  // namespace

MX_REGISTER_OP(Flatten)
    .Alias("flatten")
    .Describe("Collapses all axes after the first: (N, ...) -> (N, rest).")
    .InferShape(InferFlattenShape)
    .Backward([](const NodeAttrs&) {
      return BackwardDeps{{0}, {}, {}};
    })
    .InplaceForward({{0, 0}})
    .InplaceBackward({{0, 0}});

MX_REGISTER_KERNEL(Flatten, kCPU, kReference)
    .Types({DType::kFloat32, DType::kFloat64})
    .Factory(TypedFactory<CopyKernel>());

}  // namespace ops
}  // namespace mx
