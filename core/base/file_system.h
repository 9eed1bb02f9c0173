// Files by URI (Note [File systems]): a local path or file://path, or a URI
// of a scheme whose FileSystem is registered, such as s3://bucket/key (linked
// in by //core/fs:s3). file_util.h's functions take URIs and dispatch here.
#ifndef MX_CORE_BASE_FILE_SYSTEM_H_
#define MX_CORE_BASE_FILE_SYSTEM_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace mx {

// Reads of any byte range of one file (ranged reads for remote stores).
class RandomAccessFile {
 public:
  virtual ~RandomAccessFile() = default;
  virtual int64_t Size() const = 0;
  // Reads up to `n` bytes at `offset` into `out`; the count read (fewer only
  // at the end of the file). mx::Error naming the file on failure.
  virtual int64_t ReadAt(int64_t offset, int64_t n, char* out) = 0;
};

// A file written as a stream and published all at once by Commit; dropped
// without Commit, nothing appears (and nothing it replaces changes).
class FileWriter {
 public:
  virtual ~FileWriter() = default;
  virtual void Write(std::string_view bytes) = 0;
  virtual void Commit() = 0;
};

// The files of one URI scheme. Errors are mx::Error naming the URI.
class FileSystem {
 public:
  virtual ~FileSystem() = default;
  virtual std::string ReadAll(const std::string& uri) = 0;
  virtual std::unique_ptr<RandomAccessFile> OpenRead(
      const std::string& uri) = 0;
  virtual std::unique_ptr<FileWriter> OpenWrite(const std::string& uri) = 0;
  virtual bool Exists(const std::string& uri) = 0;
  // Names of the files directly in folder `uri` (empty when there is none).
  virtual std::vector<std::string> List(const std::string& uri) = 0;
  // Deletes the file (nothing when there is none).
  virtual void Remove(const std::string& uri) = 0;
};

// "s3" for "s3://b/k", "file" for "file:///x", "" for a plain path.
std::string UriScheme(const std::string& uri);

// Registers the file system of `scheme` (at static initialization).
void RegisterFileSystem(const std::string& scheme,
                        std::function<FileSystem*()> make);

// The file system of `uri`'s scheme. mx::Error for hdfs:// ("not supported
// in this build") and other unknown schemes.
FileSystem& FileSystemFor(const std::string& uri);

}  // namespace mx

#endif  // MX_CORE_BASE_FILE_SYSTEM_H_
