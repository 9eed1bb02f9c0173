// Training on a GPU against the CPU: executors of small networks (forward,
// backward, auxiliary states), every optimizer's fused update, and a short
// SGD run whose losses must follow the CPU's. Skips where no GPU is usable.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "core/executor/executor.h"
#include "core/gpu/gpu.h"
#include "core/ndarray/ndarray.h"
#include "core/symbol/symbol.h"
#include "core/train/optimizer.h"

namespace mx {
namespace {

Symbol Op(const std::string& op, const Symbol& in, Kwargs kwargs) {
  return Symbol::Create(op, {in}, kwargs);
}

// Every kind of layer the configs use, small.
Symbol ConvNet() {
  Symbol x = Symbol::Variable("data");
  x = Op("Convolution", x,
         {{"kernel", {3, 3}},
          {"pad", {1, 1}},
          {"num_filter", 6},
          {"name", "conv1"}});
  x = Op("BatchNorm", x, {{"fix_gamma", false}, {"name", "bn1"}});
  x = Op("Activation", x, {{"act_type", "relu"}});
  x = Op("Pooling", x,
         {{"kernel", {2, 2}}, {"stride", {2, 2}}, {"pool_type", "max"}});
  x = Op("Convolution", x,
         {{"kernel", {3, 3}},
          {"stride", {2, 2}},
          {"num_filter", 8},
          {"num_group", 2},
          {"name", "conv2"}});
  x = Op("LeakyReLU", x, {{"act_type", "leaky"}, {"slope", 0.1}});
  x = Op("Pooling", x, {{"global_pool", true}, {"pool_type", "avg"}});
  x = Op("Flatten", x, {});
  x = Op("FullyConnected", x, {{"num_hidden", 5}, {"name", "fc"}});
  return Op("SoftmaxOutput", x, {{"name", "softmax"}});
}

Symbol Mlp() {
  Symbol x = Symbol::Variable("data");
  x = Op("FullyConnected", x, {{"num_hidden", 32}, {"name", "fc1"}});
  x = Op("Activation", x, {{"act_type", "tanh"}});
  x = Op("FullyConnected", x, {{"num_hidden", 4}, {"name", "fc2"}});
  return Op("SoftmaxOutput", x, {{"name", "softmax"}});
}

std::vector<float> Random(size_t n, std::mt19937* rng, float scale = 1) {
  std::uniform_real_distribution<float> u(-scale, scale);
  std::vector<float> v(n);
  for (float& x : v) x = u(*rng);
  return v;
}

void Fill(const NDArray& a, const std::vector<float>& v) {
  NDArray host = NDArray::FromVector(v, a.shape());
  NDArray dst = a;
  host.CopyTo(&dst);
}

void ExpectClose(const NDArray& gpu, const NDArray& cpu, double tol,
                 const std::string& what) {
  const std::vector<float> g = gpu.CopyTo(Context::CPU()).ToVector<float>();
  const std::vector<float> c = cpu.ToVector<float>();
  ASSERT_EQ(g.size(), c.size()) << what;
  double scale = 1;
  for (float x : c) scale = std::max(scale, std::fabs(static_cast<double>(x)));
  for (size_t i = 0; i < g.size(); ++i) {
    ASSERT_NEAR(g[i], c[i], tol * scale) << what << " element " << i;
  }
}

class GpuTrainingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (gpu::DeviceCount() == 0) {
      GTEST_SKIP() << "no usable GPU (built with CUDA: " << gpu::BuiltWithCuda()
                   << ")";
    }
  }

  // Binds `net` on the CPU and on gpu(0) with the same random arguments and
  // labels in [0, classes).
  void BindBoth(const Symbol& net, const Shape& data, int classes) {
    const std::map<std::string, Shape> shapes = {
        {"data", data}, {"softmax_label", Shape{data[0]}}};
    cpu_ = Executor::SimpleBind(net, Context::CPU(), shapes);
    gpu_ = Executor::SimpleBind(net, Context::GPU(0), shapes);
    std::mt19937 rng(7);
    const auto names = net.ListArguments();
    for (size_t i = 0; i < names.size(); ++i) {
      const NDArray& c = cpu_->arg_arrays()[i];
      std::vector<float> v;
      if (names[i] == "softmax_label") {
        std::uniform_int_distribution<int> label(0, classes - 1);
        for (int64_t k = 0; k < c.Size(); ++k) v.push_back(label(rng));
      } else {
        v = Random(static_cast<size_t>(c.Size()), &rng, 0.5f);
      }
      Fill(c, v);
      Fill(gpu_->arg_arrays()[i], v);
    }
  }

  void CompareEverything(double tol) {
    const auto names = cpu_->symbol().ListArguments();
    for (size_t o = 0; o < cpu_->outputs().size(); ++o) {
      ExpectClose(gpu_->outputs()[o], cpu_->outputs()[o], tol, "output");
    }
    for (size_t i = 0; i < names.size(); ++i) {
      if (cpu_->grad_arrays()[i].is_none()) continue;
      ExpectClose(gpu_->grad_arrays()[i], cpu_->grad_arrays()[i], tol,
                  "gradient of " + names[i]);
    }
    const auto aux = cpu_->symbol().ListAuxiliaryStates();
    for (size_t i = 0; i < aux.size(); ++i) {
      ExpectClose(gpu_->aux_arrays()[i], cpu_->aux_arrays()[i], tol, aux[i]);
    }
  }

