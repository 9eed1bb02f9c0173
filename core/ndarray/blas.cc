#include "core/ndarray/blas.h"

#include <cblas.h>

#include <climits>
#include <cstdlib>
#include <mutex>

#include "core/base/env.h"
#include "core/base/error.h"
#include "core/engine/engine.h"

namespace mx {
namespace {

int ComputeBlasThreads() {
  const int cores = NumCores();
  const int fallback = std::max(1, cores / Engine::Get()->NumCpuWorkers());
  const int64_t from_openblas = EnvInt("OPENBLAS_NUM_THREADS", 0, 0, 4096);
  if (from_openblas > 0) return static_cast<int>(from_openblas);
  return static_cast<int>(EnvInt("MX_BLAS_NTHREADS", fallback, 1, 4096));
}

void ApplyThreadsOnce() {
  static std::once_flag once;
  std::call_once(once, [] { openblas_set_num_threads(BlasThreads()); });
}

int AsBlasInt(int64_t v, const char* what) {
  MX_CHECK(v >= 0 && v <= INT_MAX, "gemm: ", what, " = ", v,
           " exceeds the BLAS index range (2^31 - 1)");
  return static_cast<int>(v);
}

}  // namespace

int BlasThreads() {
  static const int threads = ComputeBlasThreads();
  return threads;
}

void Gemm(const GemmArgs& g) {
  ApplyThreadsOnce();
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

}  // namespace mx
