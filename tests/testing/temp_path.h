// Paths for files tests write: inside Bazel's per-test TEST_TMPDIR.
#ifndef MX_TESTS_TESTING_TEMP_PATH_H_
#define MX_TESTS_TESTING_TEMP_PATH_H_

#include <cstdlib>
#include <string>

namespace mx::testing {

// "<TEST_TMPDIR or /tmp>/<name>".
inline std::string TempPath(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir ? dir : "/tmp") + "/" + name;
}

}  // namespace mx::testing

#endif  // MX_TESTS_TESTING_TEMP_PATH_H_
