// GPU kernels of the elementwise math ops: the unary table (abs, sqrt, exp,
// sin, ..., of elemwise_unary.cc) and the binary ops in their broadcast,
// same-shape and scalar forms (broadcast_binary.cc), over the same functors
// (ops/tensor/unary_math.h, binary_math.h; Note [GPU kernels]). A broadcast
// operand's gradient is summed back with atomic adds.
#include <string>
#include <vector>

#include "core/base/error.h"
#include "core/op/kernel.h"
#include "core/op/op.h"
#include "ops/common/cuda_loops.cuh"
#include "ops/common/kernel_util.h"
#include "ops/common/strided.h"
#include "ops/tensor/binary_math.h"
#include "ops/tensor/elemwise_scalar.h"
#include "ops/tensor/unary_math.h"

namespace mx {
namespace ops {
namespace {

// ---- unary: out = F::Fwd(x); dx = g * F::Grad(x, out) ----

template <typename F>
struct UnaryGpu {
  template <typename T>
  class Kernel : public NodeKernel {
   public:
    explicit Kernel(const KernelSetup& s) : NodeKernel(s) {}

    void Forward(const KernelContext& ctx, const ForwardArgs& a) override {
      const T* x = a.inputs[0].ptr<T>();
      cu::StoreEach(ctx, where_, a.req[0], a.outputs[0].ptr<T>(),
                    a.outputs[0].Size(),
                    [=] __device__(int64_t i) { return F::Fwd(x[i]); });
    }

    void Backward(const KernelContext& ctx, const BackwardArgs& a) override {
      const T* g = a.out_grads[0].ptr<T>();
      // x or y is null when F::kReads does not name it.
      const T* x = a.inputs[0].ptr_or_null<T>();
      const T* y = a.outputs[0].ptr_or_null<T>();
      T* dx = a.in_grads[0].ptr_or_null<T>();
      if (dx == nullptr) return;
      cu::StoreEach(ctx, where_, a.req[0], dx, a.out_grads[0].Size(),
                    [=] __device__(int64_t i) {
                      return g[i] * F::Grad(x ? x[i] : T(0), y ? y[i] : T(0));
                    });
    }
  };
};

template <typename F>
void RegisterUnary(const char* op) {
  KernelRegistry::Global()
      .Register(op, DeviceType::kGPU, KernelVariant::kOptimized)
      .Types({DType::kFloat32, DType::kFloat64})
      .Factory(TypedFactory<UnaryGpu<F>::template Kernel>());
}

// ---- binary: NumPy broadcasting through strides ----

// The walk of the output with each operand's strides (0 along stretched
// axes), by value into the device lambdas.
struct DeviceWalk {
  static constexpr int kMaxAxes = 8;
  int nd = 0;
  int64_t dims[kMaxAxes] = {};
  int64_t lhs[kMaxAxes] = {};
  int64_t rhs[kMaxAxes] = {};

  // Offsets in lhs and rhs of output element i.
  MX_HOST_DEVICE void Offsets(int64_t i, int64_t* l, int64_t* r) const {
    int64_t lo = 0, ro = 0;
    for (int k = nd - 1; k >= 0; --k) {
      const int64_t idx = i % dims[k];
      i /= dims[k];
      lo += idx * lhs[k];
      ro += idx * rhs[k];
    }
    *l = lo;
    *r = ro;
  }
};

enum class BinaryForm { kBroadcast, kSameShape, kScalar };

template <typename F>
struct BinaryGpu {
  template <typename T>
  class Kernel : public NodeKernel {
   public:
    explicit Kernel(const KernelSetup& s) : NodeKernel(s) {
      const std::string& name = s.attrs->op->name();
      form_ =
          name.rfind("broadcast_", 0) == 0 ? BinaryForm::kBroadcast
          : name.size() > 7 && name.compare(name.size() - 7, 7, "_scalar") == 0
              ? BinaryForm::kScalar
              : BinaryForm::kSameShape;
      const Shape& out = s.out_shapes[0];
      n_ = out.Size();
      if (form_ == BinaryForm::kScalar) {
        scalar_ = static_cast<T>(s.params<ScalarParam>().scalar);
        return;
      }
      MX_CHECK(out.ndim() <= DeviceWalk::kMaxAxes, where_, ": output ", out,
               " has more than ", DeviceWalk::kMaxAxes,
               " axes, the most the GPU kernel walks");
      const std::vector<int64_t> l = BroadcastStrides(s.in_shapes[0], out);
      const std::vector<int64_t> r = BroadcastStrides(s.in_shapes[1], out);
      walk_.nd = out.ndim();
      for (int k = 0; k < out.ndim(); ++k) {
        walk_.dims[k] = out[k];
        walk_.lhs[k] = l[k];
        walk_.rhs[k] = r[k];
      }
      lhs_full_ = s.in_shapes[0] == out;
      rhs_full_ = s.in_shapes[1] == out;
      lhs_size_ = s.in_shapes[0].Size();
      rhs_size_ = s.in_shapes[1].Size();
    }

