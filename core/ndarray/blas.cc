#include "core/ndarray/blas.h"

#include <cblas.h>

#include <climits>
#include <cstdlib>
#include <mutex>

#include "core/base/env.h"
#include "core/base/error.h"
#include "core/engine/parallel.h"

namespace mx {
namespace {

// OpenBLAS runs on the calling thread; Gemm splits larger products over the
// intra-op threads itself (Note [Thread budget]).
void SingleThreadedBlasOnce() {
  static std::once_flag once;
  std::call_once(once, [] { openblas_set_num_threads(1); });
}

int AsBlasInt(int64_t v, const char* what) {
  MX_CHECK(v >= 0 && v <= INT_MAX, "gemm: ", what, " = ", v,
           " exceeds the BLAS index range (2^31 - 1)");
  return static_cast<int>(v);
}

// Products below this many multiply-adds run on one thread: a split would
// cost more than it saves.
constexpr double kParallelGemmMacs = 1 << 17;
// Slices are multiples of this many rows or columns (one AVX-512 register).
constexpr int64_t kSliceAlign = 16;

void GemmUnchecked(const GemmArgs& g) {
  const int m = AsBlasInt(g.m, "m");
  const int n = AsBlasInt(g.n, "n");
  const int k = AsBlasInt(g.k, "k");
  const int lda = std::max(1, AsBlasInt(g.lda, "lda"));
  const int ldb = std::max(1, AsBlasInt(g.ldb, "ldb"));
  const int ldc = std::max(1, AsBlasInt(g.ldc, "ldc"));
  if (m == 0 || n == 0) return;
  const CBLAS_TRANSPOSE ta = g.transpose_a ? CblasTrans : CblasNoTrans;
  const CBLAS_TRANSPOSE tb = g.transpose_b ? CblasTrans : CblasNoTrans;
  const double beta = g.accumulate ? 1.0 : 0.0;
  if (g.dtype == DType::kFloat32) {
    cblas_sgemm(CblasRowMajor, ta, tb, m, n, k, 1.0f,
                static_cast<const float*>(g.a), lda,
                static_cast<const float*>(g.b), ldb, static_cast<float>(beta),
                static_cast<float*>(g.c), ldc);
  } else if (g.dtype == DType::kFloat64) {
    cblas_dgemm(CblasRowMajor, ta, tb, m, n, k, 1.0,
                static_cast<const double*>(g.a), lda,
                static_cast<const double*>(g.b), ldb, beta,
                static_cast<double*>(g.c), ldc);
  } else {
    MX_THROW("gemm: element type ", g.dtype, "; expected float32 or float64");
  }
}

void CheckGemmArgs(const GemmArgs& g) {
  MX_CHECK(g.dtype == DType::kFloat32 || g.dtype == DType::kFloat64,
           "gemm: element type ", g.dtype, "; expected float32 or float64");
  for (const auto& [v, what] :
       {std::pair(g.m, "m"), std::pair(g.n, "n"), std::pair(g.k, "k"),
        std::pair(g.lda, "lda"), std::pair(g.ldb, "ldb"),
        std::pair(g.ldc, "ldc")}) {
    AsBlasInt(v, what);
  }
}

}  // namespace

void GemmOnCallingThread(const GemmArgs& g) {
  SingleThreadedBlasOnce();
  CheckGemmArgs(g);
  GemmUnchecked(g);
}

void Gemm(const GemmArgs& g) {
  SingleThreadedBlasOnce();
  // Errors are raised here, not inside a parallel region.
  CheckGemmArgs(g);
  const double macs = static_cast<double>(g.m) * g.n * g.k;
  // Split the longer side of C into slices; each is an independent product.
  const bool by_columns = g.n >= g.m;
  const int64_t side = by_columns ? g.n : g.m;
  if (macs < kParallelGemmMacs || side < 2 * kSliceAlign ||
      IntraOpThreads() == 1) {
    return GemmUnchecked(g);
  }
  const size_t elem = g.dtype == DType::kFloat64 ? 8 : 4;
  const int64_t blocks = side / kSliceAlign;
  ParallelFor(blocks, 1, [&](int64_t begin, int64_t end) {
    const int64_t first = begin * kSliceAlign;
    const int64_t last = end == blocks ? side : end * kSliceAlign;
    GemmArgs slice = g;
    char* c = static_cast<char*>(g.c);
    if (by_columns) {
      // Columns [first, last) of C: the same columns of op(B).
      slice.n = last - first;
      slice.b = static_cast<const char*>(g.b) +
                elem * first * (g.transpose_b ? g.ldb : 1);
      slice.c = c + elem * first;
    } else {
      // Rows [first, last) of C: the same rows of op(A).
      slice.m = last - first;
      slice.a = static_cast<const char*>(g.a) +
                elem * first * (g.transpose_a ? 1 : g.lda);
      slice.c = c + elem * first * g.ldc;
    }
    GemmUnchecked(slice);
  });
}

}  // namespace mx
