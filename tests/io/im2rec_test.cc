// im2rec on a folder tree of images the test draws: listing, .lst round
// trip, packing (pass-through and resized) read back by ImageRecordIter,
// the command-line tool end to end, and errors naming the entry.
#include "io/im2rec.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <opencv2/imgcodecs.hpp>
#include <string>
#include <vector>

#include "core/base/file_util.h"
#include "io/image_record_iter.h"
#include "io/recordio.h"
#include "tests/testing/error_message.h"
#include "tests/testing/temp_path.h"

namespace mx::io {
namespace {

namespace fs = std::filesystem;
using ::mx::testing::MessageOf;
using ::mx::testing::TempPath;
using ::testing::HasSubstr;

void Draw(const std::string& path, int value, int rows = 12, int cols = 16) {
  fs::create_directories(fs::path(path).parent_path());
  cv::imwrite(path,
              cv::Mat(rows, cols, CV_8UC3, cv::Scalar(value, value, value)));
}

// root/cat/{a.png,b.jpg}, root/dog/{d.PNG,x/c.png}, plus files im2rec skips.
std::string MakeTree(const std::string& name) {
  const std::string root = TempPath(name);
  fs::remove_all(root);
  Draw(root + "/cat/a.png", 10);
  Draw(root + "/cat/b.jpg", 60);
  Draw(root + "/dog/d.PNG", 110);
  Draw(root + "/dog/x/c.png", 160);
  Draw(root + "/top.jpg", 200);
  WriteFileAtomic(root + "/cat/notes.txt", "not an image");
  return root;
}

TEST(Im2RecTest, ListsOneClassPerFolder) {
  const std::string root = MakeTree("tree1");
  const auto entries = ListImages(root, {});
  ASSERT_EQ(entries.size(), 4u);
  const std::vector<std::string> paths = {"cat/a.png", "cat/b.jpg", "dog/d.PNG",
                                          "dog/x/c.png"};
  const std::vector<float> labels = {0, 0, 1, 1};
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(entries[i].index, static_cast<int64_t>(i));
    EXPECT_EQ(entries[i].path, paths[i]);
    EXPECT_EQ(entries[i].labels, std::vector<float>{labels[i]});
  }
  ListOptions flat;
  flat.recursive = false;
  const auto top = ListImages(root, flat);
  ASSERT_EQ(top.size(), 1u);
  EXPECT_EQ(top[0].path, "top.jpg");
  ListOptions shuffled;
  shuffled.shuffle = true;
  shuffled.seed = 1;
  EXPECT_EQ(ListImages(root, shuffled).size(), 4u);

  const std::string lst = TempPath("tree1.lst");
  WriteImageList(lst, entries);
  const auto back = ReadImageList(lst, 1);
  ASSERT_EQ(back.size(), 4u);
  EXPECT_EQ(back[3].path, "dog/x/c.png");
  EXPECT_EQ(back[3].labels, std::vector<float>{1});
  // MXNet's im2rec.py writes labels as %f.
  WriteFileAtomic(lst, "7\t2.000000\t0.500000\tcat/a.png\n");
  const auto two = ReadImageList(lst, 2);
  EXPECT_EQ(two[0].index, 7);
  EXPECT_EQ(two[0].labels, (std::vector<float>{2, 0.5}));
  EXPECT_THAT(MessageOf([&] { ReadImageList(lst, 1); }),
              HasSubstr("'" + lst +
                        "' line 1: 4 tab-separated fields, "
                        "expected 3 (index, 1 label(s), path)"));
  WriteFileAtomic(lst, "x\t1\tcat/a.png\n");
  EXPECT_THAT(MessageOf([&] { ReadImageList(lst, 1); }),
              HasSubstr("line 1: index 'x' is not an integer"));
  EXPECT_THAT(MessageOf([&] { ListImages(root + "/missing", {}); }),
              HasSubstr("is not a folder"));
}

TEST(Im2RecTest, PacksAndTheIteratorReadsBack) {
  const std::string root = MakeTree("tree2");
  const auto entries = ListImages(root, {});
  const std::string prefix = TempPath("tree2");
  // Pass-through: the stored image is the file itself.
  EXPECT_EQ(PackImages(entries, root, prefix, {}), 4);
  RecordReader reader(prefix + ".rec");
  std::string record;
  ASSERT_TRUE(reader.Next(&record));
  EXPECT_EQ(UnpackImageRecord(record, "r").image,
            ReadFile(root + "/cat/a.png"));
  EXPECT_EQ(ReadRecordIndex(prefix + ".idx").size(), 4u);
  // Resized to a shorter edge of 6 (12x16 -> 6x8), re-encoded as PNG.
  PackOptions o;
  o.resize = 6;
  o.encoding = ".png";
  o.quality = 3;
  o.threads = 2;
  PackImages(entries, root, prefix, o);
  auto it = CreateImageRecordIter({{"path_imgrec", prefix + ".rec"},
                                   {"path_imgidx", prefix + ".idx"},
                                   {"data_shape", "(3,6,8)"},
                                   {"batch_size", "4"}});
  ASSERT_TRUE(it->Next());
  EXPECT_EQ(it->Value().label[0].ToVector<float>(),
            (std::vector<float>{0, 0, 1, 1}));
  const auto d = it->Value().data[0].ToVector<float>();
  EXPECT_EQ(d[0], 10.f);
  EXPECT_NEAR(d[3 * 144], 160.f, 1.f);  // dog/x/c.png, sample 3
  EXPECT_FALSE(it->Next());
}

TEST(Im2RecTest, MissingOrBrokenImagesNameTheEntry) {
  const std::string root = MakeTree("tree3");
  auto entries = ListImages(root, {});
  entries[1].path = "cat/gone.jpg";
  EXPECT_THAT(
      MessageOf([&] { PackImages(entries, root, TempPath("tree3"), {}); }),
      HasSubstr("list entry 1 ('cat/gone.jpg'): cannot open"));
  EXPECT_FALSE(fs::exists(TempPath("tree3.rec")));  // nothing half-written
  entries[1].path = "cat/notes.txt";
  PackOptions o;
  o.resize = 4;
  EXPECT_THAT(
      MessageOf([&] { PackImages(entries, root, TempPath("tree3"), o); }),
      HasSubstr("the image does not decode"));
}

TEST(Im2RecTest, CommandLineEndToEnd) {
  const std::string root = MakeTree("tree4");
  const std::string prefix = TempPath("tree4");
  const std::string tool = "tools/im2rec/im2rec";
  ASSERT_EQ(std::system((tool + " --list " + prefix + " " + root).c_str()), 0);
  ASSERT_EQ(std::system((tool + " --resize 6 --num-thread 2 " + prefix + " " +
                         root + " > /dev/null")
                            .c_str()),
            0);
  EXPECT_EQ(ReadRecordIndex(prefix + ".idx").size(), 4u);
  // A bad flag value is refused with a message, not a crash.
  EXPECT_NE(std::system((tool + " --quality 500 " + prefix + " " + root +
                         " 2> /dev/null")
                            .c_str()),
            0);
}

}  // namespace
}  // namespace mx::io
