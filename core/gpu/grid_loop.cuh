// The grid-stride loop every elementwise CUDA kernel of mx runs on (.cu files
// only): f(i) for i in [0, n), queued on a stream.
#ifndef MX_CORE_GPU_GRID_LOOP_CUH_
#define MX_CORE_GPU_GRID_LOOP_CUH_

#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>

#include "core/gpu/gpu.h"

namespace mx::gpu {

constexpr int kLoopThreads = 256;

template <typename F>
__global__ void GridLoopKernel(int64_t n, F f) {
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
       i < n; i += stride) {
    f(i);
  }
}

// Blocks of kLoopThreads for n elements, capped (the loop strides over the
// rest).
inline unsigned GridLoopBlocks(int64_t n) {
  return static_cast<unsigned>(
      std::min<int64_t>((n + kLoopThreads - 1) / kLoopThreads, 65535));
}

// Queues f(i) (a __device__ lambda) for i in [0, n) on `stream`; the caller
// checks the launch.
template <typename F>
void LaunchGridLoop(int64_t n, Stream stream, F f) {
  if (n <= 0) return;
  GridLoopKernel<<<GridLoopBlocks(n), kLoopThreads, 0,
                   static_cast<cudaStream_t>(stream)>>>(n, f);
}

}  // namespace mx::gpu

#endif  // MX_CORE_GPU_GRID_LOOP_CUH_
