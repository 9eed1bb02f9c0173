// Divider (ops/common/fast_divmod.h) against plain division.
#include "ops/common/fast_divmod.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

namespace mx::ops {
namespace {

void ExpectDivides(int64_t d, int64_t limit, int64_t n) {
  const Divider div(d, limit);
  ASSERT_EQ(div.Div(n), n / d) << n << " / " << d;
  ASSERT_EQ(div.Mod(n), n % d) << n << " % " << d;
}

TEST(DividerTest, MatchesDivisionOnEdgesAndAtRandom) {
  constexpr int64_t kLimit = int64_t{1} << 31;
  std::vector<int64_t> divisors = {
      1, 2, 3, 5, 7, 49, 64, 196, 3136, 12544, 65535, 65536, 65537, 1000003};
  for (int k = 1; k <= 31; ++k) {
    divisors.push_back((int64_t{1} << k) - 1);
    divisors.push_back(int64_t{1} << k);
    divisors.push_back((int64_t{1} << k) + 1);
  }
  std::mt19937_64 rng(7);
  for (int i = 0; i < 200; ++i) {
    divisors.push_back(std::uniform_int_distribution<int64_t>(1, kLimit)(rng));
  }
  for (int64_t d : divisors) {
    if (d > kLimit) continue;
    for (int64_t n : {int64_t{0}, int64_t{1}, d - 1, d, d + 1, 2 * d - 1,
                      kLimit - 1, kLimit - 2, kLimit - d}) {
      if (n >= 0 && n < kLimit) ExpectDivides(d, kLimit, n);
    }
    for (int i = 0; i < 2000; ++i) {
      ExpectDivides(d, kLimit,
                    std::uniform_int_distribution<int64_t>(0, kLimit - 1)(rng));
    }
  }
}

TEST(DividerTest, LargeDividendsAndDivisorsDivideExactly) {
  const int64_t big = int64_t{1} << 40;
  ExpectDivides(3, big + 7, big + 5);
  ExpectDivides(int64_t{1} << 33, big, big - 1);
  ExpectDivides(12544, big, big - 12345);
}

}  // namespace
}  // namespace mx::ops
