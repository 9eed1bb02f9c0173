// BLAS glue: one gemm entry point, parallel on the intra-op threads (Note
// [Thread budget] in docs/design_notes.md).
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

// Computes the product; larger ones are split into slices of C that run on
// the intra-op threads (core/engine/parallel.h), each a single-threaded BLAS
// call.
void Gemm(const GemmArgs& args);

// The same product on the calling thread alone (for kernels that split
// their work over the intra-op threads themselves).
void GemmOnCallingThread(const GemmArgs& args);

}  // namespace mx

#endif  // MX_CORE_NDARRAY_BLAS_H_
