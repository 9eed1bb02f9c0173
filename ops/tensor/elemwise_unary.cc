// The elementwise unary ops of MXNet (abs, sqrt, exp, sin, ...), each one
// row of a table over the functors of ops/tensor/unary_math.h; and the ops
// that pass values through but treat gradients their own way: BlockGrad
// (none), MakeLoss (a loss head), clip (zero outside the range).
#include <algorithm>
#include <string>
#include <vector>

#include "core/op/kernel.h"
#include "core/op/op.h"
#include "core/op/param.h"
#include "ops/common/same_shape.h"
#include "ops/tensor/unary_math.h"

namespace mx {
namespace ops {
namespace {

// One op's loops for element type T.
template <typename T>
struct UnaryLoops {
  void (*forward)(const T* x, T* y, int64_t n, OpReq req);
  void (*backward)(const T* g, const T* x, const T* y, T* dx, int64_t n,
                   OpReq req);
};

template <typename F, typename T>
UnaryLoops<T> LoopsOf() {
  return {[](const T* x, T* y, int64_t n, OpReq req) {
            StoreEach(req, y, n, [=](int64_t i) { return F::Fwd(x[i]); });
          },
          [](const T* g, const T* x, const T* y, T* dx, int64_t n, OpReq req) {
            // x or y is null when F::kReads does not name it.
            StoreEach(req, dx, n, [=](int64_t i) {
              return g[i] * F::Grad(x ? x[i] : T(0), y ? y[i] : T(0));
            });
          }};
}

struct UnaryOp {
  const char* name;
  std::vector<const char*> aliases;
  const char* doc;
  int reads;
  UnaryLoops<float> f32;
  UnaryLoops<double> f64;
};

template <typename F>
UnaryOp Row(const char* name, std::vector<const char*> aliases,
            const char* doc) {
  return {name,      std::move(aliases),  doc,
          F::kReads, LoopsOf<F, float>(), LoopsOf<F, double>()};
}

const std::vector<UnaryOp>& UnaryOps() {
  using namespace unary;  // NOLINT(build/namespaces): the functor names
  static const std::vector<UnaryOp> ops = {
      Row<Abs>("abs", {}, "out = |data|"),
      Row<Sign>("sign", {},
                "out = -1, 0 or 1 by the sign of data; zero "
                "gradient"),
      Row<Round>("round", {},
                 "out = data rounded half away from zero; zero "
                 "gradient"),
      Row<Rint>("rint", {}, "out = data rounded half to even; zero gradient"),
      Row<Ceil>("ceil", {}, "out = the least integer >= data; zero gradient"),
      Row<Floor>("floor", {},
                 "out = the greatest integer <= data; zero gradient"),
      Row<Trunc>("trunc", {"fix"},
                 "out = data rounded toward zero; zero gradient"),
      Row<Negative>("negative", {}, "out = -data"),
      Row<Reciprocal>("reciprocal", {}, "out = 1 / data"),
      Row<Square>("square", {}, "out = data^2"),
      Row<Sqrt>("sqrt", {}, "out = sqrt(data)"),
      Row<Rsqrt>("rsqrt", {}, "out = 1 / sqrt(data)"),
      Row<Cbrt>("cbrt", {}, "out = data^(1/3)"),
      Row<Exp>("exp", {}, "out = e^data"),
      Row<Expm1>("expm1", {}, "out = e^data - 1, exact near 0"),
      Row<Log>("log", {}, "out = ln(data)"),
      Row<Log2>("log2", {}, "out = log2(data)"),
      Row<Log10>("log10", {}, "out = log10(data)"),
      Row<Log1p>("log1p", {}, "out = ln(1 + data), exact near 0"),
      Row<Sin>("sin", {}, "out = sin(data)"),
      Row<Cos>("cos", {}, "out = cos(data)"),
      Row<Tan>("tan", {}, "out = tan(data)"),
      Row<Arcsin>("arcsin", {}, "out = asin(data)"),
      Row<Arccos>("arccos", {}, "out = acos(data)"),
      Row<Arctan>("arctan", {}, "out = atan(data)"),
      Row<Sinh>("sinh", {}, "out = sinh(data)"),
      Row<Cosh>("cosh", {}, "out = cosh(data)"),
      Row<Tanh>("tanh", {}, "out = tanh(data)"),
      Row<Arcsinh>("arcsinh", {}, "out = asinh(data)"),
      Row<Arccosh>("arccosh", {}, "out = acosh(data)"),
      Row<Arctanh>("arctanh", {}, "out = atanh(data)"),
      Row<Degrees>("degrees", {}, "out = data in degrees (data in radians)"),
      Row<Radians>("radians", {}, "out = data in radians (data in degrees)"),
      Row<Sigmoid>("sigmoid", {}, "out = 1 / (1 + e^-data)"),
      Row<Relu>("relu", {}, "out = max(data, 0)"),
      Row<Softsign>("softsign", {}, "out = data / (1 + |data|)"),
      Row<Erf>("erf", {}, "out = erf(data)"),
      Row<Gelu>("gelu", {},
                "out = data * Phi(data), Phi the normal distribution "
                "function (exact GELU)"),
      Row<Identity>("_copy", {"identity"}, "out = data"),
  };
  return ops;
}

const UnaryOp& UnaryOpNamed(const std::string& name) {
  for (const UnaryOp& op : UnaryOps()) {
    if (name == op.name) return op;
  }
  MX_INTERNAL_CHECK(false, "no unary op ", name);
  return UnaryOps()[0];
}

BackwardDeps DepsOf(int reads) {
  BackwardDeps deps{{0}, {}, {}};
  if (reads & unary::kInput) deps.inputs = {0};
  if (reads & unary::kOutput) deps.outputs = {0};
  return deps;
}

template <typename T>
const UnaryLoops<T>& LoopsFor(const UnaryOp& op) {
  if constexpr (std::is_same_v<T, float>) {
    return op.f32;
  } else {
    return op.f64;
  }
}

template <typename T>
class UnaryKernel : public OpKernel {
 public:
  explicit UnaryKernel(const KernelSetup& s)
      : loops_(LoopsFor<T>(UnaryOpNamed(s.attrs->op->name()))) {}

