// GPU kernels of the elementwise ops: elemwise_add/sub/mul/div, _power, the
// scalar ops and add_n; the same formulas as their CPU kernels.
#include <algorithm>
#include <cmath>
#include <string>

#include "core/op/kernel.h"
#include "core/op/op.h"
#include "ops/common/cuda_loops.cuh"
#include "ops/common/kernel_util.h"
#include "ops/tensor/elemwise_binary.h"
#include "ops/tensor/elemwise_scalar.h"

namespace mx {
namespace ops {
namespace {

template <typename T>
class BinaryGpu : public NodeKernel {
 public:
  explicit BinaryGpu(const KernelSetup& s)
      : NodeKernel(s), op_(BinaryOf(s.attrs->op->name())) {}

  void Forward(const KernelContext& ctx, const ForwardArgs& a) override {
    const T* x = a.inputs[0].ptr<T>();
    const T* y = a.inputs[1].ptr<T>();
    T* out = a.outputs[0].ptr<T>();
    const int64_t n = a.outputs[0].Size();
    const OpReq req = a.req[0];
    switch (op_) {
      case Binary::kAdd:
        return cu::StoreEach(ctx, where_, req, out, n,
                             [=] __device__(int64_t i) { return x[i] + y[i]; });
      case Binary::kSub:
        return cu::StoreEach(ctx, where_, req, out, n,
                             [=] __device__(int64_t i) { return x[i] - y[i]; });
      case Binary::kMul:
        return cu::StoreEach(ctx, where_, req, out, n,
                             [=] __device__(int64_t i) { return x[i] * y[i]; });
      case Binary::kDiv:
        return cu::StoreEach(ctx, where_, req, out, n,
                             [=] __device__(int64_t i) { return x[i] / y[i]; });
      case Binary::kPow:
        return cu::StoreEach(
            ctx, where_, req, out, n,
            [=] __device__(int64_t i) { return T(pow(x[i], y[i])); });
    }
  }

  void Backward(const KernelContext& ctx, const BackwardArgs& a) override {
    const T* g = a.out_grads[0].ptr<T>();
    const int64_t n = a.out_grads[0].Size();
    T* dx = a.in_grads[0].ptr_or_null<T>();
    T* dy = a.in_grads[1].ptr_or_null<T>();
    // The rhs gradient first: with in place, dx may share g's memory (the
    // stream runs them in order).
    switch (op_) {
      case Binary::kAdd:
        cu::StoreArray(ctx, where_, a.req[1], dy, g, n);
        cu::StoreArray(ctx, where_, a.req[0], dx, g, n);
        return;
      case Binary::kSub:
        cu::StoreEach(ctx, where_, a.req[1], dy, n,
                      [=] __device__(int64_t i) { return -g[i]; });
        cu::StoreArray(ctx, where_, a.req[0], dx, g, n);
        return;
      case Binary::kMul: {
        const T* x = a.inputs[0].ptr<T>();
        const T* y = a.inputs[1].ptr<T>();
        cu::StoreEach(ctx, where_, a.req[1], dy, n,
                      [=] __device__(int64_t i) { return g[i] * x[i]; });
        cu::StoreEach(ctx, where_, a.req[0], dx, n,
                      [=] __device__(int64_t i) { return g[i] * y[i]; });
        return;
      }
      case Binary::kDiv: {
        const T* x = a.inputs[0].ptr<T>();
        const T* y = a.inputs[1].ptr<T>();
        cu::StoreEach(ctx, where_, a.req[1], dy, n, [=] __device__(int64_t i) {
          return -g[i] * x[i] / (y[i] * y[i]);
        });
        cu::StoreEach(ctx, where_, a.req[0], dx, n,
                      [=] __device__(int64_t i) { return g[i] / y[i]; });
        return;
      }
      case Binary::kPow: {
        const T* x = a.inputs[0].ptr<T>();
        const T* y = a.inputs[1].ptr<T>();
        const T* out = a.outputs[0].ptr<T>();
        cu::StoreEach(ctx, where_, a.req[1], dy, n, [=] __device__(int64_t i) {
          return g[i] * out[i] * T(log(x[i]));
        });
        cu::StoreEach(ctx, where_, a.req[0], dx, n, [=] __device__(int64_t i) {
          return g[i] * y[i] * T(pow(x[i], y[i] - T(1)));
        });
        return;
      }
    }
  }

 private:
  Binary op_;
};

template <typename T>
class ScalarGpu : public NodeKernel {
 public:
  explicit ScalarGpu(const KernelSetup& s)
      : NodeKernel(s),
        op_(ScalarOf(s.attrs->op->name())),
        s_(static_cast<T>(s.params<ScalarParam>().scalar)) {}

  void Forward(const KernelContext& ctx, const ForwardArgs& a) override {
    const T* x = a.inputs[0].ptr<T>();
    T* out = a.outputs[0].ptr<T>();
    const int64_t n = a.outputs[0].Size();
    const T s = s_;
    const auto store = [&](auto f) {
      cu::StoreEach(ctx, where_, a.req[0], out, n, f);
    };
    switch (op_) {
      case Scalar::kPlus:
        return store([=] __device__(int64_t i) { return x[i] + s; });
      case Scalar::kMinus:
        return store([=] __device__(int64_t i) { return x[i] - s; });
      case Scalar::kRMinus:
        return store([=] __device__(int64_t i) { return s - x[i]; });
      case Scalar::kMul:
        return store([=] __device__(int64_t i) { return x[i] * s; });
      case Scalar::kDiv:
        return store([=] __device__(int64_t i) { return x[i] / s; });
      case Scalar::kRDiv:
        return store([=] __device__(int64_t i) { return s / x[i]; });
      case Scalar::kPower:
        return store([=] __device__(int64_t i) { return T(pow(x[i], s)); });
      case Scalar::kRPower:
        return store([=] __device__(int64_t i) { return T(pow(s, x[i])); });
      case Scalar::kMaximum:
        return store([=] __device__(int64_t i) { return x[i] > s ? x[i] : s; });
      case Scalar::kMinimum:
        return store([=] __device__(int64_t i) { return x[i] < s ? x[i] : s; });
    }
  }

