// Internal to core/engine: the state behind a VarHandle, shared by both
// engines.
#ifndef MX_CORE_ENGINE_ENGINE_VAR_H_
#define MX_CORE_ENGINE_ENGINE_VAR_H_

#include <atomic>
#include <exception>
#include <memory>
#include <mutex>
#include <vector>

#include "core/gpu/gpu.h"

namespace mx {

struct OprBlock;
class EngineVar;

// One use of a variable by a pushed function; waiting uses form a FIFO list per
// variable.
struct DepSlot {
  EngineVar* var = nullptr;
  OprBlock* op = nullptr;
  bool write = false;
  DepSlot* next = nullptr;
};

// Note [Engine dependencies]: a variable's uses are granted in push order.
// Reads of one version run together (running_reads); a write runs alone
// (write_running). A use that cannot start yet waits in the FIFO list
// head..tail; when the running uses finish, the next write, or the run of reads
// up to the next write, starts. Invariant: head != nullptr implies
// write_running or running_reads > 0 or (head is a write and reads are still
// running).
class EngineVar {
 public:
  std::mutex mu;  // guards every field below
  DepSlot* head = nullptr;
  DepSlot* tail = nullptr;
  int running_reads = 0;
  bool write_running = false;
  // Note [Engine errors]: set when a function writing this variable failed (or
  // was skipped because an input had failed); cleared when a WaitForVar
  // re-throws it.
  std::exception_ptr error;
  // Note [GPU streams and events]: completion of the GPU work queued on this
  // variable that the engine already counts as done: the last write, and the
  // reads since (at most one per stream; a later event on a stream covers the
  // earlier ones).
  gpu::EventPtr gpu_write;
  std::vector<gpu::EventPtr> gpu_reads;
  // True once any GPU event was recorded on the variable (read without mu, so
  // host-only work skips the GPU bookkeeping).
  std::atomic<bool> touched_by_gpu{false};
};

// Note [GPU streams and events] helpers, for both engines.
//
// Makes `stream` wait, on the device, for the GPU work a use of `var` depends
// on (the last write; for a write, also the reads since) queued on other
// streams.
void WaitGpuDeps(EngineVar* var, bool write, gpu::Stream stream);
// Records that a function using `var` queued its work on `stream` up to
// `done`.
void RecordGpuUse(EngineVar* var, bool write, const gpu::EventPtr& done);
// Forgets the GPU uses of `var` after a host function wrote it (it waited
// for them before running), so later host work skips the GPU bookkeeping.
void ClearGpuUses(EngineVar* var);
// The events a host-side wait on `var` must wait for (the write; with
// `for_write`, the reads too); empty for variables no GPU work touched.
std::vector<gpu::EventPtr> PendingGpuEvents(EngineVar* var, bool for_write);
// Blocks until every event has fired; mx::Error when the GPU work failed.
void SyncGpuEvents(const std::vector<gpu::EventPtr>& events);

// Returns `error` re-wrapped as mx::Error / mx::InternalError whose message
// names the function: "operator 'name' failed: <original message>".
std::exception_ptr WrapOpError(std::exception_ptr error, const char* name);

}  // namespace mx

#endif  // MX_CORE_ENGINE_ENGINE_VAR_H_
