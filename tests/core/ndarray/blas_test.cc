// Gemm (through ops' MatMul) against a naive product, on shapes large enough to
// be split over the intra-op threads (by columns and by rows), every transpose
// combination, with and without accumulation, float32 and float64; and
// ParallelFor's ranges.
#include "core/ndarray/blas.h"

#include <gtest/gtest.h>

#include <atomic>
#include <random>
#include <vector>

#include "core/engine/parallel.h"
#include "ops/common/gemm.h"

namespace mx {
namespace {

template <typename T>
void CheckGemm(bool ta, bool tb, bool accumulate, int64_t m, int64_t n,
               int64_t k) {
  std::mt19937 gen(static_cast<unsigned>(m * 31 + n * 7 + k + ta * 2 + tb));
  std::uniform_real_distribution<double> dist(-1, 1);
  std::vector<T> a(m * k), b(k * n), c(m * n), expected(m * n);
  for (T& v : a) v = static_cast<T>(dist(gen));
  for (T& v : b) v = static_cast<T>(dist(gen));
  for (T& v : c) v = static_cast<T>(dist(gen));
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      double sum = accumulate ? c[i * n + j] : 0.0;
      for (int64_t p = 0; p < k; ++p) {
        const double x = ta ? a[p * m + i] : a[i * k + p];
        const double y = tb ? b[j * k + p] : b[p * n + j];
        sum += x * y;
      }
      expected[i * n + j] = static_cast<T>(sum);
    }
  }
  ops::MatMul(ta, tb, m, n, k, a.data(), b.data(), c.data(), accumulate);
  const double tol = sizeof(T) == 4 ? 1e-3 : 1e-10;
  for (int64_t i = 0; i < m * n; ++i) {
    ASSERT_NEAR(c[i], expected[i], tol * k)
        << "element " << i << " (ta " << ta << ", tb " << tb << ", m " << m
        << ", n " << n << ", k " << k << ")";
  }
}

TEST(GemmTest, SplitProductsMatchNaive) {
  // (m, n, k): wide (split by columns, with a ragged last slice), tall
  // (split by rows), and one too small to split.
  const int64_t shapes[][3] = {{37, 203, 45}, {211, 29, 50}, {5, 6, 7}};
  for (const auto& s : shapes) {
    for (int t = 0; t < 8; ++t) {
      const bool ta = t & 1, tb = t & 2, acc = t & 4;
      CheckGemm<float>(ta, tb, acc, s[0], s[1], s[2]);
      CheckGemm<double>(ta, tb, acc, s[0], s[1], s[2]);
    }
  }
}

TEST(ParallelForTest, RangesCoverEachIndexOnce) {
  for (int64_t n : {0, 1, 7, 1000, 4097}) {
    for (int64_t grain : {1, 16, 5000}) {
      std::vector<std::atomic<int>> hits(static_cast<size_t>(n));
      ParallelFor(n, grain, [&](int64_t begin, int64_t end) {
        EXPECT_LT(begin, end);
        if (end - begin < grain) EXPECT_EQ(end, n);  // only the last is short
        for (int64_t i = begin; i < end; ++i) hits[i]++;
      });
      for (int64_t i = 0; i < n; ++i) {
        ASSERT_EQ(hits[i].load(), 1) << "index " << i << " of " << n;
      }
    }
  }
}

}  // namespace
}  // namespace mx
