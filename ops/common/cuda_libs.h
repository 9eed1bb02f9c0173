// cuBLAS and cuDNN for the ops' GPU kernels (built under --config=cuda only):
// one handle per thread and device, bound to the calling kernel's stream;
// error checks that name the node; row-major matrix products (Note [GPU
// kernels]).
#ifndef MX_OPS_COMMON_CUDA_LIBS_H_
#define MX_OPS_COMMON_CUDA_LIBS_H_

#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <cudnn.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/gpu/gpu.h"
#include "core/op/kernel.h"

namespace mx {
namespace ops {

// The calling thread's cuBLAS handle for ctx's device, set to ctx.stream
// (the worker's stream; the legacy stream when null).
cublasHandle_t CublasFor(const KernelContext& ctx);
// The calling thread's cuDNN handle for `device`, set to `stream`.
cudnnHandle_t CudnnFor(int device, void* stream);
inline cudnnHandle_t CudnnFor(const KernelContext& ctx) {
  return CudnnFor(ctx.ctx.dev_id, ctx.stream);
}

// True when MX_TF32=1: cuBLAS and cuDNN may use TF32 tensor cores for
// float32 (faster, about 1e-3 relative error). Off by default, so GPU
// results match the CPU's to float32 rounding.
bool AllowTf32();

// mx::Error "<where>: <what>: cuBLAS <status>" unless `status` is success.
void CheckCublas(cublasStatus_t status, const std::string& where,
                 const char* what);
// mx::Error "<where>: <what>: cuDNN <message>" unless `status` is success.
void CheckCudnn(cudnnStatus_t status, const std::string& where,
                const char* what);
// mx::Error naming the node when the last kernel launch failed.
void CheckLaunch(const std::string& where);

// c (m, n) = op(a) op(b) (row-major; a is (m, k) or (k, m) when ta, b is
// (k, n) or (n, k) when tb), stored as `req` says, on ctx's stream; float
// and double.
template <typename T>
void GpuMatMul(const KernelContext& ctx, const std::string& where, bool ta,
               bool tb, int64_t m, int64_t n, int64_t k, const T* a, const T* b,
               T* c, OpReq req);

// A bad input value (a label or index out of range) found by a GPU kernel.
struct BadValue {
  int found;
  int64_t position;
  double value;
};

// Reports bad input values from GPU kernels without making the host wait
// (Note [Bad values found on the GPU]): kernels write the first one into
// pinned host memory; the kernel object takes it on a later call, once the
// work that found it is done, and raises the error then.
class BadValueReport {
 public:
  BadValueReport();
  ~BadValueReport();
  BadValueReport(const BadValueReport&) = delete;
  BadValueReport& operator=(const BadValueReport&) = delete;
  // Where kernels write (mapped pinned memory, readable by the device).
  BadValue* device() const { return value_; }
  // To call after queueing kernels that write to device() on ctx's stream.
  void Queued(const KernelContext& ctx);
  // True, with the value, when the work queued before the last Queued has
  // finished and found one (then cleared); `wait` blocks for that work.
  bool Take(BadValue* out, bool wait = false);

 private:
  BadValue* value_ = nullptr;
  gpu::EventPtr pending_;
};

// cuDNN's type for T (float, double).
template <typename T>
cudnnDataType_t CudnnType();

// Owners of cuDNN descriptors (destroyed with the kernel).
class TensorDesc {
 public:
  TensorDesc();
  ~TensorDesc();
  TensorDesc(const TensorDesc&) = delete;
  TensorDesc& operator=(const TensorDesc&) = delete;
  // A packed (row-major) tensor of `dims` (padded to 4 dims with 1s at the
  // end, as cuDNN wants at least 4).
  void Set(cudnnDataType_t type, std::vector<int64_t> dims,
           const std::string& where);
  cudnnTensorDescriptor_t get() const { return desc_; }

 private:
  cudnnTensorDescriptor_t desc_ = nullptr;
};

}  // namespace ops
}  // namespace mx

#endif  // MX_OPS_COMMON_CUDA_LIBS_H_
