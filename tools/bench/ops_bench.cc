// ops_bench: forward + backward time of every layer of LeNet and the MLP at
// batch 128 (each layer bound alone through the executor, as training runs
// it), GFLOP/s of FullyConnected and Convolution against the OpenBLAS sgemm
// rate measured in the same run, and whole-network steps for comparison
// with the sum of their layers. With --config (or --net zoo: every
// configs/fashion_*.yaml), each layer of those networks timed in place as
// `mxtrain time` does, with GFLOP/s of convolutions and FullyConnected and
// GB/s of the other layers (BatchNorm, activations, elementwise ops,
// pooling) as shares of the FMA ceiling and of the memory bandwidth measured
// in the same run (a copy over 256 MiB on the intra-op threads).
//
//   ops_bench [--batch N] [--min-time SECONDS] [--net lenet|mlp|zoo|all]
//             [--layer NAME] [--config FILE]... [--iterations N]
//
// Threads follow the library's policy (MX_CPU_WORKER_NTHREADS engine
// workers, IntraOpThreads() intra-op threads). Times are the best of 3 rounds
// of at least --min-time each; the machines are shared, so compare ratios taken
// in one run.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/base/error.h"
#include "core/base/multiversion.h"
#include "core/base/tool_main.h"
#include "core/engine/engine.h"
#include "core/engine/parallel.h"
#include "core/executor/executor.h"
#include "core/ndarray/blas.h"
#include "core/ndarray/ndarray.h"
#include "core/symbol/symbol.h"
#include "tools/mxtrain/commands.h"
#include "tools/mxtrain/run_config.h"

namespace mx {
namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  int64_t batch = 128;
  double min_time = 0.3;
  std::string net = "all";
  std::string layer;  // only this layer (and no whole-network row)
  std::vector<std::string> configs;  // networks timed in place
  int iterations = 10;               // steps per config
};

// Seconds per call of `f`: warm-up, then the best of 3 rounds of at least
// `min_time` seconds each.
double TimePerCall(const std::function<void()>& f, double min_time) {
  for (int i = 0; i < 3; ++i) f();
  double best = 1e30;
  for (int round = 0; round < 3; ++round) {
    int64_t calls = 0;
    const auto start = Clock::now();
    double elapsed = 0;
    do {
      f();
      ++calls;
      elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    } while (elapsed < min_time);
    best = std::min(best, elapsed / calls);
  }
  return best;
}

// One layer: an op applied to a variable "data" of `in` (batch first).
struct Layer {
  std::string name, op;
  Kwargs params;
  Shape in;
  bool data_grad = true;  // false for a network's first layer
  double flops = 0;       // forward + backward multiply-adds x 2; 0: not gemm
};

double FcFlops(int64_t batch, int64_t in, int64_t out, bool data_grad) {
  return 2.0 * batch * in * out * (data_grad ? 3 : 2);
}

// Conv with a k x k kernel, `c` input and `f` output channels, `o` x `o`
// output positions.
double ConvFlops(int64_t batch, int64_t c, int64_t f, int64_t k, int64_t o,
                 bool data_grad) {
  return 2.0 * batch * f * c * k * k * o * o * (data_grad ? 3 : 2);
}

Symbol Apply(const Layer& l, const Symbol& in) {
  Kwargs kw = l.params;
  kw.push_back({"name", l.name});
  return Symbol::Create(l.op, {in}, kw);
}

std::vector<Layer> LeNetLayers(int64_t b) {
  const Kwargs tanh = {{"act_type", "tanh"}};
  const Kwargs pool = {
      {"kernel", {2, 2}}, {"stride", {2, 2}}, {"pool_type", "max"}};
  return {
      {"conv1",
       "Convolution",
       {{"kernel", {5, 5}}, {"num_filter", 20}},
       Shape{b, 1, 28, 28},
       false,
       ConvFlops(b, 1, 20, 5, 24, false)},
      {"tanh1", "Activation", tanh, Shape{b, 20, 24, 24}},
      {"pool1", "Pooling", pool, Shape{b, 20, 24, 24}},
      {"conv2",
       "Convolution",
       {{"kernel", {5, 5}}, {"num_filter", 50}},
       Shape{b, 20, 12, 12},
       true,
       ConvFlops(b, 20, 50, 5, 8, true)},
      {"tanh2", "Activation", tanh, Shape{b, 50, 8, 8}},
      {"pool2", "Pooling", pool, Shape{b, 50, 8, 8}},
      {"flatten", "Flatten", {}, Shape{b, 50, 4, 4}},
      {"fc1",
       "FullyConnected",
       {{"num_hidden", 500}},
       Shape{b, 800},
       true,
       FcFlops(b, 800, 500, true)},
      {"tanh3", "Activation", tanh, Shape{b, 500}},
      {"fc2",
       "FullyConnected",
       {{"num_hidden", 10}},
       Shape{b, 500},
       true,
       FcFlops(b, 500, 10, true)},
      {"softmax", "SoftmaxOutput", {}, Shape{b, 10}},
  };
}