  void Forward(const KernelContext&, const ForwardArgs& a) override {
    loops_.forward(a.inputs[0].ptr<T>(), a.outputs[0].ptr<T>(),
                   a.outputs[0].Size(), a.req[0]);
  }
  void Backward(const KernelContext&, const BackwardArgs& a) override {
    loops_.backward(a.out_grads[0].ptr<T>(), a.inputs[0].ptr_or_null<T>(),
                    a.outputs[0].ptr_or_null<T>(), a.in_grads[0].ptr<T>(),
                    a.in_grads[0].Size(), a.req[0]);
  }

 private:
  UnaryLoops<T> loops_;
};

[[maybe_unused]] const bool kUnaryRegistered = [] {
  for (const UnaryOp& u : UnaryOps()) {
    const BackwardDeps deps = DepsOf(u.reads);
    OpDef& op = OpRegistry::Global().Register(u.name);
    for (const char* alias : u.aliases) op.Alias(alias);
    op.Describe(u.doc)
        .Inputs({"data"})
        .InferShape(InferSameShape)
        .Backward([deps](const NodeAttrs&) { return deps; });
    // In place unless backward reads the input the output would overwrite.
    if (!(u.reads & unary::kInput)) {
      op.InplaceForward({{0, 0}});
    }
    KernelRegistry::Global()
        .Register(u.name, DeviceType::kCPU, KernelVariant::kReference)
        .Types({DType::kFloat32, DType::kFloat64})
        .Factory(TypedFactory<UnaryKernel>());
  }
  return true;
}();

// ---- BlockGrad: the value, no gradient ----

template <typename T>
class PassKernel : public OpKernel {
 public:
  explicit PassKernel(const KernelSetup&) {}
  void Forward(const KernelContext&, const ForwardArgs& a) override {
    StoreArray(a.req[0], a.outputs[0].ptr<T>(), a.inputs[0].ptr<T>(),
               a.outputs[0].Size());
  }
};

MX_REGISTER_OP(BlockGrad)
    .Alias("stop_gradient")
    .Describe(
        "out = data; no gradient flows back through it (what feeds it gets "
        "zero).")
    .Inputs({"data"})
    .InferShape(InferSameShape)
    .NoGradient({"data"})
    .InplaceForward({{0, 0}});

MX_REGISTER_KERNEL(BlockGrad, kCPU, kReference)
    .Types({DType::kFloat32, DType::kFloat64})
    .Factory(TypedFactory<PassKernel>());

// ---- MakeLoss: makes any value a loss head ----

struct MakeLossParam {
  double grad_scale = 1;
  double valid_thresh = 0;
  std::string normalization = "null";

