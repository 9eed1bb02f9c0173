// gpu_kernels.h in builds without CUDA. Unreachable in practice (no gpu(i)
// array can be allocated), but a clear error if it is reached.
#include "core/base/error.h"
#include "core/ndarray/gpu_kernels.h"

namespace mx::cuda {
namespace {

[[noreturn]] void NoCuda(const char* op) {
  MX_THROW(op, " on a GPU: this build of mx has no CUDA support; use cpu()");
}

}  // namespace

void Binary(BinaryOp op, DType, const void*, const void*, void*, int64_t,
            gpu::Stream) {
  NoCuda(cpu::OpName(op));
}
void Scalar(ScalarOp op, DType, const void*, double, void*, int64_t,
            gpu::Stream) {
  NoCuda(cpu::OpName(op));
}
void Unary(UnaryOp op, DType, const void*, void*, int64_t, gpu::Stream) {
  NoCuda(cpu::OpName(op));
}
void Reduce(ReduceOp op, DType, const void*, int64_t, void*, gpu::Stream) {
  NoCuda(cpu::OpName(op));
}
void Fill(DType, double, void*, int64_t, gpu::Stream) { NoCuda("fill"); }
void Cast(DType, const void*, DType, void*, int64_t, gpu::Stream) {
  NoCuda("cast");
}

}  // namespace mx::cuda
