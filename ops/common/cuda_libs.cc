#include "ops/common/cuda_libs.h"

#include <cstdlib>
#include <cstring>
#include <map>
#include <vector>

#include "core/base/error.h"
#include "core/gpu/gpu.h"

namespace mx {
namespace ops {
namespace {

// A thread's handles, one per device; created on first use and never
// destroyed (threads of the engine live as long as the process, and
// destroying handles at exit races with CUDA's own teardown).
template <typename Handle>
struct ThreadHandles {
  std::map<int, Handle> by_device;
};

const char* CublasStatusName(cublasStatus_t s) {
  switch (s) {
    case CUBLAS_STATUS_SUCCESS:
      return "CUBLAS_STATUS_SUCCESS";
    case CUBLAS_STATUS_NOT_INITIALIZED:
      return "CUBLAS_STATUS_NOT_INITIALIZED";
    case CUBLAS_STATUS_ALLOC_FAILED:
      return "CUBLAS_STATUS_ALLOC_FAILED (out of GPU memory)";
    case CUBLAS_STATUS_INVALID_VALUE:
      return "CUBLAS_STATUS_INVALID_VALUE";
    case CUBLAS_STATUS_ARCH_MISMATCH:
      return "CUBLAS_STATUS_ARCH_MISMATCH";
    case CUBLAS_STATUS_MAPPING_ERROR:
      return "CUBLAS_STATUS_MAPPING_ERROR";
    case CUBLAS_STATUS_EXECUTION_FAILED:
      return "CUBLAS_STATUS_EXECUTION_FAILED";
    case CUBLAS_STATUS_INTERNAL_ERROR:
      return "CUBLAS_STATUS_INTERNAL_ERROR";
    case CUBLAS_STATUS_NOT_SUPPORTED:
      return "CUBLAS_STATUS_NOT_SUPPORTED";
    default:
      return "unknown cuBLAS status";
  }
}

}  // namespace

bool AllowTf32() {
  static const bool allow = [] {
    const char* v = std::getenv("MX_TF32");
    return v != nullptr && std::strcmp(v, "1") == 0;
  }();
  return allow;
}

void CheckCublas(cublasStatus_t status, const std::string& where,
                 const char* what) {
  if (status == CUBLAS_STATUS_SUCCESS) return;
  MX_THROW(where, ": ", what, ": cuBLAS ", CublasStatusName(status));
}

void CheckCudnn(cudnnStatus_t status, const std::string& where,
                const char* what) {
  if (status == CUDNN_STATUS_SUCCESS) return;
  MX_THROW(where, ": ", what, ": cuDNN ", cudnnGetErrorString(status));
}

void CheckLaunch(const std::string& where) {
  const cudaError_t status = cudaGetLastError();
  if (status == cudaSuccess) return;
  MX_THROW(where, ": CUDA kernel launch failed: ", cudaGetErrorName(status),
           ": ", cudaGetErrorString(status));
}

cublasHandle_t CublasFor(const KernelContext& ctx) {
  thread_local ThreadHandles<cublasHandle_t> handles;
  const int device = ctx.ctx.dev_id;
  cublasHandle_t& h = handles.by_device[device];
  if (h == nullptr) {
    gpu::SetDevice(device);
    CheckCublas(cublasCreate(&h), "cuBLAS", "creating a handle");
    CheckCublas(cublasSetMathMode(h, AllowTf32() ? CUBLAS_TF32_TENSOR_OP_MATH
                                                 : CUBLAS_PEDANTIC_MATH),
                "cuBLAS", "setting the math mode");
  }
  CheckCublas(cublasSetStream(h, static_cast<cudaStream_t>(ctx.stream)),
              "cuBLAS", "setting the stream");
  return h;
}

cudnnHandle_t CudnnFor(int device, void* stream) {
  thread_local ThreadHandles<cudnnHandle_t> handles;
  cudnnHandle_t& h = handles.by_device[device];
  if (h == nullptr) {
    gpu::SetDevice(device);
    CheckCudnn(cudnnCreate(&h), "cuDNN", "creating a handle");
  }
  CheckCudnn(cudnnSetStream(h, static_cast<cudaStream_t>(stream)), "cuDNN",
             "setting the stream");
  return h;
}

namespace {

// Row-major c = op(a) op(b) is column-major c^T = op(b)^T op(a)^T: cuBLAS
// gets b first, with the dimensions swapped.
template <typename T, typename Gemm>
void RowMajorGemm(const KernelContext& ctx, const std::string& where, bool ta,
                  bool tb, int64_t m, int64_t n, int64_t k, const T* a,
                  const T* b, T* c, OpReq req, Gemm gemm) {
  if (req == OpReq::kNull || m == 0 || n == 0) return;
  const T alpha = 1;
  const T beta = req == OpReq::kAdd ? 1 : 0;
  const int lda = static_cast<int>(ta ? m : k);
  const int ldb = static_cast<int>(tb ? k : n);
  CheckCublas(gemm(CublasFor(ctx), tb ? CUBLAS_OP_T : CUBLAS_OP_N,
                   ta ? CUBLAS_OP_T : CUBLAS_OP_N, static_cast<int>(n),
                   static_cast<int>(m), static_cast<int>(k), &alpha, b, ldb, a,
                   lda, &beta, c, static_cast<int>(n)),
              where, "matrix product");
}

}  // namespace

template <>
void GpuMatMul<float>(const KernelContext& ctx, const std::string& where,
                      bool ta, bool tb, int64_t m, int64_t n, int64_t k,
                      const float* a, const float* b, float* c, OpReq req) {
  RowMajorGemm(ctx, where, ta, tb, m, n, k, a, b, c, req, cublasSgemm);
}

template <>
void GpuMatMul<double>(const KernelContext& ctx, const std::string& where,
                       bool ta, bool tb, int64_t m, int64_t n, int64_t k,
                       const double* a, const double* b, double* c, OpReq req) {
  RowMajorGemm(ctx, where, ta, tb, m, n, k, a, b, c, req, cublasDgemm);
}

BadValueReport::BadValueReport() {
  value_ = static_cast<BadValue*>(gpu::PinnedAllocate(sizeof(BadValue)));
  value_->found = 0;
}

BadValueReport::~BadValueReport() {
  try {
    if (pending_ != nullptr) pending_->Sync();  // the GPU may still write
    gpu::PinnedFree(value_);
  } catch (const Error&) {
    // A failed device: the memory goes with the process.
  }
}

void BadValueReport::Queued(const KernelContext& ctx) {
  pending_ = gpu::Event::Record(ctx.stream, ctx.ctx.dev_id);
}

bool BadValueReport::Take(BadValue* out, bool wait) {
  if (pending_ == nullptr) return false;
  if (wait) {
    pending_->Sync();
  } else if (!pending_->Done()) {
    return false;
  }
  pending_ = nullptr;
  if (value_->found == 0) return false;
  *out = *value_;
  value_->found = 0;
  return true;
}

template <>
cudnnDataType_t CudnnType<float>() {
  return CUDNN_DATA_FLOAT;
}

template <>
cudnnDataType_t CudnnType<double>() {
  return CUDNN_DATA_DOUBLE;
}

TensorDesc::TensorDesc() {
  CheckCudnn(cudnnCreateTensorDescriptor(&desc_), "cuDNN",
             "creating a tensor descriptor");
}

TensorDesc::~TensorDesc() { cudnnDestroyTensorDescriptor(desc_); }

void TensorDesc::Set(cudnnDataType_t type, std::vector<int64_t> dims,
                     const std::string& where) {
  while (dims.size() < 4) dims.push_back(1);
  std::vector<int> d(dims.begin(), dims.end()), strides(dims.size());
  int stride = 1;
  for (int i = static_cast<int>(d.size()) - 1; i >= 0; --i) {
    strides[i] = stride;
    stride *= d[i];
  }
  CheckCudnn(cudnnSetTensorNdDescriptor(desc_, type, static_cast<int>(d.size()),
                                        d.data(), strides.data()),
             where, "describing a tensor");
}

}  // namespace ops
}  // namespace mx
