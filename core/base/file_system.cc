#include "core/base/file_system.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <map>
#include <mutex>

#include "core/base/error.h"
#include "core/base/file_util.h"
#include "core/base/strings.h"

namespace mx {
namespace {

// "file:///x" -> "/x"; plain paths unchanged.
std::string LocalPath(const std::string& uri) {
  return StartsWith(uri, "file://") ? uri.substr(7) : uri;
}

class LocalFile : public RandomAccessFile {
 public:
  explicit LocalFile(std::string path) : path_(std::move(path)) {
    // O_NONBLOCK: a FIFO is refused below instead of waiting for a writer.
    fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    MX_CHECK(fd_ >= 0, "cannot open '", path_, "': ", std::strerror(errno));
    struct stat st;
    if (::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode)) {
      ::close(fd_);
      MX_THROW("cannot read '", path_, "': not a regular file");
    }
    size_ = st.st_size;
  }
  ~LocalFile() override { ::close(fd_); }
  int64_t Size() const override { return size_; }
  int64_t ReadAt(int64_t offset, int64_t n, char* out) override {
    int64_t done = 0;
    while (done < n) {
      const ssize_t got = ::pread(fd_, out + done, n - done, offset + done);
      if (got < 0 && errno == EINTR) continue;
      MX_CHECK(got >= 0, "cannot read '", path_, "': ", std::strerror(errno));
      if (got == 0) break;
      done += got;
    }
    return done;
  }

 private:
  std::string path_;
  int fd_ = -1;
  int64_t size_ = 0;
};

class LocalWriter : public FileWriter {
 public:
  explicit LocalWriter(const std::string& path) : out_(path) {}
  void Write(std::string_view bytes) override { out_.Write(bytes); }
  void Commit() override { out_.Commit(); }

 private:
  AtomicFileWriter out_;
};

// Local paths and file:// URIs.
class LocalFileSystem : public FileSystem {
 public:
  std::string ReadAll(const std::string& uri) override {
    return ReadFile(LocalPath(uri));
  }
  std::unique_ptr<RandomAccessFile> OpenRead(const std::string& uri) override {
    return std::make_unique<LocalFile>(LocalPath(uri));
  }
  std::unique_ptr<FileWriter> OpenWrite(const std::string& uri) override {
    return std::make_unique<LocalWriter>(LocalPath(uri));
  }
  bool Exists(const std::string& uri) override {
    return FileExists(LocalPath(uri));
  }
  std::vector<std::string> List(const std::string& uri) override {
    std::vector<std::string> names;
    DIR* d = ::opendir(LocalPath(uri).c_str());
    if (d == nullptr) return names;
    while (const dirent* e = ::readdir(d)) {
      const std::string name = e->d_name;
      if (name != "." && name != "..") names.push_back(name);
    }
    ::closedir(d);
    std::sort(names.begin(), names.end());
    return names;
  }
  void Remove(const std::string& uri) override {
    const std::string path = LocalPath(uri);
    MX_CHECK(::unlink(path.c_str()) == 0 || errno == ENOENT, "cannot delete '",
             path, "': ", std::strerror(errno));
  }
};

struct Registry {
  std::mutex mutex;
  std::map<std::string, std::function<FileSystem*()>> makers;
  std::map<std::string, FileSystem*> made;  // never destroyed
};

Registry& GetRegistry() {
  static Registry* r = new Registry();
  return *r;
}

}  // namespace

std::string UriScheme(const std::string& uri) {
  const size_t colon = uri.find("://");
  if (colon == std::string::npos || colon == 0) return "";
  const std::string scheme = uri.substr(0, colon);
  for (char c : scheme) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' &&
        c != '.') {
      return "";
    }
  }
  return scheme;
}

void RegisterFileSystem(const std::string& scheme,
                        std::function<FileSystem*()> make) {
  Registry& r = GetRegistry();
  std::lock_guard<std::mutex> lock(r.mutex);
  r.makers[scheme] = std::move(make);
}

FileSystem& FileSystemFor(const std::string& uri) {
  static LocalFileSystem* local = new LocalFileSystem();
  const std::string scheme = UriScheme(uri);
  if (scheme.empty() || scheme == "file") return *local;
  Registry& r = GetRegistry();
  std::lock_guard<std::mutex> lock(r.mutex);
  const auto made = r.made.find(scheme);
  if (made != r.made.end()) return *made->second;
  const auto maker = r.makers.find(scheme);
  if (maker == r.makers.end()) {
    MX_CHECK(scheme != "hdfs" && scheme != "viewfs", "'", uri,
             "': hdfs:// is not supported in this build (no HDFS client); "
             "copy the data to a local path or to s3://");
    std::vector<std::string> known = {"file"};
    for (const auto& [name, make] : r.makers) known.push_back(name);
    MX_THROW("'", uri, "': unknown URI scheme '", scheme,
             "://' (known: local paths, ", Join(known, "://, "), "://)");
  }
  FileSystem* fs = maker->second();
  r.made[scheme] = fs;
  return *fs;
}

}  // namespace mx
