// The executor's fusion pass: node pairs that ops declare fusable
// (OpDef::FusesWith) run as one node (Note [Op fusion] in
// docs/design_notes.md).
#ifndef MX_CORE_EXECUTOR_FUSE_OPS_H_
#define MX_CORE_EXECUTOR_FUSE_OPS_H_

#include <map>
#include <string>
#include <vector>

#include "core/base/context.h"
#include "core/executor/exec_graph.h"
#include "core/symbol/symbol.h"

namespace mx {

// Whether binds fuse ops: environment variable MX_FUSION, 1 (the default)
// or 0. mx::Error naming the variable for another value.
bool FusionEnabled();

// `symbol` with every fusion its ops declare applied where the fused op has
// a kernel on `device`: each pair becomes one node named "<first>+<next>"
// (the pair's names), with the same arguments, auxiliary states and outputs
// in the same order. A node is fused at most once. `count` (when not null)
// gets the number of pairs fused.
Symbol FuseOps(const Symbol& symbol, DeviceType device, int* count = nullptr);

// BuildExecGraph of `symbol` with its ops fused when FusionEnabled(). Its
// errors are the unfused symbol's, which name the user's nodes. `count`
// (when not null) gets the number of pairs fused.
ExecGraph BuildFusedExecGraph(const Symbol& symbol, Context ctx,
                              const std::map<std::string, PartialShape>& shapes,
                              const std::map<std::string, DType>& types,
                              const std::vector<GradReq>& grad_req,
                              int* count = nullptr);

}  // namespace mx

#endif  // MX_CORE_EXECUTOR_FUSE_OPS_H_
