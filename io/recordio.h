// RecordIO in MXNet's (dmlc-core's) format, the image record payload, and
// the .idx index of MXIndexedRecordIO. Files written here are read by MXNet
// and the other way round.
//
// A record: uint32 magic 0xCED7230A, uint32 lrec = cflag << 29 | length,
// the payload, zero padding to 4 bytes (little-endian). A payload holding
// the magic word at a 4-aligned offset is split there into parts with
// cflag 1 (first), 2 (middle), 3 (last); the reader puts the magic back.
#ifndef MX_IO_RECORDIO_H_
#define MX_IO_RECORDIO_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/base/file_system.h"
#include "core/base/file_util.h"

namespace mx {
namespace io {

inline constexpr uint32_t kRecordIOMagic = 0xced7230a;

// Appends records to a .rec file (and, with an index path, key/offset lines
// to its .idx), local or a URI (s3://); both appear atomically at Close.
class RecordWriter {
 public:
  explicit RecordWriter(const std::string& path,
                        const std::string& index_path = "");
  // Writes one record; returns its byte offset. mx::Error for payloads of
  // 2^29 bytes or more.
  uint64_t Write(std::string_view payload);
  // Writes one record and an index line "key\toffset".
  uint64_t Write(uint64_t key, std::string_view payload);
  // Publishes the files; without it nothing is written.
  void Close();

 private:
  std::string path_;
  std::unique_ptr<FileWriter> rec_, idx_;
  uint64_t size_ = 0;  // bytes written to rec_
};

// Reads records in order, or any record by offset from several threads
// (positional reads, no shared file position), of a local file or a URI
// (s3://: ranged reads, file_system.h).
class RecordReader {
 public:
  // mx::Error naming the file when it cannot be opened.
  explicit RecordReader(const std::string& path);
  ~RecordReader();
  RecordReader(const RecordReader&) = delete;
  RecordReader& operator=(const RecordReader&) = delete;

  // The next record, parts joined; false at the end of the file. mx::Error
  // naming the file and byte offset for a bad magic word, a bad part
  // sequence or a truncated record.
  bool Next(std::string* record);
  // Moves to a record's offset (from Write or the index).
  void Seek(uint64_t offset) { offset_ = offset; }
  // The offset of the next record.
  uint64_t Tell() const { return offset_; }
  // The record at `offset` and the offset after it; false when `offset` is
  // the end of the file. Safe to call from several threads.
  bool ReadAt(uint64_t offset, std::string* record, uint64_t* next) const;
  const std::string& path() const { return path_; }
  // The file's size in bytes.
  uint64_t size() const { return static_cast<uint64_t>(file_->Size()); }

 private:
  // Reads up to n bytes at `offset`; returns how many.
  size_t ReadBytes(uint64_t offset, char* data, size_t n) const;

  std::string path_;
  std::unique_ptr<RandomAccessFile> file_;  // any URI: s3:// reads ranges
  uint64_t offset_ = 0;
};

// An .idx file: (key, offset) pairs in file order. mx::Error naming the
// file and line for a malformed line.
std::vector<std::pair<uint64_t, uint64_t>> ReadRecordIndex(
    const std::string& path);

// The header MXNet puts before the encoded image (IRHeader, 24 bytes):
// flag 0 means one label in `label`; flag k > 0 means k float32 labels
// follow the header (and `label` is 0).
struct ImageRecordHeader {
  uint32_t flag = 0;
  float label = 0;
  uint64_t id = 0;
  uint64_t id2 = 0;
};

// A decoded image record: its labels (one or more) and the image bytes.
struct ImageRecord {
  ImageRecordHeader header;
  std::vector<float> labels;
  std::string_view image;  // points into the record
};

// Payload of an image record with `labels` (one: flag 0; several: flag k).
std::string PackImageRecord(const std::vector<float>& labels, uint64_t id,
                            std::string_view image);
// Splits a payload; mx::Error (prefixed by `where`) when it is shorter than
// its header and labels.
ImageRecord UnpackImageRecord(std::string_view record,
                              const std::string& where);

}  // namespace io
}  // namespace mx

#endif  // MX_IO_RECORDIO_H_
