// choose_element_0index, fill_element_0index, onehot_encode and clip.
#include "core/ndarray/row_ops.h"

#include <gtest/gtest.h>

#include <vector>

#include "tests/testing/error_message.h"

namespace mx {
namespace {

using testing::MessageOf;

// 3 x 4: row i holds 10 i + j.
NDArray Grid() {
  std::vector<float> v;
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 4; ++j) v.push_back(10.f * i + j);
  return NDArray::FromVector(v, Shape{3, 4});
}

TEST(RowOpsTest, ChoosePicksOneColumnPerRow) {
  const NDArray index = NDArray::FromVector<float>({3, 0, 2}, Shape{3});
  EXPECT_EQ(ChooseElement0Index(Grid(), index).ToVector<float>(),
            (std::vector<float>{3, 10, 22}));
}

TEST(RowOpsTest, FillSetsOneColumnPerRowOfACopy) {
  const NDArray lhs = Grid();
  const NDArray index = NDArray::FromVector<float>({1, 1, 3}, Shape{3});
  const NDArray values = NDArray::FromVector<float>({-1, -2, -3}, Shape{3});
  EXPECT_EQ(FillElement0Index(lhs, values, index).ToVector<float>(),
            (std::vector<float>{0, -1, 2, 3, 10, -2, 12, 13, 20, 21, 22, -3}));
  EXPECT_EQ(lhs.ToVector<float>()[1], 1.f);  // lhs unchanged
}

TEST(RowOpsTest, OneHotOverwritesTheWholeOutput) {
  NDArray out = Grid();
  OneHotEncode(NDArray::FromVector<float>({2, 0, 3}, Shape{3}), &out);
  EXPECT_EQ(out.ToVector<float>(),
            (std::vector<float>{0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 1}));
}

TEST(RowOpsTest, ClipBoundsEveryElement) {
  const NDArray a = NDArray::FromVector<float>({-5, -1, 0, 1.5f, 9}, Shape{5});
  EXPECT_EQ(Clip(a, -2, 1).ToVector<float>(),
            (std::vector<float>{-2, -1, 0, 1, 1}));
  EXPECT_NE(MessageOf([&] { Clip(a, 1, -1); }).find("a_min 1 is greater"),
            std::string::npos);
}

TEST(RowOpsTest, IndexOutsideTheRowIsAnErrorAtWait) {
  const NDArray index = NDArray::FromVector<float>({0, 4, 1}, Shape{3});
  const NDArray out = ChooseElement0Index(Grid(), index);
  EXPECT_NE(MessageOf([&] {
              out.WaitToRead();
            }).find("index[1] = 4 is not a column of [0, 4)"),
            std::string::npos);
}

TEST(RowOpsTest, ShapesAreChecked) {
  const NDArray index = NDArray::FromVector<float>({0, 1}, Shape{2});
  EXPECT_NE(MessageOf([&] { ChooseElement0Index(Grid(), index); })
                .find("expected lhs (n, k) and index (n,); got lhs (3,4) and "
                      "index (2,)"),
            std::string::npos);
}

}  // namespace
}  // namespace mx
