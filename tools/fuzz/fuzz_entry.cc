// The entry of one fuzz binary (MX_FUZZ_TARGET names its target). Under
// libFuzzer (--define=mx_fuzz=1, tools/fuzz/run.sh) libFuzzer's main drives
// it; otherwise main() replays the files and folders it is given, so the
// binary also builds and runs without clang:
//   symbol_json_fuzz tests/fuzz/corpus/symbol_json crash-1234
#include <dirent.h>
#include <sys/stat.h>

#include <cstdint>
#include <cstdio>
#include <string>

#include "core/base/file_util.h"
#include "tools/fuzz/fuzz_targets.h"

namespace {

const mx::fuzz::FuzzTarget& Target() {
  static const mx::fuzz::FuzzTarget* t =
      mx::fuzz::FindFuzzTarget(MX_FUZZ_TARGET);
  if (t == nullptr) {
    std::fprintf(stderr, "no fuzz target '%s'\n", MX_FUZZ_TARGET);
    std::abort();
  }
  return *t;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  mx::fuzz::RunFuzzTarget(
      Target(), std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}

#ifndef MX_LIBFUZZER
int main(int argc, char** argv) {
  int runs = 0;
  for (int i = 1; i < argc; ++i) {
    std::vector<std::string> files;
    struct stat st;
    if (::stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
      for (const std::string& name : mx::ListFolder(argv[i])) {
        files.push_back(std::string(argv[i]) + "/" + name);
      }
    } else {
      files.push_back(argv[i]);
    }
    for (const std::string& f : files) {
      const std::string bytes = mx::ReadFile(f);
      LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()),
                             bytes.size());
      ++runs;
    }
  }
  std::printf("%s: %d inputs ran\n", MX_FUZZ_TARGET, runs);
  return 0;
}
#endif
