// The training loop on Fashion-MNIST (tools/setup.sh installs it): an MLP
// reaches the accuracy a demanding user expects, checkpoints reload to the
// same evaluation, frozen parameters stay put, multipliers apply.
#include "fit/trainer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>

#include "core/base/file_util.h"
#include "io/mnist_file.h"
#include "io/mnist_iter.h"
#include "tests/testing/error_message.h"
#include "tests/testing/temp_path.h"

namespace mx {
namespace {

using ::mx::testing::MessageOf;
using ::mx::testing::TempPath;
using ::testing::HasSubstr;

const std::string kDir = io::kFashionMnistDir;

std::unique_ptr<io::DataIter> Mnist(const std::string& split, bool shuffle) {
  return io::CreateMnistIter(
      {{"image", kDir + "/" + split + "-images-idx3-ubyte.gz"},
       {"label", kDir + "/" + split + "-labels-idx1-ubyte.gz"},
       {"flat", "True"},
       {"shuffle", shuffle ? "True" : "False"},
       {"last_batch", shuffle ? "discard" : "pad"}});
}

Symbol Mlp(Kwargs fc1_extra = {}) {
  Symbol x = Symbol::Variable("data");
  Kwargs fc1 = {{"num_hidden", 128}, {"name", "fc1"}};
  fc1.insert(fc1.end(), fc1_extra.begin(), fc1_extra.end());
  x = Symbol::Create("FullyConnected", {x}, fc1);
  x = Symbol::Create("Activation", {x}, {{"act_type", "relu"}});
  x = Symbol::Create("FullyConnected", {x},
                     {{"num_hidden", 64}, {"name", "fc2"}});
  x = Symbol::Create("Activation", {x}, {{"act_type", "relu"}});
  x = Symbol::Create("FullyConnected", {x},
                     {{"num_hidden", 10}, {"name", "fc3"}});
  return Symbol::Create("SoftmaxOutput", {x}, {{"name", "softmax"}});
}

TrainerOptions Sgd() {
  TrainerOptions o;
  o.optimizer_params = {
      {"learning_rate", "0.1"}, {"momentum", "0.9"}, {"wd", "0.0001"}};
  return o;
}

TEST(TrainerTest, MlpLearnsFashionMnistAndCheckpointsReload) {
  auto train = Mnist("train", true);
  auto test = Mnist("t10k", false);
  Trainer trainer(Mlp(), *train, Sgd());
  EpochReport r;
  for (int e = 0; e < 2; ++e) {
    r = trainer.TrainEpoch(train.get(), test.get());
    std::printf("epoch %d: train %s %.4f, test %.4f, %.0f samples/s\n", r.epoch,
                r.train[0].first.c_str(), r.train[0].second, r.val[0].second,
                r.samples_per_second);
  }
  EXPECT_EQ(r.num_update, 2 * 468);
  EXPECT_GT(r.val[0].second, 0.82);
  const std::string prefix = TempPath("mlp");
  trainer.SaveCheckpoint(prefix, 2);
  // A new trainer starting from the checkpoint evaluates the same, also
  // one bound for evaluation only (no gradients), which cannot train.
  const Checkpoint c = LoadCheckpoint(prefix, 2);
  TrainerOptions o = Sgd();
  o.initial_args = c.args;
  o.initial_aux = c.aux;
  Trainer again(c.symbol, *train, o);
  EXPECT_DOUBLE_EQ(again.Evaluate(test.get())[0].second, r.val[0].second);
  o.for_training = false;
  Trainer eval_only(c.symbol, *train, o);
  EXPECT_TRUE(eval_only.executor().grad_dict().empty());
  EXPECT_DOUBLE_EQ(eval_only.Evaluate(test.get())[0].second, r.val[0].second);
  EXPECT_THAT(MessageOf([&] { eval_only.TrainEpoch(train.get(), nullptr); }),
              HasSubstr("built for evaluation only"));
}

// Weights that went NaN without a step check seeing it are never saved: a
// NumericalError names the parameter and no file is written.
TEST(TrainerTest, NonFiniteWeightsAreNotCheckpointed) {
  auto train =
      io::CreateMnistIter({{"image", kDir + "/t10k-images-idx3-ubyte.gz"},
                           {"label", kDir + "/t10k-labels-idx1-ubyte.gz"},
                           {"flat", "True"},
                           {"batch_size", "100"}});
  Trainer trainer(Mlp(), *train, Sgd());
  NDArray bias = trainer.args().at("fc1_bias");
  std::vector<float> values = bias.ToVector<float>();
  values[3] = std::nanf("");
  bias.SyncCopyFromHost(values.data(), values.size() * sizeof(float));
  const std::string prefix = TempPath("nan_weights");
  EXPECT_THAT(MessageOf([&] { trainer.SaveCheckpoint(prefix, 1); }),
              HasSubstr("parameter 'fc1_bias' holds NaN or Inf values at "
                        "epoch 1: no checkpoint written"));
  EXPECT_FALSE(FileExists(prefix + "-0001.params"));
  EXPECT_FALSE(FileExists(prefix + "-0001.states"));
}

TEST(TrainerTest, FrozenParametersAndMultipliers) {
  auto train =
      io::CreateMnistIter({{"image", kDir + "/t10k-images-idx3-ubyte.gz"},
                           {"label", kDir + "/t10k-labels-idx1-ubyte.gz"},
                           {"flat", "True"},
                           {"batch_size", "100"}});
  TrainerOptions o = Sgd();
  o.frozen = {"fc2_weight"};
  // fc1 learns nothing (lr_mult 0).
  Trainer trainer(Mlp({{"lr_mult", 0.0}}), *train, o);
  const std::vector<float> fc1 =
      trainer.args().at("fc1_weight").ToVector<float>();
  const std::vector<float> fc2 =
      trainer.args().at("fc2_weight").ToVector<float>();
  const std::vector<float> fc3 =
      trainer.args().at("fc3_weight").ToVector<float>();
  trainer.TrainEpoch(train.get(), nullptr);
  EXPECT_EQ(trainer.args().at("fc2_weight").ToVector<float>(), fc2);
  EXPECT_NE(trainer.args().at("fc3_weight").ToVector<float>(), fc3);
  // lr_mult given to the op reaches the variables it creates (as MXNet).
  EXPECT_EQ(trainer.args().at("fc1_weight").ToVector<float>(), fc1);
}

TEST(TrainerTest, ErrorsNameTheInput) {
  auto train = Mnist("t10k", false);
  Symbol x = Symbol::Create("FullyConnected", {Symbol::Variable("pixels")},
                            {{"num_hidden", 10}});
  x = Symbol::Create("SoftmaxOutput", {x}, {{"name", "softmax"}});
  EXPECT_THAT(MessageOf([&] { Trainer(x, *train, Sgd()); }),
              HasSubstr("the network has no input 'data' for the data "
                        "iterator's array of that name"));
  TrainerOptions o = Sgd();
  o.frozen = {"fc9_weight"};
  EXPECT_THAT(MessageOf([&] { Trainer(Mlp(), *train, o); }),
              HasSubstr("frozen parameter 'fc9_weight' is not a parameter"));
}

// A net with Dropout, so resuming must restore the random generator too.
Symbol DropoutMlp() {
  Symbol x = Symbol::Variable("data");
  x = Symbol::Create("FullyConnected", {x},
                     {{"num_hidden", 64}, {"name", "fc1"}});
  x = Symbol::Create("Activation", {x}, {{"act_type", "relu"}});
  x = Symbol::Create("Dropout", {x}, {{"p", 0.3}, {"name", "drop"}});
  x = Symbol::Create("FullyConnected", {x},
                     {{"num_hidden", 10}, {"name", "fc2"}});
  return Symbol::Create("SoftmaxOutput", {x}, {{"name", "softmax"}});
}

std::unique_ptr<io::DataIter> SmallTrain() {
  return io::CreateMnistIter({{"image", kDir + "/t10k-images-idx3-ubyte.gz"},
                              {"label", kDir + "/t10k-labels-idx1-ubyte.gz"},
                              {"flat", "True"},
                              {"shuffle", "True"},
                              {"seed", "7"},
                              {"batch_size", "100"}});
}

// Stops the epoch after `n` batches.
EpochControl StopAfter(int64_t n, std::atomic<bool>* stop) {
  EpochControl c;
  c.stop = stop;
  c.on_batch = [n, stop](const BatchProgress& p) {
    if (p.batch >= n) stop->store(true);
  };
  return c;
}

TEST(TrainerTest, ResumeContinuesExactlyAsAnUninterruptedRun) {
  TrainerOptions o = Sgd();
  o.optimizer = "adam";
  o.optimizer_params = {{"learning_rate", "0.002"}, {"wd", "0.0001"}};
  o.lr_schedule = "factor";
  o.lr_schedule_params = {{"step", "70"}, {"factor", "0.9"}};
  o.seed = 3;
  auto train = SmallTrain();
  Trainer full(DropoutMlp(), *train, o);
  std::vector<EpochReport> full_reports;
  for (int e = 0; e < 3; ++e) {
    full_reports.push_back(full.TrainEpoch(train.get(), nullptr));
  }

  // Epoch 1, then 40 batches of epoch 2, interrupted and saved.
  const std::string prefix = TempPath("resume");
  {
    auto it = SmallTrain();
    Trainer first(DropoutMlp(), *it, o);
    first.TrainEpoch(it.get(), nullptr);
    first.SaveCheckpoint(prefix, 1);
    std::atomic<bool> stop{false};
    const EpochReport r =
        first.TrainEpoch(it.get(), nullptr, StopAfter(40, &stop));
    EXPECT_TRUE(r.interrupted);
    EXPECT_EQ(first.batch_in_epoch(), 40);
    first.SaveCheckpoint(prefix, 2);
  }
  // From the mid-epoch checkpoint: the rest of epoch 2, then epoch 3.
  {
    auto it = SmallTrain();
    Trainer resumed(DropoutMlp(), *it, o);
    resumed.Resume(prefix, 2, it.get());
    EXPECT_EQ(resumed.epoch(), 2);
    EpochReport r = resumed.TrainEpoch(it.get(), nullptr);
    EXPECT_EQ(r.epoch, 2);
    EXPECT_EQ(r.batches, 60);
    // The epoch's metrics include its 40 batches before the interruption.
    EXPECT_EQ(r.train, full_reports[1].train);
    r = resumed.TrainEpoch(it.get(), nullptr);
    EXPECT_EQ(r.epoch, 3);
    EXPECT_EQ(resumed.num_update(), full.num_update());
    for (const auto& [name, a] : full.args()) {
      EXPECT_EQ(resumed.args().at(name).ToVector<float>(), a.ToVector<float>())
          << name;
    }
  }
  // Stopped after an epoch's last batch, before its end: the resumed run
  // ends that epoch (no batch left) and goes on exactly.
  {
    const std::string last = TempPath("resume_last");
    {
      auto it = SmallTrain();
      Trainer first(DropoutMlp(), *it, o);
      first.TrainEpoch(it.get(), nullptr);
      std::atomic<bool> stop{false};
      const EpochReport r =
          first.TrainEpoch(it.get(), nullptr, StopAfter(100, &stop));
      ASSERT_TRUE(r.interrupted);
      ASSERT_EQ(first.batch_in_epoch(), 100);
      first.SaveCheckpoint(last, 2);
    }
    auto it = SmallTrain();
    Trainer resumed(DropoutMlp(), *it, o);
    resumed.Resume(last, 2, it.get());
    EpochReport r = resumed.TrainEpoch(it.get(), nullptr);
    EXPECT_EQ(r.epoch, 2);
    EXPECT_EQ(r.batches, 0);
    EXPECT_EQ(r.train, full_reports[1].train);
    r = resumed.TrainEpoch(it.get(), nullptr);
    EXPECT_EQ(r.epoch, 3);
    for (const auto& [name, a] : full.args()) {
      EXPECT_EQ(resumed.args().at(name).ToVector<float>(), a.ToVector<float>())
          << name;
    }
  }
  // A stop before an epoch's first batch leaves the epoch unbegun.
  {
    auto it = SmallTrain();
    Trainer t(DropoutMlp(), *it, o);
    t.TrainEpoch(it.get(), nullptr);
    std::atomic<bool> stop{true};
    EpochControl c;
    c.stop = &stop;
    const EpochReport r = t.TrainEpoch(it.get(), nullptr, c);
    EXPECT_TRUE(r.interrupted);
    EXPECT_EQ(r.batches, 0);
    EXPECT_EQ(t.epoch(), 1);
    EXPECT_EQ(t.batch_in_epoch(), 0);
    t.TrainEpoch(it.get(), nullptr);
    t.TrainEpoch(it.get(), nullptr);
    for (const auto& [name, a] : full.args()) {
      EXPECT_EQ(t.args().at(name).ToVector<float>(), a.ToVector<float>())
          << name;
    }
  }
  // From the end-of-epoch checkpoint.
  {
    auto it = SmallTrain();
    Trainer resumed(DropoutMlp(), *it, o);
    resumed.Resume(prefix, 1, it.get());
    resumed.TrainEpoch(it.get(), nullptr);
    resumed.TrainEpoch(it.get(), nullptr);
    for (const auto& [name, a] : full.args()) {
      EXPECT_EQ(resumed.args().at(name).ToVector<float>(), a.ToVector<float>())
          << name;
    }
  }
  // Another optimizer cannot take over the state.
  auto it = SmallTrain();
  Trainer sgd(DropoutMlp(), *it, Sgd());
  EXPECT_THAT(MessageOf([&] { sgd.Resume(prefix, 1, it.get()); }),
              HasSubstr("was written with optimizer 'adam', this run uses "
                        "'sgd'"));
}

TEST(TrainerTest, TwoCpuDevicesTrainAsOne) {
  TrainerOptions one = Sgd();
  TrainerOptions two = Sgd();
  two.contexts = {Context::CPU(0), Context::CPU(1)};
  auto it1 = SmallTrain();
  auto it2 = SmallTrain();
  Trainer a(Mlp(), *it1, one);
  Trainer b(Mlp(), *it2, two);
  std::atomic<bool> stop_a{false}, stop_b{false};
  a.TrainEpoch(it1.get(), nullptr, StopAfter(30, &stop_a));
  b.TrainEpoch(it2.get(), nullptr, StopAfter(30, &stop_b));
  EXPECT_EQ(b.num_update(), 30);
  for (const auto& [name, w] : a.args()) {
    const std::vector<float> x = w.ToVector<float>();
    const std::vector<float> y = b.args().at(name).ToVector<float>();
    ASSERT_EQ(x.size(), y.size());
    double worst = 0;
    for (size_t i = 0; i < x.size(); ++i) {
      worst = std::max(worst, std::abs(double{x[i]} - y[i]));
    }
    EXPECT_LT(worst, 1e-4) << name;  // only summation order differs
  }
  TrainerOptions bad = Sgd();
  bad.contexts = {Context::CPU(0), Context::CPU(1)};
  bad.kvstore = "lokal";
  EXPECT_THAT(MessageOf([&] { Trainer(Mlp(), *it1, bad); }),
              HasSubstr("unknown kvstore type 'lokal'; did you mean 'local'?"));
}

// fc1 -> sqrt (x ** 0.5) goes NaN on fc1's negative outputs.
Symbol SqrtNet() {
  Symbol x = Symbol::Create("FullyConnected", {Symbol::Variable("data")},
                            {{"num_hidden", 16}, {"name", "fc1"}});
  x = Symbol::Create("_power_scalar", {x}, {{"scalar", 0.5}, {"name", "sqrt"}});
  x = Symbol::Create("FullyConnected", {x},
                     {{"num_hidden", 10}, {"name", "fc2"}});
  return Symbol::Create("SoftmaxOutput", {x}, {{"name", "softmax"}});
}

TEST(TrainerTest, NonFiniteStepsStopNamingTheLayerOrAreSkipped) {
  auto it = SmallTrain();
  Trainer stop(SqrtNet(), *it, Sgd());
  try {
    stop.TrainEpoch(it.get(), nullptr);
    ADD_FAILURE() << "no NumericalError";
  } catch (const NumericalError& e) {
    EXPECT_THAT(e.what(), HasSubstr("epoch 1, batch 1: the output "
                                    "'sqrt_output' of layer 'sqrt' is the "
                                    "first to hold NaN or Inf values"));
  }
  TrainerOptions o = Sgd();
  o.on_nonfinite = NonFinitePolicy::kSkip;
  auto it2 = SmallTrain();
  Trainer skip(SqrtNet(), *it2, o);
  const std::vector<float> before =
      skip.args().at("fc2_weight").ToVector<float>();
  const EpochReport r = skip.TrainEpoch(it2.get(), nullptr);
  EXPECT_EQ(r.skipped, 100);
  EXPECT_EQ(r.num_update, 0);
  EXPECT_EQ(skip.args().at("fc2_weight").ToVector<float>(), before);
}

}  // namespace
}  // namespace mx

