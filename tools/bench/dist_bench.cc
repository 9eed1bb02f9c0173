// dist_bench: what distributed training costs, measured between the processes
// of an MPI job (tools/bench/dist_scaling.sh runs it on this machine).
//   mpirun -np 2 dist_bench allreduce [--max-mb 64]
//     all-reduce time and bandwidth of float32 arrays of 1 KB to 64 MB
//     through mx's communicator (the path of kvstore dist_sync)
//   mpirun -np 2 dist_bench train --config configs/fashion_lenet.yaml
//       [--steps 20] [--warmup 3]
//     step time of the config's network alone (kvstore local) and with
//     dist_sync, the all-reduce time per step, and a scaling estimate for
//     8, 64 and 256 workers from the measured compute time and ring
//     all-reduce cost at 25 and 100 Gb/s.
// Rank 0 prints the results as Markdown tables.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "core/base/error.h"
#include "core/base/strings.h"
#include "core/base/tool_main.h"
#include "core/dist/communicator.h"
#include "core/engine/engine.h"
#include "io/iter_registry.h"
#include "tools/mxtrain/run_config.h"
#include "fit/trainer.h"

namespace mx {
namespace {

using Clock = std::chrono::steady_clock;

double Since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

struct Options {
  std::string mode, config;
  int64_t max_mb = 64;
  int steps = 20, warmup = 3;
};

Options Parse(int argc, char** argv) {
  Options o;
  MX_CHECK(argc >= 2, "usage: dist_bench allreduce|train [flags]");
  o.mode = argv[1];
  MX_CHECK(o.mode == "allreduce" || o.mode == "train", "dist_bench: mode '",
           o.mode, "': expected allreduce or train");
  for (int i = 2; i < argc; ++i) {
    const std::string flag = argv[i];
    MX_CHECK(i + 1 < argc, "dist_bench: ", flag, " needs a value");
    const std::string value = argv[++i];
    if (flag == "--config") {
      o.config = value;
    } else if (flag == "--max-mb") {
      o.max_mb = std::atoll(value.c_str());
    } else if (flag == "--steps") {
      o.steps = std::atoi(value.c_str());
    } else if (flag == "--warmup") {
      o.warmup = std::atoi(value.c_str());
    } else {
      MX_THROW("dist_bench: unknown flag ", flag);
    }
  }
  MX_CHECK(o.mode != "train" || !o.config.empty(),
           "dist_bench train needs --config FILE");
  MX_CHECK(o.steps > 0 && o.warmup >= 0 && o.max_mb > 0,
           "dist_bench: --steps, --max-mb must be positive");
  return o;
}

void AllReduce(const Options& o, dist::Communicator& world) {
  if (world.rank() == 0) {
    std::printf(
        "all-reduce of float32 arrays, %d processes (%s)\n\n"
        "| size | time | algorithm bandwidth | bus bandwidth |\n"
        "|---:|---:|---:|---:|\n",
        world.size(), world.Describe().c_str());
  }
  for (int64_t bytes = 1024; bytes <= o.max_mb << 20; bytes *= 4) {
    std::vector<float> data(bytes / 4, 1.0f);
    const auto once = [&] {
      world.AllReduceSum(data.data(), static_cast<int64_t>(data.size()),
                         DType::kFloat32);
    };
    for (int i = 0; i < 3; ++i) once();
    // As many repetitions as rank 0 fits in 0.3 s (every rank does as many).
    int64_t reps = 1;
    auto start = Clock::now();
    once();
    const double first = Since(start);
    reps = std::clamp<int64_t>(static_cast<int64_t>(0.3 / first), 1, 2000);
    reps = world.AllReduceMax(world.rank() == 0 ? reps : 0);
    start = Clock::now();
    for (int64_t r = 0; r < reps; ++r) once();
    const double seconds = Since(start) / reps;
    const double n = world.size();
    if (world.rank() == 0) {
      std::printf("| %s | %.1f us | %.2f GB/s | %.2f GB/s |\n",
                  bytes >= (1 << 20) ? StrCat(bytes >> 20, " MB").c_str()
                                     : StrCat(bytes >> 10, " KB").c_str(),
                  seconds * 1e6, bytes / seconds / 1e9,
                  2 * (n - 1) / n * bytes / seconds / 1e9);
    }
  }
}

struct StepTimes {
  double step = 0;       // seconds per step
  double allreduce = 0;  // seconds of all-reduce per step
  double bytes = 0;      // bytes all-reduced per step
};

// Trains `warmup` + `steps` steps of the config's network with `kvstore`.
StepTimes TimeSteps(const RunConfig& c, const Options& o,
                    const std::string& kvstore, dist::Communicator& world) {
  const io::IterKind* kind = io::FindIterKind(c.train.type);
  MX_INTERNAL_CHECK(kind != nullptr, "validated iterator");
  auto train = kind->create(c.train.params);
  TrainerOptions t = c.trainer;
  t.kvstore = kvstore;
  Trainer trainer(c.network.symbol, *train, t);
  std::atomic<bool> stop{false};
  Clock::time_point start, end;
  dist::Communicator::Stats before, after;
  int64_t batches = 0;
  // Timed from the end of the warm-up to the end of the last step (before
  // the epoch's closing metric sums).
  const auto mark = [&](Clock::time_point* t, dist::Communicator::Stats* s) {
    Engine::Get()->WaitForAll();
    *t = Clock::now();
    *s = world.stats();
  };
  EpochControl control;
  control.stop = &stop;
  control.on_batch = [&](const BatchProgress&) {
    ++batches;
    if (batches == o.warmup) mark(&start, &before);
    if (batches == o.warmup + o.steps) {
      mark(&end, &after);
      stop = true;
    }
  };
  if (o.warmup == 0) mark(&start, &before);
  const EpochReport r = trainer.TrainEpoch(train.get(), nullptr, control);
  MX_CHECK(batches >= o.warmup + o.steps, c.file, ": an epoch has only ",
           r.batches, " batches per process; use fewer --steps");
  StepTimes s;
  s.step = std::chrono::duration<double>(end - start).count() / o.steps;
  s.allreduce = (after.seconds - before.seconds) / o.steps;
  s.bytes = static_cast<double>(after.bytes - before.bytes) / o.steps;
  return s;
}

void Train(const Options& o, dist::Communicator& world) {
  RunConfig c = LoadRunConfig(o.config, {});
  c.kvstore = "dist_sync";
  ShardData(&c, world.rank(), world.size());
  const StepTimes alone = TimeSteps(c, o, "local", world);
  const StepTimes dist = TimeSteps(c, o, "dist_sync", world);
  if (world.rank() == 0) {
    const int64_t batch =
        c.train.params.count("batch_size")
            ? std::atoll(c.train.params.at("batch_size").c_str())
            : 0;
    std::printf(
        "%s: %d processes (%s), batch %lld per process, %d steps\n\n"
        "| gradients per step | step alone | step with dist_sync | "
        "all-reduce per step | communication share of the step | "
        "added by dist_sync |\n|---:|---:|---:|---:|---:|---:|\n"
        "| %.2f MB | %.1f ms | %.1f ms | %.1f ms | %.0f%% | %.0f%% |\n\n",
        o.config.c_str(), world.size(), world.Describe().c_str(),
        static_cast<long long>(batch), o.steps, dist.bytes / 1e6,
        alone.step * 1e3, dist.step * 1e3, dist.allreduce * 1e3,
        100 * dist.allreduce / dist.step,
        100 * (dist.step - alone.step) / dist.step);
    // Ring all-reduce of S bytes over N workers: 2 (N-1) steps of S/N bytes,
    // each paying a latency; overlap hides it behind compute at best.
    const double latency = 10e-6;
    std::printf(
        "scaling estimate: compute %.1f ms per step (measured alone), %.2f "
        "MB of gradients, ring all-reduce with %.0f us per message\n\n"
        "| workers | link | all-reduce | step, no overlap | step, full "
        "overlap | efficiency (no overlap .. full) | images/s (no overlap .. "
        "full) |\n|---:|---:|---:|---:|---:|---:|---:|\n",
        alone.step * 1e3, dist.bytes / 1e6, latency * 1e6);
    for (int n : {8, 64, 256}) {
      for (double gbps : {25.0, 100.0}) {
        const double ring = 2.0 * (n - 1) / n * dist.bytes / (gbps * 1e9 / 8) +
                            2.0 * (n - 1) * latency;
        const double serial = alone.step + ring;
        const double overlap = std::max(alone.step, ring);
        std::printf(
            "| %d | %.0f Gb/s | %.1f ms | %.1f ms | %.1f ms | %.0f%% .. %.0f%% "
            "| %.0f .. %.0f |\n",
            n, gbps, ring * 1e3, serial * 1e3, overlap * 1e3,
            100 * alone.step / serial, 100 * alone.step / overlap,
            n * batch / serial, n * batch / overlap);
      }
    }
  }
}

int Run(int argc, char** argv) {
  const Options o = Parse(argc, argv);
  dist::Communicator& world = dist::Communicator::World();
  if (o.mode == "allreduce") {
    AllReduce(o, world);
  } else {
    Train(o, world);
  }
  world.Finalize();
  return 0;
}

}  // namespace
}  // namespace mx

int main(int argc, char** argv) {
  return mx::RunTool("dist_bench", mx::Run, argc, argv);
}
