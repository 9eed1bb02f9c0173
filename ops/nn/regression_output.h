// Regression loss heads: LinearRegressionOutput (identity, squared error)
// and LogisticRegressionOutput (sigmoid, cross-entropy).
#ifndef MX_OPS_NN_REGRESSION_OUTPUT_H_
#define MX_OPS_NN_REGRESSION_OUTPUT_H_

#include "core/op/param.h"

namespace mx {
namespace ops {

struct RegressionOutputParam {
  double grad_scale = 1;

  static void Declare(ParamDeclarer<RegressionOutputParam>* d) {
    d->Field("grad_scale", &RegressionOutputParam::grad_scale)
        .Default(1.0)
        .Doc("Scales the gradient (out - label) * grad_scale / num_output.");
  }
};

}  // namespace ops
}  // namespace mx

#endif  // MX_OPS_NN_REGRESSION_OUTPUT_H_
