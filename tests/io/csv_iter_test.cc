// CSVIter on files the test writes: shapes, labels, blank lines and CRLF,
// round_batch, and malformed rows named by file, line and column.
#include "io/csv_iter.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "tests/testing/error_message.h"
#include "tests/testing/temp_path.h"

namespace mx::io {
namespace {

using ::mx::testing::MessageOf;
using ::testing::HasSubstr;

std::string Write(const std::string& name, const std::string& text) {
  const std::string path = mx::testing::TempPath(name);
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

std::vector<float> Values(const NDArray& a) { return a.ToVector<float>(); }

TEST(CsvIterTest, RowsBecomeSamplesOfDataShape) {
  const std::string data =
      Write("d.csv", "1,2,3,4\r\n5, 6 ,7,8\n\n9,10,11,12\n13,14,15,16\n");
  const std::string label = Write("l.csv", "0\n1\n\n2\n3\n");
  auto it = CreateCsvIter({{"data_csv", data},
                           {"data_shape", "(2,2)"},
                           {"label_csv", label},
                           {"batch_size", "2"},
                           {"prefetch_buffer", "1"}});
  EXPECT_EQ(it->ProvideData()[0].shape, (Shape{2, 2, 2}));
  EXPECT_EQ(it->ProvideLabel()[0].shape, (Shape{2}));
  EXPECT_EQ(it->BatchesPerEpoch(), -1);  // streamed: unknown up front
  ASSERT_TRUE(it->Next());
  EXPECT_EQ(Values(it->Value().data[0]),
            (std::vector<float>{1, 2, 3, 4, 5, 6, 7, 8}));
  EXPECT_EQ(Values(it->Value().label[0]), (std::vector<float>{0, 1}));
  ASSERT_TRUE(it->Next());
  EXPECT_EQ(Values(it->Value().label[0]), (std::vector<float>{2, 3}));
  EXPECT_FALSE(it->Next());
  it->Reset();
  ASSERT_TRUE(it->Next());
  EXPECT_EQ(Values(it->Value().data[0])[0], 1.f);
}

TEST(CsvIterTest, NoLabelFileGivesZerosAndRoundBatchWraps) {
  const std::string data = Write("d3.csv", "1\n2\n3\n");
  auto it = CreateCsvIter({{"data_csv", data},
                           {"data_shape", "(1,)"},
                           {"batch_size", "2"},
                           {"prefetch_buffer", "0"}});
  ASSERT_TRUE(it->Next());
  ASSERT_TRUE(it->Next());
  EXPECT_EQ(Values(it->Value().data[0]), (std::vector<float>{3, 1}));
  EXPECT_EQ(it->Value().pad, 1);
  EXPECT_EQ(Values(it->Value().label[0]), (std::vector<float>{0, 0}));
  EXPECT_FALSE(it->Next());
  it->Reset();  // continues after the wrapped sample
  ASSERT_TRUE(it->Next());
  EXPECT_EQ(Values(it->Value().data[0]), (std::vector<float>{2, 3}));
  auto no_round = CreateCsvIter({{"data_csv", data},
                                 {"data_shape", "(1,)"},
                                 {"batch_size", "2"},
                                 {"round_batch", "False"}});
  ASSERT_TRUE(no_round->Next());
  ASSERT_TRUE(no_round->Next());
  EXPECT_EQ(Values(no_round->Value().data[0]), (std::vector<float>{3, 1}));
  no_round->Reset();
  ASSERT_TRUE(no_round->Next());
  EXPECT_EQ(Values(no_round->Value().data[0]), (std::vector<float>{1, 2}));
}

// Distributed training's parts: every num_parts-th row, from part_index.
TEST(CsvIterTest, PartsTakeEveryNumPartsThRow) {
  const std::string data = Write("parts.csv", "0\n1\n2\n3\n4\n5\n6\n");
  const std::string label = Write("parts_l.csv", "0\n10\n20\n30\n40\n50\n60\n");
  auto part = [&](int index) {
    return CreateCsvIter({{"data_csv", data},
                          {"data_shape", "(1,)"},
                          {"label_csv", label},
                          {"batch_size", "2"},
                          {"round_batch", "False"},
                          {"num_parts", "3"},
                          {"part_index", std::to_string(index)}});
  };
  auto it = part(1);
  ASSERT_TRUE(it->Next());
  EXPECT_EQ(Values(it->Value().data[0]), (std::vector<float>{1, 4}));
  EXPECT_EQ(Values(it->Value().label[0]), (std::vector<float>{10, 40}));
  EXPECT_FALSE(it->Next());
  it->Reset();
  ASSERT_TRUE(it->Next());
  EXPECT_EQ(Values(it->Value().data[0]), (std::vector<float>{1, 4}));
  auto first = part(0);
  ASSERT_TRUE(first->Next());
  ASSERT_TRUE(first->Next());
  EXPECT_EQ(Values(first->Value().data[0]), (std::vector<float>{6, 0}));
  EXPECT_EQ(first->Value().pad, 1);
  EXPECT_THAT(MessageOf([&] { part(3); }),
              HasSubstr("part_index 3 must be smaller than num_parts 3"));
}

TEST(CsvIterTest, MultiValueLabels) {
  const std::string data = Write("d4.csv", "1,2\n3,4\n");
  const std::string label = Write("l4.csv", "1,0,0\n0,1,0\n");
  auto it = CreateCsvIter({{"data_csv", data},
                           {"data_shape", "(2,)"},
                           {"label_csv", label},
                           {"label_shape", "(3,)"},
                           {"batch_size", "2"}});
  EXPECT_EQ(it->ProvideLabel()[0].shape, (Shape{2, 3}));
  ASSERT_TRUE(it->Next());
  EXPECT_EQ(Values(it->Value().label[0]),
            (std::vector<float>{1, 0, 0, 0, 1, 0}));
}

// Reads a whole epoch and returns the error.
std::string EpochError(const AttrDict& params) {
  return MessageOf([&] {
    auto it = CreateCsvIter(params);
    while (it->Next()) {
    }
  });
}

TEST(CsvIterTest, MalformedRowsNameFileLineAndColumn) {
  const std::string short_row = Write("short.csv", "1,2,3\n4,5\n");
  EXPECT_THAT(EpochError({{"data_csv", short_row}, {"data_shape", "(3,)"}}),
              HasSubstr("'" + short_row +
                        "' line 2: 2 values, expected 3 "
                        "(data_csv of data_shape (3,) rows hold 3)"));
  const std::string long_row = Write("long.csv", "1,2,3,4\n");
  EXPECT_THAT(EpochError({{"data_csv", long_row}, {"data_shape", "(3,)"}}),
              HasSubstr("'" + long_row + "' line 1: more than 3 values"));
  const std::string text = Write("text.csv", "1,2\n3,x7\n");
  EXPECT_THAT(
      EpochError({{"data_csv", text}, {"data_shape", "(2,)"}}),
      HasSubstr("'" + text + "' line 2, column 2: 'x7' is not a number"));
  const std::string empty_field = Write("empty.csv", "1,,3\n");
  EXPECT_THAT(EpochError({{"data_csv", empty_field}, {"data_shape", "(3,)"}}),
              HasSubstr("line 1, column 2: '' is not a number"));
  const std::string data = Write("d5.csv", "1\n2\n3\n");
  const std::string label = Write("l5.csv", "1\n2\n");
  EXPECT_THAT(EpochError({{"data_csv", data},
                          {"data_shape", "(1,)"},
                          {"label_csv", label},
                          {"batch_size", "1"}}),
              HasSubstr("'" + data + "' has more rows than '" + label + "'"));
  EXPECT_THAT(
      EpochError({{"data_csv", "/nonexistent.csv"}, {"data_shape", "(1,)"}}),
      HasSubstr("cannot open data_csv of data_shape (1,) "
                "'/nonexistent.csv'"));
  EXPECT_THAT(EpochError({{"data_csv", data}}),
              HasSubstr("CSVIter: missing required parameter 'data_shape'"));
}

}  // namespace
}  // namespace mx::io
