// Sizing of heavy tests: MX_TEST_SCALE (default 1) multiplies iteration counts;
// the sanitizer configurations set it lower.
#ifndef MX_TESTS_TESTING_TEST_SCALE_H_
#define MX_TESTS_TESTING_TEST_SCALE_H_

#include <algorithm>
#include <cstdint>
#include <cstdlib>

namespace mx::testing {

// `n` scaled by MX_TEST_SCALE, at least `min_value`.
inline int64_t Scaled(int64_t n, int64_t min_value = 1) {
  const char* text = std::getenv("MX_TEST_SCALE");
  const double scale = text && *text ? std::atof(text) : 1.0;
  return std::max<int64_t>(min_value, static_cast<int64_t>(n * scale));
}

}  // namespace mx::testing

#endif  // MX_TESTS_TESTING_TEST_SCALE_H_
