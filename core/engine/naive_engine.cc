// The naive engine: Push runs the function at once in the caller's thread. Same
// interface and the same error semantics as the threaded engine (errors surface
// at the next wait), for debugging and as the reference in engine tests.
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <unordered_set>
#include <vector>

#include "core/base/error.h"
#include "core/engine/engine.h"
#include "core/engine/engine_var.h"

namespace mx {
namespace {

// Completion state of one asynchronous function.
struct AsyncDone {
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  std::exception_ptr error;
};

class NaiveEngine final : public Engine {
 public:
  ~NaiveEngine() override {
    for (EngineVar* v : vars_) delete v;
    for (auto& [device, stream] : streams_) {
      try {
        gpu::SyncStream(stream);
        gpu::DeleteStream(stream);
      } catch (const Error&) {  // the device failed; errors were reported
      }
    }
  }

  VarHandle NewVar() override {
    auto* v = new EngineVar();
    std::lock_guard<std::mutex> lock(mu_);
    vars_.insert(v);
    return v;
  }

  void DeleteVar(VarHandle var, SyncFn on_delete, Context ctx) override {
    MX_CHECK(var != nullptr, "Engine::DeleteVar: null variable");
    if (on_delete) {
      std::lock_guard<std::recursive_mutex> run_lock(run_mu_);
      try {
        on_delete(RunContext{ctx, nullptr});
      } catch (...) {
        Record(WrapOpError(std::current_exception(), "DeleteVar"));
      }
    }
    std::lock_guard<std::mutex> lock(mu_);
    vars_.erase(var);
    delete var;
  }

  void WaitForVar(VarHandle var, bool) override {
    MX_CHECK(var != nullptr, "Engine::WaitForVar: null variable");
    std::exception_ptr error;
    {
      std::lock_guard<std::mutex> lock(var->mu);
      error.swap(var->error);
    }
    if (error) std::rethrow_exception(error);
  }

  void WaitForAll() override {
    std::exception_ptr first;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!errors_.empty()) first = errors_.front();
      errors_.clear();
    }
    if (first) std::rethrow_exception(first);
  }

  int NumCpuWorkers() const override { return 1; }

 protected:
  void Push(PushArgs&& args) override {
    if (!args.ctx.IsHost()) gpu::CheckDevice(args.ctx);
    const std::string name(args.name);
    // Pushes from several threads run one at a time, in the order they take the
    // lock; a function may push more work (run at once, nested).
    std::lock_guard<std::recursive_mutex> run_lock(run_mu_);
    std::exception_ptr error = FindError(args.reads);
    if (!error) error = FindError(args.writes);
    if (!error) {
      error = Run(args, name);
      if (error) Record(error);
    }
    if (error) {
      for (VarHandle v : args.writes) {
        std::lock_guard<std::mutex> lock(v->mu);
        if (!v->error) v->error = error;
      }
    }
  }

  void OnAsyncComplete(void* op, std::exception_ptr error) override {
    auto* done = static_cast<AsyncDone*>(op);
    std::lock_guard<std::mutex> lock(done->mu);
    done->error = std::move(error);
    done->done = true;
    done->cv.notify_all();
  }

 private:
  // Runs the function to completion (GPU functions on the device's one
  // stream, waited for at once); returns its (wrapped) error, if any.
  std::exception_ptr Run(PushArgs& args, const std::string& name) {
    try {
      const gpu::Stream stream =
          args.ctx.IsHost() ? nullptr : StreamOf(args.ctx.dev_id);
      RunContext rctx{args.ctx, stream};
      if (args.sync_fn) {
        args.sync_fn(rctx);
      } else {
        AsyncDone done;
        args.async_fn(rctx, MakeCallback(&done));
        std::unique_lock<std::mutex> lock(done.mu);
        done.cv.wait(lock, [&] { return done.done; });
        if (done.error) return WrapOpError(done.error, name.c_str());
      }
      if (stream != nullptr) {
        gpu::CheckLaunch("launching a GPU kernel");
        gpu::SyncStream(stream);
      }
      return nullptr;
    } catch (...) {
      return WrapOpError(std::current_exception(), name.c_str());
    }
  }

  gpu::Stream StreamOf(int device) {
    std::lock_guard<std::mutex> lock(mu_);
    gpu::Stream& s = streams_[device];
    if (s == nullptr) s = gpu::NewStream(device);
    return s;
  }

  static std::exception_ptr FindError(VarList vars) {
    for (VarHandle v : vars) {
      std::lock_guard<std::mutex> lock(v->mu);
      if (v->error) return v->error;
    }
    return nullptr;
  }

  void Record(std::exception_ptr error) {
    std::lock_guard<std::mutex> lock(mu_);
    errors_.push_back(std::move(error));
  }

  std::recursive_mutex run_mu_;  // held while a pushed function runs
  std::mutex mu_;                // guards vars_ and errors_
  std::unordered_set<EngineVar*> vars_;
  std::vector<std::exception_ptr> errors_;
  std::map<int, gpu::Stream> streams_;  // per GPU, made on first use
};

}  // namespace

std::unique_ptr<Engine> CreateNaiveEngine() {
  return std::make_unique<NaiveEngine>();
}

}  // namespace mx
