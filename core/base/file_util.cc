#include "core/base/file_util.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <new>
#include <utility>
#include <vector>

#include "core/base/error.h"
#include "core/base/file_system.h"

namespace mx {
namespace {

std::string ErrnoText() { return std::strerror(errno); }

// Closes the descriptor on scope exit.
struct FdCloser {
  int fd;
  ~FdCloser() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

AtomicFileWriter::AtomicFileWriter(std::string path) : path_(std::move(path)) {
  std::string temp = path_ + ".tmp.XXXXXX";
  std::vector<char> name(temp.begin(), temp.end());
  name.push_back('\0');
  fd_ = ::mkstemp(name.data());
  MX_CHECK(fd_ >= 0, "cannot write '", path_,
           "': creating a temp file beside it failed: ", ErrnoText());
  temp_.assign(name.data());
}

AtomicFileWriter::~AtomicFileWriter() {
  if (fd_ >= 0) ::close(fd_);
  if (!published_) ::unlink(temp_.c_str());
}

void AtomicFileWriter::Write(std::string_view bytes) {
  MX_CHECK(fd_ >= 0, "cannot write '", path_, "': already synced");
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd_, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    MX_CHECK(n > 0, "cannot write '", path_, "': ", ErrnoText());
    done += static_cast<size_t>(n);
  }
  size_ += bytes.size();
}

void AtomicFileWriter::Commit() {
  Sync();
  Publish();
}

void AtomicFileWriter::Sync() {
  MX_CHECK(fd_ >= 0, "cannot write '", path_, "': already synced");
  const bool ok = ::fchmod(fd_, 0644) == 0 && ::fsync(fd_) == 0;
  const std::string why = ErrnoText();
  const bool closed = ::close(fd_) == 0;
  const std::string why_close = ErrnoText();
  fd_ = -1;
  MX_CHECK(ok, "cannot write '", path_, "': ", why);
  // NFS and quota errors may surface only at close.
  MX_CHECK(closed, "cannot write '", path_, "': ", why_close);
  synced_ = true;
}

void AtomicFileWriter::Publish() {
  MX_CHECK(synced_ && !published_, "cannot publish '", path_,
           "': not synced, or already published");
  MX_CHECK(::rename(temp_.c_str(), path_.c_str()) == 0, "cannot write '", path_,
           "': rename from temp file failed: ", ErrnoText());
  published_ = true;
}

std::string TempFileTarget(const std::string& name) {
  // mkstemp's six characters are letters and digits.
  constexpr size_t kSuffix = sizeof ".tmp.XXXXXX" - 1;
  if (name.size() <= kSuffix) return "";
  const size_t at = name.size() - kSuffix;
  if (name.compare(at, 5, ".tmp.") != 0) return "";
  for (size_t i = at + 5; i < name.size(); ++i) {
    if (!std::isalnum(static_cast<unsigned char>(name[i]))) return "";
  }
  return name.substr(0, at);
}

void WriteFileAtomic(const std::string& path, std::string_view bytes) {
  if (!UriScheme(path).empty()) {
    auto out = FileSystemFor(path).OpenWrite(path);
    out->Write(bytes);
    out->Commit();
    return;
  }
  AtomicFileWriter out(path);
  out.Write(bytes);
  out.Commit();
}

bool FileExists(const std::string& path) {
  if (!UriScheme(path).empty()) return FileSystemFor(path).Exists(path);
  return ::access(path.c_str(), F_OK) == 0;
}

std::vector<std::string> ListFolder(const std::string& uri) {
  return FileSystemFor(uri).List(uri);
}

void RemoveFile(const std::string& uri) { FileSystemFor(uri).Remove(uri); }

namespace {

void CheckFileSize(const std::string& path, int64_t size, int64_t max_bytes) {
  MX_CHECK(max_bytes < 0 || size <= max_bytes, "'", path, "' has ", size,
           " bytes, more than the ", max_bytes, " expected of such a file");
}

}  // namespace

std::string ReadFile(const std::string& path, int64_t max_bytes) {
  if (!UriScheme(path).empty()) {
    FileSystem& fs = FileSystemFor(path);
    if (max_bytes >= 0)
      CheckFileSize(path, fs.OpenRead(path)->Size(), max_bytes);
    return fs.ReadAll(path);
  }
  // O_NONBLOCK: opening a FIFO must not wait for a writer (it is refused
  // below); reads of regular files ignore the flag.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  MX_CHECK(fd >= 0, "cannot open '", path, "': ", ErrnoText());
  FdCloser closer{fd};
  struct stat st;
  MX_CHECK(::fstat(fd, &st) == 0, "cannot stat '", path, "': ", ErrnoText());
  MX_CHECK(S_ISREG(st.st_mode), "cannot read '", path, "': not a regular file");
  CheckFileSize(path, st.st_size, max_bytes);
  std::string out;
  try {
    out.resize(static_cast<size_t>(st.st_size));
  } catch (const std::bad_alloc&) {
    MX_THROW("cannot read '", path, "': its ", st.st_size,
             " bytes do not fit in memory");
  }
  size_t done = 0;
  while (done < out.size()) {
    const ssize_t n = ::read(fd, &out[done], out.size() - done);
    if (n < 0 && errno == EINTR) continue;
    MX_CHECK(n >= 0, "cannot read '", path, "': ", ErrnoText());
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  out.resize(done);
  return out;
}

}  // namespace mx
