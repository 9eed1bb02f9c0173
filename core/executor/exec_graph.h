// The step list an executor runs: the forward graph of a symbol and the
// gradient steps built from each op's gradient declaration (Note [Gradient
// steps] in docs/design_notes.md), over numbered entries (arrays).
#ifndef MX_CORE_EXECUTOR_EXEC_GRAPH_H_
#define MX_CORE_EXECUTOR_EXEC_GRAPH_H_

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/base/dtype.h"
#include "core/base/shape.h"
#include "core/executor/plan_memory.h"
#include "core/op/kernel.h"
#include "core/symbol/symbol.h"

namespace mx {

// How an argument's gradient is stored (MXNet's grad_req).
enum class GradReq { kNull, kWrite, kAdd };

// "null", "write", "add".
const char* GradReqName(GradReq req);
// Parses "null" / "write" / "add"; mx::Error naming `what` otherwise.
GradReq ParseGradReq(const std::string& text, const std::string& what);

enum class EntryKind {
  kInternal,  // planned by the executor
  kArg,       // argument array (bound by the user)
  kAux,       // auxiliary-state array
  kArgGrad,   // gradient array of an argument
  kHeadGrad,  // gradient of an output, given to Backward
};

struct ExecEntry {
  Shape shape;
  DType dtype = DType::kFloat32;
  EntryKind kind = EntryKind::kInternal;
  // Argument, auxiliary-state or output index for external kinds.
  int index = -1;
};

enum class StepKind {
  kForward,   // a node's forward kernel
  kBackward,  // a node's backward kernel
  kSum,       // out (req) = sum of inputs: gradients of a shared entry
  kZero,      // out = 0: the gradient of an entry nothing reads
};

// One step. Forward: inputs are the node's inputs (arguments then auxiliary
// states), outputs all its outputs. Backward: out_grads, inputs and outputs
// hold an entry per slot of the node (-1 where BackwardDeps does not ask for
// it) and in_grads one per argument (-1 where no gradient is needed). Sum:
// inputs are the terms, outputs the result. Zero: outputs the result.
struct ExecStep {
  StepKind kind = StepKind::kForward;
  int node = -1;  // forward node id, for forward and backward steps
  std::vector<int> out_grads, inputs, outputs, in_grads;
  // Per output (forward), per in_grad (backward), or for the result.
  std::vector<OpReq> req;
  // (input slot, output slot) pairs the op allows to share memory: forward
  // (input, output); backward (out_grad, in_grad).
  std::vector<std::pair<int, int>> inplace;
  // Scratch memory the kernel asked for.
  size_t workspace_bytes = 0;

  // Entries read / written, in the planner's order (-1 slots skipped).
  std::vector<int> ReadEntries() const;
  std::vector<int> WrittenEntries() const;
};

struct ExecGraph {
  explicit ExecGraph(const Symbol& symbol) : graph(symbol.outputs()) {}

  IndexedGraph graph;
  // Forward entries first (ids as in `graph`), then gradient entries.
  std::vector<ExecEntry> entries;
  // Forward steps, then (from index num_forward_steps) backward steps.
  std::vector<ExecStep> steps;
  size_t num_forward_steps = 0;
  // Variable node of each argument / auxiliary state, in list order.
  std::vector<int> arg_nodes, aux_nodes;
  // Per output: true when Backward reads a head gradient for it.
  std::vector<bool> head_needs_grad;
  // The kernel of each op node (null for variables), created at build.
  std::vector<std::shared_ptr<OpKernel>> kernels;

  // The planner's view (steps [0, num_steps)); outputs are kept.
  PlanRequest MakePlanRequest(size_t num_steps) const;
};

// Builds the steps of `symbol` on `ctx` for arguments and auxiliary states
// of the given shapes and types (by name) and one gradient request per
// argument (ListArguments order; all kNull builds no backward steps), and
// creates every node's kernel. mx::Error when a shape or type cannot be
// inferred, an op has no gradient or no kernel.
ExecGraph BuildExecGraph(const Symbol& symbol, Context ctx,
                         const std::map<std::string, PartialShape>& shapes,
                         const std::map<std::string, DType>& types,
                         const std::vector<GradReq>& grad_req);

// Naive internal memory of `symbol` (an array per entry of the graph as
// written) vs what binds plan (with ops fused) for inference (forward only,
// no gradients) and training (forward and backward; gradients of every
// argument not named in `input_shapes`).
struct MemoryReport {
  MemoryPlan inference;
  MemoryPlan training;
};
MemoryReport PlanSymbolMemory(const Symbol& symbol,
                              const std::map<std::string, Shape>& input_shapes);

}  // namespace mx

#endif  // MX_CORE_EXECUTOR_EXEC_GRAPH_H_
