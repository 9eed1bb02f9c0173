// GPU training throughput of mx: ResNet-18 / ResNet-50 (ImageNet shapes,
// synthetic data) or the Fashion-MNIST MLP / LeNet shapes, forward +
// backward + SGD momentum update per step, on gpu(0). Prints one JSON line:
// images/s (median of timed windows) and the peak bytes of mx's GPU memory
// pool. tools/bench/gpu_vs_torch.sh runs it beside PyTorch.
//   gpu_train_bench --net resnet50 --batch 64 [--steps 30] [--warmup 5]
//                   [--tune off|limited_workspace|fastest] [--profile STEPS]
// --tune: the Convolutions' cudnn_tune (default: unset, so
// MX_CUDNN_AUTOTUNE_DEFAULT decides, as in training). --profile: then times
// STEPS more steps step by step (each waits for its kernels) and prints to
// stderr the milliseconds per step of each layer kind and the slowest layers,
// and where the GPU memory went (parameters, gradients, planned activations).
#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "core/base/error.h"
#include "core/base/strings.h"
#include "core/engine/engine.h"
#include "core/executor/executor.h"
#include "core/executor/plan_memory.h"
#include "core/gpu/gpu.h"
#include "core/ndarray/ndarray.h"
#include "core/storage/storage.h"
#include "core/symbol/symbol.h"
#include "core/train/optimizer.h"

