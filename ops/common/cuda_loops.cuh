// Launch helpers for the ops' own CUDA kernels (.cu files only): grid-stride
// loops queued on the kernel's stream, and stores that honour OpReq.
#ifndef MX_OPS_COMMON_CUDA_LOOPS_CUH_
#define MX_OPS_COMMON_CUDA_LOOPS_CUH_

#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>
#include <string>

#include "core/gpu/grid_loop.cuh"
#include "core/op/kernel.h"
#include "ops/common/cuda_libs.h"
#include "ops/common/kernel_util.h"

namespace mx {
namespace ops {
namespace cu {

constexpr int kThreads = gpu::kLoopThreads;

inline cudaStream_t StreamOf(const KernelContext& ctx) {
  return static_cast<cudaStream_t>(ctx.stream);
}

// Blocks for n threads of kThreads, capped (the loops stride over the rest).
inline unsigned BlocksFor(int64_t n) { return gpu::GridLoopBlocks(n); }

// Runs f(i) (a __device__ lambda) for i in [0, n) on ctx's stream; mx::Error
// naming `where` when the launch fails.
template <typename F>
void ForEach(const KernelContext& ctx, const std::string& where, int64_t n,
             F f) {
  if (n <= 0) return;
  gpu::LaunchGridLoop(n, ctx.stream, f);
  CheckLaunch(where);
}

// Stores f(i) into out[0..n) as `req` says (the GPU twin of StoreEach).
template <typename T, typename F>
void StoreEach(const KernelContext& ctx, const std::string& where, OpReq req,
               T* out, int64_t n, F f) {
  switch (req) {
    case OpReq::kNull:
      return;
    case OpReq::kAdd:
      return ForEach(ctx, where, n,
                     [=] __device__(int64_t i) { out[i] += f(i); });
    case OpReq::kWrite:
    case OpReq::kInplace:
      return ForEach(ctx, where, n,
                     [=] __device__(int64_t i) { out[i] = f(i); });
  }
}

// Stores src into out as `req` says (they may be the same memory).
template <typename T>
void StoreArray(const KernelContext& ctx, const std::string& where, OpReq req,
                T* out, const T* src, int64_t n) {
  if (req == OpReq::kNull || n <= 0 || (out == src && req != OpReq::kAdd)) {
    return;
  }
  if (req != OpReq::kAdd) {
    const cudaError_t status = cudaMemcpyAsync(
        out, src, n * sizeof(T), cudaMemcpyDeviceToDevice, StreamOf(ctx));
    if (status != cudaSuccess) CheckLaunch(where);
    return;
  }
  ForEach(ctx, where, n, [=] __device__(int64_t i) { out[i] += src[i]; });
}

// Sets out[0..n) to zero on ctx's stream.
template <typename T>
void Zero(const KernelContext& ctx, const std::string& where, T* out,
          int64_t n) {
  if (n <= 0) return;
  if (cudaMemsetAsync(out, 0, n * sizeof(T), StreamOf(ctx)) != cudaSuccess) {
    CheckLaunch(where);
  }
}

template <typename T>
__global__ void SumRowsKernel(const T* g, int64_t rows, int64_t cols, T* out,
                              bool add) {
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t c = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
       c < cols; c += stride) {
    T acc = 0;
    for (int64_t r = 0; r < rows; ++r) acc += g[r * cols + c];
    out[c] = add ? out[c] + acc : acc;
  }
}

// out (cols) = the sum of the rows of g (rows, cols), stored as `req` says
// (bias gradients).
template <typename T>
void SumRows(const KernelContext& ctx, const std::string& where, const T* g,
             int64_t rows, int64_t cols, T* out, OpReq req) {
  if (req == OpReq::kNull || cols <= 0) return;
  SumRowsKernel<<<BlocksFor(cols), kThreads, 0, StreamOf(ctx)>>>(
      g, rows, cols, out, req == OpReq::kAdd);
  CheckLaunch(where);
}

// Block-wide sum of v (every thread of the block passes its part; blockDim
// a multiple of 32, at most 1024); the result is valid in thread 0.
template <typename T>
__device__ T BlockSum(T v) {
  __shared__ T warp_sums[32];
  for (int offset = 16; offset > 0; offset /= 2) {
    v += __shfl_down_sync(0xffffffffu, v, offset);
  }
  const int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
  __syncthreads();  // warp_sums may still be read by a previous call
  if (lane == 0) warp_sums[warp] = v;
  __syncthreads();
  const int warps = (blockDim.x + 31) / 32;
  v = threadIdx.x < warps ? warp_sums[threadIdx.x] : T(0);
  if (warp == 0) {
    for (int offset = 16; offset > 0; offset /= 2) {
      v += __shfl_down_sync(0xffffffffu, v, offset);
    }
  }
  return v;
}

template <typename T, typename F>
__global__ void ChannelSumsKernel(int64_t outer, int64_t channels,
                                  int64_t inner, F f, T* out, bool add) {
  for (int64_t c = blockIdx.x; c < channels; c += gridDim.x) {
    T acc = 0;
    for (int64_t j = threadIdx.x; j < outer * inner; j += blockDim.x) {
      const int64_t o = j / inner, i = j % inner;
      acc += f((o * channels + c) * inner + i);
    }
    acc = BlockSum(acc);
    if (threadIdx.x == 0) out[c] = add ? out[c] + acc : acc;
  }
}

// out[c] = the sum of f(flat index) over the elements of channel c of data
// split as `s` (outer, channels, inner), stored as `req` says; one block per
// channel.
template <typename T, typename F>
void ChannelSums(const KernelContext& ctx, const std::string& where,
                 const AxisSplit& s, OpReq req, T* out, F f) {
  if (req == OpReq::kNull || s.extent <= 0) return;
  const unsigned blocks =
      static_cast<unsigned>(std::min<int64_t>(s.extent, 65535));
  ChannelSumsKernel<<<blocks, kThreads, 0, StreamOf(ctx)>>>(
      s.outer, s.extent, s.inner, f, out, req == OpReq::kAdd);
  CheckLaunch(where);
}

// Records the first bad value a kernel finds (BadValueReport).
__device__ inline void ReportBadValue(BadValue* report, int64_t position,
                                      double value) {
  if (atomicCAS(&report->found, 0, 1) == 0) {
    report->position = position;
    report->value = value;
  }
}

}  // namespace cu
}  // namespace ops
}  // namespace mx

#endif  // MX_OPS_COMMON_CUDA_LOOPS_CUH_