  void Backward(const KernelContext& ctx, const BackwardArgs& a) override {
    const T* g = a.out_grads[0].ptr<T>();
    T* dx = a.in_grads[0].ptr<T>();
    const int64_t n = a.out_grads[0].Size();
    const T s = s_;
    const T* x = a.inputs[0].ptr_or_null<T>();
    const T* y = a.outputs[0].ptr_or_null<T>();
    const auto store = [&](auto f) {
      cu::StoreEach(ctx, where_, a.req[0], dx, n, f);
    };
    switch (op_) {
      case Scalar::kPlus:
      case Scalar::kMinus:
        return cu::StoreArray(ctx, where_, a.req[0], dx, g, n);
      case Scalar::kRMinus:
        return store([=] __device__(int64_t i) { return -g[i]; });
      case Scalar::kMul:
        return store([=] __device__(int64_t i) { return g[i] * s; });
      case Scalar::kDiv:
        return store([=] __device__(int64_t i) { return g[i] / s; });
      case Scalar::kRDiv:
        return store(
            [=] __device__(int64_t i) { return -g[i] * s / (x[i] * x[i]); });
      case Scalar::kPower:
        return store([=] __device__(int64_t i) {
          return g[i] * s * T(pow(x[i], s - T(1)));
        });
      case Scalar::kRPower: {
        const T log_s = static_cast<T>(std::log(static_cast<double>(s)));
        return store([=] __device__(int64_t i) { return g[i] * y[i] * log_s; });
      }
      case Scalar::kMaximum:
        return store(
            [=] __device__(int64_t i) { return x[i] >= s ? g[i] : T(0); });
      case Scalar::kMinimum:
        return store(
            [=] __device__(int64_t i) { return x[i] <= s ? g[i] : T(0); });
    }
  }

 private:
  Scalar op_;
  T s_;
};

// Up to kMaxAddTerms input pointers, passed to a kernel by value.
constexpr int kMaxAddTerms = 8;
template <typename T>
struct AddTerms {
  const T* ptr[kMaxAddTerms];
  int count;
};

// out = the sum of the inputs, in one pass for up to kMaxAddTerms of them
// (more in several passes); alias-safe when out shares input 0's memory.
template <typename T>
class AddNGpu : public NodeKernel {
 public:
  explicit AddNGpu(const KernelSetup& s) : NodeKernel(s) {}

  void Forward(const KernelContext& ctx, const ForwardArgs& a) override {
    T* out = a.outputs[0].ptr<T>();
    const int64_t n = a.outputs[0].Size();
    OpReq req = a.req[0];
    for (size_t first = 0; first < a.inputs.size(); first += kMaxAddTerms) {
      AddTerms<T> terms;
      terms.count = static_cast<int>(
          std::min<size_t>(kMaxAddTerms, a.inputs.size() - first));
      for (int k = 0; k < terms.count; ++k) {
        terms.ptr[k] = a.inputs[first + k].ptr<T>();
      }
      cu::StoreEach(ctx, where_, req, out, n, [=] __device__(int64_t i) {
        T acc = terms.ptr[0][i];
        for (int k = 1; k < terms.count; ++k) acc += terms.ptr[k][i];
        return acc;
      });
      req = OpReq::kAdd;
    }
  }

  void Backward(const KernelContext& ctx, const BackwardArgs& a) override {
    // Input 0 last: with in place it shares the output gradient's memory.
    for (size_t k = a.in_grads.size(); k-- > 0;) {
      if (a.req[k] == OpReq::kNull) continue;
      cu::StoreArray(ctx, where_, a.req[k], a.in_grads[k].ptr<T>(),
                     a.out_grads[0].ptr<T>(), a.out_grads[0].Size());
    }
  }
};

[[maybe_unused]] const bool kRegistered = [] {
  for (const char* op : {"elemwise_add", "elemwise_sub", "elemwise_mul",
                         "elemwise_div", "_power"}) {
    KernelRegistry::Global()
        .Register(op, DeviceType::kGPU, KernelVariant::kOptimized)
        .Types({DType::kFloat32, DType::kFloat64})
        .Factory(TypedFactory<BinaryGpu>());
  }
  for (const char* op :
       {"_plus_scalar", "_minus_scalar", "_rminus_scalar", "_mul_scalar",
        "_div_scalar", "_rdiv_scalar", "_power_scalar", "_rpower_scalar",
        "_maximum_scalar", "_minimum_scalar"}) {
    KernelRegistry::Global()
        .Register(op, DeviceType::kGPU, KernelVariant::kOptimized)
        .Types({DType::kFloat32, DType::kFloat64})
        .Factory(TypedFactory<ScalarGpu>());
  }
  KernelRegistry::Global()
      .Register("add_n", DeviceType::kGPU, KernelVariant::kOptimized)
      .Types({DType::kFloat32, DType::kFloat64})
      .Factory(TypedFactory<AddNGpu>());
  return true;
}();

}  // namespace
}  // namespace ops
}  // namespace mx
