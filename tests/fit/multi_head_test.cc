// A network of two loss heads (a classifier and a regression over one
// trunk), trained from one iterator whose label columns are named as the
// heads' labels: each head learns, is measured by its own metrics under
// its own name, and a label the iterator does not give is an error.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "fit/trainer.h"
#include "io/label_columns.h"
#include "io/ndarray_iter.h"
#include "tests/testing/error_message.h"

namespace mx {
namespace {

using ::mx::testing::MessageOf;
using ::testing::HasSubstr;

// 512 samples of 8 features; label columns: class (x0 + x1 > 0) and target
// 2 x2 - x3.
std::unique_ptr<io::DataIter> TwoTaskData(bool shuffle = true) {
  std::mt19937 rng(7);
  std::normal_distribution<float> normal;
  std::vector<float> x, y;
  for (int i = 0; i < 512; ++i) {
    float f[8];
    for (float& v : f) v = normal(rng);
    x.insert(x.end(), f, f + 8);
    y.push_back(f[0] + f[1] > 0 ? 1.f : 0.f);
    y.push_back(2 * f[2] - f[3]);
  }
  io::NDArrayIterOptions o;
  o.batch.batch_size = 32;
  o.order.shuffle = shuffle;
  return io::CreateNDArrayIter(NDArray::FromVector(x, Shape({512, 8})),
                               NDArray::FromVector(y, Shape({512, 2})), o);
}

Symbol TwoHeads() {
  Symbol x = Symbol::Variable("data");
  x = Symbol::Create("FullyConnected", {x},
                     {{"num_hidden", 32}, {"name", "trunk"}});
  x = Symbol::Create("Activation", {x}, {{"act_type", "relu"}});
  Symbol cls = Symbol::Create("FullyConnected", {x},
                              {{"num_hidden", 2}, {"name", "cls_fc"}});
  cls = Symbol::Create("SoftmaxOutput", {cls}, {{"name", "softmax"}});
  Symbol reg = Symbol::Create("FullyConnected", {x},
                              {{"num_hidden", 1}, {"name", "reg_fc"}});
  reg = Symbol::Create("LinearRegressionOutput", {reg},
                       {{"name", "reg"}, {"grad_scale", 0.5}});
  return Symbol::Group({cls, reg});
}

std::unique_ptr<io::DataIter> Labelled(bool shuffle = true) {
  return io::SelectLabels(TwoTaskData(shuffle),
                          {{"softmax_label", {0}}, {"reg_label", {1}}});
}

TrainerOptions Options() {
  TrainerOptions o;
  o.optimizer_params = {{"learning_rate", "0.05"}, {"momentum", "0.9"}};
  o.head_metrics = {{"softmax", {{"accuracy", {}}}}, {"reg", {{"mse", {}}}}};
  return o;
}

double Value(const std::vector<std::pair<std::string, double>>& metrics,
             const std::string& name) {
  for (const auto& [n, v] : metrics) {
    if (n == name) return v;
  }
  ADD_FAILURE() << "no metric " << name;
  return NAN;
}

TEST(MultiHeadTest, LossHeadsPairEachOutputWithItsLabel) {
  const std::vector<LossHead> heads =
      LossHeads(TwoHeads(), {"softmax_label", "reg_label"});
  ASSERT_EQ(heads.size(), 2u);
  EXPECT_EQ(heads[0].name, "softmax");
  EXPECT_EQ(heads[0].label, "softmax_label");
  EXPECT_EQ(heads[0].task, "classification");
  EXPECT_EQ(heads[1].name, "reg");
  EXPECT_EQ(heads[1].output, 1u);
  EXPECT_EQ(heads[1].label, "reg_label");
  EXPECT_EQ(heads[1].task, "regression");
  EXPECT_EQ(LabelArguments(TwoHeads()),
            (std::vector<std::string>{"softmax_label", "reg_label"}));
}

TEST(MultiHeadTest, BothHeadsLearnAndReportUnderTheirNames) {
  auto train = Labelled();
  auto val = Labelled(false);
  Trainer trainer(TwoHeads(), *train, Options());
  EpochReport first, last;
  for (int e = 0; e < 8; ++e) {
    last = trainer.TrainEpoch(train.get(), val.get());
    if (e == 0) first = last;
  }
  ASSERT_EQ(last.val.size(), 2u);
  EXPECT_EQ(last.val[0].first, "softmax.accuracy");
  EXPECT_EQ(last.val[1].first, "reg.mse");
  EXPECT_GT(Value(last.val, "softmax.accuracy"), 0.9);
  // The target's variance is 5: the regression head learned it.
  EXPECT_LT(Value(last.val, "reg.mse"), 0.5);
  EXPECT_LT(Value(last.val, "reg.mse"), Value(first.val, "reg.mse"));
}

TEST(MultiHeadTest, OneListMeasuresEveryHeadItFits) {
  TrainerOptions every;
  every.metrics = {{"acc", {}}, {"ce", {}}, {"mse", {}}};
  const std::vector<LossHead> heads =
      LossHeads(TwoHeads(), {"softmax_label", "reg_label"});
  const std::vector<HeadMetricSpec> specs = HeadMetrics(heads, every);
  ASSERT_EQ(specs.size(), 3u);
  EXPECT_EQ(specs[0].reported, "softmax.accuracy");
  EXPECT_EQ(specs[1].reported, "softmax.cross-entropy");
  EXPECT_EQ(specs[2].reported, "reg.mse");
  EXPECT_EQ(specs[2].head, 1u);
  // One head reading a label: names as they are, every metric on it.
  const std::vector<HeadMetricSpec> one =
      HeadMetrics(LossHeads(TwoHeads(), {"softmax_label"}), every);
  ASSERT_EQ(one.size(), 3u);
  EXPECT_EQ(one[0].reported, "accuracy");
  // A metric no head fits.
  std::vector<LossHead> classifiers = heads;
  classifiers[1].task = "classification";
  every.metrics = {{"acc", {}}, {"rmse", {}}};
  EXPECT_THAT(MessageOf([&] { HeadMetrics(classifiers, every); }),
              HasSubstr("metric 'rmse' fits none of the network's heads "
                        "(softmax: classification, reg: classification): it "
                        "measures values, not classes"));
}

TEST(MultiHeadTest, ClassLabelsAreCheckedPerHead) {
  // The regression target as the classifier's label: not class ids.
  auto swapped = io::SelectLabels(TwoTaskData(),
                                  {{"softmax_label", {1}}, {"reg_label", {0}}});
  Trainer trainer(TwoHeads(), *swapped, Options());
  const std::string m =
      MessageOf([&] { trainer.TrainEpoch(swapped.get(), nullptr); });
  EXPECT_THAT(m, HasSubstr("label (softmax_label)"));
  EXPECT_THAT(m, HasSubstr("is not a class id of the network's 2 outputs"));
}

TEST(MultiHeadTest, MissingOrUnknownLabelsAndHeadsAreErrors) {
  // The iterator's one label: reg_label gets nothing.
  auto one = TwoTaskData();
  EXPECT_THAT(MessageOf([&] { Trainer(TwoHeads(), *one, Options()); }),
              HasSubstr("the network's label input 'reg_label' gets no array "
                        "from the data iterator, which gives softmax_label"));
  auto train = Labelled();
  TrainerOptions o = Options();
  o.head_metrics["box"] = {{"mse", {}}};
  EXPECT_THAT(MessageOf([&] { Trainer(TwoHeads(), *train, o); }),
              HasSubstr("metrics of 'box': the network has no output layer "
                        "of that name (its heads: softmax, reg)"));
}

}  // namespace
}  // namespace mx
