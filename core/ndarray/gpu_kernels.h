// CUDA kernels behind NDArray's operations on gpu(i) arrays: the GPU twins of
// cpu_kernels.h, each queued on the calling engine function's stream. Builds
// without CUDA link gpu_kernels_none.cc, where each is an mx::Error.
#ifndef MX_CORE_NDARRAY_GPU_KERNELS_H_
#define MX_CORE_NDARRAY_GPU_KERNELS_H_

#include <cstdint>

#include "core/base/dtype.h"
#include "core/gpu/gpu.h"
#include "core/ndarray/cpu_kernels.h"

namespace mx::cuda {

using cpu::BinaryOp;
using cpu::ReduceOp;
using cpu::ScalarOp;
using cpu::UnaryOp;

// out[i] = a[i] op b[i]. Integer division by zero is an mx::Error (checked
// with a wait on the stream: integer division is rare on GPUs).
void Binary(BinaryOp op, DType dtype, const void* a, const void* b, void* out,
            int64_t n, gpu::Stream stream);
// out[i] = a[i] op s (or s op a[i] for the R variants), in the array's type.
void Scalar(ScalarOp op, DType dtype, const void* a, double s, void* out,
            int64_t n, gpu::Stream stream);
// out[i] = op(a[i]); integer types compute in double and convert back.
void Unary(UnaryOp op, DType dtype, const void* a, void* out, int64_t n,
           gpu::Stream stream);
// *out (one element of dtype, on the GPU) = reduction of a[0..n), summing in
// double (int64 for integers); max propagates NaN. Max of zero elements is an
// mx::Error.
void Reduce(ReduceOp op, DType dtype, const void* a, int64_t n, void* out,
            gpu::Stream stream);
// out[i] = value converted to dtype.
void Fill(DType dtype, double value, void* out, int64_t n, gpu::Stream stream);
// out[i] = a[i] converted from `from` to `to` (saturating for integers, as
// on the CPU).
void Cast(DType from, const void* a, DType to, void* out, int64_t n,
          gpu::Stream stream);

}  // namespace mx::cuda

#endif  // MX_CORE_NDARRAY_GPU_KERNELS_H_
