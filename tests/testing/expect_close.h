// Elementwise comparison of arrays for the test harnesses.
#ifndef MX_TESTS_TESTING_EXPECT_CLOSE_H_
#define MX_TESTS_TESTING_EXPECT_CLOSE_H_

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

namespace mx::testing {

// Expects |got - want| <= tol * max(1, max finite |want|) element by
// element; equal infinities match.
template <typename A, typename B>
inline void ExpectClose(const std::vector<A>& got, const std::vector<B>& want,
                        double tol, const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  double scale = 1;
  for (B w : want) {
    const double m = std::fabs(static_cast<double>(w));
    if (std::isfinite(m)) scale = std::max(scale, m);
  }
  for (size_t i = 0; i < got.size(); ++i) {
    const double g = static_cast<double>(got[i]);
    const double w = static_cast<double>(want[i]);
    if (std::isinf(w) && g == w) continue;
    if (!(std::fabs(g - w) <= tol * scale)) {
      ADD_FAILURE() << what << ": element " << i << " is " << got[i]
                    << ", expected " << want[i] << " (tolerance " << tol * scale
                    << ")";
      return;
    }
  }
}

}  // namespace mx::testing

#endif  // MX_TESTS_TESTING_EXPECT_CLOSE_H_
