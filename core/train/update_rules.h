// The optimizers' element-wise update rules, shared by the CPU loops
// (optimizer.cc) and the CUDA kernels (optimizer_gpu.cu), so both devices
// compute the same formulas: one parameter's update is an UpdateRule applied
// to every element.
#ifndef MX_CORE_TRAIN_UPDATE_RULES_H_
#define MX_CORE_TRAIN_UPDATE_RULES_H_

#include <cmath>
#include <cstdint>

#include "core/base/host_device.h"

namespace mx {

// How raw gradients are prepared: g * rescale, clipped to [lo, hi] (the
// infinities when clipping is off: no branch, so the loops vectorize; NaN
// stays NaN).
struct GradScaling {
  float rescale, lo, hi;
  MX_HOST_DEVICE float operator()(float g) const { return Clip(g * rescale); }
  // std::min(std::max(g, lo), hi), spelled out for device code.
  MX_HOST_DEVICE float Clip(float g) const {
    const float low = g < lo ? lo : g;
    return hi < low ? hi : low;
  }
};

enum class UpdateKind { kSgd, kSgdMomentum, kNag, kAdam, kAdaGrad, kRmsProp };

// One parameter's update: the kind, its rates and the gradient scaling.
// `lr` already holds Adam's bias corrections.
struct UpdateRule {
  UpdateKind kind = UpdateKind::kSgd;
  float lr = 0, wd = 0;
  float momentum = 0;  // sgd, nag
  float beta1 = 0;     // adam
  float beta2 = 0;     // adam
  float gamma1 = 0;    // rmsprop
  float eps = 0;       // adam, adagrad, rmsprop
  GradScaling prep{1, 0, 0};
};

// Plain SGD: w -= lr (g + wd w).
MX_HOST_DEVICE inline void SgdStep(const UpdateRule& r, float& w, float g) {
  w -= r.lr * (r.prep(g) + r.wd * w);
}

// SGD with momentum: mom = momentum mom - lr (g + wd w); w += mom.
MX_HOST_DEVICE inline void SgdMomentumStep(const UpdateRule& r, float& w,
                                           float g, float& mom) {
  mom = r.momentum * mom - r.lr * (r.prep(g) + r.wd * w);
  w += mom;
}

// MXNet's NAG: mom = momentum mom + g; w -= lr (g + momentum mom), with g
// including the decay.
MX_HOST_DEVICE inline void NagStep(const UpdateRule& r, float& w, float g,
                                   float& mom) {
  float gi = r.prep(g);
  gi += r.wd * w;
  mom = r.momentum * mom + gi;
  w -= r.lr * (gi + r.momentum * mom);
}

// Adam (MXNet folds the bias corrections into lr).
MX_HOST_DEVICE inline void AdamStep(const UpdateRule& r, float& w, float g,
                                    float& m, float& v) {
  float gi = r.prep(g);
  gi += r.wd * w;
  m = r.beta1 * m + (1 - r.beta1) * gi;
  v = r.beta2 * v + (1 - r.beta2) * gi * gi;
  w -= r.lr * m / (sqrtf(v) + r.eps);
}

// MXNet's AdaGrad: history += g^2; w -= lr (g / sqrt(history + eps) + wd w).
MX_HOST_DEVICE inline void AdaGradStep(const UpdateRule& r, float& w, float g,
                                       float& h) {
  const float gi = r.prep(g);
  h += gi * gi;
  w -= r.lr * (gi / sqrtf(h + r.eps) + r.wd * w);
}

// MXNet's RMSProp (not centred): g = rescale g + wd w, clipped (the decay
// joins before clipping, MXNet's order); n = (1 - gamma1) g^2 + gamma1 n;
// w -= lr g / sqrt(n + epsilon).
MX_HOST_DEVICE inline void RmsPropStep(const UpdateRule& r, float& w, float g,
                                       float& ms) {
  const float gi = r.prep.Clip(g * r.prep.rescale + r.wd * w);
  ms = (1 - r.gamma1) * gi * gi + r.gamma1 * ms;
  w -= r.lr * gi / sqrtf(ms + r.eps);
}

}  // namespace mx

#endif  // MX_CORE_TRAIN_UPDATE_RULES_H_