  std::unique_ptr<Executor> cpu_, gpu_;
};

TEST_F(GpuTrainingTest, ConvNetForwardAndBackwardMatchTheCpu) {
  BindBoth(ConvNet(), Shape{4, 3, 10, 10}, 5);
  for (int round = 0; round < 2; ++round) {
    cpu_->Forward(true);
    cpu_->Backward();
    gpu_->Forward(true);
    gpu_->Backward();
    CompareEverything(1e-4);
  }
  cpu_->Forward(false);
  gpu_->Forward(false);
  ExpectClose(gpu_->outputs()[0], cpu_->outputs()[0], 1e-4, "inference");
}

TEST_F(GpuTrainingTest, RandomArraysOnAGpuFollowTheSeed) {
  const Context gpu0 = Context::GPU(0);
  RandomSeed(5, gpu0);
  const NDArray a = RandomUniform(-1, 1, Shape{3, 100}, gpu0);
  RandomSeed(5, Context::CPU());
  const NDArray b = RandomUniform(-1, 1, Shape{3, 100}, Context::CPU());
  EXPECT_EQ(a.context(), gpu0);
  ExpectClose(a, b, 0, "uniform");
}

TEST_F(GpuTrainingTest, EveryOptimizerUpdatesAsOnTheCpu) {
  const std::map<std::string, AttrDict> optimizers = {
      {"sgd", {{"learning_rate", "0.1"}, {"wd", "0.01"}}},
      {"sgd_momentum",
       {{"learning_rate", "0.1"},
        {"momentum", "0.9"},
        {"clip_gradient", "0.3"}}},
      {"nag", {{"learning_rate", "0.1"}, {"momentum", "0.9"}}},
      {"adam", {{"learning_rate", "0.01"}, {"wd", "0.001"}}},
      {"adagrad", {{"learning_rate", "0.1"}}},
      {"rmsprop", {{"learning_rate", "0.01"}, {"rescale_grad", "0.5"}}},
  };
  std::mt19937 rng(3);
  const Shape shape{1000, 37};
  for (const auto& [label, params] : optimizers) {
    const std::string name = label == "sgd_momentum" ? "sgd" : label;
    std::unique_ptr<Optimizer> opt = Optimizer::Create(name, params);
    const std::vector<float> w0 = Random(shape.Size(), &rng);
    NDArray w_cpu = NDArray::FromVector(w0, shape);
    NDArray w_gpu = w_cpu.CopyTo(Context::GPU(0));
    std::vector<NDArray> s_cpu = opt->CreateState(w_cpu);
    std::vector<NDArray> s_gpu = opt->CreateState(w_gpu);
    for (int64_t t = 1; t <= 3; ++t) {
      NDArray g_cpu = NDArray::FromVector(Random(shape.Size(), &rng), shape);
      NDArray g_gpu = g_cpu.CopyTo(Context::GPU(0));
      UpdateStep step;
      step.lr = 0.05f;
      step.wd = 0.001f;
      step.t = t;
      opt->Update("w", step, w_cpu, g_cpu, s_cpu);
      opt->Update("w", step, w_gpu, g_gpu, s_gpu);
    }
    ExpectClose(w_gpu, w_cpu, 1e-5, label + " weight");
    for (size_t i = 0; i < s_cpu.size(); ++i) {
      ExpectClose(s_gpu[i], s_cpu[i], 1e-5, label + " state");
    }
  }
}

TEST_F(GpuTrainingTest, SgdStepsFollowTheCpu) {
  BindBoth(Mlp(), Shape{16, 20}, 4);
  std::unique_ptr<Optimizer> opt =
      Optimizer::Create("sgd", {{"learning_rate", "0.5"},
                                {"momentum", "0.9"},
                                {"rescale_grad", "0.0625"}});
  const auto names = Mlp().ListArguments();
  std::map<std::string, std::vector<NDArray>> cpu_state, gpu_state;
  for (size_t i = 0; i < names.size(); ++i) {
    if (cpu_->grad_arrays()[i].is_none() || names[i] == "data" ||
        names[i] == "softmax_label") {
      continue;
    }
    cpu_state[names[i]] = opt->CreateState(cpu_->arg_arrays()[i]);
    gpu_state[names[i]] = opt->CreateState(gpu_->arg_arrays()[i]);
  }
  for (int64_t t = 1; t <= 20; ++t) {
    for (Executor* e : {cpu_.get(), gpu_.get()}) {
      e->Forward(true);
      e->Backward();
      auto& states = e == cpu_.get() ? cpu_state : gpu_state;
      for (size_t i = 0; i < names.size(); ++i) {
        if (!states.count(names[i])) continue;
        UpdateStep step;
        step.lr = 0.5f;
        step.t = t;
        opt->Update(names[i], step, e->arg_arrays()[i], e->grad_arrays()[i],
                    states[names[i]]);
      }
    }
  }
  for (size_t i = 0; i < names.size(); ++i) {
    ExpectClose(gpu_->arg_arrays()[i], cpu_->arg_arrays()[i], 1e-3,
                "trained " + names[i]);
  }
}

}  // namespace
}  // namespace mx
