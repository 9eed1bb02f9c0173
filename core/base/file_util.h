// Whole-file reads and atomic whole-file writes, of local paths or of URIs
// (file://, s3://bucket/key: file_system.h).
#ifndef MX_CORE_BASE_FILE_UTIL_H_
#define MX_CORE_BASE_FILE_UTIL_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mx {

// Writes `bytes` to `path` atomically: a temp file in the same folder, fsync,
// rename. A reader (or a killed writer) never sees a half-written file.
// mx::Error naming the path and errno text on failure.
void WriteFileAtomic(const std::string& path, std::string_view bytes);

// A local file written as a stream and published atomically (for any URI:
// FileSystemFor(uri).OpenWrite): bytes go to a temp
// file beside `path`; Commit fsyncs and renames it over `path`. Destroyed
// without Commit (an error, a killed run), it leaves `path` untouched and
// removes the temp file. Errors are mx::Error naming `path` and errno.
class AtomicFileWriter {
 public:
  explicit AtomicFileWriter(std::string path);
  ~AtomicFileWriter();
  AtomicFileWriter(const AtomicFileWriter&) = delete;
  AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;

  void Write(std::string_view bytes);
  // Bytes written so far.
  size_t size() const { return size_; }
  // Sync() then Publish().
  void Commit();
  // Makes the bytes durable in the temp file (fsync) and closes it; the
  // temp file stays until Publish or the destructor.
  void Sync();
  // Renames the synced temp file over path().
  void Publish();
  const std::string& path() const { return path_; }
  // "<path>.tmp.XXXXXX" (TempFileTarget reads it back).
  const std::string& temp_path() const { return temp_; }

 private:
  std::string path_, temp_;
  int fd_ = -1;
  bool synced_ = false, published_ = false;
  size_t size_ = 0;
};

// The file a temp file of AtomicFileWriter is for: "a/x.params" for
// "a/x.params.tmp.Ab3XyZ"; empty for any other name.
std::string TempFileTarget(const std::string& name);

// Reads the whole file; mx::Error naming the path on failure, or when it
// is not a regular file (a FIFO is refused, not waited on) or holds more
// than `max_bytes` (when >= 0).
std::string ReadFile(const std::string& path, int64_t max_bytes = -1);

// Whether anything exists at `path`.
bool FileExists(const std::string& path);

// Names of the files in folder `uri` (sorted; empty when it does not exist).
std::vector<std::string> ListFolder(const std::string& uri);

// Deletes the file at `uri` (nothing when there is none).
void RemoveFile(const std::string& uri);

}  // namespace mx

#endif  // MX_CORE_BASE_FILE_UTIL_H_
