// LayerNorm's parameters, shared by its reference kernel (normalization.cc)
// and its optimized one (layer_norm_cpu.cc).
#ifndef MX_OPS_NN_LAYER_NORM_H_
#define MX_OPS_NN_LAYER_NORM_H_

#include "core/op/param.h"

namespace mx {
namespace ops {

struct LayerNormParam {
  int64_t axis = -1;
  double eps = 1e-5;
  bool output_mean_var = false;

  static void Declare(ParamDeclarer<LayerNormParam>* d) {
    d->Field("axis", &LayerNormParam::axis)
        .Default(-1)
        .Doc("The axis normalized (negative from the end).");
    d->Field("eps", &LayerNormParam::eps)
        .Default(1e-5)
        .Min(0)
        .Doc("Added to the variance.");
    d->Field("output_mean_var", &LayerNormParam::output_mean_var)
        .Default(false)
        .Doc("Also output the mean and the standard deviation.");
  }
};

}  // namespace ops
}  // namespace mx

#endif  // MX_OPS_NN_LAYER_NORM_H_
