// Learning-rate schedules at chosen update counts, against MXNet's
// definitions; warm-up; errors.
#include "core/train/lr_scheduler.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

#include "tests/testing/error_message.h"

namespace mx {
namespace {

using ::mx::testing::MessageOf;
using ::testing::HasSubstr;

TEST(LRSchedulerTest, Factor) {
  auto s = LRScheduler::Create(
      "factor", 1.0,
      {{"step", "10"}, {"factor", "0.5"}, {"stop_factor_lr", "0.2"}});
  EXPECT_DOUBLE_EQ(s->LearningRate(1), 1.0);
  EXPECT_DOUBLE_EQ(s->LearningRate(10), 1.0);  // drops after update 10
  EXPECT_DOUBLE_EQ(s->LearningRate(11), 0.5);
  EXPECT_DOUBLE_EQ(s->LearningRate(21), 0.25);
  EXPECT_DOUBLE_EQ(s->LearningRate(31), 0.2);  // stop_factor_lr
}

TEST(LRSchedulerTest, MultiFactorWithWarmup) {
  auto s = LRScheduler::Create("multifactor", 0.1,
                               {{"steps", "(20,30)"},
                                {"factor", "0.1"},
                                {"warmup_steps", "4"},
                                {"warmup_begin_lr", "0.02"}});
  EXPECT_DOUBLE_EQ(s->LearningRate(1), 0.04);
  EXPECT_DOUBLE_EQ(s->LearningRate(4), 0.1);
  EXPECT_DOUBLE_EQ(s->LearningRate(20), 0.1);
  EXPECT_NEAR(s->LearningRate(21), 0.01, 1e-15);
  EXPECT_NEAR(s->LearningRate(31), 0.001, 1e-15);
}

TEST(LRSchedulerTest, CosineAndPoly) {
  auto cosine = LRScheduler::Create(
      "cosine", 1.0, {{"max_update", "100"}, {"final_lr", "0.1"}});
  EXPECT_DOUBLE_EQ(cosine->LearningRate(0), 1.0);
  EXPECT_NEAR(cosine->LearningRate(50), 0.55, 1e-12);
  EXPECT_DOUBLE_EQ(cosine->LearningRate(100), 0.1);
  EXPECT_DOUBLE_EQ(cosine->LearningRate(500), 0.1);
  auto poly =
      LRScheduler::Create("poly", 1.0, {{"max_update", "10"}, {"pwr", "2"}});
  EXPECT_NEAR(poly->LearningRate(5), 0.25, 1e-12);
  auto constant = LRScheduler::Create("constant", 0.3, {});
  EXPECT_DOUBLE_EQ(constant->LearningRate(12345), 0.3);
}

TEST(LRSchedulerTest, ErrorsNameTheScheduleAndParameter) {
  EXPECT_THAT(MessageOf([] { LRScheduler::Create("step", 1, {}); }),
              HasSubstr("unknown lr schedule 'step' (known: constant, factor, "
                        "multifactor, cosine, poly)"));
  EXPECT_THAT(
      MessageOf([] { LRScheduler::Create("factor", 1, {}); }),
      HasSubstr("lr schedule factor: missing required parameter 'step'"));
  EXPECT_THAT(MessageOf([] {
                LRScheduler::Create("multifactor", 1, {{"steps", "(30,20)"}});
              }),
              HasSubstr("steps (30, 20) must be strictly increasing"));
  EXPECT_THAT(MessageOf([] {
                LRScheduler::Create(
                    "cosine", 1,
                    {{"max_update", "10"}, {"warmup_steps", "10"}});
              }),
              HasSubstr("warmup_steps 10 must be smaller than max_update 10"));
}

}  // namespace
}  // namespace mx