std::vector<Layer> MlpLayers(int64_t b) {
  const Kwargs relu = {{"act_type", "relu"}};
  return {
      {"fc1",
       "FullyConnected",
       {{"num_hidden", 128}},
       Shape{b, 784},
       false,
       FcFlops(b, 784, 128, false)},
      {"relu1", "Activation", relu, Shape{b, 128}},
      {"fc2",
       "FullyConnected",
       {{"num_hidden", 64}},
       Shape{b, 128},
       true,
       FcFlops(b, 128, 64, true)},
      {"relu2", "Activation", relu, Shape{b, 64}},
      {"fc3",
       "FullyConnected",
       {{"num_hidden", 10}},
       Shape{b, 64},
       true,
       FcFlops(b, 64, 10, true)},
      {"softmax", "SoftmaxOutput", {}, Shape{b, 10}},
  };
}

// Random arguments; labels (when there are) are classes in [0, 10).
void FillArguments(Executor* exec) {
  for (auto& [name, arr] : exec->arg_dict()) {
    NDArray a = arr;
    if (name.size() >= 6 && name.compare(name.size() - 6, 6, "_label") == 0) {
      std::vector<float> labels(a.shape().Size());
      for (size_t i = 0; i < labels.size(); ++i) labels[i] = i % 10;
      NDArray::FromVector(labels, a.shape()).CopyTo(&a);
    } else {
      RandomUniform(-1, 1, a.shape()).CopyTo(&a);
    }
  }
}

// Forward(train) + Backward of a bound executor, waited for.
struct StepTimes {
  double forward = 0, backward = 0;
};

StepTimes TimeSteps(Executor* exec, const std::vector<NDArray>& heads,
                    double min_time) {
  Engine* engine = Engine::Get();
  StepTimes t;
  t.forward = TimePerCall(
      [&] {
        exec->Forward(true);
        engine->WaitForAll();
      },
      min_time);
  // Backward alone: it reads the forward's results, which stay valid.
  t.backward = TimePerCall(
      [&] {
        exec->Backward(heads);
        engine->WaitForAll();
      },
      min_time);
  return t;
}

std::vector<NDArray> OnesLike(const std::vector<NDArray>& outputs,
                              bool is_loss) {
  std::vector<NDArray> heads;
  if (is_loss) return heads;
  for (const NDArray& o : outputs) heads.push_back(NDArray::Ones(o.shape()));
  return heads;
}

// C (n, n) = A B in float32 on the library's Gemm: the BLAS rate here.
double SgemmGflops(int64_t n, double min_time) {
  std::vector<float> a(n * n, 0.5f), b(n * n, 0.25f), c(n * n, 0.f);
  GemmArgs g;
  g.m = g.n = g.k = n;
  g.a = a.data();
  g.b = b.data();
  g.c = c.data();
  g.lda = g.ldb = g.ldc = n;
  const double s = TimePerCall([&] { Gemm(g); }, min_time);
  return 2.0 * n * n * n / s / 1e9;
}

// Multiply-adds on independent vectors of floats, `rounds` times, in the
// clone for this CPU (AVX-512, AVX2 + FMA or SSE); each returns a sum so
// that nothing is optimized away. Two shapes, as registers allow: 8 chains
// of 16 floats (8 zmm registers cover AVX-512's FMA latency on 2 pipes) and
// 12 chains of 8 floats (12 of AVX2's 16 ymm registers).
typedef float Vec16 __attribute__((vector_size(64)));
typedef float Vec8 __attribute__((vector_size(32)));
template <typename V, int kChains>
[[gnu::always_inline]] inline float FmaChains(int64_t rounds) {
  V acc[kChains];
#pragma GCC unroll 16
  for (int c = 0; c < kChains; ++c) acc[c] = V{} + 1e-3f * (c + 1);
  const V a = V{} + 0.9999f, b = V{} + 1e-4f;
  for (int64_t r = 0; r < rounds; ++r) {
#pragma GCC unroll 16  // keeps the chains in registers
    for (int c = 0; c < kChains; ++c) acc[c] = acc[c] * a + b;
  }
  float s = 0;
  for (int c = 0; c < kChains; ++c) {
    for (size_t k = 0; k < sizeof(V) / sizeof(float); ++k) s += acc[c][k];
  }
  return s;
}
MX_MULTIVERSION float FmaWide(int64_t rounds) {
  return FmaChains<Vec16, 8>(rounds);
}
MX_MULTIVERSION float FmaNarrow(int64_t rounds) {
  return FmaChains<Vec8, 12>(rounds);
}

