// Elementwise binary ops over the functors of ops/tensor/binary_math.h, in
// three forms (MXNet's names):
//   broadcast_add(lhs, rhs): NumPy broadcasting (shapes aligned right,
//     extent 1 stretches); the gradient of a broadcast operand is summed
//     over the axes it was stretched along;
//   _maximum(lhs, rhs): the same shape (where elemwise_add and friends do
//     not already exist);
//   _maximum_scalar(data, scalar=s): against a number (where
//     elemwise_scalar.cc does not already have it).
// Comparisons and logical ops give 1 or 0 and pass no gradient.
#include <string>
#include <vector>

#include "core/op/kernel.h"
#include "core/op/op.h"
#include "ops/common/same_shape.h"
#include "ops/common/strided.h"
#include "ops/tensor/binary_math.h"
#include "ops/tensor/elemwise_scalar.h"

namespace mx {
namespace ops {
namespace {

// How one array is followed while walking the output.
struct Walk {
  std::vector<int64_t> dims;  // the output's extents
  std::vector<int64_t> lhs, rhs;
  bool lhs_full = true, rhs_full = true;  // not broadcast (same as output)
};

template <typename T>
struct BinaryLoops {
  void (*forward)(const Walk& w, const T* x, const T* y, T* out, OpReq req);
  // Gradients of lhs (when dx) and rhs (when dy).
  void (*backward)(const Walk& w, const T* g, const T* x, const T* y,
                   const T* out, T* dx, OpReq rx, T* dy, OpReq ry);
};

template <typename T, typename V>
inline void StoreOne(OpReq req, T* out, V v) {
  if (req == OpReq::kAdd) {
    *out += v;
  } else {
    *out = v;
  }
}

// The gradient of one operand: directly when it was not broadcast, else
// summed over the stretched axes into a buffer first.
template <typename T, typename G>
void StoreGradient(const Walk& w, bool full, const std::vector<int64_t>& mine,
                   int64_t size, T* d, OpReq req, G grad_at) {
  if (d == nullptr || req == OpReq::kNull) return;
  if (full) {
    ForEachStrided<2>(w.dims, {w.lhs.data(), w.rhs.data()},
                      [&](int64_t i, const std::array<int64_t, 2>& o) {
                        StoreOne(req, d + i, grad_at(i, o));
                      });
    return;
  }
  std::vector<T> sum(static_cast<size_t>(size), T(0));
  ForEachStrided<3>(w.dims, {w.lhs.data(), w.rhs.data(), mine.data()},
                    [&](int64_t i, const std::array<int64_t, 3>& o) {
                      sum[o[2]] += grad_at(i, {o[0], o[1]});
                    });
  StoreArray(req, d, sum.data(), size);
}

template <typename F, typename T>
BinaryLoops<T> LoopsOf() {
  BinaryLoops<T> loops;
  loops.forward = [](const Walk& w, const T* x, const T* y, T* out, OpReq req) {
    if (req == OpReq::kNull) return;
    if (w.lhs_full && w.rhs_full) {
      int64_t n = 1;
      for (int64_t e : w.dims) n *= e;
      return StoreEach(req, out, n,
                       [=](int64_t i) { return F::Fwd(x[i], y[i]); });
    }
    ForEachStrided<2>(w.dims, {w.lhs.data(), w.rhs.data()},
                      [&](int64_t i, const std::array<int64_t, 2>& o) {
                        StoreOne(req, out + i, F::Fwd(x[o[0]], y[o[1]]));
                      });
  };
  loops.backward = [](const Walk& w, const T* g, const T* x, const T* y,
                      const T* out, T* dx, OpReq rx, T* dy, OpReq ry) {
    // x, y or out is null when backward does not read it: GradL / GradR
    // then do not look at it.
    const auto at = [](const T* a, int64_t k) { return a ? a[k] : T(0); };
    int64_t lsize = 1, rsize = 1;
    for (size_t k = 0; k < w.dims.size(); ++k) {
      if (w.lhs[k] != 0) lsize *= w.dims[k];
      if (w.rhs[k] != 0) rsize *= w.dims[k];
    }
    // The rhs first: with in place, dx may share g's memory.
    StoreGradient(w, w.rhs_full, w.rhs, rsize, dy, ry,
                  [&](int64_t i, const std::array<int64_t, 2>& o) {
                    return g[i] *
                           F::GradR(at(x, o[0]), at(y, o[1]), at(out, i));
                  });
    StoreGradient(w, w.lhs_full, w.lhs, lsize, dx, rx,
                  [&](int64_t i, const std::array<int64_t, 2>& o) {
                    return g[i] *
                           F::GradL(at(x, o[0]), at(y, o[1]), at(out, i));
                  });
  };
  return loops;
}

// What backward reads.
enum class Reads { kNothing, kInputs, kInputsAndOutput, kNoGradient };

struct BinaryOp {
  std::string base;  // "add": broadcast_add, _add, _add_scalar
  Reads reads;
  const char* doc;
  std::vector<const char*> broadcast_aliases;
  bool same_shape_form;  // register _<base> (elemwise_* exists otherwise)
  bool scalar_form;      // register _<base>_scalar
  BinaryLoops<float> f32;
  BinaryLoops<double> f64;
  bool broadcast_form = true;          // register broadcast_<base>
  const char* scalar_alias = nullptr;  // another name of _<base>_scalar
};

template <typename F>
BinaryOp Row(const char* base, Reads reads, const char* doc,
             std::vector<const char*> aliases, bool same_shape, bool scalar) {
  return {base,
          reads,
          doc,
          std::move(aliases),
          same_shape,
          scalar,
          LoopsOf<F, float>(),
          LoopsOf<F, double>()};
}

// `op` registered as _<base>_scalar only, also named `alias`.
BinaryOp ScalarOnly(BinaryOp op, const char* alias) {
  op.broadcast_form = false;
  op.scalar_alias = alias;
  return op;
}

const std::vector<BinaryOp>& BinaryOps() {
  using namespace binary;  // NOLINT(build/namespaces): the functor names
  static const std::vector<BinaryOp> ops = {
      Row<Add>("add", Reads::kNothing, "lhs + rhs", {"broadcast_plus"}, false,
               false),
      Row<Sub>("sub", Reads::kNothing, "lhs - rhs", {"broadcast_minus"}, false,
               false),
      Row<Mul>("mul", Reads::kInputs, "lhs * rhs", {}, false, false),
      Row<Div>("div", Reads::kInputs, "lhs / rhs", {}, false, false),
      Row<Mod>("mod", Reads::kInputs,
               "lhs mod rhs, with the sign of rhs (Python's %; 0 where rhs "
               "is 0)",
               {}, true, true),
      Row<Power>("power", Reads::kInputsAndOutput, "lhs ^ rhs", {}, false,
                 false),
      Row<Maximum>("maximum", Reads::kInputs,
                   "max(lhs, rhs); a tie's gradient goes to lhs", {}, true,
                   false),
      Row<Minimum>("minimum", Reads::kInputs,
                   "min(lhs, rhs); a tie's gradient goes to lhs", {}, true,
                   false),
      Row<Hypot>("hypot", Reads::kInputsAndOutput, "sqrt(lhs^2 + rhs^2)", {},
                 true, true),
      Row<Equal>("equal", Reads::kNoGradient, "1 where lhs == rhs, else 0", {},
                 true, true),
      Row<NotEqual>("not_equal", Reads::kNoGradient,
                    "1 where lhs != rhs, else 0", {}, true, true),
      Row<Greater>("greater", Reads::kNoGradient, "1 where lhs > rhs, else 0",
                   {}, true, true),
      Row<GreaterEqual>("greater_equal", Reads::kNoGradient,
                        "1 where lhs >= rhs, else 0", {}, true, true),
      Row<Lesser>("lesser", Reads::kNoGradient, "1 where lhs < rhs, else 0", {},
                  true, true),
      Row<LesserEqual>("lesser_equal", Reads::kNoGradient,
                       "1 where lhs <= rhs, else 0", {}, true, true),
      Row<LogicalAnd>("logical_and", Reads::kNoGradient,
                      "1 where lhs and rhs are both nonzero, else 0", {}, true,
                      true),
      Row<LogicalOr>("logical_or", Reads::kNoGradient,
                     "1 where lhs or rhs is nonzero, else 0", {}, true, true),
      Row<LogicalXor>("logical_xor", Reads::kNoGradient,
                      "1 where exactly one of lhs and rhs is nonzero, else 0",
                      {}, true, true),
      ScalarOnly(
          Row<SmoothL1>("smooth_l1", Reads::kInputs,
                        "0.5 (rhs lhs)^2 where |lhs| < 1 / rhs^2, else |lhs| - "
                        "0.5 / rhs^2 (Fast R-CNN's smooth L1; rhs is sigma)",
                        {}, false, true),
          "smooth_l1"),
  };
  return ops;
}

enum class Form { kBroadcast, kSameShape, kScalar };

struct Resolved {
  const BinaryOp* op = nullptr;
  Form form = Form::kBroadcast;
};

Resolved Resolve(const std::string& name) {
  for (const BinaryOp& op : BinaryOps()) {
    if (name == "broadcast_" + op.base) return {&op, Form::kBroadcast};
    if (name == "_" + op.base) return {&op, Form::kSameShape};
    if (name == "_" + op.base + "_scalar") return {&op, Form::kScalar};
  }
  MX_INTERNAL_CHECK(false, "no binary op ", name);
  return {};
}

void InferBroadcastShape(InferShapeContext* ctx) {
  std::string problem;
  const PartialShape out = BroadcastShape(ctx->in(0), ctx->in(1), &problem);
  if (!problem.empty()) ctx->Fail(problem);
  if (out.rank_known()) ctx->AssignOut(0, out);
}

BackwardDeps DepsOf(Reads reads, bool scalar) {
  BackwardDeps deps{{0}, {}, {}};
  if (reads == Reads::kInputs || reads == Reads::kInputsAndOutput) {
    deps.inputs = scalar ? std::vector<int>{0} : std::vector<int>{0, 1};
  }
  if (reads == Reads::kInputsAndOutput) deps.outputs = {0};
  return deps;
}

template <typename T>
const BinaryLoops<T>& LoopsFor(const BinaryOp& op) {
  if constexpr (std::is_same_v<T, float>) {
    return op.f32;
  } else {
    return op.f64;
  }
}

template <typename T>
class BroadcastBinaryKernel : public OpKernel {
 public:
  explicit BroadcastBinaryKernel(const KernelSetup& s) {
    const Resolved r = Resolve(s.attrs->op->name());
    loops_ = LoopsFor<T>(*r.op);
    const Shape& out = s.out_shapes[0];
    walk_.dims = out.dims();
    walk_.lhs = BroadcastStrides(s.in_shapes[0], out);
    walk_.lhs_full = s.in_shapes[0] == out;
    if (r.form == Form::kScalar) {
      scalar_ = static_cast<T>(s.params<ScalarParam>().scalar);
      walk_.rhs.assign(out.ndim(), 0);
      walk_.rhs_full = out.Size() == 1;
    } else {
      walk_.rhs = BroadcastStrides(s.in_shapes[1], out);
      walk_.rhs_full = s.in_shapes[1] == out;
    }
    scalar_form_ = r.form == Form::kScalar;
  }

