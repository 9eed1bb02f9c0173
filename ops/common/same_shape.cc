#include "ops/common/same_shape.h"

namespace mx {
namespace ops {

void InferSameShape(InferShapeContext* ctx) {
  PartialShape shape;
  for (int i = 0; i < ctx->num_inputs(); ++i) {
    ctx->AssignIn(i, shape);
    shape = ctx->in(i);
  }
  for (int i = 0; i < ctx->num_outputs(); ++i) {
    ctx->AssignOut(i, shape);
    shape = ctx->out(i);
  }
  for (int i = 0; i < ctx->num_inputs(); ++i) ctx->AssignIn(i, shape);
}

PartialShape InferDataShapedOutput(InferShapeContext* ctx) {
  ctx->AssignIn(0, ctx->out(0));
  ctx->AssignOut(0, ctx->in(0));
  return ctx->in(0);
}

}  // namespace ops
}  // namespace mx