// GFLOP/s of multiply-adds on the intra-op threads: the FMA ceiling here
// (the better of the two shapes).
double FmaGflops(double min_time) {
  constexpr int64_t kRounds = 1 << 20;
  double best = 0;
  for (const bool wide : {true, false}) {
    std::atomic<float> sink{0};
    const double s = TimePerCall(
        [&] {
          ParallelFor(IntraOpThreads(), 1, [&](int64_t begin, int64_t end) {
            for (int64_t t = begin; t < end; ++t) {
              sink = sink + (wide ? FmaWide(kRounds) : FmaNarrow(kRounds));
            }
          });
        },
        min_time);
    const double flops = 2.0 * (wide ? 16 * 8 : 8 * 12) * kRounds;
    best = std::max(best, flops * IntraOpThreads() / s / 1e9);
  }
  return best;
}

// GB/s of a copy between two 256 MiB buffers (read + write counted) on the
// intra-op threads, pages touched first: the memory bandwidth here.
double CopyGBs(double min_time) {
  const int64_t n = int64_t{64} << 20;  // floats
  std::vector<float> a(n, 1.f), b(n, 0.f);
  const double s = TimePerCall(
      [&] {
        ParallelFor(n, 1 << 16, [&](int64_t begin, int64_t end) {
          std::copy(a.data() + begin, a.data() + end, b.data() + begin);
        });
      },
      min_time);
  return 2.0 * n * sizeof(float) / s / 1e9;
}

