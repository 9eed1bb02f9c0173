// Internal to core/engine: the state behind a VarHandle, shared by both
// engines.
#ifndef MX_CORE_ENGINE_ENGINE_VAR_H_
#define MX_CORE_ENGINE_ENGINE_VAR_H_

#include <exception>
#include <mutex>

namespace mx {

struct OprBlock;

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
};

// Returns `error` re-wrapped as mx::Error / mx::InternalError whose message
// names the function: "operator 'name' failed: <original message>".
std::exception_ptr WrapOpError(std::exception_ptr error, const char* name);

}  // namespace mx

#endif  // MX_CORE_ENGINE_ENGINE_VAR_H_
