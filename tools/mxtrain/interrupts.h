// SIGINT and SIGTERM during training (Note [Interrupts]): the first asks the
// run to stop at the next batch and save a checkpoint; copies of it that
// arrive together (timeout, Slurm and process groups deliver a signal more
// than once) change nothing; a checkpoint being written is always finished;
// only a second Ctrl-C well after the first stops at once, without a
// checkpoint (exit kExitAborted).
#ifndef MX_TOOLS_MXTRAIN_INTERRUPTS_H_
#define MX_TOOLS_MXTRAIN_INTERRUPTS_H_

#include <atomic>
#include <cstdint>

namespace mx {

// What a SIGINT or SIGTERM does.
enum class InterruptAction {
  kStop,    // the first: stop at the next batch and save a checkpoint
  kIgnore,  // a copy of the first (within a second), or a later SIGTERM
  kWait,    // a later Ctrl-C while a checkpoint is written: finish it first
  kExit,    // a later Ctrl-C: stop at once, without a checkpoint
};

// The decision for signal `sig` at `now_ns` (CLOCK_MONOTONIC), the first
// having come at `first_ns` (0: this is the first); `saving` while a
// checkpoint is being written. Async-signal-safe.
InterruptAction DecideInterrupt(int sig, int64_t first_ns, int64_t now_ns,
                                bool saving);

// Installs the handlers (once, before training starts).
void InstallInterruptHandlers();

// Set once a stop was asked for.
const std::atomic<bool>& StopRequested();

// While one is alive a checkpoint is being written: no signal ends the
// process before it is saved.
class SavingCheckpoint {
 public:
  SavingCheckpoint();
  ~SavingCheckpoint();
  SavingCheckpoint(const SavingCheckpoint&) = delete;
  SavingCheckpoint& operator=(const SavingCheckpoint&) = delete;
};

}  // namespace mx

#endif  // MX_TOOLS_MXTRAIN_INTERRUPTS_H_
