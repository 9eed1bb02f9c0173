// Softmax as a layer: softmax and log_softmax along an axis, and MXNet's
// older SoftmaxActivation. The parameters, shared by the reference kernel
// (softmax.cc) and the optimized one (softmax_cpu.cc).
#ifndef MX_OPS_NN_SOFTMAX_H_
#define MX_OPS_NN_SOFTMAX_H_

#include <optional>
#include <string>

#include "core/op/param.h"

namespace mx {
namespace ops {

struct SoftmaxParam {
  int64_t axis = -1;
  std::optional<double> temperature;

  static void Declare(ParamDeclarer<SoftmaxParam>* d) {
    d->Field("axis", &SoftmaxParam::axis)
        .Default(-1)
        .Doc("The axis to normalize (negative from the end).");
    d->Field("temperature", &SoftmaxParam::temperature)
        .Default(std::nullopt)
        .Doc("Divides the input first; None for 1.");
    d->Check([](const SoftmaxParam& p) -> std::string {
      if (p.temperature && *p.temperature <= 0) {
        return "temperature must be positive";
      }
      return "";
    });
  }
};

struct SoftmaxActivationParam {
  std::string mode = "instance";

  static void Declare(ParamDeclarer<SoftmaxActivationParam>* d) {
    d->Field("mode", &SoftmaxActivationParam::mode)
        .Default("instance")
        .Enum({"instance", "channel"})
        .Doc(
            "instance: over all axes but the first; channel: over axis 1 "
            "at each position.");
  }
};

}  // namespace ops
}  // namespace mx

#endif  // MX_OPS_NN_SOFTMAX_H_
