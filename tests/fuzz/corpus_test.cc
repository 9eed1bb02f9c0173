// Replays the seed corpus of every fuzz target (tests/fuzz/corpus/TARGET:
// valid inputs and the bad inputs found so far, made by make_seeds.py or
// saved by tools/fuzz/run.sh): each must give mx::Error or nothing, never a
// crash, a sanitizer report or another exception (RunFuzzTarget aborts).
// Under --config=asan this is the parsers' ASan/UBSan run in CI.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/base/file_util.h"
#include "tools/fuzz/fuzz_targets.h"

namespace mx {
namespace fuzz {
namespace {

class CorpusTest : public ::testing::TestWithParam<FuzzTarget> {};

TEST_P(CorpusTest, EveryInputIsRefusedOrAcceptedCleanly) {
  const std::string dir = std::string("tests/fuzz/corpus/") + GetParam().name;
  const std::vector<std::string> files = ListFolder(dir);
  ASSERT_GE(files.size(), 3u) << dir << " holds too few seeds";
  for (const std::string& name : files) {
    SCOPED_TRACE(dir + "/" + name);
    RunFuzzTarget(GetParam(), ReadFile(dir + "/" + name));
  }
}

INSTANTIATE_TEST_SUITE_P(Parsers, CorpusTest,
                         ::testing::ValuesIn(AllFuzzTargets()),
                         [](const ::testing::TestParamInfo<FuzzTarget>& info) {
                           return std::string(info.param.name);
                         });

}  // namespace
}  // namespace fuzz
}  // namespace mx
