// A training checkpoint is one unit: the commit record, recovery after a
// kill at each step of a save, torn pairs, stale temps, NaN parameters.
#include "core/train/training_checkpoint.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <limits>

#include "core/base/file_util.h"
#include "core/base/strings.h"
#include "core/ndarray/ndarray_io.h"
#include "tests/testing/error_message.h"
#include "tests/testing/temp_path.h"

namespace mx {
namespace {

using ::mx::testing::MessageOf;
using ::mx::testing::TempPath;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// A fresh folder for each test's prefix "<folder>/model".
std::string FreshPrefix(const std::string& name) {
  const std::string dir = TempPath(name);
  ::mkdir(dir.c_str(), 0755);
  for (const std::string& f : ListFolder(dir)) RemoveFile(dir + "/" + f);
  return dir + "/model";
}

NamedParams Weights(float v) {
  return {{"w", NDArray::FromVector(std::vector<float>{v, v + 1}, Shape{2})}};
}

TrainState StateAt(int epoch) {
  TrainState s;
  s.epoch = epoch;
  s.optimizer = "sgd";
  s.updates["w"] = 10 * epoch;
  return s;
}

float FirstWeight(const std::string& prefix, int epoch) {
  NamedParams args, aux;
  TrainState s;
  LoadTrainingCheckpoint(prefix, epoch, &args, &aux, &s);
  return args.at("w").ToVector<float>()[0];
}

std::vector<std::string> FilesIn(const std::string& prefix) {
  return ListFolder(prefix.substr(0, prefix.rfind('/')));
}

TEST(TrainingCheckpointTest, PairRoundTripsWithItsDigest) {
  const std::string prefix = FreshPrefix("unit_roundtrip");
  SaveTrainingCheckpoint(prefix, 3, Symbol::Variable("w"), Weights(1), {},
                         StateAt(3));
  NamedParams args, aux;
  TrainState s;
  LoadTrainingCheckpoint(prefix, 3, &args, &aux, &s);
  EXPECT_EQ(s.epoch, 3);
  EXPECT_EQ(s.updates.at("w"), 30);
  EXPECT_EQ(s.params_digest, ParamsDigest(ReadFile(ParamsPath(prefix, 3))));
  EXPECT_EQ(args.at("w").ToVector<float>(), (std::vector<float>{1, 2}));
  EXPECT_EQ(TornCheckpoint(prefix, 3), "");
  // Nothing but the checkpoint's files: no record, no temps.
  EXPECT_THAT(FilesIn(prefix),
              ElementsAre("model-0003.params", "model-0003.states",
                          "model-symbol.json"));
}

TEST(TrainingCheckpointTest, TornPairIsFoundNotUsed) {
  const std::string prefix = FreshPrefix("unit_torn");
  SaveTrainingCheckpoint(prefix, 2, Symbol::Variable("w"), Weights(1), {},
                         StateAt(2));
  const std::string old_states = ReadFile(StatesPath(prefix, 2));
  SaveTrainingCheckpoint(prefix, 2, Symbol::Variable("w"), Weights(5), {},
                         StateAt(2));
  // The new weights with the old state: what a kill between two renames
  // would leave without the commit record.
  WriteFileAtomic(StatesPath(prefix, 2), old_states);
  EXPECT_THAT(TornCheckpoint(prefix, 2),
              HasSubstr("was written with other parameters"));
  EXPECT_THAT(MessageOf([&] { FirstWeight(prefix, 2); }),
              HasSubstr("the pair is torn or mixed from two saves"));
}

TEST(TrainingCheckpointTest, StatesOfEarlierVersionsStillLoad) {
  const std::string prefix = FreshPrefix("unit_legacy");
  SaveCheckpoint(prefix, 1, Symbol::Variable("w"), Weights(4), {});
  SaveTrainState(StatesPath(prefix, 1), StateAt(1));  // no digest
  EXPECT_EQ(TornCheckpoint(prefix, 1), "");
  EXPECT_EQ(FirstWeight(prefix, 1), 4);
}

// The state a kill leaves after the commit record and before the renames:
// both temps complete, the record naming them, the old pair in place.
void LeaveCommittedSave(const std::string& prefix, int epoch, float weight,
                        bool params_renamed) {
  TrainState state = StateAt(epoch);
  std::map<std::string, NDArray> all = {{"arg:w", Weights(weight).at("w")}};
  const std::string params = SerializeNDArrayMap(all);
  state.params_digest = ParamsDigest(params);
  const std::string dir = prefix.substr(0, prefix.rfind('/'));
  const std::string params_temp = ParamsPath(prefix, epoch) + ".tmp.Ab12Cd";
  const std::string states_temp = StatesPath(prefix, epoch) + ".tmp.Xy34Zw";
  WriteFileAtomic(params_renamed ? ParamsPath(prefix, epoch) : params_temp,
                  params);
  WriteFileAtomic(states_temp, SerializeTrainState(state));
  WriteFileAtomic(
      CommitPath(prefix, epoch),
      StrCat("mx-checkpoint-commit-1\n", params_temp.substr(dir.size() + 1),
             "\n", states_temp.substr(dir.size() + 1), "\n"));
}

TEST(TrainingCheckpointTest, RecoveryFinishesACommittedSave) {
  for (const bool params_renamed : {false, true}) {
    const std::string prefix = FreshPrefix("unit_commit");
    SaveTrainingCheckpoint(prefix, 4, Symbol::Variable("w"), Weights(1), {},
                           StateAt(4));
    LeaveCommittedSave(prefix, 4, 7, params_renamed);
    const CheckpointRecovery r = RecoverCheckpoints(prefix);
    EXPECT_THAT(r.completed, ElementsAre(4));
    EXPECT_EQ(FirstWeight(prefix, 4), 7) << params_renamed;
    EXPECT_THAT(FilesIn(prefix),
                ElementsAre("model-0004.params", "model-0004.states",
                            "model-symbol.json"));
  }
}

TEST(TrainingCheckpointTest, RecoveryDropsUncommittedTemps) {
  const std::string prefix = FreshPrefix("unit_stale");
  SaveTrainingCheckpoint(prefix, 1, Symbol::Variable("w"), Weights(1), {},
                         StateAt(1));
  // A kill before the commit record: temps only (and a record's own temp).
  WriteFileAtomic(ParamsPath(prefix, 2) + ".tmp.q1w2e3", "half a file");
  WriteFileAtomic(StatesPath(prefix, 2) + ".tmp.r4t5y6", "");
  WriteFileAtomic(CommitPath(prefix, 2) + ".tmp.u7i8o9", "");
  // Not ours: another prefix, a name that is no temp.
  WriteFileAtomic(prefix + "x-0001.params.tmp.abcdef", "");
  WriteFileAtomic(ParamsPath(prefix, 1) + ".tmp.toolong1", "");
  const CheckpointRecovery r = RecoverCheckpoints(prefix);
  EXPECT_TRUE(r.completed.empty());
  EXPECT_EQ(r.removed.size(), 3u);
  EXPECT_THAT(FilesIn(prefix),
              ElementsAre("model-0001.params", "model-0001.params.tmp.toolong1",
                          "model-0001.states", "model-symbol.json",
                          "modelx-0001.params.tmp.abcdef"));
  EXPECT_EQ(FirstWeight(prefix, 1), 1);
}

TEST(TrainingCheckpointTest, RecordNamingOtherFilesIsRefused) {
  const std::string prefix = FreshPrefix("unit_evil");
  WriteFileAtomic(prefix + "-0001.params.tmp.aaaaaa", "x");
  WriteFileAtomic(CommitPath(prefix, 1),
                  "mx-checkpoint-commit-1\n../model-0001.params.tmp.aaaaaa\n");
  EXPECT_THAT(MessageOf([&] { RecoverCheckpoints(prefix); }),
              HasSubstr("line 2: '../model-0001.params.tmp.aaaaaa' is not a "
                        "temp file of model-0001.params or model-0001.states"));
  WriteFileAtomic(CommitPath(prefix, 1), "something else\n");
  EXPECT_THAT(MessageOf([&] { RecoverCheckpoints(prefix); }),
              HasSubstr("is not a checkpoint commit record"));
}

TEST(TrainingCheckpointTest, NonFiniteParametersAreRefusedAtLoad) {
  const std::string prefix = FreshPrefix("unit_nan");
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  SaveCheckpoint(
      prefix, 1, Symbol::Variable("w"),
      {{"w", NDArray::FromVector(std::vector<float>{0, 1, nan}, Shape{3})}},
      {});
  NamedParams args, aux;
  EXPECT_THAT(
      MessageOf([&] { LoadParams(ParamsPath(prefix, 1), &args, &aux); }),
      HasSubstr("'arg:w' holds NaN (element 2 of (3,))"));
  SaveCheckpoint(
      prefix, 2, Symbol::Variable("w"), {},
      {{"m", NDArray::FromVector(std::vector<double>{-inf}, Shape{1})}});
  EXPECT_THAT(
      MessageOf([&] { LoadParams(ParamsPath(prefix, 2), &args, &aux); }),
      HasSubstr("'aux:m' holds an infinite value (element 0"));
  SaveCheckpoint(
      prefix, 3, Symbol::Variable("w"),
      {{"h", NDArray::FromVector(std::vector<float>{1, inf}, Shape{2})
                 .AsType(DType::kFloat16)}},
      {});
  EXPECT_THAT(
      MessageOf([&] { LoadParams(ParamsPath(prefix, 3), &args, &aux); }),
      HasSubstr("'arg:h' holds an infinite value (element 1"));
}

}  // namespace
}  // namespace mx
