#include "tools/fuzz/fuzz_file_system.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>

#include "core/base/error.h"
#include "core/base/file_system.h"

namespace mx {
namespace fuzz {
namespace {

constexpr char kScheme[] = "fuzz://";

struct Files {
  std::mutex mu;
  std::map<std::string, std::shared_ptr<const std::string>> bytes;
};

Files& TheFiles() {
  static Files* files = new Files();
  return *files;
}

std::shared_ptr<const std::string> Find(const std::string& uri) {
  Files& f = TheFiles();
  std::lock_guard<std::mutex> lock(f.mu);
  const auto it = f.bytes.find(uri.substr(sizeof kScheme - 1));
  MX_CHECK(it != f.bytes.end(), "cannot open '", uri, "': no such file");
  return it->second;
}

class MemoryFile : public RandomAccessFile {
 public:
  explicit MemoryFile(std::shared_ptr<const std::string> bytes)
      : bytes_(std::move(bytes)) {}
  int64_t Size() const override { return static_cast<int64_t>(bytes_->size()); }
  int64_t ReadAt(int64_t offset, int64_t n, char* out) override {
    MX_CHECK(offset >= 0 && n >= 0, "bad read at ", offset);
    if (offset >= Size() || n == 0) return 0;
    const int64_t got = std::min(n, Size() - offset);
    std::memcpy(out, bytes_->data() + offset, static_cast<size_t>(got));
    return got;
  }

 private:
  std::shared_ptr<const std::string> bytes_;
};

class MemoryFileSystem : public FileSystem {
 public:
  std::string ReadAll(const std::string& uri) override { return *Find(uri); }
  std::unique_ptr<RandomAccessFile> OpenRead(const std::string& uri) override {
    return std::make_unique<MemoryFile>(Find(uri));
  }
  std::unique_ptr<FileWriter> OpenWrite(const std::string& uri) override {
    MX_THROW("'", uri, "': fuzz:// files are read-only");
  }
  bool Exists(const std::string& uri) override {
    Files& f = TheFiles();
    std::lock_guard<std::mutex> lock(f.mu);
    return f.bytes.count(uri.substr(sizeof kScheme - 1)) > 0;
  }
  std::vector<std::string> List(const std::string&) override { return {}; }
  void Remove(const std::string&) override {}
};

const bool kRegistered = [] {
  RegisterFileSystem("fuzz", [] { return new MemoryFileSystem(); });
  return true;
}();

}  // namespace

void SetFuzzFile(const std::string& name, std::string_view bytes) {
  Files& f = TheFiles();
  std::lock_guard<std::mutex> lock(f.mu);
  f.bytes[name] = std::make_shared<const std::string>(bytes);
}

}  // namespace fuzz
}  // namespace mx
