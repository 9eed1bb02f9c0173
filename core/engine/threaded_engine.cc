// The default engine: dependency tracking per variable (Note [Engine
// dependencies]) and worker pools per device queue.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <map>
#include <mutex>
#include <queue>
#include <string>
#include <thread>
#include <unordered_set>
#include <utility>
#include <vector>

#include "core/base/env.h"
#include "core/base/error.h"
#include "core/engine/engine.h"
#include "core/engine/engine_var.h"
#include "core/engine/parallel.h"
#include "core/gpu/gpu.h"

namespace mx {

namespace {

enum class OprKind {
  kUser,    // a pushed function
  kWait,    // WaitForVar's marker: signals the waiting thread
  kDelete,  // DeleteVar's marker: runs on_delete, then deletes the variable
};

struct WaitSignal {
  std::mutex mu;
  std::condition_variable cv;
  std::atomic<bool> done{false};
};

// Note [Engine spinning]: waking a sleeping thread costs tens of microseconds
// on our VMs (futex syscalls, idle vCPUs). Idle workers and waiting callers
// therefore poll for a short while before they block: MX_ENGINE_SPIN_US
// (0 disables); by default 50 when a core is left over by the workers'
// intra-op threads, else 0 (a spinning caller would take a core from them).
std::atomic<int64_t> spin_micros{0};

int64_t SpinMicros() { return spin_micros.load(std::memory_order_relaxed); }

void ChooseSpin(int cpu_workers) {
  const bool spare_core =
      cpu_workers * IntraOpThreadsFor(cpu_workers) < NumCores();
  spin_micros = EnvInt("MX_ENGINE_SPIN_US", spare_core ? 50 : 0, 0, 1000000);
}

// Polls `ready` for up to SpinMicros(); returns whether it became true.
template <typename Ready>
bool SpinUntil(Ready ready) {
  const int64_t limit = SpinMicros();
  if (limit == 0) return ready();
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::microseconds(limit);
  for (int i = 0;; ++i) {
    if (ready()) return true;
    if ((i & 63) == 63 && std::chrono::steady_clock::now() > deadline) {
      return false;
    }
#if defined(__x86_64__)
    __builtin_ia32_pause();
#endif
  }
}

}  // namespace

// A pushed function and its dependency state. Pooled: blocks (and their slot
// vectors' capacity) are reused, so a steady stream of pushes allocates nothing
// here.
struct OprBlock {
  SyncFn sync_fn;
  AsyncFn async_fn;
  SyncFn on_delete;
  Context ctx;
  int priority = 0;
  FnProperty prop = FnProperty::kNormal;
  OprKind kind = OprKind::kUser;
  uint64_t seq = 0;
  std::string name;
  // Reads and writes, each variable once; never resized while the block is
  // queued on a variable.
  std::vector<DepSlot> slots;
  // Uses not yet granted, plus one held by Schedule until every use is
  // appended.
  std::atomic<int> wait{0};
  WaitSignal* signal = nullptr;
  void* stream = nullptr;
};

namespace {

// Worker threads serving one device queue, highest priority first, FIFO among
// equals.
class WorkerPool {
 public:
  using ExecuteFn = std::function<void(OprBlock*, void* stream)>;

  // `gpu_device` >= 0: each thread runs its functions on its own CUDA stream
  // of that device (Note [GPU streams and events]).
  WorkerPool(int nthreads, ExecuteFn execute, int gpu_device = -1)
      : execute_(std::move(execute)), gpu_device_(gpu_device) {
    threads_.reserve(nthreads);
    for (int i = 0; i < nthreads; ++i) threads_.emplace_back([this] { Run(); });
  }

  ~WorkerPool() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    for (auto& t : threads_) t.join();
  }

  void Push(OprBlock* op) {
    bool wake;
    {
      std::lock_guard<std::mutex> lock(mu_);
      queue_.push(Entry{op->priority, op->seq, op});
      queued_.fetch_add(1, std::memory_order_release);
      wake = idle_ > 0;
    }
    if (wake) cv_.notify_one();
  }

 private:
  struct Entry {
    int priority;
    uint64_t seq;
    OprBlock* op;
    // Max-heap order: high priority first, then low seq (push order).
    bool operator<(const Entry& o) const {
      return priority != o.priority ? priority < o.priority : seq > o.seq;
    }
  };

  void Run() {
    gpu::Stream stream = nullptr;
    if (gpu_device_ >= 0) {
      try {
        stream = gpu::NewStream(gpu_device_);
      } catch (const Error&) {
        // Functions run without a stream then fail with a clear error.
      }
    }
    Serve(stream);
    if (stream != nullptr) {
      try {
        gpu::SyncStream(stream);
        gpu::DeleteStream(stream);
      } catch (const Error&) {  // the device failed; errors were reported
      }
    }
  }

