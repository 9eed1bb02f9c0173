#include "core/engine/engine.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "core/base/error.h"
#include "tests/testing/error_message.h"
#include "tests/testing/test_scale.h"

namespace mx {
namespace {

using std::chrono::milliseconds;

// Waits (bounded) until `cond` holds; returns whether it did.
template <typename Cond>
bool WaitUntil(Cond cond, milliseconds limit = milliseconds(10000)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!cond()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::yield();
  }
  return true;
}

using testing::MessageOf;

// ---------------------------------------------------------------------------------------------
// Randomized dependency graphs: every op records what it read and updates what
// it writes; any ordering the dependencies allow gives the same records, so the
// threaded engine must match the naive one exactly (and ThreadSanitizer sees a
// race if a dependency is missed).

struct OpSpec {
  std::vector<int> reads;
  std::vector<int> writes;
  int priority;
};

std::vector<OpSpec> RandomGraph(uint64_t seed, int num_ops, int num_vars) {
  std::mt19937_64 rng(seed);
  auto pick = [&](int max_count) {
    std::vector<int> vars(rng() % (max_count + 1));
    for (int& v : vars) v = static_cast<int>(rng() % num_vars);
    return vars;
  };
  std::vector<OpSpec> ops(num_ops);
  for (OpSpec& op : ops) {
    op.reads = pick(3);
    op.writes = pick(2);  // may repeat or overlap reads: the engine dedups
    op.priority = static_cast<int>(rng() % 3) - 1;
  }
  return ops;
}

inline uint64_t Mix(uint64_t h, uint64_t v) {
  h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
  return h * 0xff51afd7ed558ccdull;
}

struct GraphResult {
  std::vector<uint64_t> observed;  // per op: hash of what it read
  std::vector<uint64_t> values;    // final variable values
};

GraphResult RunGraph(Engine* engine, const std::vector<OpSpec>& ops,
                     int num_vars) {
  GraphResult result;
  result.observed.assign(ops.size(), 0);
  result.values.assign(num_vars, 0);
  std::vector<VarHandle> vars(num_vars);
  for (auto& v : vars) v = engine->NewVar();
  for (size_t i = 0; i < ops.size(); ++i) {
    const OpSpec* spec = &ops[i];
    std::vector<VarHandle> reads, writes;
    for (int r : spec->reads) reads.push_back(vars[r]);
    for (int w : spec->writes) writes.push_back(vars[w]);
    engine->PushSync(
        [spec, i, &result](RunContext) {
          uint64_t h = i;
          for (int r : spec->reads) h = Mix(h, result.values[r]);
          for (int w : spec->writes) h = Mix(h, result.values[w]);
          result.observed[i] = h;
          for (int w : spec->writes) result.values[w] = Mix(h, w);
        },
        Context::CPU(), reads, writes, spec->priority, "random_op");
  }
  engine->WaitForAll();
  for (auto& v : vars) engine->DeleteVar(v);
  engine->WaitForAll();
  return result;
}

TEST(EngineRandomGraphTest, ThreadedMatchesNaive) {
  const int kVars = 100;
  const int num_ops = static_cast<int>(testing::Scaled(100000, 1000));
  auto naive = Engine::Create(EngineType::kNaive);
  for (uint64_t seed : {1u, 2u, 3u}) {
    const auto ops = RandomGraph(seed, num_ops, kVars);
    const GraphResult expected = RunGraph(naive.get(), ops, kVars);
    for (int workers : {1, 2, 4}) {
      EngineOptions options;
      options.cpu_workers = workers;
      auto threaded = Engine::Create(EngineType::kThreaded, options);
      const GraphResult got = RunGraph(threaded.get(), ops, kVars);
      EXPECT_EQ(got.values, expected.values)
          << "seed " << seed << ", " << workers << " workers";
      EXPECT_EQ(got.observed, expected.observed)
          << "seed " << seed << ", " << workers << " workers";
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Behaviour both engines share.

class EngineTest : public ::testing::TestWithParam<EngineType> {
 protected:
  std::unique_ptr<Engine> MakeEngine(int workers = 2) {
    EngineOptions options;
    options.cpu_workers = workers;
    return Engine::Create(GetParam(), options);
  }
};

TEST_P(EngineTest, ReadsSeeEarlierWritesInPushOrder) {
  auto engine = MakeEngine();
  VarHandle v = engine->NewVar();
  std::vector<int> log;
  for (int i = 0; i < 100; ++i) {
    engine->PushSync([&log, i](RunContext) { log.push_back(i); },
                     Context::CPU(), {}, {v});
  }
  engine->WaitForVar(v);
  ASSERT_EQ(log.size(), 100u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(log[i], i);
  engine->DeleteVar(v);
  engine->WaitForAll();
}

TEST_P(EngineTest, WriteAfterReadWaitsForTheRead) {
  auto engine = MakeEngine();
  VarHandle a = engine->NewVar();
  VarHandle c = engine->NewVar();
  int value_a = 1, value_c = 0;
  engine->PushSync(
      [&](RunContext) {
        std::this_thread::sleep_for(milliseconds(20));
        value_c = value_a + 1;
      },
      Context::CPU(), {a}, {c}, 0, "c = a + 1");
  engine->PushSync([&](RunContext) { value_a = 100; }, Context::CPU(), {}, {a},
                   0, "a = 100");
  engine->WaitForAll();
  EXPECT_EQ(value_c, 2);
  EXPECT_EQ(value_a, 100);
  engine->DeleteVar(a);
  engine->DeleteVar(c);
  engine->WaitForAll();
}

TEST_P(EngineTest, ErrorPoisonsWritesAndSurfacesAtWaits) {
  auto engine = MakeEngine();
  VarHandle v1 = engine->NewVar(), v2 = engine->NewVar(), v3 = engine->NewVar();
  std::atomic<bool> dependent_ran{false}, independent_ran{false};
  engine->PushSync([](RunContext) { throw Error("boom"); }, Context::CPU(), {},
                   {v1}, 0, "failing_op");
  engine->PushSync([&](RunContext) { dependent_ran = true; }, Context::CPU(),
                   {v1}, {v2}, 0, "dependent_op");
  engine->PushSync([&](RunContext) { independent_ran = true; }, Context::CPU(),
                   {}, {v3}, 0, "independent_op");
  EXPECT_EQ(MessageOf([&] { engine->WaitForVar(v2); }),
            "operator 'failing_op' failed: boom");
  EXPECT_FALSE(dependent_ran);
  EXPECT_NO_THROW(engine->WaitForVar(v2));  // re-thrown once
  EXPECT_EQ(MessageOf([&] { engine->WaitForVar(v1); }),
            "operator 'failing_op' failed: boom");
  EXPECT_NO_THROW(engine->WaitForVar(v3));
  EXPECT_TRUE(independent_ran);
  EXPECT_EQ(MessageOf([&] { engine->WaitForAll(); }),
            "operator 'failing_op' failed: boom");
  EXPECT_NO_THROW(engine->WaitForAll());
  // Variables are usable again once their error was reported.
  std::atomic<bool> reran{false};
  engine->PushSync([&](RunContext) { reran = true; }, Context::CPU(), {v1},
                   {v2});
  engine->WaitForVar(v2);
  EXPECT_TRUE(reran);
  for (VarHandle v : {v1, v2, v3}) engine->DeleteVar(v);
  engine->WaitForAll();
}

TEST_P(EngineTest, ErrorKindsAreKept) {
  auto engine = MakeEngine();
  VarHandle v = engine->NewVar();
  engine->PushSync([](RunContext) { MX_INTERNAL_CHECK(1 == 2, "bad"); },
                   Context::CPU(), {}, {v}, 0, "internal");
  EXPECT_THROW(engine->WaitForVar(v), InternalError);
  engine->PushSync([](RunContext) { throw 42; }, Context::CPU(), {}, {v}, 0,
                   "weird");
  EXPECT_EQ(MessageOf([&] { engine->WaitForVar(v); }),
            "operator 'weird' failed: unknown exception");
  engine->PushSync([](RunContext) { throw std::runtime_error("std"); },
                   Context::CPU(), {}, {v}, 0, "std_op");
  EXPECT_EQ(MessageOf([&] { engine->WaitForVar(v); }),
            "operator 'std_op' failed: std");
  EXPECT_THROW(engine->WaitForAll(), InternalError);  // the first one
  engine->DeleteVar(v);
  engine->WaitForAll();
}

TEST_P(EngineTest, AsyncFunctionsCompleteThroughTheCallback) {
  auto engine = MakeEngine();
  VarHandle v = engine->NewVar();
  std::atomic<int> value{0};
  engine->PushAsync(
      [&](RunContext, CallbackOnComplete done) {
        std::thread([&value, done] {
          std::this_thread::sleep_for(milliseconds(10));
          value = 7;
          done();
        }).detach();
      },
      Context::CPU(), {}, {v}, 0, "async_ok");
  engine->WaitForVar(v);
  EXPECT_EQ(value, 7);
  engine->PushAsync(
      [](RunContext, CallbackOnComplete done) {
        done(std::make_exception_ptr(Error("device fault")));
      },
      Context::CPU(), {}, {v}, 0, "async_bad");
  EXPECT_EQ(MessageOf([&] { engine->WaitForVar(v); }),
            "operator 'async_bad' failed: device fault");
  EXPECT_THROW(engine->WaitForAll(), Error);
  engine->DeleteVar(v);
  engine->WaitForAll();
}

TEST_P(EngineTest, DeleteVarRunsAfterPendingUses) {
  auto engine = MakeEngine();
  VarHandle v = engine->NewVar();
  std::atomic<int> uses{0};
  std::atomic<int> uses_at_delete{-1};
  for (int i = 0; i < 3; ++i) {
    engine->PushSync(
        [&](RunContext) {
          std::this_thread::sleep_for(milliseconds(5));
          ++uses;
        },
        Context::CPU(), {v}, {});
  }
  engine->PushSync([&](RunContext) { ++uses; }, Context::CPU(), {}, {v});
  engine->DeleteVar(v, [&](RunContext) { uses_at_delete = uses.load(); });
  engine->WaitForAll();
  EXPECT_EQ(uses_at_delete, 4);
}

TEST_P(EngineTest, DuplicateAndOverlappingVariablesCountOnce) {
  auto engine = MakeEngine();
  VarHandle v = engine->NewVar();
  int value = 0;
  for (int i = 0; i < 50; ++i) {
    engine->PushSync([&](RunContext) { value += 1; }, Context::CPU(), {v, v},
                     {v, v});
  }
  engine->WaitForVar(v);
  EXPECT_EQ(value, 50);
  engine->DeleteVar(v);
  engine->WaitForAll();
}

TEST_P(EngineTest, NullVariableIsAClearError) {
  auto engine = MakeEngine();
  EXPECT_EQ(MessageOf([&] {
              engine->PushSync([](RunContext) {}, Context::CPU(), {nullptr}, {},
                               0, "op_x");
            }),
            "Engine::Push of operator 'op_x': null read variable");
}

INSTANTIATE_TEST_SUITE_P(BothEngines, EngineTest,
                         ::testing::Values(EngineType::kThreaded,
                                           EngineType::kNaive),
                         [](const ::testing::TestParamInfo<EngineType>& info) {
                           return info.param == EngineType::kThreaded
                                      ? std::string("Threaded")
                                      : std::string("Naive");
                         });

// ---------------------------------------------------------------------------------------------
// Threaded-engine specifics.

TEST(ThreadedEngineTest, ReadsOfOneVersionRunConcurrently) {
  EngineOptions options;
  options.cpu_workers = 2;
  auto engine = Engine::Create(EngineType::kThreaded, options);
  VarHandle v = engine->NewVar();
  std::atomic<int> arrived{0};
  std::atomic<bool> both_seen{true};
  for (int i = 0; i < 2; ++i) {
    engine->PushSync(
        [&](RunContext) {
          ++arrived;
          if (!WaitUntil([&] { return arrived.load() == 2; },
                         milliseconds(5000))) {
            both_seen = false;
          }
        },
        Context::CPU(), {v}, {});
  }
  engine->WaitForAll();
  EXPECT_TRUE(both_seen) << "two reads of one version did not overlap";
  engine->DeleteVar(v);
  engine->WaitForAll();
}

TEST(ThreadedEngineTest, HigherPriorityRunsFirstAmongReadyOps) {
  EngineOptions options;
  options.cpu_workers = 1;
  auto engine = Engine::Create(EngineType::kThreaded, options);
  std::atomic<bool> release{false};
  std::mutex mu;
  std::vector<int> order;
  VarHandle blocker = engine->NewVar();
  engine->PushSync(
      [&](RunContext) { WaitUntil([&] { return release.load(); }); },
      Context::CPU(), {}, {blocker}, 0, "blocker");
  std::vector<VarHandle> vars;
  for (int i = 0; i < 20; ++i) {
    vars.push_back(engine->NewVar());
    const int priority = i % 2 == 0 ? 0 : 10;
    engine->PushSync(
        [&, i](RunContext) {
          std::lock_guard<std::mutex> lock(mu);
          order.push_back(i);
        },
        Context::CPU(), {}, {vars.back()}, priority);
  }
  release = true;
  engine->WaitForAll();
  ASSERT_EQ(order.size(), 20u);
  for (int k = 0; k < 10; ++k) {
    EXPECT_EQ(order[k] % 2, 1) << "position " << k;  // high priority first
    EXPECT_EQ(order[k + 10] % 2, 0) << "position " << k + 10;
  }
  // FIFO among equal priorities.
  for (int k = 0; k + 1 < 10; ++k) EXPECT_LT(order[k], order[k + 1]);
  for (VarHandle v : vars) engine->DeleteVar(v);
  engine->DeleteVar(blocker);
  engine->WaitForAll();
}

TEST(ThreadedEngineTest, WaitForWriteAlsoWaitsForReads) {
  EngineOptions options;
  options.cpu_workers = 2;
  auto engine = Engine::Create(EngineType::kThreaded, options);
  VarHandle v = engine->NewVar();
  std::atomic<bool> read_done{false};
  engine->PushSync(
      [&](RunContext) {
        std::this_thread::sleep_for(milliseconds(20));
        read_done = true;
      },
      Context::CPU(), {v}, {});
  engine->WaitForVar(v, /*for_write=*/true);
  EXPECT_TRUE(read_done);
  engine->DeleteVar(v);
  engine->WaitForAll();
}

// Four threads each push increments of one shared counter; push `i` of
// thread `t` has property prop(t, i). Every increment must land.
void ExpectCountFromManyThreads(
    const std::function<FnProperty(int t, int i)>& prop) {
  EngineOptions options;
  options.cpu_workers = 2;
  auto engine = Engine::Create(EngineType::kThreaded, options);
  VarHandle shared = engine->NewVar();
  int64_t counter = 0;
  const int per_thread = static_cast<int>(testing::Scaled(5000, 100));
  std::vector<std::thread> pushers;
  for (int t = 0; t < 4; ++t) {
    pushers.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) {
        engine->PushSync([&](RunContext) { ++counter; }, Context::CPU(), {},
                         {shared}, 0, "count", prop(t, i));
      }
    });
  }
  for (auto& t : pushers) t.join();
  engine->WaitForVar(shared);
  EXPECT_EQ(counter, 4 * per_thread);
  engine->DeleteVar(shared);
  engine->WaitForAll();
}

TEST(ThreadedEngineTest, ManyThreadsPushConcurrently) {
  ExpectCountFromManyThreads([](int, int) { return FnProperty::kNormal; });
}

TEST(ThreadedEngineTest, LightFunctionRunsInThePusherWhenItsVariablesAreFree) {
  auto engine = Engine::Create(EngineType::kThreaded, EngineOptions{});
  VarHandle v = engine->NewVar();
  std::thread::id ran_on;
  engine->PushSync([&](RunContext) { ran_on = std::this_thread::get_id(); },
                   Context::CPU(), {}, {v}, 0, "light", FnProperty::kLight);
  // Done before PushSync returned, on this thread: no wait needed.
  EXPECT_EQ(ran_on, std::this_thread::get_id());
  engine->DeleteVar(v);
  engine->WaitForAll();
}

TEST(ThreadedEngineTest, LightFunctionWaitsForABusyVariable) {
  auto engine = Engine::Create(EngineType::kThreaded, EngineOptions{});
  VarHandle v = engine->NewVar();
  std::atomic<bool> release{false}, blocker_done{false}, light_ran{false};
  std::atomic<bool> light_saw_blocker{false};
  std::thread::id light_on;
  engine->PushSync(
      [&](RunContext) {
        WaitUntil([&] { return release.load(); });
        blocker_done = true;
      },
      Context::CPU(), {}, {v}, 0, "blocker");
  engine->PushSync(
      [&](RunContext) {
        light_saw_blocker = blocker_done.load();
        light_on = std::this_thread::get_id();
        light_ran = true;
      },
      Context::CPU(), {v}, {}, 0, "light", FnProperty::kLight);
  EXPECT_FALSE(light_ran) << "ran before the write it reads";
  release = true;
  engine->WaitForVar(v, /*for_write=*/true);
  EXPECT_TRUE(light_ran);
  EXPECT_TRUE(light_saw_blocker);
  EXPECT_NE(light_on, std::this_thread::get_id());  // a worker ran it
  engine->DeleteVar(v);
  engine->WaitForAll();
}

TEST(ThreadedEngineTest, LightAndNormalFunctionsFromManyThreadsKeepOrder) {
  ExpectCountFromManyThreads([](int t, int i) {
    return (i + t) % 2 ? FnProperty::kLight : FnProperty::kNormal;
  });
}

TEST(EngineFactoryTest, TypeFromEnvironment) {
  setenv("MX_ENGINE_TYPE", "naive", 1);
  EXPECT_EQ(Engine::TypeFromEnv(), EngineType::kNaive);
  setenv("MX_ENGINE_TYPE", "threaded", 1);
  EXPECT_EQ(Engine::TypeFromEnv(), EngineType::kThreaded);
  setenv("MX_ENGINE_TYPE", "fast", 1);
  EXPECT_EQ(MessageOf([] { Engine::TypeFromEnv(); }),
            "environment variable MX_ENGINE_TYPE='fast': expected 'threaded' "
            "or 'naive'");
  unsetenv("MX_ENGINE_TYPE");
  EXPECT_EQ(Engine::TypeFromEnv(), EngineType::kThreaded);
}

}  // namespace
}  // namespace mx
