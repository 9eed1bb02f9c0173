// Trains an MLP and a small conv net from C++ (executor + plain SGD on
// NDArrays) on Fashion-MNIST for a few hundred steps: the loss must fall and
// the test accuracy rise well above chance. Needs the data set
// (tools/setup.sh installs it).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/executor/executor.h"
#include "core/gpu/gpu.h"
#include "core/ndarray/ndarray.h"
#include "core/symbol/symbol.h"
#include "io/mnist_file.h"
#include "tests/testing/test_scale.h"

namespace mx {
namespace {

Symbol Op(const std::string& op, const Symbol& in, Kwargs kwargs) {
  return Symbol::Create(op, {in}, kwargs);
}

Symbol Mlp() {
  Symbol x = Symbol::Variable("data");
  x = Op("FullyConnected", x, {{"num_hidden", 128}, {"name", "fc1"}});
  x = Op("Activation", x, {{"act_type", "relu"}});
  x = Op("FullyConnected", x, {{"num_hidden", 64}, {"name", "fc2"}});
  x = Op("Activation", x, {{"act_type", "relu"}});
  x = Op("FullyConnected", x, {{"num_hidden", 10}, {"name", "fc3"}});
  return Op("SoftmaxOutput", x, {{"name", "softmax"}});
}

Symbol ConvNet() {
  Symbol x = Symbol::Variable("data");
  x = Op("Convolution", x,
         {{"kernel", {5, 5}}, {"num_filter", 8}, {"name", "conv1"}});
  x = Op("Activation", x, {{"act_type", "relu"}});
  x = Op("Pooling", x,
         {{"kernel", {2, 2}}, {"stride", {2, 2}}, {"pool_type", "max"}});
  x = Op("Convolution", x,
         {{"kernel", {5, 5}}, {"num_filter", 16}, {"name", "conv2"}});
  x = Op("Activation", x, {{"act_type", "relu"}});
  x = Op("Pooling", x,
         {{"kernel", {2, 2}}, {"stride", {2, 2}}, {"pool_type", "max"}});
  x = Op("Flatten", x, {});
  x = Op("FullyConnected", x, {{"num_hidden", 10}, {"name", "fc"}});
  return Op("SoftmaxOutput", x, {{"name", "softmax"}});
}

class FashionMnistTraining : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // MX_FASHION_MNIST_DIR: another copy (the packed GPU tests carry a part
    // of the data set; docs/gpu.md).
    const char* env = std::getenv("MX_FASHION_MNIST_DIR");
    const std::string dir = env != nullptr ? env : io::kFashionMnistDir;
    try {
      train_ = new io::MnistSplit(io::LoadMnistSplit(dir, "train"));
      test_ = new io::MnistSplit(io::LoadMnistSplit(dir, "t10k"));
    } catch (const Error& e) {
      load_error_ = new std::string(e.what());
    }
  }
  void SetUp() override {
    if (load_error_) FAIL() << *load_error_;
  }
  static void TearDownTestSuite() {
    delete train_;
    delete test_;
    delete load_error_;
  }

  struct Result {
    double first_loss, last_loss, accuracy;
  };

  // Xavier-uniform weights, zero biases; `steps` SGD steps of `batch`
  // samples; mean cross-entropy over the first and last 20 steps; accuracy
  // on the first 2000 test images.
  static Result Train(const Symbol& net, Shape sample, int64_t batch,
                      int64_t steps, double lr, Context ctx = Context::CPU()) {
    std::vector<int64_t> dims = {batch};
    for (int64_t d : sample.dims()) dims.push_back(d);
    const Shape data_shape(dims);
    auto exec = Executor::SimpleBind(
        net, ctx, {{"data", data_shape}}, GradReq::kWrite,
        {{"data", GradReq::kNull}, {"softmax_label", GradReq::kNull}});
    std::map<std::string, NDArray> args = exec->arg_dict();
    std::map<std::string, NDArray> grads = exec->grad_dict();
    RandomSeed(1);
    for (auto& [name, arr] : args) {
      if (name == "data" || name == "softmax_label") continue;
      const Shape& s = arr.shape();
      if (s.ndim() == 1) {
        arr.Fill(0);
        continue;
      }
      const double fan_out = s[0], fan_in = s.Size() / s[0];
      const double bound = std::sqrt(6.0 / (fan_in + fan_out));
      // Drawn on the host: the same weights on every device.
      RandomUniform(-bound, bound, s).CopyTo(&arr);
    }
    std::vector<double> losses;
    const int64_t n_train = train_->images.shape()[0];
    for (int64_t step = 0; step < steps; ++step) {
      const int64_t begin = (step * batch) % (n_train - batch);
      SetBatch(*train_, begin, data_shape, &args);
      exec->Forward(true);
      exec->Backward();
      for (auto& [name, g] : grads) {
        if (g.is_none()) continue;
        args[name] -= g * (lr / batch);
      }
      const std::vector<float> p = exec->outputs()[0].ToVector<float>();
      double loss = 0;
      for (int64_t i = 0; i < batch; ++i) {
        const int label = train_->labels[begin + i];
        loss -= std::log(std::max(p[i * 10 + label], 1e-12f));
      }
      losses.push_back(loss / batch);
    }
    const auto mean = [](auto first, auto last) {
      double sum = 0;
      for (auto it = first; it != last; ++it) sum += *it;
      return sum / std::distance(first, last);
    };
    Result r;
    r.first_loss = mean(losses.begin(), losses.begin() + 20);
    r.last_loss = mean(losses.end() - 20, losses.end());
    int64_t correct = 0, seen = 0;
    for (int64_t begin = 0; begin + batch <= 2000; begin += batch) {
      SetBatch(*test_, begin, data_shape, &args);
      exec->Forward(false);
      const std::vector<float> p = exec->outputs()[0].ToVector<float>();
      for (int64_t i = 0; i < batch; ++i, ++seen) {
        const auto row = p.begin() + i * 10;
        correct +=
            std::max_element(row, row + 10) - row == test_->labels[begin + i];
      }
    }
    r.accuracy = static_cast<double>(correct) / seen;
    return r;
  }

