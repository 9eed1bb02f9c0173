// RecordIO: byte-exact encoding as dmlc-core writes it, round trips with
// payloads holding the magic word, the index, image record headers, and
// broken files named by byte offset.
#include "io/recordio.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "core/base/file_util.h"
#include "tests/testing/error_message.h"
#include "tests/testing/temp_path.h"

namespace mx::io {
namespace {

using ::mx::testing::MessageOf;
using ::mx::testing::TempPath;
using ::testing::HasSubstr;

const std::string kMagic("\x0a\x23\xd7\xce", 4);

std::string Le32(uint32_t v) {
  std::string s(4, '\0');
  std::memcpy(s.data(), &v, 4);
  return s;
}

TEST(RecordIOTest, EncodesAsDmlcCore) {
  const std::string path = TempPath("exact.rec");
  RecordWriter w(path);
  EXPECT_EQ(w.Write("abc"), 0u);
  // "wxyz" + magic + "12": split at offset 4 into cflag 1 and cflag 3.
  EXPECT_EQ(w.Write("wxyz" + kMagic + "12"), 12u);
  w.Close();
  const std::string want = kMagic + Le32(3) + "abc" + std::string(1, '\0') +
                           kMagic + Le32(1u << 29 | 4) + "wxyz" + kMagic +
                           Le32(3u << 29 | 2) + "12" + std::string(2, '\0');
  EXPECT_EQ(ReadFile(path), want);
}

TEST(RecordIOTest, RoundTripsPayloadsWithTheMagicWord) {
  std::vector<std::string> payloads = {
      "",
      "a",
      kMagic,
      kMagic + kMagic,
      "abcd" + kMagic + "efgh" + kMagic,
      "x" + kMagic + "yz",  // unaligned: not split
      kMagic + "tail"};
  std::mt19937 rng(3);
  for (int n : {1, 2, 3, 4, 5, 1000, 4099}) {
    std::string p(n, '\0');
    for (char& c : p) c = static_cast<char>(rng());
    if (n > 8) std::memcpy(p.data() + 8, kMagic.data(), 4);
    payloads.push_back(p);
  }
  const std::string path = TempPath("round.rec");
  std::vector<uint64_t> offsets;
  {
    RecordWriter w(path, path + ".idx");
    for (size_t i = 0; i < payloads.size(); ++i) {
      offsets.push_back(w.Write(100 + i, payloads[i]));
    }
    w.Close();
  }
  RecordReader r(path);
  std::string rec;
  for (size_t i = 0; i < payloads.size(); ++i) {
    EXPECT_EQ(r.Tell(), offsets[i]);
    ASSERT_TRUE(r.Next(&rec)) << i;
    EXPECT_EQ(rec, payloads[i]) << "payload " << i;
  }
  EXPECT_FALSE(r.Next(&rec));
  const auto index = ReadRecordIndex(path + ".idx");
  ASSERT_EQ(index.size(), payloads.size());
  for (size_t i = payloads.size(); i-- > 0;) {
    EXPECT_EQ(index[i].first, 100 + i);
    r.Seek(index[i].second);
    ASSERT_TRUE(r.Next(&rec));
    EXPECT_EQ(rec, payloads[i]);
  }
}

TEST(RecordIOTest, UnclosedWriterLeavesNoFile) {
  const std::string path = TempPath("unclosed.rec");
  {
    RecordWriter w(path);
    w.Write("data");
  }
  EXPECT_FALSE(std::ifstream(path).is_open());
}

TEST(RecordIOTest, BrokenFilesNameTheByte) {
  const std::string path = TempPath("broken.rec");
  {
    RecordWriter w(path);
    w.Write("first");
    w.Write("second record");
    w.Close();
  }
  std::string bytes = ReadFile(path);
  // A bad magic word in the second record (byte 16).
  std::string bad = bytes;
  bad[16] = 'X';
  WriteFileAtomic(path, bad);
  RecordReader r(path);
  std::string rec;
  ASSERT_TRUE(r.Next(&rec));
  EXPECT_THAT(MessageOf([&] { r.Next(&rec); }),
              HasSubstr("'" + path + "': byte 16 does not start a record"));
  // Truncated payload.
  WriteFileAtomic(path, bytes.substr(0, bytes.size() - 6));
  RecordReader t(path);
  ASSERT_TRUE(t.Next(&rec));
  EXPECT_THAT(MessageOf([&] { t.Next(&rec); }),
              HasSubstr("record at byte 16 is truncated"));
  // A continuation part where a record starts.
  WriteFileAtomic(path, kMagic + Le32(2u << 29 | 0));
  RecordReader c(path);
  EXPECT_THAT(MessageOf([&] { c.Next(&rec); }),
              HasSubstr("has flag 2 where a record starts"));
  EXPECT_THAT(MessageOf([] { RecordReader("/nonexistent.rec"); }),
              HasSubstr("cannot open RecordIO file '/nonexistent.rec'"));
  const std::string idx = TempPath("bad.idx");
  WriteFileAtomic(idx, "0\t0\n1\tx\n");
  EXPECT_THAT(MessageOf([&] { ReadRecordIndex(idx); }),
              HasSubstr("'" + idx + "' line 2: expected 'key<TAB>offset'"));
}

TEST(RecordIOTest, ImageRecordHeaders) {
  const std::string one = PackImageRecord({3}, 42, "JPEGDATA");
  ASSERT_EQ(one.size(), 24u + 8);
  uint32_t flag;
  float label;
  std::memcpy(&flag, one.data(), 4);
  std::memcpy(&label, one.data() + 4, 4);
  EXPECT_EQ(flag, 0u);
  EXPECT_EQ(label, 3.f);
  ImageRecord r = UnpackImageRecord(one, "rec");
  EXPECT_EQ(r.labels, (std::vector<float>{3}));
  EXPECT_EQ(r.header.id, 42u);
  EXPECT_EQ(r.image, "JPEGDATA");

  const std::string multi = PackImageRecord({1, 2.5, 7}, 9, "PNG");
  ASSERT_EQ(multi.size(), 24u + 12 + 3);
  r = UnpackImageRecord(multi, "rec");
  EXPECT_EQ(r.header.flag, 3u);
  EXPECT_EQ(r.header.label, 0.f);
  EXPECT_EQ(r.labels, (std::vector<float>{1, 2.5, 7}));
  EXPECT_EQ(r.image, "PNG");

  EXPECT_THAT(MessageOf([] { UnpackImageRecord("short", "'x.rec' record 4"); }),
              HasSubstr("'x.rec' record 4: record of 5 bytes is shorter than "
                        "the 24-byte image record header"));
  EXPECT_THAT(MessageOf([&] {
                UnpackImageRecord(std::string_view(multi).substr(0, 30), "rec");
              }),
              HasSubstr("cannot hold its 3 labels"));
}

}  // namespace
}  // namespace mx::io
