// LRN: local response normalization across channels (MXNet's LRN).
#ifndef MX_OPS_NN_LRN_H_
#define MX_OPS_NN_LRN_H_

#include <cstdint>
#include <string>

#include "core/op/param.h"

namespace mx {
namespace ops {

struct LRNParam {
  double alpha = 1e-4;
  double beta = 0.75;
  double knorm = 2;
  int64_t nsize = 0;

  static void Declare(ParamDeclarer<LRNParam>* d) {
    d->Field("alpha", &LRNParam::alpha)
        .Default(1e-4)
        .Doc("Scale of the sum of squares.");
    d->Field("beta", &LRNParam::beta).Default(0.75).Doc("Exponent.");
    d->Field("knorm", &LRNParam::knorm).Default(2.0).Doc("Additive constant.");
    d->Field("nsize", &LRNParam::nsize)
        .Required()
        .Min(1)
        .Doc("Channels in the window, centred on each channel (odd).");
    d->Check([](const LRNParam& p) -> std::string {
      return p.nsize % 2 == 1 ? "" : "nsize must be odd (a centred window)";
    });
  }
};

}  // namespace ops
}  // namespace mx

#endif  // MX_OPS_NN_LRN_H_
