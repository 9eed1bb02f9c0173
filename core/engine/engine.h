// Engine: runs pushed functions asynchronously in dependency order (see
// docs/design_notes.md, Note [Engine dependencies] and Note [Engine errors]).
//
// Every function names the variables it reads and the ones it writes. Functions
// reading the same version of a variable run concurrently; a write waits for
// every earlier read and write of that variable, in push order. Independent
// work runs in parallel on per-device worker pools.
#ifndef MX_CORE_ENGINE_ENGINE_H_
#define MX_CORE_ENGINE_ENGINE_H_

#include <cstddef>
#include <exception>
#include <functional>
#include <initializer_list>
#include <memory>
#include <string_view>
#include <vector>

#include "core/base/context.h"

namespace mx {

// An engine variable: a token for a resource (usually an array's memory).
// Opaque.
class EngineVar;
using VarHandle = EngineVar*;

// What a running function gets: its device, and the device stream where there
// is one.
struct RunContext {
  Context ctx;
  void* stream = nullptr;  // cudaStream_t of the worker (GPU pools only)
};

// How a function uses its device; selects the worker queue (GPU copies have
// their own queues).
enum class FnProperty {
  kNormal,       // compute on ctx
  kCopyFromGPU,  // device-to-host copy, runs on ctx's copy queue
  kCopyToGPU,    // host-to-device copy, runs on ctx's copy queue
  // A host function of a microsecond or so (an elementwise op on a small
  // array): when its variables are free at push time the pushing thread runs
  // it at once, since handing it to a worker costs more than the work
  // (Note [Light functions]).
  kLight,
};

class Engine;

// Given to an asynchronous function; call exactly once when its work is done
// (from any thread), with the exception it failed with, if any.
class CallbackOnComplete {
 public:
  void operator()(std::exception_ptr error = nullptr) const;

 private:
  friend class Engine;
  CallbackOnComplete(Engine* engine, void* op) : engine_(engine), op_(op) {}
  Engine* engine_;
  void* op_;
};

// A synchronous function: done when it returns (or throws).
using SyncFn = std::function<void(RunContext)>;
// An asynchronous function: done when it calls the callback.
using AsyncFn = std::function<void(RunContext, CallbackOnComplete)>;

// A read-only list of variables, built from a braced list or a vector (valid
// for the call only).
class VarList {
 public:
  VarList() = default;
// The braced list lives until the end of the full expression, which is the call
// that takes it.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Winit-list-lifetime"
  VarList(std::initializer_list<VarHandle> vars)
      : data_(vars.begin()), size_(vars.size()) {}
#pragma GCC diagnostic pop
  VarList(const std::vector<VarHandle>& vars)  // NOLINT: implicit on purpose
      : data_(vars.data()), size_(vars.size()) {}
  const VarHandle* begin() const { return data_; }
  const VarHandle* end() const { return data_ + size_; }
  size_t size() const { return size_; }

 private:
  const VarHandle* data_ = nullptr;
  size_t size_ = 0;
};

enum class EngineType {
  kThreaded,  // asynchronous worker pools (default)
  kNaive,  // runs each function in Push, in the caller's thread; for debugging
};

struct EngineOptions {
  // CPU worker threads; 0 means MX_CPU_WORKER_NTHREADS or the default (1).
  int cpu_workers = 0;
  // Worker threads per GPU compute queue; 0 means MX_GPU_WORKER_NTHREADS or the
  // default (2).
  int gpu_workers = 0;
};

class Engine {
 public:
  virtual ~Engine() = default;

  // The process-wide engine: threaded unless MX_ENGINE_TYPE=naive. Never
  // destroyed.
  static Engine* Get();
  // A new engine of the given type (tests and tools that want their own).
  static std::unique_ptr<Engine> Create(EngineType type,
                                        const EngineOptions& options = {});
  // The type named by MX_ENGINE_TYPE ("threaded" or "naive"); mx::Error for
  // other values.
  static EngineType TypeFromEnv();

  // A new variable with no pending operations.
  virtual VarHandle NewVar() = 0;

  // Schedules `fn` to run on `ctx` after every earlier function writing any of
  // `reads`, and after every earlier function reading or writing any of
  // `writes`. Higher `priority` runs first among ready functions. `name` labels
  // errors. A variable listed twice, or in both lists, counts once, as a write.
  void PushSync(SyncFn fn, Context ctx, VarList reads, VarList writes,
                int priority = 0, std::string_view name = {},
                FnProperty prop = FnProperty::kNormal);
  // Like PushSync, for a function that finishes by calling its callback.
  void PushAsync(AsyncFn fn, Context ctx, VarList reads, VarList writes,
                 int priority = 0, std::string_view name = {},
                 FnProperty prop = FnProperty::kNormal);

  // Deletes `var` once every function pushed on it so far has finished;
  // `on_delete` (may be empty) runs just before, on `ctx` (used to free the
  // memory the variable guards). `var` must not be used by the caller
  // afterwards.
  virtual void DeleteVar(VarHandle var, SyncFn on_delete = nullptr,
                         Context ctx = Context::CPU()) = 0;

  // Blocks until every function pushed so far that writes `var` has finished
  // (reads may still run). With `for_write`, also waits for every pushed read.
  // Re-throws (once) the error the variable carries.
  virtual void WaitForVar(VarHandle var, bool for_write = false) = 0;

  // Blocks until every pushed function has finished; re-throws the first error
  // raised since the previous WaitForAll (errors are kept on their variables
  // too).
  virtual void WaitForAll() = 0;

  // Number of CPU worker threads (1 for the naive engine).
  virtual int NumCpuWorkers() const = 0;

 protected:
  struct PushArgs {
    SyncFn sync_fn;
    AsyncFn async_fn;
    Context ctx;
    VarList reads;
    VarList writes;
    int priority;
    std::string_view name;
    FnProperty prop;
  };
  // Implemented by each engine: schedule one function (exactly one of
  // sync_fn/async_fn is set).
  virtual void Push(PushArgs&& args) = 0;
  // Completes an asynchronous function (called through CallbackOnComplete).
  virtual void OnAsyncComplete(void* op, std::exception_ptr error) = 0;
  // Builds the callback an engine passes to an asynchronous function.
  CallbackOnComplete MakeCallback(void* op) {
    return CallbackOnComplete(this, op);
  }
  friend class CallbackOnComplete;
};

}  // namespace mx

#endif  // MX_CORE_ENGINE_ENGINE_H_