    void Forward(const KernelContext& ctx, const ForwardArgs& a) override {
      const T* x = a.inputs[0].ptr<T>();
      T* out = a.outputs[0].ptr<T>();
      if (form_ == BinaryForm::kScalar) {
        const T s = scalar_;
        return cu::StoreEach(
            ctx, where_, a.req[0], out, n_,
            [=] __device__(int64_t i) { return F::Fwd(x[i], s); });
      }
      const T* y = a.inputs[1].ptr<T>();
      if (lhs_full_ && rhs_full_) {
        return cu::StoreEach(
            ctx, where_, a.req[0], out, n_,
            [=] __device__(int64_t i) { return F::Fwd(x[i], y[i]); });
      }
      const DeviceWalk w = walk_;
      cu::StoreEach(ctx, where_, a.req[0], out, n_, [=] __device__(int64_t i) {
        int64_t l, r;
        w.Offsets(i, &l, &r);
        return F::Fwd(x[l], y[r]);
      });
    }

    void Backward(const KernelContext& ctx, const BackwardArgs& a) override {
      const T* g = a.out_grads[0].ptr<T>();
      // Null when backward does not read them (GradL / GradR then do not
      // look).
      const T* x = a.inputs[0].ptr_or_null<T>();
      const T* out = a.outputs[0].ptr_or_null<T>();
      T* dx = a.in_grads[0].ptr_or_null<T>();
      if (form_ == BinaryForm::kScalar) {
        if (dx == nullptr) return;
        const T s = scalar_;
        return cu::StoreEach(
            ctx, where_, a.req[0], dx, n_, [=] __device__(int64_t i) {
              return g[i] * F::GradL(x ? x[i] : T(0), s, out ? out[i] : T(0));
            });
      }
      const T* y = a.inputs[1].ptr_or_null<T>();
      T* dy = a.in_grads[1].ptr_or_null<T>();
      const DeviceWalk w = walk_;
      // The rhs first: with in place, dx may share g's memory (the stream
      // runs them in order).
      Gradient(ctx, a.req[1], dy, rhs_full_, rhs_size_,
               [=] __device__(int64_t i, int64_t * at) {
                 int64_t l, r;
                 w.Offsets(i, &l, &r);
                 *at = r;
                 return g[i] * F::GradR(x ? x[l] : T(0), y ? y[r] : T(0),
                                        out ? out[i] : T(0));
               });
      Gradient(ctx, a.req[0], dx, lhs_full_, lhs_size_,
               [=] __device__(int64_t i, int64_t * at) {
                 int64_t l, r;
                 w.Offsets(i, &l, &r);
                 *at = l;
                 return g[i] * F::GradL(x ? x[l] : T(0), y ? y[r] : T(0),
                                        out ? out[i] : T(0));
               });
    }

    // (Public: nvcc refuses device lambdas in private member functions.)
    // Stores grad(i, &offset) into d: directly when the operand was not
    // stretched, else added up at each element's offset.
    template <typename G>
    void Gradient(const KernelContext& ctx, OpReq req, T* d, bool full,
                  int64_t size, G grad) {
      if (d == nullptr || req == OpReq::kNull) return;
      if (full) {
        return cu::StoreEach(ctx, where_, req, d, n_,
                             [=] __device__(int64_t i) {
                               int64_t at;
                               return grad(i, &at);
                             });
      }
      if (req != OpReq::kAdd) {
        cu::ForEach(ctx, where_, size,
                    [=] __device__(int64_t i) { d[i] = T(0); });
      }
      cu::ForEach(ctx, where_, n_, [=] __device__(int64_t i) {
        int64_t at;
        const T v = grad(i, &at);
        atomicAdd(d + at, v);
      });
    }