  void Forward(const KernelContext&, const ForwardArgs& a) override {
    const T* y = scalar_form_ ? &scalar_ : a.inputs[1].ptr<T>();
    loops_.forward(walk_, a.inputs[0].ptr<T>(), y, a.outputs[0].ptr<T>(),
                   a.req[0]);
  }
  void Backward(const KernelContext&, const BackwardArgs& a) override {
    const T* y = scalar_form_ ? &scalar_ : a.inputs[1].ptr_or_null<T>();
    T* dy = scalar_form_ ? nullptr : a.in_grads[1].ptr_or_null<T>();
    loops_.backward(
        walk_, a.out_grads[0].ptr<T>(), a.inputs[0].ptr_or_null<T>(), y,
        a.outputs[0].ptr_or_null<T>(), a.in_grads[0].ptr_or_null<T>(), a.req[0],
        dy, scalar_form_ ? OpReq::kNull : a.req[1]);
  }

 private:
  BinaryLoops<T> loops_;
  Walk walk_;
  T scalar_ = 0;
  bool scalar_form_ = false;
};

void RegisterKernel(const std::string& name) {
  KernelRegistry::Global()
      .Register(name, DeviceType::kCPU, KernelVariant::kReference)
      .Types({DType::kFloat32, DType::kFloat64})
      .Factory(TypedFactory<BroadcastBinaryKernel>());
}

void DeclareGradient(OpDef& op, Reads reads, bool scalar) {
  if (reads == Reads::kNoGradient) {
    op.NoGradient(scalar ? std::vector<std::string>{"data"}
                         : std::vector<std::string>{"lhs", "rhs"});
    return;
  }
  const BackwardDeps deps = DepsOf(reads, scalar);
  op.Backward([deps](const NodeAttrs&) { return deps; });
}

[[maybe_unused]] const bool kRegistered = [] {
  for (const BinaryOp& b : BinaryOps()) {
    const std::string doc = std::string("out = ") + b.doc;
    if (b.broadcast_form) {
      const std::string broadcast = "broadcast_" + b.base;
      OpDef& op = OpRegistry::Global().Register(broadcast);
      for (const char* alias : b.broadcast_aliases) op.Alias(alias);
      op.Describe(doc +
                  ", with NumPy broadcasting (shapes aligned right; "
                  "extent 1 stretches); a stretched operand's gradient "
                  "is summed back.")
          .Inputs({"lhs", "rhs"})
          .InferShape(InferBroadcastShape);
      DeclareGradient(op, b.reads, false);
      RegisterKernel(broadcast);
    }
    if (b.same_shape_form) {
      const std::string name = "_" + b.base;
      OpDef& same = OpRegistry::Global().Register(name);
      same.Describe(doc + ", both of one shape.")
          .Inputs({"lhs", "rhs"})
          .InferShape(InferSameShape);
      DeclareGradient(same, b.reads, false);
      RegisterKernel(name);
    }
    if (b.scalar_form) {
      const std::string name = "_" + b.base + "_scalar";
      OpDef& scalar = OpRegistry::Global().Register(name);
      std::string sdoc = doc;
      sdoc.replace(sdoc.find("lhs"), 3, "data");
      while (sdoc.find("rhs") != std::string::npos) {
        sdoc.replace(sdoc.find("rhs"), 3, "scalar");
      }
      while (sdoc.find("lhs") != std::string::npos) {
        sdoc.replace(sdoc.find("lhs"), 3, "data");
      }
      if (b.scalar_alias) scalar.Alias(b.scalar_alias);
      scalar.Describe(sdoc + ".")
          .Params<ScalarParam>()
          .Inputs({"data"})
          .InferShape(InferSameShape);
      DeclareGradient(scalar, b.reads, true);
      RegisterKernel(name);
    }
  }
  // MXNet's older names.
  OpRegistry::Global().AddAlias("_Maximum",
                                OpRegistry::Global().Find("_maximum"));
  OpRegistry::Global().AddAlias("_Minimum",
                                OpRegistry::Global().Find("_minimum"));
  return true;
}();

}  // namespace
}  // namespace ops
}  // namespace mx
