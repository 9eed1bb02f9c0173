// Fit, the run around the Trainer: which checkpoints it writes and prunes,
// the best epoch in the metric's direction, resume, and stop requests; on a
// small separable problem in memory.
#include "fit/fit.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "core/base/file_util.h"
#include "core/train/checkpoint.h"
#include "core/train/train_state.h"
#include "io/ndarray_iter.h"
#include "tests/testing/temp_path.h"

namespace mx {
namespace {

using ::mx::testing::TempPath;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// A new empty folder for a test's run.
std::string Folder(const std::string& name) {
  const std::string dir = TempPath(name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

// 256 samples of 8 features; the class is whether the first is positive.
std::unique_ptr<io::DataIter> Separable(uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal;
  std::vector<float> x(256 * 8), y(256);
  for (int i = 0; i < 256; ++i) {
    for (int j = 0; j < 8; ++j) x[i * 8 + j] = normal(rng);
    y[i] = x[i * 8] > 0 ? 1.0f : 0.0f;
  }
  io::NDArrayIterOptions o;
  o.batch.batch_size = 32;
  return io::CreateNDArrayIter(NDArray::FromVector(x, Shape({256, 8})),
                               NDArray::FromVector(y, Shape({256})), o);
}

Symbol Logistic() {
  Symbol x = Symbol::Create("FullyConnected", {Symbol::Variable("data")},
                            {{"num_hidden", 2}, {"name", "fc"}});
  return Symbol::Create("SoftmaxOutput", {x}, {{"name", "softmax"}});
}

TrainerOptions Sgd() {
  TrainerOptions o;
  o.optimizer_params = {{"learning_rate", "0.1"}};
  o.metrics = {{"accuracy", {}}, {"ce", {}}};
  return o;
}

struct TrainingRun {
  explicit TrainingRun(const Symbol& net = Logistic())
      : trainer(net, *train, Sgd()) {}

  std::unique_ptr<io::DataIter> train = Separable(1), val = Separable(2);
  Trainer trainer;
  std::vector<int> epochs_seen;
  ResumePoint start;

  FitResult Go(const FitOptions& o, FitEvents events = {}) {
    events.on_start = [&](const ResumePoint& p) { start = p; };
    const auto on_epoch = events.on_epoch;
    events.on_epoch = [&, on_epoch](const EpochReport& r) {
      epochs_seen.push_back(r.epoch);
      if (on_epoch) on_epoch(r);
    };
    return Fit(&trainer, train.get(), val.get(), o, events);
  }
};

FitOptions Options(const std::string& dir, int64_t epochs) {
  FitOptions o;
  o.epochs = epochs;
  o.checkpoint.prefix = dir + "/model";
  o.checkpoint.best_metric = "cross-entropy";
  o.checkpoint.lower_is_better = true;
  return o;
}

TEST(BestEpochTest, RanksInTheMetricsDirection) {
  BestEpoch lower("cross-entropy", true), higher("accuracy", false);
  const std::vector<std::vector<std::pair<std::string, double>>> epochs = {
      {{"accuracy", 0.5}, {"cross-entropy", 0.9}},
      {{"accuracy", 0.7}, {"cross-entropy", 0.4}},
      {{"accuracy", 0.6}, {"cross-entropy", 0.6}}};
  for (int e = 0; e < 3; ++e) {
    lower.Observe(e + 1, epochs[e]);
    higher.Observe(e + 1, epochs[e]);
  }
  EXPECT_EQ(lower.epoch(), 2);
  EXPECT_EQ(lower.value(), 0.4);
  EXPECT_EQ(higher.epoch(), 2);
  EXPECT_FALSE(higher.Observe(4, {{"cross-entropy", 0.0}}));
  EXPECT_EQ(higher.epoch(), 2);
  EXPECT_EQ(BestEpoch("f1", false).epoch(), -1);
}

TEST(PruneCheckpointsTest, KeepsTheNewestAndTheKeptEpoch) {
  const std::string dir = Folder("prune");
  const std::string prefix = dir + "/model";
  for (int e = 1; e <= 5; ++e) {
    WriteFileAtomic(ParamsPath(prefix, e), "p");
    WriteFileAtomic(StatesPath(prefix, e), "s");
  }
  PruneCheckpoints(prefix, 2, 1);
  EXPECT_THAT(CheckpointEpochs(prefix, "params"), ElementsAre(1, 4, 5));
  EXPECT_THAT(CheckpointEpochs(prefix, "states"), ElementsAre(1, 4, 5));
  PruneCheckpoints(prefix, 0, -1);  // keeps all
  EXPECT_THAT(CheckpointEpochs(prefix, "params"), ElementsAre(1, 4, 5));
}

TEST(FitTest, SavesEveryNEpochsAndTheLastAndPrunesButTheBest) {
  const std::string dir = Folder("every");
  FitOptions o = Options(dir, 5);
  o.checkpoint.every = 2;
  o.checkpoint.keep_last = 1;
  TrainingRun run;
  const FitResult r = run.Go(o);
  EXPECT_EQ(r.stop, FitResult::Stop::kFinished);
  EXPECT_EQ(r.epoch, 5);
  EXPECT_THAT(run.epochs_seen, ElementsAre(1, 2, 3, 4, 5));
  EXPECT_EQ(r.checkpoint, ParamsPath(o.checkpoint.prefix, 5));
  EXPECT_EQ(r.best.metric(), "cross-entropy");
  // Learning: the validation loss falls, so the best epoch is a late one,
  // kept beside the newest when it is among the saved ones.
  ASSERT_GE(r.best.epoch(), 1);
  std::vector<int> expected = {5};
  if (r.best.epoch() == 2 || r.best.epoch() == 4) {
    expected.insert(expected.begin(), r.best.epoch());
  }
  EXPECT_EQ(CheckpointEpochs(o.checkpoint.prefix, "params"), expected);
}

TEST(FitTest, ResumesFromTheLatestCheckpointWithItsBestEpoch) {
  const std::string dir = Folder("resume");
  TrainingRun first;
  const FitResult a = first.Go(Options(dir, 2));
  EXPECT_EQ(first.start.checkpoint, -1);

  FitOptions o = Options(dir, 4);
  o.resume = true;
  TrainingRun second;
  const FitResult b = second.Go(o);
  EXPECT_EQ(second.start.checkpoint, 2);
  EXPECT_EQ(second.start.epochs_done, 2);
  EXPECT_THAT(second.epochs_seen, ElementsAre(3, 4));
  EXPECT_EQ(second.trainer.epoch(), 4);
  // The best of all four epochs: the first run's counts too.
  EXPECT_GE(b.best.epoch(), 1);
  if (b.best.epoch() <= 2) {
    EXPECT_EQ(b.best.epoch(), a.best.epoch());
    EXPECT_EQ(b.best.value(), a.best.value());
  } else {
    EXPECT_LT(b.best.value(), a.best.value());
  }
}

TEST(FitTest, ResumeWithoutACheckpointIsAnErrorUnlessAFreshStartIsAllowed) {
  const std::string dir = Folder("fresh");
  FitOptions o = Options(dir, 1);
  o.resume = true;
  o.resume_name = "--resume";
  TrainingRun refused;
  std::string message = "<no DataError>";
  try {
    refused.Go(o);
  } catch (const DataError& e) {
    message = e.what();
  }
  EXPECT_THAT(message, HasSubstr("--resume: no checkpoint with a training "
                                 "state (" +
                                 dir + "/model-NNNN.states)"));
  EXPECT_TRUE(refused.epochs_seen.empty());
  o.start_if_none = true;
  TrainingRun run;
  run.Go(o);
  EXPECT_EQ(run.start.checkpoint, -1);
  EXPECT_THAT(run.epochs_seen, ElementsAre(1));
}

TEST(EarlyStoppingTest, CountsEpochsWithoutAnImprovementAboveMinDelta) {
  EarlyStoppingPolicy p;
  p.enabled = true;
  p.metric = "cross-entropy";
  p.lower_is_better = true;
  p.patience = 2;
  p.min_delta = 0.01;
  EarlyStopping e(p);
  e.Observe(1, {{"accuracy", 0.5}, {"cross-entropy", 0.9}});
  EXPECT_FALSE(e.ShouldStop(1));
  e.Observe(2, {{"cross-entropy", 0.895}});  // better, but not by 0.01
  EXPECT_FALSE(e.ShouldStop(2));
  e.Observe(3, {{"cross-entropy", 0.7}});
  EXPECT_EQ(e.best_epoch(), 3);
  e.Observe(4, {{"cross-entropy", std::nan("")}});
  e.Observe(5, {{"cross-entropy", 0.8}});
  EXPECT_TRUE(e.ShouldStop(5));
  EXPECT_EQ(e.Reason(5, "val"),
            "val cross-entropy has not improved by more than 0.01 for 2 "
            "epochs (best 0.7000 at epoch 3; patience 2)");
  p.enabled = false;
  EarlyStopping off(p);
  off.Observe(1, {{"cross-entropy", 1.0}});
  EXPECT_FALSE(off.ShouldStop(10));
}

// A min_delta no epoch beats stops the run after `patience` epochs; its
// checkpoint keeps the counters: a resumed run stays stopped, and one with
// more patience goes on from the same best epoch.
TEST(FitTest, EarlyStoppingEndsTheRunAndResumeKeepsItsCounters) {
  const std::string dir = Folder("early");
  FitOptions o = Options(dir, 10);
  o.early_stopping.enabled = true;
  o.early_stopping.metric = "cross-entropy";
  o.early_stopping.lower_is_better = true;
  o.early_stopping.patience = 1;
  o.early_stopping.min_delta = 100;
  TrainingRun first;
  const FitResult a = first.Go(o);
  EXPECT_EQ(a.stop, FitResult::Stop::kEarlyStopped);
  EXPECT_EQ(a.epoch, 2);
  EXPECT_THAT(a.stop_reason,
              HasSubstr("val cross-entropy has not improved by more than 100 "
                        "for 1 epoch (best "));
  EXPECT_THAT(a.stop_reason, HasSubstr("at epoch 1; patience 1)"));
  EXPECT_THAT(CheckpointEpochs(o.checkpoint.prefix, "states"),
              ElementsAre(1, 2));

  o.resume = true;
  TrainingRun again;
  const FitResult b = again.Go(o);
  EXPECT_EQ(b.stop, FitResult::Stop::kEarlyStopped);
  EXPECT_TRUE(again.epochs_seen.empty());

  o.early_stopping.patience = 3;
  TrainingRun patient;
  const FitResult c = patient.Go(o);
  EXPECT_EQ(c.stop, FitResult::Stop::kEarlyStopped);
  EXPECT_THAT(patient.epochs_seen, ElementsAre(3, 4));
  EXPECT_THAT(c.stop_reason, HasSubstr("for 3 epochs"));
}

TEST(FitTest, AnotherNetworksCheckpointIsADataErrorNamingTheResume) {
  const std::string dir = Folder("broken");
  TrainingRun first;
  first.Go(Options(dir, 1));
  // Another network's checkpoint: a hidden layer more.
  const Symbol hidden =
      Symbol::Create("FullyConnected", {Symbol::Variable("data")},
                     {{"num_hidden", 4}, {"name", "hidden"}});
  const Symbol other =
      Symbol::Create("SoftmaxOutput",
                     {Symbol::Create("FullyConnected", {hidden},
                                     {{"num_hidden", 2}, {"name", "fc"}})},
                     {{"name", "softmax"}});
  FitOptions o = Options(dir, 2);
  o.resume = true;
  o.resume_name = "--resume";
  TrainingRun second(other);
  std::string message = "<no DataError>";
  try {
    second.Go(o);
  } catch (const DataError& e) {
    message = e.what();
  }
  EXPECT_THAT(message, HasSubstr("--resume: "));
  EXPECT_THAT(message, HasSubstr(ParamsPath(dir + "/model", 1)));
}

TEST(FitTest, AStopAfterAnEpochSavesItAndEnds) {
  const std::string dir = Folder("stop");
  std::atomic<bool> stop{false};
  FitOptions o = Options(dir, 5);
  o.checkpoint.every = 10;
  o.control.stop = &stop;
  FitEvents events;
  events.on_epoch = [&](const EpochReport&) { stop = true; };
  int saves = 0;
  events.around_save = [&](const std::function<void()>& save) {
    ++saves;
    save();
  };
  TrainingRun run;
  const FitResult r = run.Go(o, events);
  EXPECT_EQ(r.stop, FitResult::Stop::kInterruptedAfterEpoch);
  EXPECT_EQ(r.epoch, 1);
  EXPECT_EQ(saves, 1);
  EXPECT_THAT(CheckpointEpochs(o.checkpoint.prefix, "states"), ElementsAre(1));
}

}  // namespace
}  // namespace mx
