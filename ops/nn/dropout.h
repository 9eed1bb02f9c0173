// Dropout: zeroes elements with probability p in training and rescales the
// rest by 1/(1-p) (MXNet's Dropout).
#ifndef MX_OPS_NN_DROPOUT_H_
#define MX_OPS_NN_DROPOUT_H_

#include <string>

#include "core/op/param.h"

namespace mx {
namespace ops {

struct DropoutParam {
  double p = 0.5;
  std::string mode = "training";
  bool cudnn_off = false;

  static void Declare(ParamDeclarer<DropoutParam>* d) {
    d->Field("p", &DropoutParam::p)
        .Default(0.5)
        .Range(0, 1)
        .Doc("Probability of dropping an element.");
    d->Field("mode", &DropoutParam::mode)
        .Default("training")
        .Enum({"training", "always"})
        .Doc("training: drop only when training; always: also at inference.");
    d->Field("cudnn_off", &DropoutParam::cudnn_off)
        .Default(false)
        .Doc("Do not use cuDNN (GPU only).");
  }
};

}  // namespace ops
}  // namespace mx

#endif  // MX_OPS_NN_DROPOUT_H_
