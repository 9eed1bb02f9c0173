// MNISTIter on Fashion-MNIST (tools/setup.sh installs it) and on small IDX
// files the test writes, plain and gzip, including broken ones.
#include "io/mnist_iter.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "io/mnist_file.h"
#include "tests/testing/error_message.h"
#include "tests/testing/temp_path.h"

namespace mx::io {
namespace {

using ::mx::testing::MessageOf;
using ::mx::testing::TempPath;
using ::testing::HasSubstr;

const std::string kDir = kFashionMnistDir;

// An IDX file of unsigned bytes: magic 0x0000080N, big-endian extents.
std::string IdxBytes(const std::vector<uint32_t>& dims,
                     const std::vector<uint8_t>& data) {
  std::string out = {0, 0, 8, static_cast<char>(dims.size())};
  for (uint32_t d : dims) {
    for (int shift = 24; shift >= 0; shift -= 8) {
      out.push_back(static_cast<char>((d >> shift) & 0xff));
    }
  }
  out.append(data.begin(), data.end());
  return out;
}

std::string WritePlain(const std::string& name, const std::string& bytes) {
  const std::string path = TempPath(name);
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

std::string WriteGzip(const std::string& name, const std::string& bytes) {
  const std::string path = TempPath(name);
  gzFile f = gzopen(path.c_str(), "wb");
  gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
  gzclose(f);
  return path;
}

// Four 2x3 images whose pixels are 10 * image + position; labels 3, 1, 4, 1.
struct Tiny {
  std::string images, labels;
};
Tiny WriteTiny(bool gzip) {
  std::vector<uint8_t> pixels;
  for (int i = 0; i < 4; ++i) {
    for (int p = 0; p < 6; ++p)
      pixels.push_back(static_cast<uint8_t>(10 * i + p));
  }
  const std::string img = IdxBytes({4, 2, 3}, pixels);
  const std::string lab = IdxBytes({4}, {3, 1, 4, 1});
  const std::string tag = gzip ? ".gz" : "";
  return gzip ? Tiny{WriteGzip("tiny-images" + tag, img),
                     WriteGzip("tiny-labels" + tag, lab)}
              : Tiny{WritePlain("tiny-images", img),
                     WritePlain("tiny-labels", lab)};
}

TEST(MnistIterTest, ReadsPlainAndGzipWithScaleAndShapes) {
  for (bool gzip : {false, true}) {
    const Tiny t = WriteTiny(gzip);
    auto it = CreateMnistIter({{"image", t.images},
                               {"label", t.labels},
                               {"batch_size", "2"},
                               {"shuffle", "False"},
                               {"scale", "0.5"}});
    EXPECT_EQ(it->ProvideData()[0].shape, (Shape{2, 1, 2, 3}));
    EXPECT_EQ(it->ProvideLabel()[0].shape, (Shape{2}));
    ASSERT_TRUE(it->Next());
    ASSERT_TRUE(it->Next());
    const auto data = it->Value().data[0].ToVector<float>();
    EXPECT_EQ(data[0], 10.f);    // image 2, pixel 0: 20 * 0.5
    EXPECT_EQ(data[11], 17.5f);  // image 3, pixel 5: 35 * 0.5
    EXPECT_EQ(it->Value().label[0].ToVector<float>(),
              (std::vector<float>{4, 1}));
    EXPECT_FALSE(it->Next());
    auto flat = CreateMnistIter(
        {{"image", t.images}, {"label", t.labels}, {"flat", "True"}});
    EXPECT_EQ(flat->ProvideData()[0].shape, (Shape{128, 6}));
  }
}

TEST(MnistIterTest, FashionMnistCountsAndLabelHistogram) {
  auto it = CreateMnistIter({{"image", kDir + "/train-images-idx3-ubyte.gz"},
                             {"label", kDir + "/train-labels-idx1-ubyte.gz"},
                             {"batch_size", "100"},
                             {"flat", "True"}});
  std::map<int, int> histogram;
  int batches = 0;
  float max_pixel = 0;
  while (it->Next()) {
    ++batches;
    for (float l : it->Value().label[0].ToVector<float>()) {
      ++histogram[static_cast<int>(l)];
    }
    if (batches <= 5) {
      for (float v : it->Value().data[0].ToVector<float>()) {
        max_pixel = std::max(max_pixel, v);
      }
    }
  }
  EXPECT_EQ(batches, 600);
  ASSERT_EQ(histogram.size(), 10u);
  for (const auto& [label, count] : histogram) {
    EXPECT_EQ(count, 6000) << "label " << label;
  }
  EXPECT_LE(max_pixel, 255.f / 256);
  EXPECT_GT(max_pixel, 0.9f);

  // 10000 test images in batches of 128: 78 full ones (MXNet drops the
  // rest), or 79 with the last padded; both known before the epoch.
  const AttrDict test = {{"image", kDir + "/t10k-images-idx3-ubyte.gz"},
                         {"label", kDir + "/t10k-labels-idx1-ubyte.gz"}};
  auto discard = CreateMnistIter(test);
  int n = 0;
  EXPECT_EQ(discard->BatchesPerEpoch(), 78);
  while (discard->Next()) ++n;
  EXPECT_EQ(n, 78);
  AttrDict padded = test;
  padded["last_batch"] = "pad";
  auto pad = CreateMnistIter(padded);
  EXPECT_EQ(pad->BatchesPerEpoch(), 79);
  n = 0;
  int64_t last_pad = 0;
  while (pad->Next()) ++n, last_pad = pad->Value().pad;
  EXPECT_EQ(n, 79);
  EXPECT_EQ(last_pad, 79 * 128 - 10000);
}

TEST(MnistIterTest, BadFilesNameTheFile) {
  const Tiny t = WriteTiny(false);
  EXPECT_THAT(MessageOf([&] {
                CreateMnistIter(
                    {{"image", "/nonexistent/images.gz"}, {"label", t.labels}});
              }),
              HasSubstr("cannot open '/nonexistent/images.gz'"));
  const std::string wrong =
      WritePlain("wrong-magic", IdxBytes({4, 6}, std::vector<uint8_t>(24)));
  EXPECT_THAT(MessageOf([&] {
                CreateMnistIter({{"image", wrong}, {"label", t.labels}});
              }),
              HasSubstr("'" + wrong + "': IDX magic 0x802, expected 0x803"));
  std::string bytes = IdxBytes({4, 2, 3}, std::vector<uint8_t>(24));
  const std::string truncated =
      WriteGzip("truncated.gz", bytes.substr(0, bytes.size() - 5));
  EXPECT_THAT(MessageOf([&] {
                CreateMnistIter({{"image", truncated}, {"label", t.labels}});
              }),
              HasSubstr("'" + truncated + "': 19 data bytes, expected 24"));
  // Extra bytes after the data, and a header claiming more than the file
  // can hold (no huge allocation).
  const std::string extra = WriteGzip("extra.gz", bytes + "xyz");
  EXPECT_THAT(MessageOf([&] {
                CreateMnistIter({{"image", extra}, {"label", t.labels}});
              }),
              HasSubstr("'" + extra + "': 27 data bytes, expected 24"));
  const std::string huge = WriteGzip(
      "huge.gz", IdxBytes({2000000, 2000, 3}, std::vector<uint8_t>(24)));
  EXPECT_THAT(MessageOf([&] {
                CreateMnistIter({{"image", huge}, {"label", t.labels}});
              }),
              HasSubstr("the IDX header claims 12000000000 data bytes, more "
                        "than a"));
  const std::string header = WritePlain("header", "\0\0\x08");
  EXPECT_THAT(MessageOf([&] {
                CreateMnistIter({{"image", header}, {"label", t.labels}});
              }),
              HasSubstr("truncated IDX header"));
  const std::string five =
      WritePlain("five-labels", IdxBytes({5}, {1, 2, 3, 4, 5}));
  EXPECT_THAT(MessageOf([&] {
                CreateMnistIter({{"image", t.images}, {"label", five}});
              }),
              HasSubstr("has 4 images but '" + five + "' has 5 labels"));
  // A gzip stream cut short.
  const std::string gz =
      WriteGzip("cut.gz", IdxBytes({4, 2, 3}, std::vector<uint8_t>(24)));
  std::string packed;
  {
    std::ifstream in(gz, std::ios::binary);
    packed.assign(std::istreambuf_iterator<char>(in), {});
  }
  const std::string cut =
      WritePlain("cut2.gz", packed.substr(0, packed.size() - 12));
  EXPECT_THAT(MessageOf([&] {
                CreateMnistIter({{"image", cut}, {"label", t.labels}});
              }),
              HasSubstr("'" + cut + "'"));
}

TEST(MnistIterTest, BadParametersNameTheKey) {
  EXPECT_THAT(MessageOf([] {
                CreateMnistIter({{"batch_size", "0"}});
              }),
              HasSubstr("MNISTIter: parameter 'batch_size' = \"0\": out of "
                        "range; expected value >= 1"));
  EXPECT_THAT(MessageOf([] {
                CreateMnistIter({{"batchsize", "2"}});
              }),
              HasSubstr("batch_size"));
  EXPECT_THAT(MessageOf([] {
                CreateMnistIter({{"num_parts", "2"}, {"part_index", "2"}});
              }),
              HasSubstr("part_index 2 must be smaller than num_parts 2"));
  EXPECT_THAT(MessageOf([] {
                CreateMnistIter({{"last_batch", "keep"}});
              }),
              HasSubstr("last_batch"));
}

// Resuming at epoch N positions the iterator as N Resets would, in one
// step (each epoch's order is seeded from (seed, epoch)), with or without a
// prefetch thread, and for every last-batch policy.
TEST(MnistIterTest, SkipEpochsEqualsThatManyResets) {
  const auto first_indices = [](DataIter* it) {
    EXPECT_TRUE(it->Next());
    return it->Value().index;
  };
  for (const char* last : {"discard", "pad", "round_batch"}) {
    for (const char* prefetch : {"0", "2"}) {
      const std::map<std::string, std::string> params = {
          {"image", kDir + "/t10k-images-idx3-ubyte.gz"},
          {"label", kDir + "/t10k-labels-idx1-ubyte.gz"},
          {"batch_size", "300"},
          {"shuffle", "true"},
          {"seed", "5"},
          {"last_batch", last},
          {"prefetch_buffer", prefetch}};
      auto stepped = CreateMnistIter(params);
      for (int e = 0; e < 7; ++e) stepped->Reset();
      auto skipped = CreateMnistIter(params);
      skipped->SkipEpochs(7);
      EXPECT_EQ(first_indices(skipped.get()), first_indices(stepped.get()))
          << last << " " << prefetch;
      skipped->SkipEpochs(0);  // nothing
      EXPECT_TRUE(skipped->Next());
      // A billion epochs cost one shuffle, not a billion.
      skipped->SkipEpochs(1000000000);
      EXPECT_TRUE(skipped->Next());
    }
  }
}

}  // namespace
}  // namespace mx::io
