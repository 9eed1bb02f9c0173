// Engine and NDArray overheads (Google Benchmark). Reported per operation:
//   BM_EmptyOps/independent|chain: push + execute of empty functions; each
//   iteration pushes a batch
//     and waits for it, so the time per item is the full cost of one op.
//   BM_NDArrayAdd: c = a + b (new array) then wait, for 1 and 1M float32
//   elements.
// Run: bazel run //tools/bench:engine_bench  (MX_CPU_WORKER_NTHREADS to vary
// the workers).
#include <benchmark/benchmark.h>

#include <vector>

#include "core/engine/engine.h"
#include "core/ndarray/ndarray.h"

namespace mx {
namespace {

constexpr int kBatch = 4096;

enum Mode { kIndependent = 0, kChain = 1 };

void EmptyOps(benchmark::State& state, EngineType type) {
  const Mode mode = static_cast<Mode>(state.range(0));
  auto engine = Engine::Create(type);
  std::vector<VarHandle> vars(kBatch);
  for (auto& v : vars) v = engine->NewVar();
  for (auto _ : state) {
    for (int i = 0; i < kBatch; ++i) {
      VarHandle v = mode == kChain ? vars[0] : vars[i];
      engine->PushSync([](RunContext) {}, Context::CPU(), {}, {v}, 0, "empty");
    }
    engine->WaitForAll();
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
  // Seconds per op (shown in ns by the time unit of the report's rate inverse).
  state.counters["per_op"] = benchmark::Counter(
      static_cast<double>(state.iterations()) * kBatch,
      benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.SetLabel(mode == kChain ? "chain" : "independent");
  for (auto v : vars) engine->DeleteVar(v);
  engine->WaitForAll();
}

void BM_EmptyOpsThreaded(benchmark::State& state) {
  EmptyOps(state, EngineType::kThreaded);
}
void BM_EmptyOpsNaive(benchmark::State& state) {
  EmptyOps(state, EngineType::kNaive);
}
BENCHMARK(BM_EmptyOpsThreaded)->Arg(kIndependent)->Arg(kChain)->UseRealTime();
BENCHMARK(BM_EmptyOpsNaive)->Arg(kIndependent)->Arg(kChain)->UseRealTime();

void BM_NDArrayAdd(benchmark::State& state) {
  const int64_t n = state.range(0);
  NDArray a = NDArray::Full(Shape{n}, 1);
  NDArray b = NDArray::Full(Shape{n}, 2);
  Engine::Get()->WaitForAll();
  for (auto _ : state) {
    NDArray c = a + b;
    c.WaitToRead();
  }
  state.SetItemsProcessed(state.iterations() * n);
  state.SetBytesProcessed(state.iterations() * n * 3 * 4);
}
BENCHMARK(BM_NDArrayAdd)->Arg(1)->Arg(1 << 20)->UseRealTime();

// In-place add on 1M floats, pipelined: 64 pushes per wait.
void BM_NDArrayAddInPlacePipelined(benchmark::State& state) {
  const int64_t n = state.range(0);
  NDArray a = NDArray::Full(Shape{n}, 1);
  NDArray b = NDArray::Full(Shape{n}, 2);
  Engine::Get()->WaitForAll();
  for (auto _ : state) {
    for (int i = 0; i < 64; ++i) a += b;
    a.WaitToRead();
  }
  state.SetItemsProcessed(state.iterations() * 64 * n);
  state.SetBytesProcessed(state.iterations() * 64 * n * 3 * 4);
}
BENCHMARK(BM_NDArrayAddInPlacePipelined)->Arg(1 << 20)->UseRealTime();

}  // namespace
}  // namespace mx

BENCHMARK_MAIN();
