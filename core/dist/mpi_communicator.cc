#include "core/dist/mpi_communicator.h"

#include <mpi.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <map>
#include <mutex>
#include <thread>
#include <utility>

#include "core/base/env.h"
#include "core/base/strings.h"

namespace mx {
namespace dist {
namespace {

using Clock = std::chrono::steady_clock;

// MPI counts are ints: larger arrays go in pieces of this many elements.
constexpr int64_t kMaxPiece = int64_t{1} << 30;

// The exit status of a process whose collective timed out.
constexpr int kExitTimeout = 1;

std::string MpiErrorText(int code) {
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(code, text, &length);
  return std::string(text, length);
}

// Every MPI call happens on one thread, the communication thread, which runs
// the submitted tickets in order. Collectives are MPI's blocking ones (its
// non-blocking ones move large arrays at half the speed), each under a
// watchdog.
class MpiCommunicator : public Communicator, private Collectives {
 public:
  MpiCommunicator() : timeout_(EnvInt("MX_DIST_TIMEOUT", 300, 1, 1 << 20)) {
    std::promise<void> started;
    std::future<void> result = started.get_future();
    thread_ = std::thread([this, &started] {
      try {
        Start();
        started.set_value();
      } catch (...) {
        started.set_exception(std::current_exception());
        return;
      }
      Loop();
    });
    try {
      result.get();
    } catch (...) {
      thread_.join();
      throw;
    }
    watchdog_ = std::thread([this] { Watch(); });
  }

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  std::string Describe() const override {
    return StrCat("MPI (", library_, "), ", size_, " processes");
  }

  Ticket Reserve() override {
    std::lock_guard<std::mutex> lock(mutex_);
    return reserved_++;
  }

  void Submit(Ticket ticket, Task task, Done done) override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      MX_INTERNAL_CHECK(
          ticket >= next_ && ticket < reserved_ && !pending_.count(ticket),
          "ticket ", ticket, " submitted twice or not reserved");
      pending_[ticket] = {std::move(task), std::move(done)};
    }
    wake_.notify_all();
  }

