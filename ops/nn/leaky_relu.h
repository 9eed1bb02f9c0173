// LeakyReLU family: leaky, prelu (learned slope per channel), rrelu (random
// slope in training), elu (MXNet's LeakyReLU).
#ifndef MX_OPS_NN_LEAKY_RELU_H_
#define MX_OPS_NN_LEAKY_RELU_H_

#include <string>

#include "core/op/param.h"

namespace mx {
namespace ops {

struct LeakyReLUParam {
  std::string act_type = "leaky";
  double slope = 0.25;
  double lower_bound = 0.125;
  double upper_bound = 0.334;

  static void Declare(ParamDeclarer<LeakyReLUParam>* d) {
    d->Field("act_type", &LeakyReLUParam::act_type)
        .Default("leaky")
        .Enum({"elu", "leaky", "prelu", "rrelu"})
        .Doc(
            "leaky: x > 0 ? x : slope x; prelu: x > 0 ? x : gamma[c] x; "
            "rrelu: slope ~ U(lower_bound, upper_bound) in training, their "
            "mean otherwise; elu: x > 0 ? x : slope (exp(x) - 1).");
    d->Field("slope", &LeakyReLUParam::slope)
        .Default(0.25)
        .Doc("Slope of the negative part (leaky, elu).");
    d->Field("lower_bound", &LeakyReLUParam::lower_bound)
        .Default(0.125)
        .Doc("Lower bound of the random slope (rrelu).");
    d->Field("upper_bound", &LeakyReLUParam::upper_bound)
        .Default(0.334)
        .Doc("Upper bound of the random slope (rrelu).");
    d->Check([](const LeakyReLUParam& p) -> std::string {
      if (p.act_type == "rrelu" && p.lower_bound > p.upper_bound) {
        return "lower_bound must not exceed upper_bound for rrelu";
      }
      return "";
    });
  }
};

// The LeakyReLU functions, as their kernels on every device tell them apart.
enum class Leaky { kLeaky, kPReLU, kRReLU, kELU };

// The Leaky of an act_type value.
Leaky LeakyOf(const std::string& act_type);

}  // namespace ops
}  // namespace mx

#endif  // MX_OPS_NN_LEAKY_RELU_H_
