#include "core/base/file_util.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "core/base/error.h"

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

void WriteFileAtomic(const std::string& path, std::string_view bytes) {
  std::string temp = path + ".tmp.XXXXXX";
  std::vector<char> name(temp.begin(), temp.end());
  name.push_back('\0');
  const int fd = ::mkstemp(name.data());
  MX_CHECK(fd >= 0, "cannot write '", path,
           "': creating a temp file beside it failed: ", ErrnoText());
  temp.assign(name.data());
  bool ok = false;
  {
    FdCloser closer{fd};
    size_t done = 0;
    while (done < bytes.size()) {
      const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      done += static_cast<size_t>(n);
    }
    ok = done == bytes.size() && ::fchmod(fd, 0644) == 0 && ::fsync(fd) == 0;
  }
  if (!ok) {
    const std::string why = ErrnoText();
    ::unlink(temp.c_str());
    MX_THROW("cannot write '", path, "': ", why);
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    const std::string why = ErrnoText();
    ::unlink(temp.c_str());
    MX_THROW("cannot write '", path, "': rename from temp file failed: ", why);
  }
}

std::string ReadFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  MX_CHECK(fd >= 0, "cannot open '", path, "': ", ErrnoText());
  FdCloser closer{fd};
  struct stat st;
  MX_CHECK(::fstat(fd, &st) == 0, "cannot stat '", path, "': ", ErrnoText());
  MX_CHECK(S_ISREG(st.st_mode), "cannot read '", path, "': not a regular file");
  std::string out;
  out.resize(static_cast<size_t>(st.st_size));
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
