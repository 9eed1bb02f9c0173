// Communicator: collective communication between the processes of a
// distributed run (kvstore dist_sync), over MPI (Note [Distributed
// training]). One per process: World().
//
// Collectives must be issued in the same order on every process. Callers
// reserve a ticket in program order (the same on every rank, since every rank
// runs the same program) and submit the work for it whenever its data is
// ready; one communication thread runs the tickets strictly in order, so
// collectives match across ranks whatever order their data becomes ready in.
// Every wait for other processes is bounded: an MPI error (a peer's
// connection lost) becomes a DistError, and a collective still blocked after
// MX_DIST_TIMEOUT seconds (default 300) ends the process with a message
// naming it, never a hang.
#ifndef MX_CORE_DIST_COMMUNICATOR_H_
#define MX_CORE_DIST_COMMUNICATOR_H_

#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <string>

#include "core/base/dtype.h"
#include "core/base/error.h"

namespace mx {
namespace dist {

// A collective failed: another process died or the network failed. The
// communicator is unusable afterwards.
class DistError : public Error {
 public:
  explicit DistError(const std::string& message) : Error(message) {}
};

// What a submitted task may do on the communication thread.
class Collectives {
 public:
  virtual ~Collectives() = default;
  // Sums `count` elements of `data` over every process, in place (float32 or
  // float64).
  virtual void AllReduceSum(void* data, int64_t count, DType dtype) = 0;
  // Elementwise maximum of `count` int64 values over every process, in place.
  virtual void AllReduceMax(int64_t* data, int64_t count) = 0;
  // Copies `bytes` bytes of `data` from process `root` to every process.
  virtual void Broadcast(void* data, int64_t bytes, int root) = 0;
};

// True when an MPI launcher (mpirun, srun with PMI/PMIx) started this process,
// or MX_DIST=mpi asks for MPI anyway: World() then spans the job.
bool LaunchedByMpi();

class Communicator {
 public:
  using Ticket = int64_t;
  using Task = std::function<void(Collectives&)>;
  // Called on the communication thread when a task finished; `error` is set
  // (a DistError) when it failed.
  using Done = std::function<void(std::exception_ptr error)>;

  // This process's world: every process of the MPI job when launched by
  // mpirun / srun (MPI is initialized on the first call), else a world of this
  // process alone (no MPI). mx::Error when MPI cannot start.
  static Communicator& World();
  virtual ~Communicator() = default;

  virtual int rank() const = 0;
  virtual int size() const = 0;
  // "MPI (Open MPI 4.1.4), 2 processes" or "a single process".
  virtual std::string Describe() const = 0;

  // The next ticket, in program order (call from one thread).
  virtual Ticket Reserve() = 0;
  // Runs `task` as ticket `ticket` once every earlier ticket has run, then
  // `done` (both on the communication thread). A ticket is submitted once.
  virtual void Submit(Ticket ticket, Task task, Done done) = 0;
  // Reserve + Submit + wait: runs `task` in order and returns when it is done
  // (rethrows its DistError).
  void Run(Task task);

  // Convenience over Run.
  void AllReduceSum(void* data, int64_t count, DType dtype);
  int64_t AllReduceMax(int64_t value);
  void Broadcast(void* data, int64_t bytes, int root);

  // What the all-reduces of float arrays cost so far (AllReduceSum): calls,
  // bytes and seconds from their start to their end, waiting for slower
  // processes included.
  struct Stats {
    int64_t calls = 0;
    int64_t bytes = 0;
    double seconds = 0;
  };
  virtual Stats stats() const = 0;

  // Shuts down (MPI_Finalize) after the last task, unless a collective
  // failed; then the process should exit without waiting for its peers.
  virtual void Finalize() = 0;
  // True once a collective failed or timed out.
  virtual bool failed() const = 0;
};

}  // namespace dist
}  // namespace mx

#endif  // MX_CORE_DIST_COMMUNICATOR_H_
