// Chart axes: tick values are round (1, 2 or 5 times a power of ten, whole
// numbers for epochs) and labels short; a chart is a PNG even without data.
#include "tools/common/plot.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

#include "core/base/file_util.h"
#include "tests/testing/temp_path.h"

namespace mx {
namespace {

using ::testing::DoubleNear;
using ::testing::ElementsAre;

TEST(PlotTest, TicksAreRound) {
  EXPECT_THAT(NiceTicks(0.61, 0.79, 6, false),
              ElementsAre(DoubleNear(0.65, 1e-12), DoubleNear(0.7, 1e-12),
                          DoubleNear(0.75, 1e-12)));
  EXPECT_THAT(NiceTicks(0.9, 6.1, 8, true), ElementsAre(1, 2, 3, 4, 5, 6));
  EXPECT_THAT(NiceTicks(0.9, 3.1, 8, true), ElementsAre(1, 2, 3));
  EXPECT_THAT(NiceTicks(-1, 1, 5, false), ElementsAre(-1, -0.5, 0, 0.5, 1));
  EXPECT_EQ(NiceTicks(2, 2, 5, false).size(), 1u);
}

TEST(PlotTest, LabelsAreShort) {
  EXPECT_EQ(TickLabel(0), "0");
  EXPECT_EQ(TickLabel(0.25), "0.25");
  EXPECT_EQ(TickLabel(1e-5), "1e-5");
  EXPECT_EQ(TickLabel(0.001), "0.001");
  EXPECT_EQ(TickLabel(12000), "12k");
  EXPECT_EQ(TickLabel(3e7), "3e7");
}

TEST(PlotTest, WritesAPngWithOrWithoutData) {
  const std::string path = ::mx::testing::TempPath("plot.png");
  PlotPanel empty, lr;
  empty.title = "nothing";
  lr.log_x = true;
  lr.series.push_back({"loss", {1e-5, 1e-3, 1e-1, 10}, {2.3, 2.0, NAN, 1.5}});
  lr.marks_x = {1e-3};
  lr.mark_label = "here";
  WritePlotPng(path, {empty, lr}, 2);
  EXPECT_EQ(ReadFile(path).substr(1, 3), "PNG");
}

}  // namespace
}  // namespace mx
