// The confusion matrix and its report against counts worked by hand (the
// values scikit-learn's classification_report gives for them); the model
// metadata file round trip and its checks.
#include "core/train/confusion_matrix.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

#include "core/base/file_util.h"
#include "core/train/model_info.h"
#include "tests/testing/error_message.h"
#include "tests/testing/temp_path.h"

namespace mx {
namespace {

using ::mx::testing::MessageOf;
using ::mx::testing::TempPath;
using ::testing::HasSubstr;

TEST(ConfusionMatrixTest, CountsArgMaxAndScoresEachClass) {
  ConfusionMatrix m(3);
  // Predictions 0, 1, 0 (a tie goes to the lower class), 1 (a NaN never
  // wins) and 0 for labels 0, 0, 1, 1, 2; the sixth row is padding.
  const float nan = std::nanf("");
  m.Add({0, 0, 1, 1, 2, 2},
        {0.9f, 0.1f, 0.0f,  //
         0.2f, 0.7f, 0.1f,  //
         0.3f, 0.3f, 0.3f,  //
         nan, 0.6f, 0.4f,   //
         0.5f, 0.2f, 0.3f,  //
         0.0f, 0.0f, 1.0f},
        5);
  EXPECT_EQ(m.count(0, 0), 1);
  EXPECT_EQ(m.count(0, 1), 1);
  EXPECT_EQ(m.count(1, 0), 1);  // the tie
  EXPECT_EQ(m.count(1, 1), 1);  // past the NaN
  EXPECT_EQ(m.count(2, 0), 1);
  EXPECT_EQ(m.total(), 5);
  EXPECT_DOUBLE_EQ(m.Accuracy(), 0.4);
  const ConfusionMatrix::ClassScores c0 = m.Scores(0);
  EXPECT_DOUBLE_EQ(c0.precision, 1.0 / 3);
  EXPECT_DOUBLE_EQ(c0.recall, 0.5);
  EXPECT_DOUBLE_EQ(c0.f1, 0.4);
  EXPECT_EQ(c0.support, 2);
  const ConfusionMatrix::ClassScores c2 = m.Scores(2);
  EXPECT_EQ(c2.precision, 0);  // never predicted: 0, as scikit-learn
  EXPECT_EQ(c2.f1, 0);
  const std::string report = m.Report({"cat", "dog", "bird"});
  EXPECT_THAT(report, HasSubstr("cat               0.3333    0.5000    "
                                "0.4000         2\n"));
  EXPECT_THAT(report, HasSubstr("accuracy                              "
                                "0.4000         5\n"));
  EXPECT_EQ(m.Csv({"cat", "dog, big"}),
            "true\\predicted,cat,\"dog, big\",2\ncat,1,1,0\n\"dog, "
            "big\",1,1,0\n2,1,0,0\n");
  EXPECT_THAT(MessageOf([&] {
                m.Add({3}, {0, 0, 1}, 1);
              }),
              HasSubstr("label 3 is not a class id of 3 classes"));
}

TEST(ModelInfoTest, RoundTripsAndRefusesMalformedFiles) {
  const std::string prefix = TempPath("info") + "-model";
  EXPECT_FALSE(LoadModelInfo(prefix).has_value());
  ModelInfo info;
  info.sample_shape = {1, 28, 28};
  info.scale = 1.0 / 255;
  info.task = "classification";
  info.classes = {"a \"quoted\" name", "b"};
  SaveModelInfo(prefix, info);
  const std::optional<ModelInfo> back = LoadModelInfo(prefix);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->sample_shape, info.sample_shape);
  EXPECT_EQ(back->scale, info.scale);
  EXPECT_EQ(back->task, info.task);
  EXPECT_EQ(back->classes, info.classes);
  WriteFileAtomic(ModelInfoPath(prefix),
                  "{\"format\": \"mx-model-meta-1\", \"sample_shape\": [1, "
                  "-5], \"scale\": 1, \"task\": \"\", \"classes\": []}");
  EXPECT_THAT(MessageOf([&] { LoadModelInfo(prefix); }),
              HasSubstr("sample_shape holds '-5', expected sizes from 1"));
  WriteFileAtomic(ModelInfoPath(prefix), "{\"format\": \"x\"}");
  EXPECT_THAT(MessageOf([&] { LoadModelInfo(prefix); }),
              HasSubstr("format 'x', expected 'mx-model-meta-1'"));
  const std::string names = TempPath("classes.txt");
  WriteFileAtomic(names, "cat\n\n  dog \ncat\n");
  EXPECT_THAT(MessageOf([&] { ReadClassNames(names); }),
              HasSubstr("line 4: class 'cat' is named on line 1 too"));
  WriteFileAtomic(names, " cat\ndog\n");
  EXPECT_EQ(ReadClassNames(names), (std::vector<std::string>{"cat", "dog"}));
}

}  // namespace
}  // namespace mx
