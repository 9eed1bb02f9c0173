// Linked into a test binary to run it on the naive engine: selects it before
// the first Engine::Get.
#include <cstdlib>

namespace {
const bool kSelected = [] {
  return setenv("MX_ENGINE_TYPE", "naive", 1) == 0;
}();
}  // namespace
