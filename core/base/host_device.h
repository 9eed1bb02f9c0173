// MX_HOST_DEVICE: marks a small inline function that both the CPU loops and
// the CUDA kernels call, so the two devices compute one formula (Note [GPU
// kernels]: math written once as host/device functors).
#ifndef MX_CORE_BASE_HOST_DEVICE_H_
#define MX_CORE_BASE_HOST_DEVICE_H_

#ifdef __CUDACC__
#define MX_HOST_DEVICE __host__ __device__
#else
#define MX_HOST_DEVICE
#endif

#endif  // MX_CORE_BASE_HOST_DEVICE_H_
