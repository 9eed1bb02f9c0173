// The operator reference (docs/ops.md), generated from the registry.
#ifndef MX_OPS_OP_DOC_H_
#define MX_OPS_OP_DOC_H_

#include <string>

namespace mx {
namespace ops {

// Markdown describing every registered op: names, aliases, inputs,
// auxiliary states, outputs and parameters with types, defaults, bounds and
// docs.
std::string OpsMarkdown();

}  // namespace ops
}  // namespace mx

#endif  // MX_OPS_OP_DOC_H_
