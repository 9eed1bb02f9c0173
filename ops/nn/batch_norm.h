// BatchNorm: per-channel normalization with learned scale and shift and
// moving statistics as auxiliary states (MXNet's BatchNorm).
#ifndef MX_OPS_NN_BATCH_NORM_H_
#define MX_OPS_NN_BATCH_NORM_H_

#include <cstdint>

#include "core/op/kernel.h"
#include "core/op/param.h"

namespace mx {
namespace ops {

struct BatchNormParam {
  double eps = 1e-3;
  double momentum = 0.9;
  bool fix_gamma = true;
  bool use_global_stats = false;
  bool output_mean_var = false;
  int64_t axis = 1;
  bool cudnn_off = false;

  static void Declare(ParamDeclarer<BatchNormParam>* d) {
    d->Field("eps", &BatchNormParam::eps)
        .Default(1e-3)
        .Min(0)
        .Doc("Added to the variance before the square root.");
    d->Field("momentum", &BatchNormParam::momentum)
        .Default(0.9)
        .Range(0, 1)
        .Doc("Moving statistics: m = m * momentum + batch * (1 - momentum).");
    d->Field("fix_gamma", &BatchNormParam::fix_gamma)
        .Default(true)
        .Doc("Treat gamma as 1 (and give it no gradient).");
    d->Field("use_global_stats", &BatchNormParam::use_global_stats)
        .Default(false)
        .Doc("Normalize with the moving statistics in training too.");
    d->Field("output_mean_var", &BatchNormParam::output_mean_var)
        .Default(false)
        .Doc("Also output the batch mean and variance.");
    d->Field("axis", &BatchNormParam::axis)
        .Default(1)
        .Doc("The channel axis (negative counts from the end).");
    d->Field("cudnn_off", &BatchNormParam::cudnn_off)
        .Default(false)
        .Doc("Do not use cuDNN (GPU only).");
  }
};

// The op of a BatchNorm and the ReLU after it, fused (Note [Op fusion]):
// out = max(0, BatchNorm(data)); its backward masks the output gradient
// where out is 0.
inline constexpr char kBatchNormWithReLU[] = "_contrib_BatchNormWithReLU";

// Whether a BatchNorm kernel is set up for the fused op.
inline bool WithReLU(const KernelSetup& s) {
  return s.attrs->op->name() == kBatchNormWithReLU;
}

}  // namespace ops
}  // namespace mx

#endif  // MX_OPS_NN_BATCH_NORM_H_
