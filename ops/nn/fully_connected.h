// FullyConnected: out = data * weight^T + bias (MXNet's FullyConnected).
#ifndef MX_OPS_NN_FULLY_CONNECTED_H_
#define MX_OPS_NN_FULLY_CONNECTED_H_

#include <cstdint>

#include "core/op/kernel.h"
#include "core/op/param.h"

namespace mx {
namespace ops {

struct FullyConnectedParam {
  int64_t num_hidden = 0;
  bool no_bias = false;
  bool flatten = true;

  static void Declare(ParamDeclarer<FullyConnectedParam>* d) {
    d->Field("num_hidden", &FullyConnectedParam::num_hidden)
        .Required()
        .Min(1)
        .Doc("Number of output units.");
    d->Field("no_bias", &FullyConnectedParam::no_bias)
        .Default(false)
        .Doc("Leave out the bias input.");
    d->Field("flatten", &FullyConnectedParam::flatten)
        .Default(true)
        .Doc(
            "Flatten data to (N, rest) first; otherwise apply to the last "
            "axis only.");
  }
};

// The matrix sizes of one node: data (m, k), weight (h, k), out (m, h).
struct FullyConnectedDims {
  int64_t m = 0, k = 0, h = 0;
  bool bias = true;
  static FullyConnectedDims Of(const KernelSetup& s);
};

}  // namespace ops
}  // namespace mx

#endif  // MX_OPS_NN_FULLY_CONNECTED_H_
