#include "core/engine/engine.h"

#include <new>
#include <string>

#include "core/base/env.h"
#include "core/base/error.h"
#include "core/engine/engine_var.h"

namespace mx {

std::unique_ptr<Engine> CreateThreadedEngine(const EngineOptions& options);
std::unique_ptr<Engine> CreateNaiveEngine();

void CallbackOnComplete::operator()(std::exception_ptr error) const {
  engine_->OnAsyncComplete(op_, std::move(error));
}

EngineType Engine::TypeFromEnv() {
  const std::string name = EnvString("MX_ENGINE_TYPE", "threaded");
  if (name == "threaded" || name == "ThreadedEngine" ||
      name == "ThreadedEnginePerDevice") {
    return EngineType::kThreaded;
  }
  if (name == "naive" || name == "NaiveEngine") return EngineType::kNaive;
  MX_THROW("environment variable MX_ENGINE_TYPE='", name,
           "': expected 'threaded' or 'naive'");
}

std::unique_ptr<Engine> Engine::Create(EngineType type,
                                       const EngineOptions& options) {
  if (type == EngineType::kNaive) return CreateNaiveEngine();
  return CreateThreadedEngine(options);
}

Engine* Engine::Get() {
  static Engine* const instance = Create(TypeFromEnv()).release();
  return instance;
}

namespace {

// A null variable is the caller's bug, reported before anything is scheduled.
void CheckVars(VarList reads, VarList writes, std::string_view name) {
  for (VarHandle v : reads) {
    MX_CHECK(v != nullptr, "Engine::Push of operator '", name,
             "': null read variable");
  }
  for (VarHandle v : writes) {
    MX_CHECK(v != nullptr, "Engine::Push of operator '", name,
             "': null write variable");
  }
}

}  // namespace

void Engine::PushSync(SyncFn fn, Context ctx, VarList reads, VarList writes,
                      int priority, std::string_view name, FnProperty prop) {
  CheckVars(reads, writes, name);
  Push({std::move(fn), nullptr, ctx, reads, writes, priority, name, prop});
}

void Engine::PushAsync(AsyncFn fn, Context ctx, VarList reads, VarList writes,
                       int priority, std::string_view name, FnProperty prop) {
  CheckVars(reads, writes, name);
  Push({nullptr, std::move(fn), ctx, reads, writes, priority, name, prop});
}

std::exception_ptr WrapOpError(std::exception_ptr error, const char* name) {
  const std::string prefix =
      StrCat("operator '", (name && *name) ? name : "<unnamed>", "' failed: ");
  try {
    std::rethrow_exception(error);
  } catch (const InternalError& e) {
    return std::make_exception_ptr(InternalError(prefix + e.what()));
  } catch (const Error& e) {
    return std::make_exception_ptr(Error(prefix + e.what()));
  } catch (const std::bad_alloc&) {
    return std::make_exception_ptr(Error(prefix + "out of memory"));
  } catch (const std::exception& e) {
    return std::make_exception_ptr(Error(prefix + e.what()));
  } catch (...) {
    return std::make_exception_ptr(Error(prefix + "unknown exception"));
  }
}

}  // namespace mx
