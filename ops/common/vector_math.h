// Float32 transcendental functions over arrays, written without libm calls
// so the loops vectorize; compiled for AVX-512, AVX2 and baseline x86-64 and
// chosen at run time. Accuracy: a few float32 ulps (Cephes polynomials).
#ifndef MX_OPS_COMMON_VECTOR_MATH_H_
#define MX_OPS_COMMON_VECTOR_MATH_H_

#include <cstdint>

namespace mx {
namespace ops {

// y[i] = exp(x[i]); inputs beyond the float range saturate to 0 or the
// largest finite value's neighbourhood (no inf, no NaN from finite input).
void VecExp(const float* x, float* y, int64_t n);
// y[i] = tanh(x[i]).
void VecTanh(const float* x, float* y, int64_t n);
// y[i] = 1 / (1 + exp(-x[i])).
void VecSigmoid(const float* x, float* y, int64_t n);

}  // namespace ops
}  // namespace mx

#endif  // MX_OPS_COMMON_VECTOR_MATH_H_