  void Serve(gpu::Stream stream) {
    for (;;) {
      OprBlock* op;
      SpinUntil([this] {
        return queued_.load(std::memory_order_acquire) > 0 ||
               stopping_.load(std::memory_order_relaxed);
      });
      {
        std::unique_lock<std::mutex> lock(mu_);
        while (queue_.empty() && !stopping_) {
          ++idle_;
          cv_.wait(lock);
          --idle_;
        }
        if (queue_.empty()) return;
        op = queue_.top().op;
        queue_.pop();
        queued_.fetch_sub(1, std::memory_order_relaxed);
      }
      execute_(op, stream);
    }
  }

  ExecuteFn execute_;
  const int gpu_device_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::priority_queue<Entry> queue_;
  int idle_ = 0;  // threads blocked on cv_ (spinning ones need no wake-up)
  // queue_.size(), readable without mu_ while spinning.
  std::atomic<int> queued_{0};
  std::atomic<bool> stopping_{false};
  std::vector<std::thread> threads_;
};

class ThreadedEngine final : public Engine {
 public:
  explicit ThreadedEngine(const EngineOptions& options)
      : cpu_workers_(options.cpu_workers > 0
                         ? options.cpu_workers
                         : static_cast<int>(
                               EnvInt("MX_CPU_WORKER_NTHREADS", 1, 1, 1024))),
        gpu_workers_(options.gpu_workers > 0
                         ? options.gpu_workers
                         : static_cast<int>(
                               EnvInt("MX_GPU_WORKER_NTHREADS", 2, 1, 1024))) {
    ChooseSpin(cpu_workers_);
    cpu_pool_ = std::make_unique<WorkerPool>(cpu_workers_, MakeExecute());
  }

  ~ThreadedEngine() override {
    try {
      WaitForAll();
    } catch (...) {  // errors nobody waited for die with the engine
    }
    cpu_pool_.reset();
    gpu_pools_.clear();
    for (OprBlock* op : free_oprs_) delete op;
    for (EngineVar* v : vars_) delete v;
  }

  VarHandle NewVar() override {
    auto* v = new EngineVar();
    std::lock_guard<std::mutex> lock(vars_mu_);
    vars_.insert(v);
    return v;
  }

  void DeleteVar(VarHandle var, SyncFn on_delete, Context ctx) override {
    MX_CHECK(var != nullptr, "Engine::DeleteVar: null variable");
    OprBlock* op = NewOpr();
    op->kind = OprKind::kDelete;
    op->on_delete = std::move(on_delete);
    op->ctx = ctx;
    op->name = "DeleteVar";
    op->slots.push_back(DepSlot{var, op, true, nullptr});
    Schedule(op);
  }

  void WaitForVar(VarHandle var, bool for_write) override {
    MX_CHECK(var != nullptr, "Engine::WaitForVar: null variable");
    bool idle;
    {
      std::lock_guard<std::mutex> lock(var->mu);
      idle = !var->write_running && var->head == nullptr &&
             (!for_write || var->running_reads == 0);
    }
    if (!idle) {
      WaitSignal signal;
      OprBlock* op = NewOpr();
      op->kind = OprKind::kWait;
      op->signal = &signal;
      op->name = "WaitForVar";
      op->slots.push_back(DepSlot{var, op, for_write, nullptr});
      Schedule(op);
      if (!SpinUntil(
              [&] { return signal.done.load(std::memory_order_acquire); })) {
        std::unique_lock<std::mutex> lock(signal.mu);
        signal.cv.wait(lock, [&] { return signal.done.load(); });
      }
      // The signaller still holds signal.mu while notifying: take it once
      // before `signal` dies.
      std::lock_guard<std::mutex> lock(signal.mu);
    }
    std::exception_ptr error;
    {
      std::lock_guard<std::mutex> lock(var->mu);
      if (var->error) {
        error.swap(var->error);
        poisoned_vars_.fetch_sub(1, std::memory_order_relaxed);
      }
    }
    if (error) std::rethrow_exception(error);
    SyncGpuEvents(PendingGpuEvents(var, for_write));
  }

  void WaitForAll() override {
    SpinUntil([&] { return pending_.load() == 0; });
    {
      std::unique_lock<std::mutex> lock(finish_mu_);
      finish_cv_.wait(lock, [&] { return pending_.load() == 0; });
    }
    std::exception_ptr first = SyncGpus();
    {
      std::lock_guard<std::mutex> lock(errors_mu_);
      if (!errors_.empty()) first = errors_.front();
      errors_.clear();
    }
    if (first) std::rethrow_exception(first);
  }

