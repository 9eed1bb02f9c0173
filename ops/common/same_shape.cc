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

}  // namespace ops
}  // namespace mx