namespace mx {
namespace {

// The distance between two parameter sets (L2 over every array).
double Distance(const NamedParams& a, const NamedParams& b) {
  double sum = 0;
  for (const auto& [name, w] : a) {
    const std::vector<float> x = w.ToVector<float>();
    const std::vector<float> y = b.at(name).ToVector<float>();
    for (size_t i = 0; i < x.size(); ++i) {
      sum += (double{x[i]} - y[i]) * (double{x[i]} - y[i]);
    }
  }
  return std::sqrt(sum);
}

NamedParams Copy(const NamedParams& params) {
  NamedParams out;
  for (const auto& [name, w] : params) out[name] = w.CopyTo(w.context());
  return out;
}

// optimizer clip_global_norm: one plain SGD step moves the weights by
// exactly lr * the norm limit (the gradients scaled together), on one
// device and summed over two; a limit above every norm changes nothing.
TEST(TrainerTest, GlobalNormClippingBoundsTheStep) {
  for (const int devices : {1, 2}) {
    TrainerOptions o;
    o.optimizer_params = {{"learning_rate", "0.5"},
                          {"clip_global_norm", "0.01"}};
    if (devices == 2) o.contexts = {Context::CPU(0), Context::CPU(1)};
    auto it = SmallTrain();
    Trainer t(Mlp(), *it, o);
    const NamedParams before = Copy(t.args());
    std::atomic<bool> stop{false};
    const EpochReport r = t.TrainEpoch(it.get(), nullptr, StopAfter(1, &stop));
    EXPECT_EQ(r.batches, 1);
    EXPECT_GT(r.grad_norm_mean, 0.01) << devices;
    EXPECT_EQ(r.grad_norm_max, r.grad_norm_mean);
    EXPECT_EQ(r.clipped, 1);
    EXPECT_NEAR(Distance(before, t.args()), 0.5 * 0.01, 1e-5) << devices;
  }
  // A limit no norm reaches: the same weights as without clipping.
  NamedParams weights[2];
  for (int clip = 0; clip < 2; ++clip) {
    TrainerOptions o = Sgd();
    if (clip) o.optimizer_params["clip_global_norm"] = "1e9";
    auto it = SmallTrain();
    Trainer t(Mlp(), *it, o);
    std::atomic<bool> stop{false};
    const EpochReport r = t.TrainEpoch(it.get(), nullptr, StopAfter(5, &stop));
    EXPECT_EQ(r.clipped, 0);
    EXPECT_EQ(r.grad_norm_mean < 0, clip == 0);
    weights[clip] = Copy(t.args());
  }
  EXPECT_EQ(Distance(weights[0], weights[1]), 0);
}

}  // namespace
}  // namespace mx
