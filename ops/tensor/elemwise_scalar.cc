#include "ops/tensor/elemwise_scalar.h"

#include <cmath>
#include <string>

#include "core/op/kernel.h"
#include "core/op/op.h"
#include "ops/common/same_shape.h"

namespace mx {
namespace ops {
namespace {

// What each scalar op's backward reads besides the output gradient.
enum class Reads { kNothing, kInput, kOutput };

struct ScalarOp {
  const char* name;
  const char* alias;
  const char* doc;
  Reads reads;
};

constexpr ScalarOp kScalarOps[] = {
    {"_plus_scalar", "_PlusScalar", "out = data + scalar", Reads::kNothing},
    {"_minus_scalar", "_MinusScalar", "out = data - scalar", Reads::kNothing},
    {"_rminus_scalar", "_RMinusScalar", "out = scalar - data", Reads::kNothing},
    {"_mul_scalar", "_MulScalar", "out = data * scalar", Reads::kNothing},
    {"_div_scalar", "_DivScalar", "out = data / scalar", Reads::kNothing},
    {"_rdiv_scalar", "_RDivScalar", "out = scalar / data", Reads::kInput},
    {"_power_scalar", "_PowerScalar", "out = data ^ scalar", Reads::kInput},
    {"_rpower_scalar", "_RPowerScalar", "out = scalar ^ data", Reads::kOutput},
    {"_maximum_scalar", "_MaximumScalar", "out = max(data, scalar)",
     Reads::kInput},
    {"_minimum_scalar", "_MinimumScalar", "out = min(data, scalar)",
     Reads::kInput},
};

[[maybe_unused]] const bool kRegistered = [] {
  for (const ScalarOp& op : kScalarOps) {
    BackwardDeps deps{{0}, {}, {}};
    if (op.reads == Reads::kInput) deps.inputs = {0};
    if (op.reads == Reads::kOutput) deps.outputs = {0};
    OpRegistry::Global()
        .Register(op.name)
        .Alias(op.alias)
        .Describe(op.doc)
        .Params<ScalarParam>()
        .InferShape(InferSameShape)
        .Backward([deps](const NodeAttrs&) { return deps; })
        .InplaceForward({{0, 0}});
  }
  return true;
}();

}  // namespace

Scalar ScalarOf(const std::string& name) {
  int i = 0;
  while (name != kScalarOps[i].name) ++i;
  return static_cast<Scalar>(i);
}

namespace {

template <typename T>
class ScalarKernel : public OpKernel {
 public:
  explicit ScalarKernel(const KernelSetup& s)
      : op_(ScalarOf(s.attrs->op->name())),
        s_(static_cast<T>(s.params<ScalarParam>().scalar)) {}

  void Forward(const KernelContext&, const ForwardArgs& a) override {
    const T* x = a.inputs[0].ptr<T>();
    T* out = a.outputs[0].ptr<T>();
    const int64_t n = a.outputs[0].Size();
    const T s = s_;
    const OpReq req = a.req[0];
    switch (op_) {
      case Scalar::kPlus:
        return StoreEach(req, out, n, [=](int64_t i) { return x[i] + s; });
      case Scalar::kMinus:
        return StoreEach(req, out, n, [=](int64_t i) { return x[i] - s; });
      case Scalar::kRMinus:
        return StoreEach(req, out, n, [=](int64_t i) { return s - x[i]; });
      case Scalar::kMul:
        return StoreEach(req, out, n, [=](int64_t i) { return x[i] * s; });
      case Scalar::kDiv:
        return StoreEach(req, out, n, [=](int64_t i) { return x[i] / s; });
      case Scalar::kRDiv:
        return StoreEach(req, out, n, [=](int64_t i) { return s / x[i]; });
      case Scalar::kPower:
        return StoreEach(req, out, n,
                         [=](int64_t i) { return std::pow(x[i], s); });
      case Scalar::kRPower:
        return StoreEach(req, out, n,
                         [=](int64_t i) { return std::pow(s, x[i]); });
      case Scalar::kMaximum:
        return StoreEach(req, out, n,
                         [=](int64_t i) { return x[i] > s ? x[i] : s; });
      case Scalar::kMinimum:
        return StoreEach(req, out, n,
                         [=](int64_t i) { return x[i] < s ? x[i] : s; });
    }
  }

  void Backward(const KernelContext&, const BackwardArgs& a) override {
    const T* g = a.out_grads[0].ptr<T>();
    T* dx = a.in_grads[0].ptr<T>();
    const int64_t n = a.out_grads[0].Size();
    const T s = s_;
    const OpReq req = a.req[0];
    const T* x = a.inputs[0].ptr_or_null<T>();
    const T* y = a.outputs[0].ptr_or_null<T>();
    switch (op_) {
      case Scalar::kPlus:
      case Scalar::kMinus:
        return StoreArray(req, dx, g, n);
      case Scalar::kRMinus:
        return StoreEach(req, dx, n, [=](int64_t i) { return -g[i]; });
      case Scalar::kMul:
        return StoreEach(req, dx, n, [=](int64_t i) { return g[i] * s; });
      case Scalar::kDiv:
        return StoreEach(req, dx, n, [=](int64_t i) { return g[i] / s; });
      case Scalar::kRDiv:
        return StoreEach(req, dx, n,
                         [=](int64_t i) { return -g[i] * s / (x[i] * x[i]); });
      case Scalar::kPower:
        return StoreEach(req, dx, n, [=](int64_t i) {
          return g[i] * s * std::pow(x[i], s - 1);
        });
      case Scalar::kRPower: {
        const T log_s = std::log(s);
        return StoreEach(req, dx, n,
                         [=](int64_t i) { return g[i] * y[i] * log_s; });
      }
      case Scalar::kMaximum:
        return StoreEach(req, dx, n,
                         [=](int64_t i) { return x[i] >= s ? g[i] : T(0); });
      case Scalar::kMinimum:
        return StoreEach(req, dx, n,
                         [=](int64_t i) { return x[i] <= s ? g[i] : T(0); });
    }
  }

 private:
  Scalar op_;
  T s_;
};

[[maybe_unused]] const bool kKernelsRegistered = [] {
  for (const ScalarOp& op : kScalarOps) {
    KernelRegistry::Global()
        .Register(op.name, DeviceType::kCPU, KernelVariant::kReference)
        .Types({DType::kFloat32, DType::kFloat64})
        .Factory(TypedFactory<ScalarKernel>());
  }
  return true;
}();

}  // namespace
}  // namespace ops
}  // namespace mx
