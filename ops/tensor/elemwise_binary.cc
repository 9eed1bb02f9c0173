// Elementwise arithmetic between two arrays of the same shape: MXNet 1.x's
// elemwise_add / _sub / _mul / _div with their older names (_Plus, ...).
#include "core/op/op.h"
#include "ops/common/same_shape.h"

namespace mx {
namespace ops {
namespace {

// Registers one binary op with the names MXNet resolves to it.
OpDef& DeclareBinary(const char* name, std::vector<const char*> aliases,
                     const char* doc, BackwardDeps deps) {
  OpDef& op = OpRegistry::Global().Register(name);
  for (const char* alias : aliases) op.Alias(alias);
  return op.Describe(doc)
      .Inputs({"lhs", "rhs"})
      .InferShape(InferSameShape)
      .Backward([deps](const NodeAttrs&) { return deps; })
      .InplaceForward({{0, 0}});
}

[[maybe_unused]] const bool kRegistered = [] {
  DeclareBinary("elemwise_add", {"_Plus", "_plus", "_add"},
                "out = lhs + rhs; gradients (g, g).", {{0}, {}, {}})
      .InplaceBackward({{0, 0}});
  DeclareBinary("elemwise_sub", {"_Minus", "_minus", "_sub"},
                "out = lhs - rhs; gradients (g, -g).", {{0}, {}, {}})
      .InplaceBackward({{0, 0}});
  DeclareBinary("elemwise_mul", {"_Mul", "_mul"},
                "out = lhs * rhs; gradients (rhs g, lhs g).",
                {{0}, {0, 1}, {}});
  DeclareBinary("elemwise_div", {"_Div", "_div"},
                "out = lhs / rhs; gradients (g / rhs, -lhs g / rhs^2).",
                {{0}, {0, 1}, {}});
  return true;
}();

}  // namespace
}  // namespace ops
}  // namespace mx