namespace mx {
namespace {

Symbol Op(const std::string& op, std::vector<Symbol> in, Kwargs kwargs) {
  return Symbol::Create(op, in, kwargs);
}

// The Convolutions' cudnn_tune; empty: unset (MX_CUDNN_AUTOTUNE_DEFAULT).
std::string g_tune;

Symbol ConvBn(const Symbol& x, int64_t filters, int64_t kernel, int64_t stride,
              const std::string& name, bool relu) {
  const int64_t pad = kernel / 2;
  Kwargs conv = {{"num_filter", filters},
                 {"kernel", {kernel, kernel}},
                 {"stride", {stride, stride}},
                 {"pad", {pad, pad}},
                 {"no_bias", true},
                 {"name", name + "_conv"}};
  if (!g_tune.empty()) conv.push_back({"cudnn_tune", g_tune});
  Symbol y = Op("Convolution", {x}, conv);
  y = Op("BatchNorm", {y},
         {{"fix_gamma", false}, {"eps", 1e-5}, {"name", name + "_bn"}});
  if (relu) y = Op("Activation", {y}, {{"act_type", "relu"}});
  return y;
}

// A residual unit (ResNet v1): basic (two 3x3) or bottleneck (1x1, 3x3,
// 1x1 with 4x expansion); a projection shortcut when the shape changes.
Symbol Unit(const Symbol& x, int64_t in_c, int64_t filters, int64_t stride,
            bool bottleneck, const std::string& name) {
  const int64_t out_c = bottleneck ? filters * 4 : filters;
  Symbol y;
  if (bottleneck) {
    y = ConvBn(x, filters, 1, 1, name + "_a", true);
    y = ConvBn(y, filters, 3, stride, name + "_b", true);
    y = ConvBn(y, out_c, 1, 1, name + "_c", false);
  } else {
    y = ConvBn(x, filters, 3, stride, name + "_a", true);
    y = ConvBn(y, filters, 3, 1, name + "_b", false);
  }
  const Symbol shortcut = (stride != 1 || in_c != out_c)
                              ? ConvBn(x, out_c, 1, stride, name + "_sc", false)
                              : x;
  return Op("Activation", {Op("elemwise_add", {y, shortcut}, {})},
            {{"act_type", "relu"}});
}

Symbol ResNet(int depth) {
  const bool bottleneck = depth >= 50;
  const std::vector<int> units =
      depth == 18 ? std::vector<int>{2, 2, 2, 2} : std::vector<int>{3, 4, 6, 3};
  Symbol x = ConvBn(Symbol::Variable("data"), 64, 7, 2, "stem", true);
  x = Op("Pooling", {x},
         {{"kernel", {3, 3}},
          {"stride", {2, 2}},
          {"pad", {1, 1}},
          {"pool_type", "max"}});
  int64_t in_c = 64;
  for (int stage = 0; stage < 4; ++stage) {
    const int64_t filters = int64_t{64} << stage;
    for (int u = 0; u < units[stage]; ++u) {
      const int64_t stride = (u == 0 && stage > 0) ? 2 : 1;
      x = Unit(x, in_c, filters, stride, bottleneck,
               StrCat("s", stage + 1, "u", u + 1));
      in_c = bottleneck ? filters * 4 : filters;
    }
  }
  x = Op("Pooling", {x}, {{"global_pool", true}, {"pool_type", "avg"}});
  x = Op("Flatten", {x}, {});
  x = Op("FullyConnected", {x}, {{"num_hidden", 1000}, {"name", "fc"}});
  return Op("SoftmaxOutput", {x}, {{"name", "softmax"}});
}

Symbol Mlp() {
  Symbol x = Symbol::Variable("data");
  x = Op("Flatten", {x}, {});
  x = Op("FullyConnected", {x}, {{"num_hidden", 128}, {"name", "fc1"}});
  x = Op("Activation", {x}, {{"act_type", "relu"}});
  x = Op("FullyConnected", {x}, {{"num_hidden", 64}, {"name", "fc2"}});
  x = Op("Activation", {x}, {{"act_type", "relu"}});
  x = Op("FullyConnected", {x}, {{"num_hidden", 10}, {"name", "fc3"}});
  return Op("SoftmaxOutput", {x}, {{"name", "softmax"}});
}

Symbol LeNet() {
  Symbol x = Symbol::Variable("data");
  x = Op("Convolution", {x},
         {{"kernel", {5, 5}}, {"num_filter", 20}, {"name", "conv1"}});
  x = Op("Activation", {x}, {{"act_type", "tanh"}});
  x = Op("Pooling", {x},
         {{"kernel", {2, 2}}, {"stride", {2, 2}}, {"pool_type", "max"}});
  x = Op("Convolution", {x},
         {{"kernel", {5, 5}}, {"num_filter", 50}, {"name", "conv2"}});
  x = Op("Activation", {x}, {{"act_type", "tanh"}});
  x = Op("Pooling", {x},
         {{"kernel", {2, 2}}, {"stride", {2, 2}}, {"pool_type", "max"}});
  x = Op("Flatten", {x}, {});
  x = Op("FullyConnected", {x}, {{"num_hidden", 500}, {"name", "fc1"}});
  x = Op("Activation", {x}, {{"act_type", "tanh"}});
  x = Op("FullyConnected", {x}, {{"num_hidden", 10}, {"name", "fc2"}});
  return Op("SoftmaxOutput", {x}, {{"name", "softmax"}});
}

struct Options {
  std::string net = "resnet50";
  int64_t batch = 64;
  int steps = 30;
  int warmup = 5;
  int profile = 0;
};

Options Parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    MX_CHECK(i + 1 < argc, "flag ", a, " needs a value");
    const std::string v = argv[++i];
    if (a == "--net") {
      o.net = v;
    } else if (a == "--batch") {
      o.batch = std::atoll(v.c_str());
    } else if (a == "--steps") {
      o.steps = std::atoi(v.c_str());
    } else if (a == "--warmup") {
      o.warmup = std::atoi(v.c_str());
    } else if (a == "--tune") {
      g_tune = v;
    } else if (a == "--profile") {
      o.profile = std::atoi(v.c_str());
    } else {
      MX_THROW("unknown flag ", a,
               " (known: --net resnet18|resnet50|mlp|lenet, --batch, "
               "--steps, --warmup, --tune, --profile)");
    }
  }
  MX_CHECK(o.batch > 0 && o.steps > 0 && o.warmup >= 0 && o.profile >= 0,
           "--batch and --steps must be positive");
  return o;
}