  int NumCpuWorkers() const override { return cpu_workers_; }

 protected:
  void Push(PushArgs&& args) override {
    if (!args.ctx.IsHost()) gpu::CheckDevice(args.ctx);
    OprBlock* op = NewOpr();
    op->kind = OprKind::kUser;
    op->sync_fn = std::move(args.sync_fn);
    op->async_fn = std::move(args.async_fn);
    op->ctx = args.ctx;
    op->priority = args.priority;
    op->prop = args.prop;
    op->name.assign(args.name.data(), args.name.size());
    for (VarHandle w : args.writes) AddSlot(op, w, true);
    for (VarHandle r : args.reads) AddSlot(op, r, false);
    Schedule(op);
  }

  void OnAsyncComplete(void* op, std::exception_ptr error) override {
    auto* block = static_cast<OprBlock*>(op);
    if (!error && block->stream != nullptr) {
      try {
        FinishGpuWork(block, block->stream);
      } catch (...) {
        error = std::current_exception();
      }
    }
    block->stream = nullptr;
    if (error) error = WrapOpError(error, block->name.c_str());
    Complete(block, error, error != nullptr);
  }

 private:
  using ExecuteFn = WorkerPool::ExecuteFn;

  // Adds a use of `var` unless already present (a write supersedes a read;
  // writes come first).
  static void AddSlot(OprBlock* op, VarHandle var, bool write) {
    for (const DepSlot& s : op->slots) {
      if (s.var == var) return;
    }
    op->slots.push_back(DepSlot{var, op, write, nullptr});
  }

  OprBlock* NewOpr() {
    {
      std::lock_guard<std::mutex> lock(free_mu_);
      if (!free_oprs_.empty()) {
        OprBlock* op = free_oprs_.back();
        free_oprs_.pop_back();
        return op;
      }
    }
    return new OprBlock();
  }

  void FreeOpr(OprBlock* op) {
    op->slots.clear();
    op->signal = nullptr;
    op->stream = nullptr;
    // Markers (waits, deletions) do not set it: no recycled kLight.
    op->prop = FnProperty::kNormal;
    std::lock_guard<std::mutex> lock(free_mu_);
    free_oprs_.push_back(op);
  }

  // Appends every use of `op` to its variables' queues; dispatches `op` once
  // all are granted.
  void Schedule(OprBlock* op) {
    op->seq = seq_.fetch_add(1, std::memory_order_relaxed);
    pending_.fetch_add(1);
    const int n = static_cast<int>(op->slots.size());
    op->wait.store(n + 1, std::memory_order_relaxed);
    int granted = 0;
    for (DepSlot& slot : op->slots) granted += Append(&slot) ? 1 : 0;
    if (op->wait.fetch_sub(granted + 1, std::memory_order_acq_rel) ==
        granted + 1) {
      // Ready at push: a light host function runs here (only here: running
      // it inline where a completion grants it would recurse down chains).
      if (op->prop == FnProperty::kLight && op->ctx.IsHost()) {
        Execute(op, nullptr);
        return;
      }
      Dispatch(op);
    }
  }

  // Grants the use at once when the variable allows it, else queues it; returns
  // true if granted.
  static bool Append(DepSlot* slot) {
    EngineVar* v = slot->var;
    std::lock_guard<std::mutex> lock(v->mu);
    if (v->head == nullptr && !v->write_running) {
      if (!slot->write) {
        ++v->running_reads;
        return true;
      }
      if (v->running_reads == 0) {
        v->write_running = true;
        return true;
      }
    }
    slot->next = nullptr;
    if (v->tail != nullptr) {
      v->tail->next = slot;
    } else {
      v->head = slot;
    }
    v->tail = slot;
    return false;
  }

  void Grant(OprBlock* op) {
    if (op->wait.fetch_sub(1, std::memory_order_acq_rel) == 1) Dispatch(op);
  }

  void Dispatch(OprBlock* op) {
    // Markers are trivial: run them in the thread that made them ready.
    if (op->kind != OprKind::kUser) {
      Execute(op, nullptr);
      return;
    }
    PoolFor(op->ctx, op->prop)->Push(op);
  }

  WorkerPool* PoolFor(Context ctx, FnProperty prop) {
    if (ctx.IsHost()) return cpu_pool_.get();
    const bool copy =
        prop == FnProperty::kCopyFromGPU || prop == FnProperty::kCopyToGPU;
    std::lock_guard<std::mutex> lock(gpu_pools_mu_);
    auto& pool = gpu_pools_[{ctx.dev_id, copy}];
    if (!pool) {
      pool = std::make_unique<WorkerPool>(copy ? 1 : gpu_workers_,
                                          MakeExecute(), ctx.dev_id);
    }
    return pool.get();
  }

