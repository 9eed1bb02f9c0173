// keydoc: rewrites the generated key tables of docs/mxtrain.md (Note
// [Config keys]) in place. Run as `bazel run //tools/mxtrain:keydoc`, or
// with the file's path as the argument.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/base/error.h"
#include "core/base/file_util.h"
#include "tools/mxtrain/run_keys.h"

int main(int argc, char** argv) {
  std::string path = "docs/mxtrain.md";
  if (argc > 1) {
    path = argv[1];
  } else if (const char* root = std::getenv("BUILD_WORKSPACE_DIRECTORY")) {
    path = std::string(root) + "/" + path;
  }
  try {
    mx::WriteFileAtomic(path, mx::ReplaceKeyTables(mx::ReadFile(path)));
  } catch (const mx::Error& e) {
    std::fprintf(stderr, "keydoc: %s\n", e.what());
    return 1;
  }
  std::printf("keydoc: rewrote the key tables of %s\n", path.c_str());
  return 0;
}
