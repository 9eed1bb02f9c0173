// The training loop on Fashion-MNIST (tools/setup.sh installs it): an MLP
// reaches the accuracy a demanding user expects, checkpoints reload to the
// same evaluation, frozen parameters stay put, multipliers apply.
#include "tools/mxtrain/trainer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>

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
  // A new trainer starting from the checkpoint evaluates the same.
  const Checkpoint c = LoadCheckpoint(prefix, 2);
  TrainerOptions o = Sgd();
  o.initial_args = c.args;
  o.initial_aux = c.aux;
  Trainer again(c.symbol, *train, o);
  EXPECT_DOUBLE_EQ(again.Evaluate(test.get())[0].second, r.val[0].second);
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

}  // namespace
}  // namespace mx