// The kind of one layer's name: "Convolution" for "s1u1_a_conv",
// "BatchNorm" for "..._bn", else the name without its trailing digits
// ("activation12" -> "activation").
std::string LayerKind(std::string name) {
  if (EndsWith(name, "_conv")) return "Convolution";
  if (EndsWith(name, "_bn")) return "BatchNorm";
  while (!name.empty() && std::isdigit(static_cast<unsigned char>(name.back())))
    name.pop_back();
  return name;
}

// The kind of a timed step: its layers' kinds joined by '+' (fused layers
// are named "a+b"), " (backward)" kept.
std::string StepKind(std::string step) {
  std::string suffix;
  const std::string bwd = " (backward)";
  if (EndsWith(step, bwd)) {
    step.resize(step.size() - bwd.size());
    suffix = bwd;
  }
  std::string kind;
  for (size_t begin = 0; begin <= step.size();) {
    size_t end = step.find('+', begin);
    if (end == std::string::npos) end = step.size();
    kind +=
        (kind.empty() ? "" : "+") + LayerKind(step.substr(begin, end - begin));
    begin = end + 1;
  }
  return kind + suffix;
}

// Times `steps` steps one kernel at a time and prints, to stderr, the
// milliseconds per step of each kind of layer and of the 15 slowest layers.
void Profile(Executor& exec, int steps, const std::function<void()>& step) {
  std::mutex mu;
  std::map<std::string, double> by_step;
  exec.SetStepTimer([&](const std::string& name, double s) {
    std::lock_guard<std::mutex> lock(mu);
    by_step[name] += s;
  });
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < steps; ++i) step();
  Engine::Get()->WaitForAll();
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  exec.SetStepTimer(nullptr);
  std::map<std::string, std::pair<double, int>> by_kind;
  double total = 0;
  for (const auto& [name, s] : by_step) {
    auto& k = by_kind[StepKind(name)];
    k.first += s;
    ++k.second;
    total += s;
  }
  const auto print = [&](const char* title, auto rows, size_t limit) {
    std::sort(rows.begin(), rows.end(),
              [](const auto& a, const auto& b) { return a.second > b.second; });
    std::fprintf(stderr, "%s\n", title);
    for (size_t i = 0; i < rows.size() && i < limit; ++i) {
      std::fprintf(stderr, "  %-40s %9.3f ms\n", rows[i].first.c_str(),
                   1e3 * rows[i].second / steps);
    }
  };
  std::vector<std::pair<std::string, double>> kinds,
      layers(by_step.begin(), by_step.end());
  for (const auto& [k, v] : by_kind) {
    kinds.emplace_back(StrCat(k, " x", v.second), v.first);
  }
  std::fprintf(stderr,
               "profile: %.3f ms per step in kernels (each step waited "
               "for), %.3f ms wall per step\n",
               1e3 * total / steps, 1e3 * wall / steps);
  print("by kind (per step):", kinds, 40);
  print("slowest layers (per step):", layers, 15);
}

// Where the GPU memory went: parameters, gradients and states, planned
// internal arrays and workspaces, and the pool's peak.
void PrintMemory(const Executor& exec, Context ctx) {
  size_t args = 0, grads = 0, aux = 0;
  for (const NDArray& a : exec.arg_arrays()) args += a.Bytes();
  for (const NDArray& g : exec.grad_arrays()) {
    if (!g.is_none()) grads += g.Bytes();
  }
  for (const NDArray& a : exec.aux_arrays()) aux += a.Bytes();
  const StorageStats stats = Storage::Get()->Stats(ctx);
  std::fprintf(stderr,
               "memory: arguments %.1f MiB, gradients %.1f MiB, auxiliary "
               "%.1f MiB, plan %s, pool peak %.1f MiB\n",
               args / 1048576.0, grads / 1048576.0, aux / 1048576.0,
               DescribePlan(exec.memory_plan()).c_str(),
               stats.peak_bytes_in_use / 1048576.0);
}

