#include "io/recordio.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "core/base/error.h"

namespace mx {
namespace io {
namespace {

constexpr uint32_t kMaxLength = (1u << 29) - 1;

uint32_t EncodeLRec(uint32_t cflag, uint32_t length) {
  return (cflag << 29) | length;
}

std::string Word(uint32_t v) {
  char bytes[4];
  std::memcpy(bytes, &v, 4);  // little-endian machines only (x86-64)
  return std::string(bytes, 4);
}

bool IsMagicAt(std::string_view data, size_t i) {
  uint32_t word;
  std::memcpy(&word, data.data() + i, 4);
  return word == kRecordIOMagic;
}

}  // namespace

RecordWriter::RecordWriter(const std::string& path,
                           const std::string& index_path)
    : path_(path), rec_(FileSystemFor(path).OpenWrite(path)) {
  if (!index_path.empty()) {
    idx_ = FileSystemFor(index_path).OpenWrite(index_path);
  }
}

uint64_t RecordWriter::Write(std::string_view payload) {
  MX_CHECK(payload.size() <= kMaxLength, "'", path_, "': a record of ",
           payload.size(), " bytes exceeds the RecordIO limit of ", kMaxLength,
           " bytes");
  const uint64_t offset = size_;
  const uint32_t len = static_cast<uint32_t>(payload.size());
  const uint32_t lower_align = len & ~3u;
  const std::string magic = Word(kRecordIOMagic);
  std::string out;
  out.reserve(len + 16);
  uint32_t start = 0;  // first byte of the current part
  for (uint32_t i = 0; i < lower_align; i += 4) {
    if (!IsMagicAt(payload, i)) continue;
    out += magic;
    out += Word(EncodeLRec(start == 0 ? 1 : 2, i - start));
    out.append(payload.data() + start, i - start);
    start = i + 4;
  }
  out += magic;
  out += Word(EncodeLRec(start != 0 ? 3 : 0, len - start));
  out.append(payload.data() + start, len - start);
  out.append((4 - len % 4) % 4, '\0');
  rec_->Write(out);
  size_ += out.size();
  return offset;
}

uint64_t RecordWriter::Write(uint64_t key, std::string_view payload) {
  MX_CHECK(idx_ != nullptr, "'", path_,
           "': writing a keyed record needs an index file");
  const uint64_t offset = Write(payload);
  idx_->Write(std::to_string(key) + "\t" + std::to_string(offset) + "\n");
  return offset;
}

void RecordWriter::Close() {
  rec_->Commit();
  if (idx_) idx_->Commit();
}

RecordReader::RecordReader(const std::string& path) : path_(path) {
  try {
    file_ = FileSystemFor(path_).OpenRead(path_);
  } catch (const InternalError&) {
    throw;
  } catch (const Error& e) {
    MX_THROW("cannot open RecordIO file '", path_, "': ", e.what());
  }
}

RecordReader::~RecordReader() = default;

size_t RecordReader::ReadBytes(uint64_t offset, char* data, size_t n) const {
  return static_cast<size_t>(file_->ReadAt(static_cast<int64_t>(offset),
                                           static_cast<int64_t>(n), data));
}

bool RecordReader::ReadAt(uint64_t offset, std::string* record,
                          uint64_t* next) const {
  record->clear();
  uint64_t at = offset;
  for (bool first = true;; first = false) {
    uint32_t header[2];
    const size_t got =
        ReadBytes(at, reinterpret_cast<char*>(header), sizeof header);
    if (got == 0 && first) return false;
    MX_CHECK(got == sizeof header, "'", path_, "': record at byte ", offset,
             " is truncated (header of a part at byte ", at, ")");
    MX_CHECK(header[0] == kRecordIOMagic, "'", path_, "': byte ", at,
             " does not start a record (magic 0x", std::hex, header[0],
             ", expected 0x", kRecordIOMagic, std::dec,
             "); not a RecordIO file, or corrupt");
    const uint32_t cflag = header[1] >> 29;
    const uint32_t len = header[1] & kMaxLength;
    MX_CHECK(first ? (cflag == 0 || cflag == 1) : (cflag == 2 || cflag == 3),
             "'", path_, "': record part at byte ", at, " has flag ", cflag,
             first ? " where a record starts" : " inside a record");
    const size_t size = record->size();
    const uint32_t padded = (len + 3) & ~3u;
    // The length is checked against the file before anything is allocated.
    MX_CHECK(at + 8 + padded <= this->size(), "'", path_, "': record at byte ",
             offset, " is truncated (a part of ", len, " bytes at byte ", at,
             " runs past the end of the ", this->size(), "-byte file)");
    record->resize(size + padded);
    MX_CHECK(ReadBytes(at + 8, record->data() + size, padded) == padded, "'",
             path_, "': record at byte ", offset, " is truncated (", len,
             " bytes expected at byte ", at + 8, ")");
    record->resize(size + len);
    at += 8 + padded;
    if (cflag == 0 || cflag == 3) break;
    record->append(Word(kRecordIOMagic));
  }
  *next = at;
  return true;
}

bool RecordReader::Next(std::string* record) {
  return ReadAt(offset_, record, &offset_);
}

std::vector<std::pair<uint64_t, uint64_t>> ReadRecordIndex(
    const std::string& path) {
  std::string text;
  try {
    text = ReadFile(path);
  } catch (const InternalError&) {
    throw;
  } catch (const Error& e) {
    MX_THROW("cannot open RecordIO index '", path, "': ", e.what());
  }
  std::istringstream in(text);
  std::vector<std::pair<uint64_t, uint64_t>> out;
  std::string line;
  for (int64_t number = 1; std::getline(in, line); ++number) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    std::istringstream fields(line);
    uint64_t key = 0, offset = 0;
    std::string rest;
    // istream reads "-8" into a uint64_t as 2^64 - 8: no sign is allowed.
    MX_CHECK(line.find_first_of("-+") == std::string::npos &&
                 (fields >> key >> offset) && !(fields >> rest),
             "'", path, "' line ", number,
             ": expected 'key<TAB>offset' (two unsigned integers), got '",
             line.substr(0, 100), "'");
    out.emplace_back(key, offset);
  }
  return out;
}

std::string PackImageRecord(const std::vector<float>& labels, uint64_t id,
                            std::string_view image) {
  ImageRecordHeader h;
  h.id = id;
  if (labels.size() == 1) {
    h.label = labels[0];
  } else {
    h.flag = static_cast<uint32_t>(labels.size());
  }
  std::string out(sizeof(ImageRecordHeader), '\0');
  std::memcpy(out.data(), &h.flag, 4);
  std::memcpy(out.data() + 4, &h.label, 4);
  std::memcpy(out.data() + 8, &h.id, 8);
  std::memcpy(out.data() + 16, &h.id2, 8);
  if (h.flag > 0) {
    out.append(reinterpret_cast<const char*>(labels.data()),
               labels.size() * sizeof(float));
  }
  out.append(image.data(), image.size());
  return out;
}

ImageRecord UnpackImageRecord(std::string_view record,
                              const std::string& where) {
  static_assert(sizeof(ImageRecordHeader) == 24, "IRHeader is 24 bytes");
  MX_CHECK(record.size() >= 24, where, ": record of ", record.size(),
           " bytes is shorter than the 24-byte image record header");
  ImageRecord r;
  std::memcpy(&r.header.flag, record.data(), 4);
  std::memcpy(&r.header.label, record.data() + 4, 4);
  std::memcpy(&r.header.id, record.data() + 8, 8);
  std::memcpy(&r.header.id2, record.data() + 16, 8);
  size_t at = 24;
  if (r.header.flag == 0) {
    r.labels = {r.header.label};
  } else {
    const size_t bytes = static_cast<size_t>(r.header.flag) * sizeof(float);
    MX_CHECK(record.size() - at >= bytes, where, ": record of ", record.size(),
             " bytes cannot hold its ", r.header.flag, " labels");
    r.labels.resize(r.header.flag);
    std::memcpy(r.labels.data(), record.data() + at, bytes);
    at += bytes;
  }
  r.image = record.substr(at);
  return r;
}

}  // namespace io
}  // namespace mx