   private:
    BinaryForm form_ = BinaryForm::kBroadcast;
    DeviceWalk walk_;
    int64_t n_ = 0, lhs_size_ = 0, rhs_size_ = 0;
    bool lhs_full_ = true, rhs_full_ = true;
    T scalar_ = 0;
  };
};

// Registers broadcast_<base>, and _<base> / _<base>_scalar where
// broadcast_binary.cc declares those forms.
template <typename F>
void RegisterBinary(const std::string& base, bool same_shape, bool scalar,
                    bool broadcast = true) {
  std::vector<std::string> names;
  if (broadcast) names.push_back("broadcast_" + base);
  if (same_shape) names.push_back("_" + base);
  if (scalar) names.push_back("_" + base + "_scalar");
  for (const std::string& name : names) {
    KernelRegistry::Global()
        .Register(name, DeviceType::kGPU, KernelVariant::kOptimized)
        .Types({DType::kFloat32, DType::kFloat64})
        .Factory(TypedFactory<BinaryGpu<F>::template Kernel>());
  }
}

[[maybe_unused]] const bool kRegistered = [] {
  using namespace unary;  // NOLINT(build/namespaces): the functor names
  RegisterUnary<Abs>("abs");
  RegisterUnary<Sign>("sign");
  RegisterUnary<Round>("round");
  RegisterUnary<Rint>("rint");
  RegisterUnary<Ceil>("ceil");
  RegisterUnary<Floor>("floor");
  RegisterUnary<Trunc>("trunc");
  RegisterUnary<Negative>("negative");
  RegisterUnary<Reciprocal>("reciprocal");
  RegisterUnary<Square>("square");
  RegisterUnary<Sqrt>("sqrt");
  RegisterUnary<Rsqrt>("rsqrt");
  RegisterUnary<Cbrt>("cbrt");
  RegisterUnary<Exp>("exp");
  RegisterUnary<Expm1>("expm1");
  RegisterUnary<Log>("log");
  RegisterUnary<Log2>("log2");
  RegisterUnary<Log10>("log10");
  RegisterUnary<Log1p>("log1p");
  RegisterUnary<Sin>("sin");
  RegisterUnary<Cos>("cos");
  RegisterUnary<Tan>("tan");
  RegisterUnary<Arcsin>("arcsin");
  RegisterUnary<Arccos>("arccos");
  RegisterUnary<Arctan>("arctan");
  RegisterUnary<Sinh>("sinh");
  RegisterUnary<Cosh>("cosh");
  RegisterUnary<Tanh>("tanh");
  RegisterUnary<Arcsinh>("arcsinh");
  RegisterUnary<Arccosh>("arccosh");
  RegisterUnary<Arctanh>("arctanh");
  RegisterUnary<Degrees>("degrees");
  RegisterUnary<Radians>("radians");
  RegisterUnary<Sigmoid>("sigmoid");
  RegisterUnary<Relu>("relu");
  RegisterUnary<Softsign>("softsign");
  RegisterUnary<Erf>("erf");
  RegisterUnary<Gelu>("gelu");
  RegisterUnary<Identity>("_copy");
  using namespace binary;  // NOLINT(build/namespaces): the functor names
  RegisterBinary<Add>("add", false, false);
  RegisterBinary<Sub>("sub", false, false);
  RegisterBinary<Mul>("mul", false, false);
  RegisterBinary<Div>("div", false, false);
  RegisterBinary<Mod>("mod", true, true);
  RegisterBinary<Power>("power", false, false);
  RegisterBinary<Maximum>("maximum", true, false);
  RegisterBinary<Minimum>("minimum", true, false);
  RegisterBinary<Hypot>("hypot", true, true);
  RegisterBinary<Equal>("equal", true, true);
  RegisterBinary<NotEqual>("not_equal", true, true);
  RegisterBinary<Greater>("greater", true, true);
  RegisterBinary<GreaterEqual>("greater_equal", true, true);
  RegisterBinary<Lesser>("lesser", true, true);
  RegisterBinary<LesserEqual>("lesser_equal", true, true);
  RegisterBinary<LogicalAnd>("logical_and", true, true);
  RegisterBinary<LogicalOr>("logical_or", true, true);
  RegisterBinary<LogicalXor>("logical_xor", true, true);
  RegisterBinary<SmoothL1>("smooth_l1", false, true, /*broadcast=*/false);
  return true;
}();

}  // namespace
}  // namespace ops
}  // namespace mx
