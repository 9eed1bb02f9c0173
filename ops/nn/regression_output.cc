#include "ops/nn/regression_output.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "core/op/kernel.h"
#include "core/op/op.h"
#include "ops/common/kernel_util.h"
#include "ops/common/same_shape.h"

namespace mx {
namespace ops {
namespace {

void InferRegressionShape(InferShapeContext* ctx) {
  const PartialShape data = InferDataShapedOutput(ctx);
  if (!data.rank_known()) return;
  const PartialShape& label = ctx->in(1);
  // As MXNet: data (N, 1) takes labels (N,); otherwise labels have the
  // data's shape (same batch and size when given).
  if (!label.rank_known()) {
    if (data.ndim() == 2 && data[1] == 1) {
      ctx->AssignIn(1, PartialShape{data[0]});
    } else {
      ctx->AssignIn(1, data);
    }
    return;
  }
  if (label.ndim() == 0 ||
      (data.ndim() > 0 && label[0] >= 0 && data[0] >= 0 &&
       label[0] != data[0]) ||
      (label.IsKnown() && data.IsKnown() &&
       label.ToShape().Size() != data.ToShape().Size())) {
    ctx->Fail("label " + label.ToString() + " does not match data " +
              data.ToString() + ": expected the same batch size and size");
  }
}

void DeclareRegression(OpDef& op, const char* doc) {
  op.Describe(doc)
      .Params<RegressionOutputParam>()
      .Inputs({"data", "label"})
      .InferShape(InferRegressionShape)
      .Backward([](const NodeAttrs&) {
        return BackwardDeps{{}, {1}, {0}};
      })
      .NoGradient({"label"})
      .Loss()
      .InplaceForward({{0, 0}});
}

}  // namespace

[[maybe_unused]] static const bool kLinearRegistered = [] {
  DeclareRegression(OpRegistry::Global().Register("LinearRegressionOutput"),
                    "Identity in forward; gradient (out - label) * "
                    "grad_scale / num_output (squared error).");
  DeclareRegression(OpRegistry::Global().Register("LogisticRegressionOutput"),
                    "Sigmoid in forward; gradient (out - label) * grad_scale "
                    "/ num_output (logistic cross-entropy).");
  DeclareRegression(OpRegistry::Global().Register("MAERegressionOutput"),
                    "Identity in forward; gradient sign(out - label) * "
                    "grad_scale / num_output (absolute error).");
  return true;
}();

namespace {

// Linear and MAE: out = x; logistic: out = sigmoid(x). Gradient (out -
// label) * grad_scale / num_output (MAE: its sign), num_output = label size
// / batch.
template <typename T>
class RegressionKernel : public OpKernel {
 public:
  explicit RegressionKernel(const KernelSetup& s)
      : logistic_(s.attrs->op->name() == "LogisticRegressionOutput"),
        mae_(s.attrs->op->name() == "MAERegressionOutput"),
        scale_(s.params<RegressionOutputParam>().grad_scale /
               std::max<int64_t>(
                   1, s.in_shapes[1].Size() /
                          std::max<int64_t>(1, s.in_shapes[1][0]))) {}

  void Forward(const KernelContext&, const ForwardArgs& a) override {
    const T* x = a.inputs[0].ptr<T>();
    T* y = a.outputs[0].ptr<T>();
    const int64_t n = a.outputs[0].Size();
    if (!logistic_) return StoreArray(a.req[0], y, x, n);
    StoreEach(a.req[0], y, n,
              [=](int64_t i) { return T(1) / (T(1) + std::exp(-x[i])); });
  }

  void Backward(const KernelContext&, const BackwardArgs& a) override {
    const T* y = a.outputs[0].ptr<T>();
    const T* label = a.inputs[1].ptr<T>();
    const T scale = static_cast<T>(scale_);
    if (mae_) {
      return StoreEach(a.req[0], a.in_grads[0].ptr_or_null<T>(),
                       a.outputs[0].Size(), [=](int64_t i) {
                         return T((y[i] > label[i]) - (y[i] < label[i])) *
                                scale;
                       });
    }
    StoreEach(a.req[0], a.in_grads[0].ptr_or_null<T>(), a.outputs[0].Size(),
              [=](int64_t i) { return (y[i] - label[i]) * scale; });
  }

 private:
  bool logistic_;
  bool mae_;
  double scale_;
};

[[maybe_unused]] const bool kKernelsRegistered = [] {
  for (const char* op : {"LinearRegressionOutput", "LogisticRegressionOutput",
                         "MAERegressionOutput"}) {
    KernelRegistry::Global()
        .Register(op, DeviceType::kCPU, KernelVariant::kReference)
        .Types({DType::kFloat32, DType::kFloat64})
        .Factory(TypedFactory<RegressionKernel>());
  }
  return true;
}();

}  // namespace

}  // namespace ops
}  // namespace mx
