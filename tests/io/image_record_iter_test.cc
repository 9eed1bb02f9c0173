// ImageRecordIter on small images the test draws and encodes with OpenCV:
// known colours give known values after crop, mirror, mean and scale; labels,
// shuffling, corrupt records and the mean image.
#include "io/image_record_iter.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdlib>
#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <set>
#include <string>
#include <vector>

#include "core/ndarray/ndarray_io.h"
#include "io/recordio.h"
#include "tests/testing/error_message.h"
#include "tests/testing/temp_path.h"

namespace mx::io {
namespace {

using ::mx::testing::MessageOf;
using ::mx::testing::TempPath;
using ::testing::HasSubstr;

// Image k: 6 rows x 8 columns, left half BGR (k, 20, 30), right half BGR
// (100, 110, 120 + k).
cv::Mat Picture(int k) {
  cv::Mat m(6, 8, CV_8UC3);
  for (int y = 0; y < 6; ++y) {
    for (int x = 0; x < 8; ++x) {
      m.at<cv::Vec3b>(y, x) =
          x < 4 ? cv::Vec3b(k, 20, 30) : cv::Vec3b(100, 110, 120 + k);
    }
  }
  return m;
}

std::string Encode(const cv::Mat& m, const std::string& ext) {
  std::vector<uchar> bytes;
  cv::imencode(ext, m, bytes);
  return std::string(bytes.begin(), bytes.end());
}

// n PNG records with label k (and 10 + k when `labels` is 2); `corrupt`
// replaces record 2's image.
std::string WriteRecords(const std::string& name, int n, bool corrupt = false,
                         const std::string& ext = ".png", int labels = 1) {
  const std::string path = TempPath(name);
  RecordWriter w(path, path + ".idx");
  for (int k = 0; k < n; ++k) {
    const std::string image = corrupt && k == 2 ? std::string("not an image")
                                                : Encode(Picture(k), ext);
    std::vector<float> label = {static_cast<float>(k), 10.f + k};
    label.resize(labels);
    w.Write(k, PackImageRecord(label, k, image));
  }
  w.Close();
  return path;
}

// Value of channel c (0 R, 1 G, 2 B), row y, column x of sample s in a
// (batch, 3, 4, 4) batch.
float At(const std::vector<float>& d, int s, int c, int y, int x) {
  return d[((s * 3 + c) * 4 + y) * 4 + x];
}

TEST(ImageRecordIterTest, CentreCropRgbMeanScaleAndMirror) {
  const std::string rec = WriteRecords("colours.rec", 4);
  auto it = CreateImageRecordIter({{"path_imgrec", rec},
                                   {"data_shape", "(3,4,4)"},
                                   {"batch_size", "4"},
                                   {"mean_r", "30"},
                                   {"mean_g", "20"},
                                   {"mean_b", "0"},
                                   {"scale", "0.5"},
                                   {"preprocess_threads", "2"}});
  EXPECT_EQ(it->ProvideData()[0].shape, (Shape{4, 3, 4, 4}));
  ASSERT_TRUE(it->Next());
  const auto d = it->Value().data[0].ToVector<float>();
  for (int s = 0; s < 4; ++s) {
    // Crop columns 2..5 of 8: two of the left colour, two of the right.
    EXPECT_EQ(At(d, s, 0, 0, 0), 0.f);                    // (30 - 30) * 0.5
    EXPECT_EQ(At(d, s, 1, 3, 1), 0.f);                    // (20 - 20) * 0.5
    EXPECT_EQ(At(d, s, 2, 2, 1), s * 0.5f);               // (k - 0) * 0.5
    EXPECT_EQ(At(d, s, 0, 1, 2), (120 + s - 30) * 0.5f);  // right half red
    EXPECT_EQ(At(d, s, 2, 1, 3), 50.f);                   // right half blue
  }
  EXPECT_EQ(it->Value().label[0].ToVector<float>(),
            (std::vector<float>{0, 1, 2, 3}));
  auto mirrored = CreateImageRecordIter({{"path_imgrec", rec},
                                         {"data_shape", "(3,4,4)"},
                                         {"batch_size", "4"},
                                         {"mirror", "True"}});
  ASSERT_TRUE(mirrored->Next());
  const auto m = mirrored->Value().data[0].ToVector<float>();
  EXPECT_EQ(At(m, 1, 0, 0, 0), 121.f);  // the right colour comes first
  EXPECT_EQ(At(m, 1, 0, 0, 3), 30.f);
}

TEST(ImageRecordIterTest, MultiLabelGreyResizeAndJpeg) {
  const std::string rec = WriteRecords("multi.rec", 3, false, ".jpg", 2);
  auto it = CreateImageRecordIter({{"path_imgrec", rec},
                                   {"path_imgidx", rec + ".idx"},
                                   {"data_shape", "(1,3,3)"},
                                   {"label_width", "2"},
                                   {"resize", "3"},
                                   {"batch_size", "3"}});
  EXPECT_EQ(it->ProvideLabel()[0].shape, (Shape{3, 2}));
  ASSERT_TRUE(it->Next());
  EXPECT_EQ(it->Value().label[0].ToVector<float>(),
            (std::vector<float>{0, 10, 1, 11, 2, 12}));
  const auto d = it->Value().data[0].ToVector<float>();
  // Grey of the left colour BGR (0, 20, 30): about 0.114*0 + 0.587*20 +
  // 0.299*30 = 20.7 (JPEG-approximate).
  EXPECT_NEAR(d[0], 20.7f, 4.f);
  // Too small for the crop: scaled up.
  auto big = CreateImageRecordIter({{"path_imgrec", rec},
                                    {"data_shape", "(3,10,12)"},
                                    {"label_width", "2"},
                                    {"batch_size", "2"}});
  ASSERT_TRUE(big->Next());
  EXPECT_EQ(big->Value().data[0].shape(), (Shape{2, 3, 10, 12}));
}

TEST(ImageRecordIterTest, ShuffleAndRandomAugmentationAreReproducible) {
  const std::string rec = WriteRecords("shuffle.rec", 10);
  auto read = [&](const std::string& seed) {
    auto it = CreateImageRecordIter({{"path_imgrec", rec},
                                     {"data_shape", "(3,4,4)"},
                                     {"batch_size", "5"},
                                     {"shuffle", "True"},
                                     {"rand_crop", "True"},
                                     {"rand_mirror", "True"},
                                     {"seed", seed}});
    std::vector<float> all;
    std::vector<int64_t> index;
    for (int epoch = 0; epoch < 2; ++epoch) {
      if (epoch) it->Reset();
      while (it->Next()) {
        const auto d = it->Value().data[0].ToVector<float>();
        all.insert(all.end(), d.begin(), d.end());
        index.insert(index.end(), it->Value().index.begin(),
                     it->Value().index.end());
      }
    }
    return std::make_pair(all, index);
  };
  const auto a = read("3"), b = read("3"), c = read("4");
  EXPECT_EQ(a, b);
  EXPECT_NE(a.second, c.second);
  EXPECT_EQ(std::set<int64_t>(a.second.begin(), a.second.begin() + 10).size(),
            10u);
}

TEST(ImageRecordIterTest, CorruptRecordsFailOrAreSkipped) {
  const std::string rec = WriteRecords("corrupt.rec", 6, /*corrupt=*/true);
  auto strict = CreateImageRecordIter(
      {{"path_imgrec", rec}, {"data_shape", "(3,4,4)"}, {"batch_size", "3"}});
  EXPECT_THAT(MessageOf([&] { strict->Next(); }),
              HasSubstr("'" + rec + "' record 2 (byte "));
  EXPECT_THAT(MessageOf([&] {
                auto again = CreateImageRecordIter({{"path_imgrec", rec},
                                                    {"data_shape", "(3,4,4)"},
                                                    {"batch_size", "3"},
                                                    {"prefetch_buffer", "0"}});
                again->Next();
              }),
              HasSubstr("does not decode; set skip_corrupt to skip"));
  auto lenient = CreateImageRecordIter({{"path_imgrec", rec},
                                        {"data_shape", "(3,4,4)"},
                                        {"batch_size", "5"},
                                        {"skip_corrupt", "True"},
                                        {"round_batch", "False"}});
  ASSERT_TRUE(lenient->Next());
  EXPECT_EQ(lenient->Value().label[0].ToVector<float>(),
            (std::vector<float>{0, 1, 3, 4, 5}));
  EXPECT_EQ(lenient->Value().pad, 0);
  EXPECT_FALSE(lenient->Next());
  const std::string empty = TempPath("empty.rec");
  RecordWriter(empty).Close();
  EXPECT_THAT(MessageOf([&] {
                CreateImageRecordIter(
                    {{"path_imgrec", empty}, {"data_shape", "(3,4,4)"}});
              }),
              HasSubstr("holds no records"));
  EXPECT_THAT(MessageOf([&] {
                CreateImageRecordIter({{"path_imgrec", rec},
                                       {"data_shape", "(3,4,4)"},
                                       {"label_width", "3"},
                                       {"prefetch_buffer", "0"}})
                    ->Next();
              }),
              HasSubstr("record 0 (byte 0) has 1 label(s) but label_width is "
                        "3 (set label_width to the labels each record holds)"));
  // Fewer labels than a record holds is a mismatch too (as MXNet's check).
  const std::string two = WriteRecords("two_labels.rec", 2, false, ".png", 2);
  EXPECT_THAT(MessageOf([&] {
                CreateImageRecordIter({{"path_imgrec", two},
                                       {"data_shape", "(3,4,4)"},
                                       {"prefetch_buffer", "0"}})
                    ->Next();
              }),
              HasSubstr("has 2 label(s) but label_width is 1"));
  // An image whose header claims 100000 x 100000 pixels: OpenCV refuses it
  // with an exception, which becomes a corrupt record, never an abort.
  std::string huge = Encode(Picture(0), ".png");
  const unsigned char side[4] = {0x00, 0x01, 0x86, 0xa0};  // 100000
  huge.replace(16, 4, reinterpret_cast<const char*>(side), 4);
  huge.replace(20, 4, reinterpret_cast<const char*>(side), 4);
  // The IHDR chunk's CRC (over its type and data) so that libpng reads on.
  const uint32_t crc = static_cast<uint32_t>(
      crc32(0, reinterpret_cast<const Bytef*>(huge.data() + 12), 17));
  const unsigned char crc_bytes[4] = {static_cast<unsigned char>(crc >> 24),
                                      static_cast<unsigned char>(crc >> 16),
                                      static_cast<unsigned char>(crc >> 8),
                                      static_cast<unsigned char>(crc)};
  huge.replace(29, 4, reinterpret_cast<const char*>(crc_bytes), 4);
  const std::string huge_rec = TempPath("huge.rec");
  {
    RecordWriter w(huge_rec);
    w.Write(PackImageRecord({1.f}, 0, huge));
    w.Close();
  }
  EXPECT_THAT(MessageOf([&] {
                CreateImageRecordIter({{"path_imgrec", huge_rec},
                                       {"data_shape", "(3,4,4)"},
                                       {"prefetch_buffer", "0"}})
                    ->Next();
              }),
              HasSubstr("record 0 (byte 0): the image ("));
  EXPECT_THAT(MessageOf([&] {
                CreateImageRecordIter(
                    {{"path_imgrec", rec}, {"data_shape", "(2,4,4)"}});
              }),
              HasSubstr("data_shape (2, 4, 4) must be (channels, height, "
                        "width) with 1 or 3 channels"));
}

TEST(ImageRecordIterTest, MeanImageIsComputedSavedAndUsed) {
  const std::string rec = WriteRecords("mean.rec", 4);
  const std::string mean = TempPath("mean.params");
  std::remove(mean.c_str());
  auto it = CreateImageRecordIter({{"path_imgrec", rec},
                                   {"data_shape", "(3,4,4)"},
                                   {"batch_size", "4"},
                                   {"mean_img", mean}});
  const auto saved = LoadNDArrayMap(mean).at("mean_img").ToVector<float>();
  ASSERT_EQ(saved.size(), 48u);
  EXPECT_FLOAT_EQ(saved[2 * 16 + 0], 1.5f);    // blue of the left: mean of k
  EXPECT_FLOAT_EQ(saved[0 * 16 + 3], 121.5f);  // red of the right
  ASSERT_TRUE(it->Next());
  const auto d = it->Value().data[0].ToVector<float>();
  EXPECT_FLOAT_EQ(At(d, 3, 2, 0, 0), 1.5f);  // 3 - 1.5
  // A second iterator loads the file instead of recomputing it.
  auto again = CreateImageRecordIter(
      {{"path_imgrec", rec}, {"data_shape", "(3,4,4)"}, {"mean_img", mean}});
  EXPECT_THAT(MessageOf([&] {
                CreateImageRecordIter({{"path_imgrec", rec},
                                       {"data_shape", "(3,2,2)"},
                                       {"mean_img", mean}});
              }),
              HasSubstr("mean_img has shape (3,4,4), expected data_shape "
                        "(3,2,2)"));
}

}  // namespace
}  // namespace mx::io
