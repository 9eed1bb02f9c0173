// SVMOutput (MXNet's name and parameters): a support vector machine's loss
// layer. Forward is the identity (the class scores); backward is the
// gradient of the one-vs-rest hinge loss (L1-SVM, use_linear) or of its
// square (L2-SVM), as Tang's "Deep Learning using Linear SVMs" (2013).
#include <string>

#include "core/base/strings.h"
#include "core/op/kernel.h"
#include "core/op/op.h"
#include "core/op/param.h"
#include "ops/common/kernel_util.h"
#include "ops/common/same_shape.h"

namespace mx {
namespace ops {
namespace {

struct SVMOutputParam {
  double margin = 1;
  double regularization_coefficient = 1;
  bool use_linear = false;

  static void Declare(ParamDeclarer<SVMOutputParam>* d) {
    d->Field("margin", &SVMOutputParam::margin)
        .Default(1.0)
        .Doc("The hinge's margin: scores beyond it cost nothing.");
    d->Field("regularization_coefficient",
             &SVMOutputParam::regularization_coefficient)
        .Default(1.0)
        .Doc("Scales the gradient (the SVM's C).");
    d->Field("use_linear", &SVMOutputParam::use_linear)
        .Default(false)
        .Doc("True: the hinge loss (L1-SVM); False: its square (L2-SVM).");
  }
};

// data (N, K, ...) is N rows of scores; label (N,) their classes.
void InferSVMOutputShape(InferShapeContext* ctx) {
  const PartialShape data = InferDataShapedOutput(ctx);
  if (!data.rank_known()) return;
  if (data.ndim() < 2) {
    ctx->Fail(StrCat("data ", data.ToString(),
                     " must have at least 2 axes (batch, classes)"));
  }
  ctx->AssignIn(1, PartialShape{data[0]});
}

// Gradient, per row with class k and score x_c of class c (t = +1 for c ==
// k, else -1): L1 -C * t * [margin > t * x_c]; L2 -2C * t * max(0, margin -
// t * x_c).
template <typename T>
class SVMOutputKernel : public NodeKernel {
 public:
  explicit SVMOutputKernel(const KernelSetup& s)
      : NodeKernel(s),
        p_(s.params<SVMOutputParam>()),
        rows_(s.in_shapes[0][0]),
        classes_(rows_ == 0 ? 0 : s.in_shapes[0].Size() / rows_) {}

  void Forward(const KernelContext&, const ForwardArgs& a) override {
    StoreArray(a.req[0], a.outputs[0].ptr<T>(), a.inputs[0].ptr<T>(),
               a.outputs[0].Size());
  }

  void Backward(const KernelContext&, const BackwardArgs& a) override {
    T* dx = a.in_grads[0].ptr_or_null<T>();
    if (dx == nullptr || a.req[0] == OpReq::kNull) return;
    const T* x = a.outputs[0].ptr<T>();
    const T* label = a.inputs[1].ptr<T>();
    for (int64_t r = 0; r < rows_; ++r) {
      const int64_t k = static_cast<int64_t>(label[r]);
      MX_CHECK(label[r] >= 0 && k < classes_ && T(k) == label[r], where_,
               ": label ", label[r], " at position ", r,
               " is not a class in [0, ", classes_, ")");
    }
    const T margin = static_cast<T>(p_.margin);
    const T c = static_cast<T>(p_.regularization_coefficient);
    StoreEach(a.req[0], dx, rows_ * classes_, [&](int64_t i) {
      const T t = static_cast<int64_t>(label[i / classes_]) == i % classes_
                      ? T(1)
                      : T(-1);
      const T gap = margin - t * x[i];
      if (gap <= 0) return T(0);
      return p_.use_linear ? -c * t : -2 * c * t * gap;
    });
  }

 private:
  SVMOutputParam p_;
  int64_t rows_, classes_;
};

MX_REGISTER_OP(SVMOutput)
    .Describe(
        "The class scores in forward; in backward the gradient of the "
        "one-vs-rest hinge loss (use_linear) or squared hinge loss with "
        "margin and regularization_coefficient; label (N,) holds classes.")
    .Params<SVMOutputParam>()
    .Inputs({"data", "label"})
    .InferShape(InferSVMOutputShape)
    .Backward([](const NodeAttrs&) {
      return BackwardDeps{{}, {1}, {0}};
    })
    .NoGradient({"label"})
    .Loss()
    .InplaceForward({{0, 0}});

MX_REGISTER_KERNEL(SVMOutput, kCPU, kReference)
    .Types({DType::kFloat32, DType::kFloat64})
    .Factory(TypedFactory<SVMOutputKernel>());

}  // namespace
}  // namespace ops
}  // namespace mx
