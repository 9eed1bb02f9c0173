// Activation: an elementwise nonlinearity (MXNet's Activation).
#ifndef MX_OPS_NN_ACTIVATION_H_
#define MX_OPS_NN_ACTIVATION_H_

#include <string>

#include "core/op/param.h"

namespace mx {
namespace ops {

struct ActivationParam {
  std::string act_type;

  static void Declare(ParamDeclarer<ActivationParam>* d) {
    d->Field("act_type", &ActivationParam::act_type)
        .Required()
        .Enum({"relu", "sigmoid", "tanh", "softrelu", "softsign"})
        .Doc(
            "relu max(x, 0); sigmoid 1/(1+exp(-x)); tanh; softrelu "
            "log(1+exp(x)); softsign x/(1+|x|).");
  }
};

// The activation functions, as their kernels on every device tell them
// apart.
enum class Act { kRelu, kSigmoid, kTanh, kSoftRelu, kSoftSign };

// The Act of an act_type value.
Act ActOf(const std::string& act_type);

}  // namespace ops
}  // namespace mx

#endif  // MX_OPS_NN_ACTIVATION_H_
