// Metrics on small batches with known answers, padding, and errors.
#include "core/train/metric.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

#include "tests/testing/error_message.h"

namespace mx {
namespace {

using ::mx::testing::MessageOf;
using ::testing::HasSubstr;

NDArray A(std::vector<float> v, Shape s) { return NDArray::FromVector(v, s); }

const NDArray kPreds = A({0.1f, 0.7f, 0.2f,     // argmax 1
                          0.5f, 0.3f, 0.2f,     // argmax 0
                          0.3f, 0.3f, 0.4f,     // argmax 2
                          0.25f, 0.35f, 0.4f},  // argmax 2
                         Shape{4, 3});
const NDArray kLabels = A({1, 2, 2, 0}, Shape{4});

TEST(MetricTest, AccuracyTopKAndCrossEntropy) {
  auto acc = EvalMetric::Create("acc");
  acc->Update(kLabels, kPreds);
  EXPECT_EQ(acc->Get().first, "accuracy");
  EXPECT_DOUBLE_EQ(acc->Get().second, 0.5);
  acc->Update(kLabels, kPreds, /*pad=*/2);  // rows 0, 1: one right
  EXPECT_DOUBLE_EQ(acc->Get().second, 3.0 / 6);
  acc->Reset();
  EXPECT_TRUE(std::isnan(acc->Get().second));

  auto top2 = EvalMetric::Create("top_k_accuracy", {{"top_k", "2"}});
  top2->Update(kLabels, kPreds);
  EXPECT_EQ(top2->Get().first, "top_k_accuracy_2");
  // Rows 1 and 3 have their label last: 2 of 4.
  EXPECT_DOUBLE_EQ(top2->Get().second, 0.5);

  auto ce = EvalMetric::Create("ce");
  ce->Update(kLabels, kPreds);
  EXPECT_NEAR(
      ce->Get().second,
      -(std::log(0.7) + std::log(0.2) + std::log(0.4) + std::log(0.25)) / 4,
      1e-6);
}

TEST(MetricTest, RegressionAndF1) {
  const NDArray pred = A({1, 2, 3, 4}, Shape{2, 2});
  const NDArray label = A({1.5f, 2, 1, 4}, Shape{2, 2});
  auto mse = EvalMetric::Create("mse");
  auto mae = EvalMetric::Create("mae");
  auto rmse = EvalMetric::Create("rmse");
  for (auto* m : {mse.get(), mae.get(), rmse.get()}) m->Update(label, pred);
  EXPECT_DOUBLE_EQ(mse->Get().second, (0.25 + 4) / 4);
  EXPECT_DOUBLE_EQ(mae->Get().second, (0.5 + 2) / 4);
  EXPECT_DOUBLE_EQ(rmse->Get().second, std::sqrt((0.25 + 4) / 4));

  auto f1 = EvalMetric::Create("f1");
  // Predictions 1, 0, 1, 1 against labels 1, 1, 0, 1: tp 2, fp 1, fn 1.
  f1->Update(A({1, 1, 0, 1}, Shape{4}),
             A({0.2f, 0.8f, 0.9f, 0.1f, 0.3f, 0.7f, 0.4f, 0.6f}, Shape{4, 2}));
  EXPECT_DOUBLE_EQ(f1->Get().second, 2.0 / 3);
}

// Every name of a metric is one metric; losses and errors rank lower first.
TEST(MetricTest, NamesAliasesAndDirection) {
  EXPECT_EQ(EvalMetric::CanonicalName("acc"), "accuracy");
  EXPECT_EQ(EvalMetric::CanonicalName("accuracy"), "accuracy");
  EXPECT_EQ(EvalMetric::CanonicalName("cross-entropy"), "ce");
  EXPECT_EQ(EvalMetric::CanonicalName("top_k_acc"), "top_k_accuracy");
  EXPECT_EQ(EvalMetric::CanonicalName("f1"), "f1");
  for (const char* lower : {"ce", "cross-entropy", "mse", "mae", "rmse"}) {
    EXPECT_TRUE(EvalMetric::Create(lower)->lower_is_better()) << lower;
  }
  for (const char* higher : {"acc", "accuracy", "top_k_accuracy", "f1"}) {
    EXPECT_FALSE(EvalMetric::Create(higher)->lower_is_better()) << higher;
  }
}

TEST(MetricTest, StateContinuesAnEpoch) {
  const NDArray pairs = A({0.2f, 0.8f, 0.9f, 0.1f, 0.3f, 0.7f}, Shape{3, 2});
  const NDArray labels = A({1, 1, 0}, Shape{3});
  for (const char* name : {"accuracy", "ce", "f1"}) {
    auto whole = EvalMetric::Create(name);
    whole->Update(labels, pairs);
    whole->Update(labels, pairs);
    auto first = EvalMetric::Create(name);
    first->Update(labels, pairs);
    auto resumed = EvalMetric::Create(name);
    resumed->SetState(first->State());
    resumed->Update(labels, pairs);
    EXPECT_EQ(resumed->Get(), whole->Get()) << name;
  }
  auto acc = EvalMetric::Create("accuracy");
  EXPECT_THAT(MessageOf([&] {
                acc->SetState({1, 2, 3});
              }),
              HasSubstr("metric accuracy: a state of 3 numbers, expected 2"));
}

TEST(MetricTest, ErrorsNameTheMetric) {
  EXPECT_THAT(MessageOf([] { EvalMetric::Create("auc"); }),
              HasSubstr("unknown metric 'auc'"));
  auto acc = EvalMetric::Create("accuracy");
  EXPECT_THAT(
      MessageOf([&] {
        acc->Update(A({1, 5, 2, 0}, Shape{4}), kPreds);
      }),
      HasSubstr("metric accuracy: label 5 is not a class id in [0, 3)"));
  EXPECT_THAT(MessageOf([&] {
                acc->Update(A({1, 2}, Shape{2}), kPreds);
              }),
              HasSubstr("labels (2,) and predictions (4,3) have different "
                        "batch sizes"));
  EXPECT_THAT(
      MessageOf([] { EvalMetric::Create("f1")->Update(kLabels, kPreds); }),
      HasSubstr("metric f1 is binary"));
  EXPECT_THAT(MessageOf([] {
                EvalMetric::Create("mse", {{"x", "1"}});
              }),
              HasSubstr("metric mse takes no parameters"));
}

}  // namespace
}  // namespace mx
