// Elementwise arithmetic between an array and a scalar: MXNet 1.x's
// _plus_scalar, _rminus_scalar, ... with their older names (_PlusScalar, ...).
#ifndef MX_OPS_TENSOR_ELEMWISE_SCALAR_H_
#define MX_OPS_TENSOR_ELEMWISE_SCALAR_H_

#include <string>

#include "core/op/param.h"

namespace mx {
namespace ops {

struct ScalarParam {
  double scalar = 0;

  static void Declare(ParamDeclarer<ScalarParam>* d) {
    d->Field("scalar", &ScalarParam::scalar)
        .Required()
        .Doc("The scalar operand.");
  }
};

// The scalar ops, as their kernels on every device tell them apart.
enum class Scalar {
  kPlus,
  kMinus,
  kRMinus,
  kMul,
  kDiv,
  kRDiv,
  kPower,
  kRPower,
  kMaximum,
  kMinimum
};

// The Scalar of a registered op name (canonical).
Scalar ScalarOf(const std::string& name);

}  // namespace ops
}  // namespace mx

#endif  // MX_OPS_TENSOR_ELEMWISE_SCALAR_H_
