// Row-major matrix products for kernels, on core's BLAS Gemm.
#ifndef MX_OPS_COMMON_GEMM_H_
#define MX_OPS_COMMON_GEMM_H_

#include <cstdint>
#include <vector>

#include "core/base/dtype.h"
#include "core/ndarray/blas.h"
#include "core/op/kernel.h"

namespace mx {
namespace ops {

// The product c (m, n) = op(a) op(b), or += with accumulate, of row-major
// matrices with leading dimensions lda, ldb, ldc.
template <typename T>
GemmArgs MatMulArgs(bool ta, bool tb, int64_t m, int64_t n, int64_t k,
                    const T* a, int64_t lda, const T* b, int64_t ldb, T* c,
                    int64_t ldc, bool accumulate) {
  GemmArgs g;
  g.dtype = DTypeOf<T>::kValue;
  g.transpose_a = ta;
  g.transpose_b = tb;
  g.accumulate = accumulate;
  g.m = m;
  g.n = n;
  g.k = k;
  g.a = a;
  g.lda = lda;
  g.b = b;
  g.ldb = ldb;
  g.c = c;
  g.ldc = ldc;
  return g;
}

// c (m, n) = op(a) op(b), or += with accumulate; a is (m, k) or (k, m) when
// transposed, b is (k, n) or (n, k); all dense.
template <typename T>
void MatMul(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const T* a,
            const T* b, T* c, bool accumulate) {
  Gemm(MatMulArgs(ta, tb, m, n, k, a, ta ? m : k, b, tb ? k : n, c, n,
                  accumulate));
}

// The same, storing as `req` says (nothing for kNull).
template <typename T>
void MatMul(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const T* a,
            const T* b, T* c, OpReq req) {
  if (req != OpReq::kNull) {
    MatMul(ta, tb, m, n, k, a, b, c, req == OpReq::kAdd);
  }
}

// Sums the rows of g (rows, cols) into out (cols), stored as `req` says
// (bias gradients).
template <typename T>
void SumRows(const T* g, int64_t rows, int64_t cols, T* out, OpReq req) {
  if (req == OpReq::kNull) return;
  std::vector<T> sum(static_cast<size_t>(cols), T(0));
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t c = 0; c < cols; ++c) sum[c] += g[r * cols + c];
  }
  StoreArray(req, out, sum.data(), cols);
}

}  // namespace ops
}  // namespace mx

#endif  // MX_OPS_COMMON_GEMM_H_