  void Finalize() override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (finalizing_) return;
      finalizing_ = true;
    }
    wake_.notify_all();
    thread_.join();
    {
      std::lock_guard<std::mutex> lock(watch_mutex_);
      watch_stop_ = true;
    }
    watch_wake_.notify_all();
    watchdog_.join();
  }

  bool failed() const override { return failed_; }

  Stats stats() const override {
    std::lock_guard<std::mutex> lock(mutex_);
    return stats_;
  }

 private:
  struct Work {
    Task task;
    Done done;
  };

  void Start() {
    // Processes sharing cores (more processes than cores, or unbound) let
    // each other run while they wait.
    ::setenv("OMPI_MCA_mpi_yield_when_idle", "1", /*overwrite=*/0);
    int provided = 0;
    int code =
        MPI_Init_thread(nullptr, nullptr, MPI_THREAD_SERIALIZED, &provided);
    if (code != MPI_SUCCESS) {
      MX_THROW("dist_sync: MPI_Init_thread failed: ", MpiErrorText(code));
    }
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
    char version[MPI_MAX_LIBRARY_VERSION_STRING];
    int length = 0;
    MPI_Get_library_version(version, &length);
    library_ = std::string(version, length);
    library_ = library_.substr(0, library_.find(','));
  }

  // Runs tickets in order until Finalize; then MPI_Finalize unless a
  // collective failed or work was abandoned (peers may be gone or waiting:
  // finalizing would wait for them).
  void Loop() {
    while (true) {
      Work work;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return pending_.count(next_) || finalizing_; });
        if (!pending_.count(next_)) {
          if (next_ == reserved_) break;  // everything ran
          // Finalizing with tickets whose work was never submitted (it
          // failed first): wait for them a bounded time only.
          if (!wake_.wait_for(lock, std::chrono::seconds(timeout_),
                              [&] { return pending_.count(next_) > 0; })) {
            abandoned_ = true;
            break;
          }
        }
        work = std::move(pending_.at(next_));
        pending_.erase(next_);
        ++next_;
      }
      std::exception_ptr error;
      try {
        if (failed_) throw DistError(first_error_);
        work.task(*this);
      } catch (const DistError& e) {
        if (!failed_) first_error_ = e.what();
        failed_ = true;
        error = std::current_exception();
      } catch (...) {
        error = std::current_exception();
      }
      work.done(error);
    }
    if (!failed_ && !abandoned_) MPI_Finalize();
  }

  // Runs the blocking MPI call `call` under the watchdog: a call that
  // has not returned after the timeout ends the process (Note [Distributed
  // training]); an MPI error becomes a DistError.
  template <typename Call>
  void Guarded(const std::string& what, Call call) {
    {
      std::lock_guard<std::mutex> lock(watch_mutex_);
      busy_ = what;
      busy_since_ = Clock::now();
    }
    const int code = call();
    {
      std::lock_guard<std::mutex> lock(watch_mutex_);
      busy_.clear();
    }
    if (code != MPI_SUCCESS) {
      throw DistError(StrCat("dist_sync: rank ", rank_, " of ", size_, ": ",
                             what, " failed: ", MpiErrorText(code)));
    }
  }

  // The watchdog thread: a collective blocked beyond the timeout means a
  // peer died or hangs, or the network failed; a blocked MPI call cannot be
  // cancelled, so the process reports it and exits.
  void Watch() {
    std::unique_lock<std::mutex> lock(watch_mutex_);
    while (!watch_stop_) {
      watch_wake_.wait_for(lock, std::chrono::milliseconds(100));
      if (busy_.empty() ||
          Clock::now() - busy_since_ < std::chrono::seconds(timeout_)) {
        continue;
      }
      std::fprintf(stderr,
                   "mx: error: dist_sync: rank %d of %d: no answer from the "
                   "other processes within %lld s in %s: a process died or "
                   "hangs, or the network failed (MX_DIST_TIMEOUT sets the "
                   "limit in seconds); exiting\n",
                   rank_, size_, static_cast<long long>(timeout_),
                   busy_.c_str());
      std::fflush(stderr);
      std::_Exit(kExitTimeout);
    }
  }

  void AllReduceSum(void* data, int64_t count, DType dtype) override {
    MX_INTERNAL_CHECK(dtype == DType::kFloat32 || dtype == DType::kFloat64,
                      "all-reduce of ", DTypeName(dtype));
    const MPI_Datatype type = dtype == DType::kFloat32 ? MPI_FLOAT : MPI_DOUBLE;
    const int64_t item = DTypeSize(dtype);
    const auto start = Clock::now();
    char* bytes = static_cast<char*>(data);
    for (int64_t at = 0; at < count; at += kMaxPiece) {
      const int n = static_cast<int>(std::min(kMaxPiece, count - at));
      Guarded(StrCat("an all-reduce of ", n * item, " bytes"), [&] {
        return MPI_Allreduce(MPI_IN_PLACE, bytes + at * item, n, type, MPI_SUM,
                             MPI_COMM_WORLD);
      });
    }
    const double seconds =
        std::chrono::duration<double>(Clock::now() - start).count();
    std::lock_guard<std::mutex> lock(mutex_);
    ++stats_.calls;
    stats_.bytes += count * item;
    stats_.seconds += seconds;
  }

  void AllReduceMax(int64_t* data, int64_t count) override {
    MX_INTERNAL_CHECK(count <= kMaxPiece, "all-reduce of ", count, " flags");
    Guarded(StrCat("an all-reduce of ", count, " flags"), [&] {
      return MPI_Allreduce(MPI_IN_PLACE, data, static_cast<int>(count),
                           MPI_INT64_T, MPI_MAX, MPI_COMM_WORLD);
    });
  }

  void Broadcast(void* data, int64_t bytes, int root) override {
    char* p = static_cast<char*>(data);
    for (int64_t at = 0; at < bytes; at += kMaxPiece) {
      const int n = static_cast<int>(std::min(kMaxPiece, bytes - at));
      Guarded(StrCat("a broadcast of ", n, " bytes from rank ", root), [&] {
        return MPI_Bcast(p + at, n, MPI_BYTE, root, MPI_COMM_WORLD);
      });
    }
  }

  const int64_t timeout_;
  std::thread watchdog_;
  std::mutex watch_mutex_;
  std::condition_variable watch_wake_;
  bool watch_stop_ = false;       // guarded by watch_mutex_
  std::string busy_;              // the running collective, or ""
  Clock::time_point busy_since_;  // when it started
  int rank_ = 0, size_ = 1;
  std::string library_;
  std::thread thread_;
  mutable std::mutex mutex_;
  Stats stats_;  // guarded by mutex_
  std::condition_variable wake_;
  std::map<Ticket, Work> pending_;
  Ticket next_ = 0, reserved_ = 0;
  bool finalizing_ = false;
  bool abandoned_ = false;  // on the communication thread
  // Written and read on the communication thread (failed() reads it after
  // a task's completion was seen).
  std::atomic<bool> failed_{false};
  std::string first_error_;
};

}  // namespace

bool LaunchedByMpi() {
  const std::string forced = EnvString("MX_DIST", "");
  if (forced == "mpi") return true;
  if (forced == "none") return false;
  MX_CHECK(forced.empty(), "MX_DIST must be 'mpi' or 'none', got '", forced,
           "'");
  for (const char* name :
       {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE"}) {
    if (std::getenv(name) != nullptr) return true;
  }
  return false;
}

Communicator* NewMpiCommunicator() { return new MpiCommunicator(); }

}  // namespace dist
}  // namespace mx
