// Plain CPU kernels behind NDArray's operations, on raw pointers. Each runs
// inside an engine function. Float32 paths are compiled for AVX-512, AVX2 and
// baseline x86-64 and chosen at run time.
#ifndef MX_CORE_NDARRAY_CPU_KERNELS_H_
#define MX_CORE_NDARRAY_CPU_KERNELS_H_

#include <cstdint>

#include "core/base/dtype.h"

namespace mx::cpu {

enum class BinaryOp { kAdd, kSub, kMul, kDiv };
enum class ScalarOp { kAdd, kSub, kRSub, kMul, kDiv, kRDiv };
enum class UnaryOp { kNegate, kAbs, kSqrt, kSquare, kExp, kLog };
enum class ReduceOp { kSum, kMean, kMax };

// Name used in error messages: "add", "rsub", "sqrt", "sum", ...
const char* OpName(BinaryOp op);
const char* OpName(ScalarOp op);
const char* OpName(UnaryOp op);
const char* OpName(ReduceOp op);

// out[i] = a[i] op b[i]. Integer division by zero throws mx::Error.
void Binary(BinaryOp op, DType dtype, const void* a, const void* b, void* out,
            int64_t n);
// out[i] = a[i] op s (or s op a[i] for the R variants), computed in the array's
// type.
void Scalar(ScalarOp op, DType dtype, const void* a, double s, void* out,
            int64_t n);
// out[i] = op(a[i]); integer types compute in double and convert back.
void Unary(UnaryOp op, DType dtype, const void* a, void* out, int64_t n);
// *out (one element of dtype) = reduction of a[0..n); sums accumulate in double
// (int64 for integers). Max of zero elements throws mx::Error; mean of zero
// elements is NaN (0 for integers).
void Reduce(ReduceOp op, DType dtype, const void* a, int64_t n, void* out);
// out[i] = value converted to dtype.
void Fill(DType dtype, double value, void* out, int64_t n);
// out[i] = a[i] converted from `from` to `to` (float16 through float32).
void Cast(DType from, const void* a, DType to, void* out, int64_t n);

}  // namespace mx::cpu

#endif  // MX_CORE_NDARRAY_CPU_KERNELS_H_
