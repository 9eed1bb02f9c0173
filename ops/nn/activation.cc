#include "ops/nn/activation.h"

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

Act ActOf(const std::string& t) {
  if (t == "relu") return Act::kRelu;
  if (t == "sigmoid") return Act::kSigmoid;
  if (t == "tanh") return Act::kTanh;
  if (t == "softrelu") return Act::kSoftRelu;
  return Act::kSoftSign;
}

MX_REGISTER_OP(Activation)
    .Describe("Elementwise activation; the output has the input's shape.")
    .Params<ActivationParam>()
    .InferShape(InferSameShape)
    // softsign's gradient needs x; the others are functions of the output.
    .Backward([](const NodeAttrs& a) {
      return a.params<ActivationParam>().act_type == "softsign"
                 ? BackwardDeps{{0}, {0}, {}}
                 : BackwardDeps{{0}, {}, {0}};
    })
    .InplaceForward({{0, 0}})
    .InplaceBackward({{0, 0}});

namespace {

// Elementwise; gradients from the output y (softsign: from x). Alias-safe.
template <typename T>
class ActivationKernel : public OpKernel {
 public:
  explicit ActivationKernel(const KernelSetup& s)
      : act_(ActOf(s.params<ActivationParam>().act_type)) {}

  void Forward(const KernelContext&, const ForwardArgs& a) override {
    const T* x = a.inputs[0].ptr<T>();
    T* y = a.outputs[0].ptr<T>();
    const int64_t n = a.outputs[0].Size();
    const OpReq req = a.req[0];
    switch (act_) {
      case Act::kRelu:
        return StoreEach(req, y, n,
                         [=](int64_t i) { return x[i] > T(0) ? x[i] : T(0); });
      case Act::kSigmoid:
        return StoreEach(req, y, n, [=](int64_t i) {
          return T(1) / (T(1) + std::exp(-x[i]));
        });
      case Act::kTanh:
        return StoreEach(req, y, n, [=](int64_t i) { return std::tanh(x[i]); });
      case Act::kSoftRelu:
        // log(1 + e^x) without overflow.
        return StoreEach(req, y, n, [=](int64_t i) {
          return x[i] > T(0) ? x[i] + std::log1p(std::exp(-x[i]))
                             : std::log1p(std::exp(x[i]));
        });
      case Act::kSoftSign:
        return StoreEach(req, y, n, [=](int64_t i) {
          return x[i] / (T(1) + std::fabs(x[i]));
        });
    }
  }

  void Backward(const KernelContext&, const BackwardArgs& a) override {
    const T* g = a.out_grads[0].ptr<T>();
    T* dx = a.in_grads[0].ptr_or_null<T>();
    const int64_t n = a.out_grads[0].Size();
    const OpReq req = a.req[0];
    if (act_ == Act::kSoftSign) {
      const T* x = a.inputs[0].ptr<T>();
      return StoreEach(req, dx, n, [=](int64_t i) {
        const T d = T(1) + std::fabs(x[i]);
        return g[i] / (d * d);
      });
    }
    const T* y = a.outputs[0].ptr<T>();
    switch (act_) {
      case Act::kRelu:
        return StoreEach(req, dx, n,
                         [=](int64_t i) { return y[i] > T(0) ? g[i] : T(0); });
      case Act::kSigmoid:
        return StoreEach(
            req, dx, n, [=](int64_t i) { return g[i] * y[i] * (T(1) - y[i]); });
      case Act::kTanh:
        return StoreEach(
            req, dx, n, [=](int64_t i) { return g[i] * (T(1) - y[i] * y[i]); });
      case Act::kSoftRelu:
        return StoreEach(req, dx, n,
                         [=](int64_t i) { return g[i] * -std::expm1(-y[i]); });
      case Act::kSoftSign:
        return;
    }
  }

 private:
  Act act_;
};

}  // namespace

MX_REGISTER_KERNEL(Activation, kCPU, kReference)
    .Types({DType::kFloat32, DType::kFloat64})
    .Factory(TypedFactory<ActivationKernel>());

}  // namespace ops
}  // namespace mx
