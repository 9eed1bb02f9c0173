// The optimizers' update on a GPU: one fused CUDA kernel per parameter
// (optimizer_gpu.cu); builds without CUDA link optimizer_gpu_none.cc, where
// it is an mx::Error.
#ifndef MX_CORE_TRAIN_OPTIMIZER_GPU_H_
#define MX_CORE_TRAIN_OPTIMIZER_GPU_H_

#include <cstdint>

#include "core/gpu/gpu.h"
#include "core/train/update_rules.h"

namespace mx::cuda {

// Applies `rule` to n elements of weight w with gradient g and states s0, s1
// (null when the rule has fewer), queued on `stream`.
void ApplyUpdate(const UpdateRule& rule, float* w, const float* g, float* s0,
                 float* s1, int64_t n, gpu::Stream stream);

}  // namespace mx::cuda

#endif  // MX_CORE_TRAIN_OPTIMIZER_GPU_H_