int Run(const Options& o) {
  MX_CHECK(gpu::DeviceCount() > 0,
           "gpu_train_bench needs a GPU (built with "
           "CUDA: ",
           gpu::BuiltWithCuda(), ")");
  Symbol net;
  Shape data;
  int classes = 10;
  if (o.net == "resnet18" || o.net == "resnet50") {
    net = ResNet(o.net == "resnet18" ? 18 : 50);
    data = Shape{o.batch, 3, 224, 224};
    classes = 1000;
  } else if (o.net == "mlp" || o.net == "lenet") {
    net = o.net == "mlp" ? Mlp() : LeNet();
    data = Shape{o.batch, 1, 28, 28};
  } else {
    MX_THROW("--net: unknown network '", o.net, "'");
  }
  const Context gpu0 = Context::GPU(0);
  Storage::Get()->ResetPeak(gpu0);
  auto exec = Executor::SimpleBind(
      net, gpu0, {{"data", data}, {"softmax_label", Shape{o.batch}}},
      GradReq::kWrite,
      {{"data", GradReq::kNull}, {"softmax_label", GradReq::kNull}});
  // Synthetic data and labels, weights uniform in +-0.05 (throughput does
  // not depend on the values).
  std::mt19937 rng(0);
  std::uniform_real_distribution<float> u(-0.05f, 0.05f);
  std::uniform_int_distribution<int> label(0, classes - 1);
  const auto names = net.ListArguments();
  std::unique_ptr<Optimizer> opt =
      Optimizer::Create("sgd", {{"learning_rate", "0.01"},
                                {"momentum", "0.9"},
                                {"wd", "0.0001"},
                                {"rescale_grad", StrCat(1.0 / o.batch)}});
  struct Param {
    std::string name;
    NDArray weight, grad;
    std::vector<NDArray> state;
  };
  std::vector<Param> params;
  for (size_t i = 0; i < names.size(); ++i) {
    NDArray a = exec->arg_arrays()[i];
    std::vector<float> v(static_cast<size_t>(a.Size()));
    for (float& x : v) {
      x = names[i] == "softmax_label" ? static_cast<float>(label(rng)) : u(rng);
    }
    NDArray::FromVector(v, a.shape()).CopyTo(&a);
    if (names[i] == "data" || names[i] == "softmax_label") continue;
    params.push_back(
        {names[i], a, exec->grad_arrays()[i], opt->CreateState(a)});
  }
  const auto step = [&](int64_t t) {
    exec->Forward(true);
    exec->Backward();
    UpdateStep s;
    s.lr = 0.01f;
    s.wd = 0.0001f;
    s.t = t;
    for (Param& p : params) opt->Update(p.name, s, p.weight, p.grad, p.state);
  };
  int64_t t = 0;
  for (int i = 0; i < o.warmup; ++i) step(++t);
  Engine::Get()->WaitForAll();
  // Timed in windows of 5 steps; the median window.
  std::vector<double> rates;
  for (int done = 0; done < o.steps;) {
    const int n = std::min(5, o.steps - done);
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < n; ++i) step(++t);
    Engine::Get()->WaitForAll();
    const double s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
    rates.push_back(static_cast<double>(n * o.batch) / s);
    done += n;
  }
  std::sort(rates.begin(), rates.end());
  const StorageStats stats = Storage::Get()->Stats(gpu0);
  if (o.profile > 0) {
    PrintMemory(*exec, gpu0);
    Profile(*exec, o.profile, [&] { step(++t); });
  }
  std::printf(
      "{\"framework\": \"mx\", \"net\": \"%s\", \"batch\": %lld, "
      "\"images_per_second\": %.1f, \"peak_gpu_mib\": %.1f}\n",
      o.net.c_str(), static_cast<long long>(o.batch), rates[rates.size() / 2],
      stats.peak_bytes_in_use / 1048576.0);
  return 0;
}

}  // namespace
}  // namespace mx

int main(int argc, char** argv) {
  try {
    return mx::Run(mx::Parse(argc, argv));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "gpu_train_bench: error: %s\n", e.what());
    return 1;
  }
}
