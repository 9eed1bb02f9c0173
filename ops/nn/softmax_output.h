// SoftmaxOutput: softmax in forward, cross-entropy gradient in backward; a
// loss head (MXNet's SoftmaxOutput, alias Softmax).
#ifndef MX_OPS_NN_SOFTMAX_OUTPUT_H_
#define MX_OPS_NN_SOFTMAX_OUTPUT_H_

#include <string>

#include "core/op/kernel.h"
#include "core/op/param.h"

namespace mx {
namespace ops {

struct SoftmaxOutputParam {
  double grad_scale = 1;
  double ignore_label = -1;
  bool multi_output = false;
  bool use_ignore = false;
  bool preserve_shape = false;
  std::string normalization = "null";
  bool out_grad = false;
  double smooth_alpha = 0;

  static void Declare(ParamDeclarer<SoftmaxOutputParam>* d) {
    d->Field("grad_scale", &SoftmaxOutputParam::grad_scale)
        .Default(1.0)
        .Doc("Scales the gradient.");
    d->Field("ignore_label", &SoftmaxOutputParam::ignore_label)
        .Default(-1.0)
        .Doc("Label whose rows get no gradient when use_ignore.");
    d->Field("multi_output", &SoftmaxOutputParam::multi_output)
        .Default(false)
        .Doc("Softmax over axis 1 of (N, C, x1, ...) with labels (N, x1 ...).");
    d->Field("use_ignore", &SoftmaxOutputParam::use_ignore)
        .Default(false)
        .Doc("Give rows labelled ignore_label no gradient.");
    d->Field("preserve_shape", &SoftmaxOutputParam::preserve_shape)
        .Default(false)
        .Doc("Softmax over the last axis, keeping the data's shape.");
    d->Field("normalization", &SoftmaxOutputParam::normalization)
        .Default("null")
        .Enum({"null", "batch", "valid"})
        .Doc(
            "Gradient divided by 1 (null), the batch size (batch) or the "
            "number of labels not ignored (valid).");
    d->Field("out_grad", &SoftmaxOutputParam::out_grad)
        .Default(false)
        .Doc("Multiply the gradient by the incoming head gradient.");
    d->Field("smooth_alpha", &SoftmaxOutputParam::smooth_alpha)
        .Default(0.0)
        .Range(0, 1)
        .Doc(
            "Label smoothing: the target gives 1 - alpha to the label and "
            "alpha spread over the other classes.");
  }
};

// How a SoftmaxOutput node sees its data: (outer, classes, inner) with the
// softmax over the classes (flattened (N, K) by default, axis 1 with
// multi_output, the last axis with preserve_shape), and whether the label
// holds probabilities (the data's shape) rather than classes.
struct SoftmaxLayout {
  int64_t outer = 1, classes = 1, inner = 1, batch = 1;
  bool probability = false;
  static SoftmaxLayout Of(const KernelSetup& s);
};

}  // namespace ops
}  // namespace mx

#endif  // MX_OPS_NN_SOFTMAX_OUTPUT_H_
