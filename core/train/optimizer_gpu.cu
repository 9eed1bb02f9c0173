// CUDA kernels of optimizer_gpu.h: a grid-stride loop per rule, with the
// element-wise steps the CPU loops use (update_rules.h).
#include "core/gpu/grid_loop.cuh"
#include "core/train/optimizer_gpu.h"

namespace mx::cuda {
namespace {

template <typename F>
void Launch(int64_t n, gpu::Stream stream, F f) {
  gpu::LaunchGridLoop(n, stream, f);
  gpu::CheckLaunch("optimizer update");
}

}  // namespace

void ApplyUpdate(const UpdateRule& rule, float* w, const float* g, float* s0,
                 float* s1, int64_t n, gpu::Stream stream) {
  if (n <= 0) return;
  const UpdateRule r = rule;
  switch (r.kind) {
    case UpdateKind::kSgd:
      return Launch(n, stream,
                    [=] __device__(int64_t i) { SgdStep(r, w[i], g[i]); });
    case UpdateKind::kSgdMomentum:
      return Launch(n, stream, [=] __device__(int64_t i) {
        SgdMomentumStep(r, w[i], g[i], s0[i]);
      });
    case UpdateKind::kNag:
      return Launch(n, stream, [=] __device__(int64_t i) {
        NagStep(r, w[i], g[i], s0[i]);
      });
    case UpdateKind::kAdam:
      return Launch(n, stream, [=] __device__(int64_t i) {
        AdamStep(r, w[i], g[i], s0[i], s1[i]);
      });
    case UpdateKind::kAdaGrad:
      return Launch(n, stream, [=] __device__(int64_t i) {
        AdaGradStep(r, w[i], g[i], s0[i]);
      });
    case UpdateKind::kRmsProp:
      return Launch(n, stream, [=] __device__(int64_t i) {
        RmsPropStep(r, w[i], g[i], s0[i]);
      });
  }
}

}  // namespace mx::cuda