  static void SetBatch(const io::MnistSplit& split, int64_t begin,
                       const Shape& data_shape,
                       std::map<std::string, NDArray>* args) {
    const int64_t batch = data_shape[0];
    split.images.Slice(begin, begin + batch)
        .Reshape(data_shape)
        .CopyTo(&(*args)["data"]);
    std::vector<float> labels(split.labels.begin() + begin,
                              split.labels.begin() + begin + batch);
    NDArray::FromVector(labels, Shape{batch}).CopyTo(&(*args)["softmax_label"]);
  }

  static io::MnistSplit* train_;
  static io::MnistSplit* test_;
  static std::string* load_error_;
};

io::MnistSplit* FashionMnistTraining::train_ = nullptr;
io::MnistSplit* FashionMnistTraining::test_ = nullptr;
std::string* FashionMnistTraining::load_error_ = nullptr;

TEST_F(FashionMnistTraining, MlpLossFalls) {
  const Result r =
      Train(Mlp(), Shape{784}, 128, testing::Scaled(300, 200), 0.1);
  std::printf("MLP: loss %.3f -> %.3f, test accuracy %.3f\n", r.first_loss,
              r.last_loss, r.accuracy);
  EXPECT_LT(r.last_loss, 0.5 * r.first_loss);
  EXPECT_GT(r.accuracy, 0.7);
}

TEST_F(FashionMnistTraining, ConvNetLossFalls) {
  const Result r =
      Train(ConvNet(), Shape{1, 28, 28}, 64, testing::Scaled(300, 200), 0.1);
  std::printf("conv net: loss %.3f -> %.3f, test accuracy %.3f\n", r.first_loss,
              r.last_loss, r.accuracy);
  EXPECT_LT(r.last_loss, 0.5 * r.first_loss);
  EXPECT_GT(r.accuracy, 0.7);
}

// The conv net on gpu(0) from the same weights and batches: the same losses
// and accuracy as on the CPU, to float32 rounding over 300 steps.
TEST_F(FashionMnistTraining, ConvNetOnGpuLearnsAsOnCpu) {
  if (gpu::DeviceCount() == 0) GTEST_SKIP() << "no usable GPU";
  const int64_t steps = testing::Scaled(300, 200);
  const Result cpu = Train(ConvNet(), Shape{1, 28, 28}, 64, steps, 0.1);
  const Result gpu =
      Train(ConvNet(), Shape{1, 28, 28}, 64, steps, 0.1, Context::GPU(0));
  std::printf(
      "conv net on gpu(0): loss %.3f -> %.3f, test accuracy %.3f "
      "(cpu: %.3f -> %.3f, %.3f)\n",
      gpu.first_loss, gpu.last_loss, gpu.accuracy, cpu.first_loss,
      cpu.last_loss, cpu.accuracy);
  EXPECT_NEAR(gpu.first_loss, cpu.first_loss, 1e-3);
  EXPECT_NEAR(gpu.last_loss, cpu.last_loss, 0.05 * cpu.last_loss);
  EXPECT_NEAR(gpu.accuracy, cpu.accuracy, 0.02);
}

}  // namespace
}  // namespace mx
