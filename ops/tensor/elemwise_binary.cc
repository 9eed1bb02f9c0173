// Elementwise arithmetic between two arrays of the same shape: MXNet 1.x's
// elemwise_add / _sub / _mul / _div with their older names (_Plus, ...), and
// _power.
#include "ops/tensor/elemwise_binary.h"

#include <cmath>
#include <string>

#include "core/op/kernel.h"
#include "core/op/op.h"
#include "ops/common/fusion.h"
#include "ops/common/same_shape.h"
#include "ops/tensor/add_relu.h"

namespace mx {
namespace ops {

Binary BinaryOf(const std::string& op) {
  if (op == "elemwise_add") return Binary::kAdd;
  if (op == "elemwise_sub") return Binary::kSub;
  if (op == "elemwise_mul") return Binary::kMul;
  if (op == "_power") return Binary::kPow;
  return Binary::kDiv;
}

namespace {

// Registers one binary op with the names MXNet resolves to it.
OpDef& DeclareBinary(const char* name, std::vector<const char*> aliases,
                     const char* doc, BackwardDeps deps) {
  OpDef& op = OpRegistry::Global().Register(name);
  for (const char* alias : aliases) op.Alias(alias);
  return op.Describe(doc)
      .Inputs({"lhs", "rhs"})
      .InferShape(InferSameShape)
      .Backward([deps](const NodeAttrs&) { return deps; })
      .InplaceForward({{0, 0}});
}

[[maybe_unused]] const bool kRegistered = [] {
  DeclareBinary("elemwise_add", {"_Plus", "_plus", "_add"},
                "out = lhs + rhs; gradients (g, g).", {{0}, {}, {}})
      .InplaceBackward({{0, 0}})
      // A ReLU after it (residual blocks): one pass less each way.
      .FusesWith({"Activation", kAddReLU,
                  [](const NodeAttrs&, const NodeAttrs& next) {
                    return IsReluActivation(next);
                  },
                  "a ReLU Activation"});
  DeclareBinary("elemwise_sub", {"_Minus", "_minus", "_sub"},
                "out = lhs - rhs; gradients (g, -g).", {{0}, {}, {}})
      .InplaceBackward({{0, 0}});
  DeclareBinary("elemwise_mul", {"_Mul", "_mul"},
                "out = lhs * rhs; gradients (rhs g, lhs g).",
                {{0}, {0, 1}, {}});
  DeclareBinary("elemwise_div", {"_Div", "_div"},
                "out = lhs / rhs; gradients (g / rhs, -lhs g / rhs^2).",
                {{0}, {0, 1}, {}});
  // Backward reads the output too, so no in-place forward.
  OpRegistry::Global()
      .Register("_power")
      .Alias("_Power")
      .Describe(
          "out = lhs ^ rhs; gradients (rhs lhs^(rhs-1) g, out log(lhs) g).")
      .Inputs({"lhs", "rhs"})
      .InferShape(InferSameShape)
      .Backward([](const NodeAttrs&) {
        return BackwardDeps{{0}, {0, 1}, {0}};
      });
  return true;
}();

template <typename T>
class BinaryKernel : public OpKernel {
 public:
  explicit BinaryKernel(const KernelSetup& s)
      : op_(BinaryOf(s.attrs->op->name())) {}

  void Forward(const KernelContext&, const ForwardArgs& a) override {
    const T* x = a.inputs[0].ptr<T>();
    const T* y = a.inputs[1].ptr<T>();
    T* out = a.outputs[0].ptr<T>();
    const int64_t n = a.outputs[0].Size();
    switch (op_) {
      case Binary::kAdd:
        return StoreEach(a.req[0], out, n,
                         [=](int64_t i) { return x[i] + y[i]; });
      case Binary::kSub:
        return StoreEach(a.req[0], out, n,
                         [=](int64_t i) { return x[i] - y[i]; });
      case Binary::kMul:
        return StoreEach(a.req[0], out, n,
                         [=](int64_t i) { return x[i] * y[i]; });
      case Binary::kDiv:
        return StoreEach(a.req[0], out, n,
                         [=](int64_t i) { return x[i] / y[i]; });
      case Binary::kPow:
        return StoreEach(a.req[0], out, n,
                         [=](int64_t i) { return std::pow(x[i], y[i]); });
    }
  }

  void Backward(const KernelContext&, const BackwardArgs& a) override {
    const T* g = a.out_grads[0].ptr<T>();
    const int64_t n = a.out_grads[0].Size();
    T* dx = a.in_grads[0].ptr_or_null<T>();
    T* dy = a.in_grads[1].ptr_or_null<T>();
    // The rhs gradient first: with in place, dx may share g's memory.
    switch (op_) {
      case Binary::kAdd:
        StoreArray(a.req[1], dy, g, n);
        StoreArray(a.req[0], dx, g, n);
        return;
      case Binary::kSub:
        StoreEach(a.req[1], dy, n, [=](int64_t i) { return -g[i]; });
        StoreArray(a.req[0], dx, g, n);
        return;
      case Binary::kMul: {
        const T* x = a.inputs[0].ptr<T>();
        const T* y = a.inputs[1].ptr<T>();
        StoreEach(a.req[1], dy, n, [=](int64_t i) { return g[i] * x[i]; });
        StoreEach(a.req[0], dx, n, [=](int64_t i) { return g[i] * y[i]; });
        return;
      }
      case Binary::kDiv: {
        const T* x = a.inputs[0].ptr<T>();
        const T* y = a.inputs[1].ptr<T>();
        StoreEach(a.req[1], dy, n,
                  [=](int64_t i) { return -g[i] * x[i] / (y[i] * y[i]); });
        StoreEach(a.req[0], dx, n, [=](int64_t i) { return g[i] / y[i]; });
        return;
      }
      case Binary::kPow: {
        const T* x = a.inputs[0].ptr<T>();
        const T* y = a.inputs[1].ptr<T>();
        const T* out = a.outputs[0].ptr<T>();
        StoreEach(a.req[1], dy, n,
                  [=](int64_t i) { return g[i] * out[i] * std::log(x[i]); });
        StoreEach(a.req[0], dx, n, [=](int64_t i) {
          return g[i] * y[i] * std::pow(x[i], y[i] - 1);
        });
        return;
      }
    }
  }

 private:
  Binary op_;
};

[[maybe_unused]] const bool kKernelsRegistered = [] {
  for (const char* op : {"elemwise_add", "elemwise_sub", "elemwise_mul",
                         "elemwise_div", "_power"}) {
    KernelRegistry::Global()
        .Register(op, DeviceType::kCPU, KernelVariant::kReference)
        .Types({DType::kFloat32, DType::kFloat64})
        .Factory(TypedFactory<BinaryKernel>());
  }
  return true;
}();

}  // namespace
}  // namespace ops
}  // namespace mx
