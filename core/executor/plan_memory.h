// Memory planning (Note [Memory planning] in docs/design_notes.md): given
// the steps an executor runs, in order, and the size of every array they
// read and write, assign each internal array a block so that arrays whose
// lifetimes do not overlap share memory, and outputs take over an input's
// memory in place where the op allows it.
#ifndef MX_CORE_EXECUTOR_PLAN_MEMORY_H_
#define MX_CORE_EXECUTOR_PLAN_MEMORY_H_

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace mx {

// One step: the entries (array ids) it reads and writes, the (input
// position, output position) pairs that may share memory, and scratch bytes.
struct PlanStep {
  std::vector<int> inputs;
  std::vector<int> outputs;
  std::vector<std::pair<int, int>> inplace;
  size_t workspace_bytes = 0;
};

struct PlanRequest {
  // Bytes of each entry.
  std::vector<size_t> entry_bytes;
  // Entries with memory of their own (arguments, gradients, auxiliary
  // states): never planned, never reused.
  std::vector<bool> external;
  // Entries that must stay valid after the last step (the outputs).
  std::vector<bool> keep;
  std::vector<PlanStep> steps;
  // Reuse a free block only within [bytes / match_range, bytes *
  // match_range] (MXNet's MXNET_EXEC_MATCH_RANGE); 0 disables sharing.
  size_t match_range = 16;
  bool allow_inplace = true;
};

struct MemoryPlan {
  // Block of each entry; -1 for external entries.
  std::vector<int> entry_block;
  // Block of each step's workspace; -1 when it needs none.
  std::vector<int> workspace_block;
  // Bytes of each block (the largest of its users).
  std::vector<size_t> block_bytes;
  // Per step, per output position: true when the output took an input's
  // memory in place.
  std::vector<std::vector<bool>> inplace;
  // Internal bytes with one buffer per entry and workspace, and planned.
  size_t naive_bytes = 0;
  size_t planned_bytes = 0;
  int inplace_count = 0;
};

// Plans `request`. Entries that are never read and not kept are still given
// memory (their step writes them) and released right after their step.
MemoryPlan PlanMemory(const PlanRequest& request);

// "naive 12.300 MiB -> planned 2.100 MiB (5.86x), 7 in place".
std::string DescribePlan(const MemoryPlan& plan);

}  // namespace mx

#endif  // MX_CORE_EXECUTOR_PLAN_MEMORY_H_