  // Runs on a worker (or inline for markers).
  void Execute(OprBlock* op, void* stream) {
    switch (op->kind) {
      case OprKind::kWait:
      case OprKind::kDelete:
        Complete(op, nullptr, false);
        return;
      case OprKind::kUser:
        break;
    }
    if (poisoned_vars_.load(std::memory_order_relaxed) > 0) {
      if (std::exception_ptr inherited = FindError(op)) {
        Complete(op, inherited, false);
        return;
      }
    }
    RunContext rctx{op->ctx, stream};
    try {
      WaitGpuInputs(op, stream);
      if (op->sync_fn) {
        op->sync_fn(rctx);
        if (stream != nullptr) {
          FinishGpuWork(op, stream);
        } else {
          for (const DepSlot& slot : op->slots) {
            if (slot.write) ClearGpuUses(slot.var);
          }
        }
      } else {
        op->stream = stream;
        op->async_fn(rctx, MakeCallback(op));
        return;  // completes through the callback
      }
    } catch (...) {
      Complete(op, WrapOpError(std::current_exception(), op->name.c_str()),
               true);
      return;
    }
    Complete(op, nullptr, false);
  }

  // Before a function runs: a GPU function's stream waits for the GPU work
  // its variables depend on; a host function touching memory GPU work used
  // waits on the host (Note [GPU streams and events]).
  static void WaitGpuInputs(OprBlock* op, gpu::Stream stream) {
    if (!op->ctx.IsHost() && stream == nullptr) {
      MX_THROW("no CUDA stream could be created on ", op->ctx);
    }
    for (const DepSlot& slot : op->slots) {
      if (stream != nullptr) {
        WaitGpuDeps(slot.var, slot.write, stream);
      } else {
        SyncGpuEvents(PendingGpuEvents(slot.var, slot.write));
      }
    }
  }

  // After a GPU function queued its work on `stream`: checks the launches,
  // records one event for all its variables; copies to or from the host also
  // wait for it, since host code reads their results without events.
  static void FinishGpuWork(OprBlock* op, gpu::Stream stream) {
    gpu::CheckLaunch("launching a GPU kernel");
    const gpu::EventPtr done = gpu::Event::Record(stream, op->ctx.dev_id);
    for (const DepSlot& slot : op->slots) {
      RecordGpuUse(slot.var, slot.write, done);
    }
    if (op->prop == FnProperty::kCopyFromGPU ||
        op->prop == FnProperty::kCopyToGPU) {
      done->Sync();
    }
  }

  static std::exception_ptr FindError(OprBlock* op) {
    for (const DepSlot& slot : op->slots) {
      std::lock_guard<std::mutex> lock(slot.var->mu);
      if (slot.var->error) return slot.var->error;
    }
    return nullptr;
  }

  // Finishes `op`: releases its variables (granting waiting uses), signals
  // markers, recycles it. `original`: the error was raised by this op (not
  // inherited), so WaitForAll reports it.
  void Complete(OprBlock* op, std::exception_ptr error, bool original) {
    op->sync_fn = nullptr;
    op->async_fn = nullptr;
    if (original) {
      std::lock_guard<std::mutex> lock(errors_mu_);
      errors_.push_back(error);
    }
    if (op->kind == OprKind::kDelete) {
      FinishDelete(op);
    } else {
      for (DepSlot& slot : op->slots) {
        if (slot.write) {
          CompleteWrite(slot.var, error);
        } else {
          CompleteRead(slot.var);
        }
      }
    }
    if (op->kind == OprKind::kWait) {
      std::lock_guard<std::mutex> lock(op->signal->mu);
      op->signal->done = true;
      // Under the lock: the waiter owns the signal.
      op->signal->cv.notify_all();
    }
    FreeOpr(op);
    FinishPending();
  }

  // Counts one op out. The last one out (pending 1 -> 0) does so under
  // finish_mu_, and WaitForAll takes finish_mu_ after seeing 0, so no thread
  // still touches the engine once WaitForAll returns.
  void FinishPending() {
    int64_t prev = pending_.load();
    for (;;) {
      if (prev == 1) {
        std::lock_guard<std::mutex> lock(finish_mu_);
        if (pending_.compare_exchange_strong(prev, 0)) {
          finish_cv_.notify_all();
          return;
        }
      } else if (pending_.compare_exchange_weak(prev, prev - 1)) {
        return;
      }
    }
  }

