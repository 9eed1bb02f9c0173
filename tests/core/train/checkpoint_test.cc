// Checkpoints: MXNet's file names and arg:/aux: keys, round trip, errors.
#include "core/train/checkpoint.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/base/file_util.h"
#include "core/ndarray/ndarray_io.h"
#include "tests/testing/error_message.h"
#include "tests/testing/temp_path.h"

namespace mx {
namespace {

using ::mx::testing::MessageOf;
using ::mx::testing::TempPath;
using ::testing::HasSubstr;

TEST(CheckpointTest, MxnetLayoutRoundTrip) {
  const Symbol net = Symbol::Create(
      "BatchNorm",
      {Symbol::Create("FullyConnected", {Symbol::Variable("data")},
                      {{"num_hidden", 3}, {"name", "fc1"}})},
      {{"name", "bn1"}});
  const std::string prefix = TempPath("model");
  EXPECT_EQ(ParamsPath(prefix, 7), prefix + "-0007.params");
  EXPECT_EQ(ParamsPath(prefix, 12345), prefix + "-12345.params");
  const NamedParams args = {
      {"fc1_weight",
       NDArray::FromVector(std::vector<float>{1, 2, 3, 4, 5, 6}, Shape{3, 2})},
      {"fc1_bias", NDArray::Zeros(Shape{3})}};
  const NamedParams aux = {{"bn1_moving_var", NDArray::Ones(Shape{3})}};
  SaveCheckpoint(prefix, 7, net, args, aux);
  // The keys MXNet's load_checkpoint expects.
  const auto raw = LoadNDArrayMap(prefix + "-0007.params");
  EXPECT_EQ(raw.count("arg:fc1_weight"), 1u);
  EXPECT_EQ(raw.count("aux:bn1_moving_var"), 1u);
  const Checkpoint c = LoadCheckpoint(prefix, 7);
  EXPECT_EQ(c.symbol.ListArguments(), net.ListArguments());
  EXPECT_EQ(c.args.at("fc1_weight").ToVector<float>(),
            args.at("fc1_weight").ToVector<float>());
  EXPECT_EQ(c.aux.at("bn1_moving_var").ToVector<float>(),
            std::vector<float>(3, 1.f));
}

TEST(CheckpointTest, EpochsAreFoundByExtension) {
  const std::string prefix = TempPath("epochs");
  const Symbol net = Symbol::Variable("x");
  const NamedParams args = {{"w", NDArray::Zeros(Shape({1}))}};
  for (int e : {3, 1, 12}) SaveCheckpoint(prefix, e, net, args, {});
  WriteFileAtomic(prefix + "-00x1.params", "not an epoch");
  WriteFileAtomic(prefix + "-0002.states", "");
  EXPECT_EQ(CheckpointEpochs(prefix, "params"), (std::vector<int>{1, 3, 12}));
  EXPECT_EQ(CheckpointEpochs(prefix, "states"), (std::vector<int>{2}));
  EXPECT_TRUE(CheckpointEpochs(prefix + "-none/model", "params").empty());
}

TEST(CheckpointTest, ErrorsNameTheFile) {
  const std::string prefix = TempPath("missing");
  EXPECT_THAT(MessageOf([&] { LoadCheckpoint(prefix, 1); }),
              HasSubstr(prefix + "-symbol.json"));
  const std::string bad = TempPath("plain.params");
  SaveNDArrayMap(bad, {{"fc1_weight", NDArray::Zeros(Shape{2})}});
  NamedParams args, aux;
  EXPECT_THAT(MessageOf([&] { LoadParams(bad, &args, &aux); }),
              HasSubstr("key 'fc1_weight' has neither the arg: nor the aux: "
                        "prefix"));
}

}  // namespace
}  // namespace mx