  static void Declare(ParamDeclarer<MakeLossParam>* d) {
    d->Field("grad_scale", &MakeLossParam::grad_scale)
        .Default(1.0)
        .Doc("The gradient given to every element of data.");
    d->Field("valid_thresh", &MakeLossParam::valid_thresh)
        .Default(0.0)
        .Doc("With normalization 'valid', elements above it are counted.");
    d->Field("normalization", &MakeLossParam::normalization)
        .Default("null")
        .Enum({"null", "batch", "valid"})
        .Doc(
            "Divide the gradient by nothing, the batch size (data's first "
            "extent) or the number of elements above valid_thresh.");
  }
};

template <typename T>
class MakeLossKernel : public OpKernel {
 public:
  explicit MakeLossKernel(const KernelSetup& s)
      : p_(s.params<MakeLossParam>()),
        batch_(s.in_shapes[0].ndim() ? s.in_shapes[0][0] : 1) {}

  void Forward(const KernelContext&, const ForwardArgs& a) override {
    StoreArray(a.req[0], a.outputs[0].ptr<T>(), a.inputs[0].ptr<T>(),
               a.outputs[0].Size());
  }
  void Backward(const KernelContext&, const BackwardArgs& a) override {
    const int64_t n = a.in_grads[0].Size();
    double scale = p_.grad_scale;
    if (p_.normalization == "batch") scale /= std::max<int64_t>(1, batch_);
    if (p_.normalization == "valid") {
      const T* y = a.outputs[0].ptr<T>();
      int64_t valid = 0;
      for (int64_t i = 0; i < n; ++i) valid += y[i] > p_.valid_thresh;
      scale /= std::max<int64_t>(1, valid);
    }
    const T s = static_cast<T>(scale);
    StoreEach(a.req[0], a.in_grads[0].ptr<T>(), n, [s](int64_t) { return s; });
  }

 private:
  MakeLossParam p_;
  int64_t batch_;
};

MX_REGISTER_OP(MakeLoss)
    .Alias("make_loss")
    .Describe(
        "A loss head over any value: out = data; backward ignores the head "
        "gradient and gives grad_scale (normalized as asked) to every "
        "element.")
    .Params<MakeLossParam>()
    .Inputs({"data"})
    .InferShape(InferSameShape)
    .Loss()
    .Backward([](const NodeAttrs&) {
      return BackwardDeps{{}, {}, {0}};
    })
    .InplaceForward({{0, 0}});

MX_REGISTER_KERNEL(MakeLoss, kCPU, kReference)
    .Types({DType::kFloat32, DType::kFloat64})
    .Factory(TypedFactory<MakeLossKernel>());

// ---- clip ----

struct ClipParam {
  double a_min = 0, a_max = 0;

  static void Declare(ParamDeclarer<ClipParam>* d) {
    d->Field("a_min", &ClipParam::a_min).Required().Doc("The lower bound.");
    d->Field("a_max", &ClipParam::a_max).Required().Doc("The upper bound.");
    d->Check([](const ClipParam& p) -> std::string {
      if (p.a_min > p.a_max) return "a_min must not exceed a_max";
      return "";
    });
  }
};

template <typename T>
class ClipKernel : public OpKernel {
 public:
  explicit ClipKernel(const KernelSetup& s)
      : lo_(static_cast<T>(s.params<ClipParam>().a_min)),
        hi_(static_cast<T>(s.params<ClipParam>().a_max)) {}

  void Forward(const KernelContext&, const ForwardArgs& a) override {
    const T* x = a.inputs[0].ptr<T>();
    const T lo = lo_, hi = hi_;
    StoreEach(a.req[0], a.outputs[0].ptr<T>(), a.outputs[0].Size(),
              [=](int64_t i) { return std::min(std::max(x[i], lo), hi); });
  }
  void Backward(const KernelContext&, const BackwardArgs& a) override {
    const T* g = a.out_grads[0].ptr<T>();
    const T* x = a.inputs[0].ptr<T>();
    const T lo = lo_, hi = hi_;
    StoreEach(
        a.req[0], a.in_grads[0].ptr<T>(), a.in_grads[0].Size(),
        [=](int64_t i) { return x[i] >= lo && x[i] <= hi ? g[i] : T(0); });
  }

 private:
  T lo_, hi_;
};

MX_REGISTER_OP(clip)
    .Describe(
        "out = min(max(data, a_min), a_max); the gradient passes where "
        "a_min <= data <= a_max.")
    .Params<ClipParam>()
    .Inputs({"data"})
    .InferShape(InferSameShape)
    .Backward([](const NodeAttrs&) {
      return BackwardDeps{{0}, {0}, {}};
    });

MX_REGISTER_KERNEL(clip, kCPU, kReference)
    .Types({DType::kFloat32, DType::kFloat64})
    .Factory(TypedFactory<ClipKernel>());

}  // namespace
}  // namespace ops
}  // namespace mx