  void FinishDelete(OprBlock* op) {
    EngineVar* var = op->slots[0].var;
    std::vector<gpu::EventPtr> in_flight = PendingGpuEvents(var, true);
    if (op->on_delete && !in_flight.empty()) {
      // GPU work may still use the memory: free it once that is done.
      gpu::RunWhenDone(
          std::move(in_flight), [fn = std::move(op->on_delete), ctx = op->ctx] {
            try {
              fn(RunContext{ctx, nullptr});
            } catch (const std::exception& e) {
              std::fprintf(stderr, "mx: DeleteVar failed: %s\n", e.what());
            }
          });
      op->on_delete = nullptr;
    }
    if (op->on_delete) {
      try {
        op->on_delete(RunContext{op->ctx, nullptr});
      } catch (...) {
        std::lock_guard<std::mutex> lock(errors_mu_);
        errors_.push_back(WrapOpError(std::current_exception(), "DeleteVar"));
      }
      op->on_delete = nullptr;
    }
    {
      std::lock_guard<std::mutex> lock(var->mu);
      MX_INTERNAL_CHECK(var->head == nullptr,
                        "a function was pushed on a deleted variable");
      if (var->error) poisoned_vars_.fetch_sub(1, std::memory_order_relaxed);
    }
    {
      std::lock_guard<std::mutex> lock(vars_mu_);
      vars_.erase(var);
    }
    delete var;
  }

  void CompleteRead(EngineVar* v) {
    DepSlot* next = nullptr;
    {
      std::lock_guard<std::mutex> lock(v->mu);
      if (--v->running_reads == 0 && v->head != nullptr) {
        next = v->head;
        MX_INTERNAL_CHECK(next->write, "a read waits while no write runs");
        v->head = next->next;
        if (v->head == nullptr) v->tail = nullptr;
        v->write_running = true;
      }
    }
    if (next != nullptr) Grant(next->op);
  }

  void CompleteWrite(EngineVar* v, const std::exception_ptr& error) {
    DepSlot* first = nullptr;
    int count = 0;
    {
      std::lock_guard<std::mutex> lock(v->mu);
      v->write_running = false;
      if (error && !v->error) {
        v->error = error;
        poisoned_vars_.fetch_add(1, std::memory_order_relaxed);
      }
      DepSlot* s = v->head;
      // The run of reads up to the next write.
      while (s != nullptr && !s->write) {
        ++count;
        s = s->next;
      }
      if (count > 0) {
        first = v->head;
        v->running_reads += count;
        v->head = s;
      } else if (s != nullptr) {  // the next write
        first = s;
        count = 1;
        v->head = s->next;
        v->write_running = true;
      }
      if (v->head == nullptr) v->tail = nullptr;
    }
    // Read `next` before granting: a granted op may finish and recycle its
    // slots at once.
    for (int i = 0; i < count; ++i) {
      DepSlot* next = first->next;
      Grant(first->op);
      first = next;
    }
  }

  // Waits for the queued work of every GPU the engine ran functions on;
  // returns the first failure.
  std::exception_ptr SyncGpus() {
    std::vector<int> devices;
    {
      std::lock_guard<std::mutex> lock(gpu_pools_mu_);
      for (const auto& [key, pool] : gpu_pools_) devices.push_back(key.first);
    }
    std::exception_ptr error;
    for (int d : devices) {
      try {
        gpu::SyncDevice(d);
      } catch (...) {
        if (!error) error = std::current_exception();
      }
    }
    return error;
  }

  ExecuteFn MakeExecute() {
    return [this](OprBlock* op, void* stream) { Execute(op, stream); };
  }

  const int cpu_workers_;
  const int gpu_workers_;

  std::atomic<uint64_t> seq_{0};
  std::atomic<int64_t> pending_{0};
  std::mutex finish_mu_;
  std::condition_variable finish_cv_;

  std::atomic<int> poisoned_vars_{0};
  std::mutex errors_mu_;
  std::vector<std::exception_ptr> errors_;

  std::mutex free_mu_;
  std::vector<OprBlock*> free_oprs_;

  std::mutex vars_mu_;
  std::unordered_set<EngineVar*> vars_;

  std::unique_ptr<WorkerPool> cpu_pool_;
  std::mutex gpu_pools_mu_;
  std::map<std::pair<int, bool>, std::unique_ptr<WorkerPool>> gpu_pools_;
};

}  // namespace

std::unique_ptr<Engine> CreateThreadedEngine(const EngineOptions& options) {
  return std::make_unique<ThreadedEngine>(options);
}

}  // namespace mx
