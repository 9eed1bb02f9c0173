#include "io/label_columns.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/base/error.h"
#include "io/ndarray_iter.h"

namespace mx {
namespace io {
namespace {

// 5 samples, data (5, 2), label rows [10 r, 10 r + 1, 10 r + 2]; batches of
// 2, the last one padded.
std::unique_ptr<DataIter> ThreeColumnIter() {
  std::vector<float> data, label;
  for (int r = 0; r < 5; ++r) {
    data.insert(data.end(), {float(r), float(-r)});
    label.insert(label.end(), {10.f * r, 10.f * r + 1, 10.f * r + 2});
  }
  NDArrayIterOptions o;
  o.batch.batch_size = 2;
  return CreateNDArrayIter(NDArray::FromVector(data, Shape({5, 2})),
                           NDArray::FromVector(label, Shape({5, 3})), o);
}

TEST(LabelColumnsTest, NamesColumnsOfTheLabelRowAsLabels) {
  auto it = SelectLabels(ThreeColumnIter(), {{"softmax_label", {0}},
                                             {"box_label", {2, 1}},
                                             {"aux_label", {0}},
                                             {"all_label", {}}});
  const std::vector<DataDesc> descs = it->ProvideLabel();
  ASSERT_EQ(descs.size(), 4u);
  EXPECT_EQ(descs[0].name, "softmax_label");
  EXPECT_EQ(descs[0].shape, Shape({2}));
  EXPECT_EQ(descs[1].name, "box_label");
  EXPECT_EQ(descs[1].shape, Shape({2, 2}));
  EXPECT_EQ(descs[3].shape, Shape({2, 3}));
  EXPECT_EQ(it->ProvideData()[0].shape, Shape({2, 2}));
  int batches = 0;
  for (int epoch = 0; epoch < 2; ++epoch) {
    if (epoch > 0) it->Reset();
    for (int b = 0; it->Next(); ++b, ++batches) {
      const DataBatch& batch = it->Value();
      ASSERT_EQ(batch.label.size(), 4u);
      EXPECT_EQ(batch.pad, b == 2 ? 1 : 0);
      const int r0 = 2 * b;
      EXPECT_EQ(batch.data[0].ToFloatVector()[0], float(r0));
      EXPECT_EQ(batch.label[0].ToFloatVector(),
                (std::vector<float>{10.f * r0, b == 2 ? 0.f : 10.f * r0 + 10}))
          << "batch " << b;
      const std::vector<float> box = batch.label[1].ToFloatVector();
      EXPECT_EQ(box[0], 10.f * r0 + 2);
      EXPECT_EQ(box[1], 10.f * r0 + 1);
      EXPECT_EQ(batch.label[2].ToFloatVector(), batch.label[0].ToFloatVector());
      EXPECT_EQ(batch.label[3].ToFloatVector()[2], 10.f * r0 + 2);
    }
  }
  EXPECT_EQ(batches, 6);
}

TEST(LabelColumnsTest, RefusesColumnsOutsideTheLabelAndRepeatedNames) {
  try {
    SelectLabels(ThreeColumnIter(), {{"box_label", {1, 3}}});
    FAIL() << "column 3 of a 3-column label";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("label 'box_label': column 3 is not "
                                         "one of the iterator's label "
                                         "columns (0 to 2"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(
      SelectLabels(ThreeColumnIter(), {{"a_label", {0}}, {"a_label", {1}}}),
      Error);
  EXPECT_THROW(SelectLabels(ThreeColumnIter(), {{"a_label", {-1}}}), Error);
  EXPECT_THROW(SelectLabels(ThreeColumnIter(), {}), Error);
}

}  // namespace
}  // namespace io
}  // namespace mx