// The configs of the model zoo: configs/fashion_*.yaml of the workspace
// (BUILD_WORKSPACE_DIRECTORY under `bazel run`, else the current folder).
std::vector<std::string> ZooConfigs() {
  const char* ws = std::getenv("BUILD_WORKSPACE_DIRECTORY");
  const std::filesystem::path dir =
      std::filesystem::path(ws ? ws : ".") / "configs";
  MX_CHECK(std::filesystem::is_directory(dir), "--net zoo: no folder ",
           dir.string(), "; run from the workspace root or with bazel run");
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (name.rfind("fashion_", 0) == 0 && e.path().extension() == ".yaml") {
      out.push_back(e.path().string());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

void RunConfigNet(const std::string& path, const Options& o, double peak,
                  double bandwidth) {
  RunConfig c =
      LoadRunConfig(path, {"data.train.batch_size=" + std::to_string(o.batch)});
  std::printf("\n%s, batch %lld (layers timed in place)\n", path.c_str(),
              static_cast<long long>(o.batch));
  std::fputs(
      FormatNetworkTimes(TimeNetwork(c, o.iterations), peak, bandwidth).c_str(),
      stdout);
}

void RunNet(const std::string& net, const std::vector<Layer>& layers,
            const Options& o, double peak) {
  std::printf("\n%s, batch %lld (ms per call; GFLOP/s counts gemm work)\n",
              net.c_str(), static_cast<long long>(o.batch));
  std::printf("%-8s %-15s %-18s %8s %8s %8s %9s %7s\n", "layer", "op", "input",
              "fwd", "bwd", "total", "GFLOP/s", "%peak");
  double sum_fwd = 0, sum_bwd = 0;
  Symbol whole = Symbol::Variable("data");
  for (const Layer& l : layers) {
    whole = Apply(l, whole);
    if (!o.layer.empty() && l.name != o.layer) continue;
    const Symbol sym = Apply(l, Symbol::Variable("data"));
    std::map<std::string, GradReq> overrides;
    if (!l.data_grad) overrides["data"] = GradReq::kNull;
    auto exec = Executor::SimpleBind(sym, Context::CPU(), {{"data", l.in}},
                                     GradReq::kWrite, overrides);
    FillArguments(exec.get());
    const bool is_loss = l.op == "SoftmaxOutput";
    const StepTimes t =
        TimeSteps(exec.get(), OnesLike(exec->outputs(), is_loss), o.min_time);
    const double total = t.forward + t.backward;
    sum_fwd += t.forward;
    sum_bwd += t.backward;
    std::printf("%-8s %-15s %-18s %8.3f %8.3f %8.3f", l.name.c_str(),
                l.op.c_str(), l.in.ToString().c_str(), t.forward * 1e3,
                t.backward * 1e3, total * 1e3);
    if (l.flops > 0) {
      const double gflops = l.flops / total / 1e9;
      std::printf(" %9.1f %6.0f%%\n", gflops, 100 * gflops / peak);
    } else {
      std::printf(" %9s %7s\n", "-", "-");
    }
  }
  if (!o.layer.empty()) return;
  std::map<std::string, GradReq> overrides = {{"data", GradReq::kNull}};
  auto exec =
      Executor::SimpleBind(whole, Context::CPU(), {{"data", layers[0].in}},
                           GradReq::kWrite, overrides);
  FillArguments(exec.get());
  const StepTimes t = TimeSteps(exec.get(), {}, o.min_time);
  const double total = t.forward + t.backward;
  std::printf("%-8s %-15s %-18s %8.3f %8.3f %8.3f\n", "sum", "", "",
              sum_fwd * 1e3, sum_bwd * 1e3, (sum_fwd + sum_bwd) * 1e3);
  std::printf("%-8s %-15s %-18s %8.3f %8.3f %8.3f  (%.0f samples/s)\n",
              "network", "", "", t.forward * 1e3, t.backward * 1e3, total * 1e3,
              o.batch / total);
}

int Run(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--batch" && has_value) {
      o.batch = std::atoll(argv[++i]);
      MX_CHECK(o.batch > 0, "--batch must be positive, got ", argv[i]);
    } else if (arg == "--min-time" && has_value) {
      o.min_time = std::atof(argv[++i]);
      MX_CHECK(o.min_time > 0, "--min-time must be positive, got ", argv[i]);
    } else if (arg == "--net" && has_value) {
      o.net = argv[++i];
      MX_CHECK(o.net == "lenet" || o.net == "mlp" || o.net == "zoo" ||
                   o.net == "all",
               "--net must be lenet, mlp, zoo or all, got '", o.net, "'");
    } else if (arg == "--layer" && has_value) {
      o.layer = argv[++i];
    } else if (arg == "--config" && has_value) {
      o.configs.push_back(argv[++i]);
    } else if (arg == "--iterations" && has_value) {
      o.iterations = std::atoi(argv[++i]);
      MX_CHECK(o.iterations > 0, "--iterations must be positive, got ",
               argv[i]);
    } else {
      MX_THROW("unknown argument '", arg,
               "'; usage: ops_bench [--batch N] [--min-time SECONDS] "
               "[--net lenet|mlp|zoo|all] [--layer NAME] [--config FILE]... "
               "[--iterations N]");
    }
  }
  const double peak = SgemmGflops(1024, o.min_time);
  std::printf(
      "sgemm 1024x1024x1024: %.1f GFLOP/s (%d intra-op threads, %d engine "
      "workers)\n",
      peak, IntraOpThreads(), Engine::Get()->NumCpuWorkers());
  const double fma = FmaGflops(o.min_time);
  const double bandwidth = CopyGBs(o.min_time);
  std::printf(
      "FMA ceiling: %.1f GFLOP/s; memory copy (256 MiB, read + write): "
      "%.1f GB/s\n(config rates below are shares of these two)\n",
      fma, bandwidth);
  if (o.configs.empty() || o.net != "all") {
    if (o.net == "lenet" || o.net == "all") {
      RunNet("LeNet", LeNetLayers(o.batch), o, peak);
    }
    if (o.net == "mlp" || o.net == "all") {
      RunNet("MLP", MlpLayers(o.batch), o, peak);
    }
  }
  std::vector<std::string> configs = o.configs;
  if (o.net == "zoo") {
    for (const std::string& c : ZooConfigs()) configs.push_back(c);
  }
  for (const std::string& c : configs) RunConfigNet(c, o, fma, bandwidth);
  return 0;
}

}  // namespace
}  // namespace mx

int main(int argc, char** argv) {
  return mx::RunTool("ops_bench", mx::Run, argc, argv);
}
