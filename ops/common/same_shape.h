// Shape inference for ops whose inputs and outputs all share one shape
// (elementwise ops, activations, add_n, ...).
#ifndef MX_OPS_COMMON_SAME_SHAPE_H_
#define MX_OPS_COMMON_SAME_SHAPE_H_

#include "core/op/op.h"

namespace mx {
namespace ops {

// Merges every input and output shape and assigns the result to all of them,
// so a shape known anywhere (input or output) flows everywhere.
void InferSameShape(InferShapeContext* ctx);

// For ops whose output 0 has the shape of input 0 (data): refines both with
// each other and returns the shape.
PartialShape InferDataShapedOutput(InferShapeContext* ctx);

}  // namespace ops
}  // namespace mx

#endif  // MX_OPS_COMMON_SAME_SHAPE_H_
