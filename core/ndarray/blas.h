// BLAS glue: one gemm entry point and the thread policy that keeps engine
// workers x BLAS threads within the cores (Note [Thread budget] in
// docs/design_notes.md).
#ifndef MX_CORE_NDARRAY_BLAS_H_
#define MX_CORE_NDARRAY_BLAS_H_

#include <cstdint>

#include "core/base/dtype.h"

namespace mx {

// C = op(A) * op(B) (+ C when accumulate), row-major, float32 or float64.
struct GemmArgs {
  DType dtype = DType::kFloat32;
  bool transpose_a = false;
  bool transpose_b = false;
  bool accumulate = false;
  int64_t m = 0, n = 0, k = 0;
  const void* a = nullptr;
  int64_t lda = 0;
  const void* b = nullptr;
  int64_t ldb = 0;
  void* c = nullptr;
  int64_t ldc = 0;
};

// Runs the product on the calling thread (BLAS may use its own threads, see
// BlasThreads).
void Gemm(const GemmArgs& args);

// Threads BLAS uses: OPENBLAS_NUM_THREADS or MX_BLAS_NTHREADS when set, else
// max(1, cores / CPU engine workers). Applied once, before the first Gemm.
int BlasThreads();

}  // namespace mx

#endif  // MX_CORE_NDARRAY_BLAS_H_
