// Training-state files round-trip every field; other files are refused with
// the file and key named. The local kvstore sums pushed gradients over
// devices and applies its updater.
#include "core/train/train_state.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/ndarray/ndarray_io.h"
#include "core/train/kvstore.h"
#include "tests/testing/error_message.h"
#include "tests/testing/temp_path.h"

namespace mx {
namespace {

using ::mx::testing::MessageOf;
using ::mx::testing::TempPath;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(TrainStateTest, RoundTripsEveryField) {
  TrainState s;
  s.epoch = 3;
  s.batch = 17;
  s.num_update = 1234;
  s.optimizer = "adam";
  s.rng = {RandomState(), "other device"};
  s.updates = {{"fc1_weight", 1234}, {"fc1_bias", 1200}};
  s.optimizer_states["fc1_weight"] = {
      NDArray::FromVector<float>({1, 2}, Shape({2})),
      NDArray::FromVector<float>({3, 4}, Shape({2}))};
  s.values = {{"best", 0.875}};
  const std::string path = TempPath("state");
  SaveTrainState(path, s);
  const TrainState r = LoadTrainState(path);
  EXPECT_EQ(r.epoch, 3);
  EXPECT_EQ(r.batch, 17);
  EXPECT_EQ(r.num_update, 1234);
  EXPECT_EQ(r.optimizer, "adam");
  EXPECT_EQ(r.rng, s.rng);
  EXPECT_EQ(r.updates, s.updates);
  ASSERT_EQ(r.optimizer_states.at("fc1_weight").size(), 2u);
  EXPECT_THAT(r.optimizer_states.at("fc1_weight")[1].ToVector<float>(),
              ElementsAre(3, 4));
  EXPECT_EQ(r.values.at("best"), 0.875);
  EXPECT_EQ(StatesPath("run/model", 7), "run/model-0007.states");
}

TEST(TrainStateTest, RandomStateRestoresTheSequence) {
  RandomSeed(5);
  const std::string state = RandomState();
  const std::vector<float> first =
      RandomUniform(0, 1, Shape({8})).ToVector<float>();
  SetRandomState(state);
  EXPECT_EQ(RandomUniform(0, 1, Shape({8})).ToVector<float>(), first);
  EXPECT_THAT(MessageOf([] { SetRandomState("not a state"); }),
              HasSubstr("not a state written by RandomState"));
}

TEST(TrainStateTest, OtherFilesAreRefused) {
  const std::string path = TempPath("params");
  SaveNDArrayMap(path, {{"arg:w", NDArray::Zeros(Shape({2}))}});
  EXPECT_THAT(MessageOf([&] { LoadTrainState(path); }),
              HasSubstr("is not a training-state file: no key 'meta:"));
}

TEST(KVStoreTest, LocalSumsPushesAndAppliesTheUpdater) {
  auto kv = KVStore::Create("local");
  kv->Init("w", NDArray::FromVector<float>({1, 1}, Shape({2})));
  kv->Push("w",
           {NDArray::FromVector<float>({1, 2}, Shape({2})),
            NDArray::FromVector<float>({10, 20}, Shape({2}), Context::CPU(1))});
  std::vector<NDArray> outs = {NDArray::Zeros(Shape({2})),
                               NDArray::Zeros(Shape({2}), Context::CPU(1))};
  kv->Pull("w", &outs);
  EXPECT_THAT(outs[1].ToVector<float>(), ElementsAre(11, 22));
  kv->SetUpdater([](const std::string&, const NDArray& grad, NDArray* weight) {
    *weight -= grad;
  });
  kv->Push("w",
           {NDArray::FromVector<float>({1, 2}, Shape({2})),
            NDArray::FromVector<float>({1, 2}, Shape({2}), Context::CPU(1))});
  kv->Pull("w", &outs);
  EXPECT_THAT(outs[0].ToVector<float>(), ElementsAre(9, 18));
  EXPECT_THAT(MessageOf([&] { kv->Push("v", {outs[0]}); }),
              HasSubstr("key 'v' was not initialized"));
  EXPECT_THAT(MessageOf([] { KVStore::Create("dist_async"); }),
              HasSubstr("kvstore 'dist_async' (asynchronous parameter server) "
                        "is not supported; use dist_sync"));
  EXPECT_THAT(MessageOf([] { KVStore::Create("dist_synk"); }),
              HasSubstr("unknown kvstore type 'dist_synk'; did you mean "
                        "'dist_sync'?"));
}

// Outside an MPI job dist_sync is a world of one process: local sums, and
// the update is applied at the Pull; a second Push before it replaces the
// first (a skipped step).
TEST(KVStoreTest, DistSyncAloneUpdatesAtPull) {
  auto kv = KVStore::Create("dist_sync");
  EXPECT_EQ(kv->rank(), 0);
  EXPECT_EQ(kv->num_workers(), 1);
  kv->Init("w", NDArray::FromVector<float>({1, 1}, Shape({2})));
  kv->SetUpdater([](const std::string&, const NDArray& grad, NDArray* weight) {
    *weight -= grad;
  });
  kv->Push("w", {NDArray::FromVector<float>({100, 100}, Shape({2}))});
  kv->Push("w",
           {NDArray::FromVector<float>({1, 2}, Shape({2})),
            NDArray::FromVector<float>({1, 2}, Shape({2}), Context::CPU(1))});
  std::vector<NDArray> outs = {NDArray::Zeros(Shape({2}))};
  kv->Pull("w", &outs);
  EXPECT_THAT(outs[0].ToVector<float>(), ElementsAre(-1, -3));
  kv->Pull("w", &outs);  // nothing new to apply
  EXPECT_THAT(outs[0].ToVector<float>(), ElementsAre(-1, -3));
  EXPECT_THAT(MessageOf([] {
                KVStore::Create("dist_sync")
                    ->Init("i", NDArray::Zeros(Shape({2}), Context::CPU(),
                                               DType::kInt32));
              }),
              HasSubstr("key 'i' is int32; only float32 and float64"));
}

}  // namespace
}  // namespace mx
