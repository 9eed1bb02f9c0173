// Reductions over axes (sum, mean, prod, max, min, nansum, nanprod, norm)
// and their inverse, broadcasting to a larger shape (broadcast_to,
// broadcast_axis), as MXNet 1.x: `axis` None or () reduces every axis,
// negative axes count from the end, `exclude` reduces the axes not named,
// `keepdims` keeps reduced axes with extent 1; a reduction to nothing gives
// shape (1,).
#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "core/base/strings.h"
#include "core/op/kernel.h"
#include "core/op/op.h"
#include "core/op/param.h"
#include "ops/common/kernel_util.h"
#include "ops/common/strided.h"

namespace mx {
namespace ops {
namespace {

struct ReduceParam {
  std::optional<std::vector<int64_t>> axis;
  bool keepdims = false;
  bool exclude = false;
  int64_t ord = 2;  // norm's

  static void Declare(ParamDeclarer<ReduceParam>* d) {
    d->Field("axis", &ReduceParam::axis)
        .Default(std::nullopt)
        .Doc("Axes to reduce (negative from the end); None or () for all.");
    d->Field("keepdims", &ReduceParam::keepdims)
        .Default(false)
        .Doc("Keep reduced axes with extent 1.");
    d->Field("exclude", &ReduceParam::exclude)
        .Default(false)
        .Doc("Reduce the axes not in `axis` instead.");
  }
};

struct NormParam {
  std::optional<std::vector<int64_t>> axis;
  bool keepdims = false;
  int64_t ord = 2;

  static void Declare(ParamDeclarer<NormParam>* d) {
    d->Field("ord", &NormParam::ord)
        .Default(2)
        .Range(1, 2)
        .Doc("1: sum of |x|; 2: sqrt of the sum of squares.");
    d->Field("axis", &NormParam::axis)
        .Default(std::nullopt)
        .Doc("Axes to reduce (negative from the end); None or () for all.");
    d->Field("keepdims", &NormParam::keepdims)
        .Default(false)
        .Doc("Keep reduced axes with extent 1.");
  }
};

ReduceParam ParamsOf(const NodeAttrs& attrs) {
  if (attrs.op->name() != "norm") return attrs.params<ReduceParam>();
  const NormParam& n = attrs.params<NormParam>();
  ReduceParam p;
  p.axis = n.axis;
  p.keepdims = n.keepdims;
  p.ord = n.ord;
  return p;
}

// Which axes of an ndim-array `p` reduces; "" or the problem.
std::vector<bool> ReducedAxes(const ReduceParam& p, int ndim,
                              std::string* problem) {
  std::vector<bool> reduced(ndim, !p.axis || p.axis->empty());
  if (p.axis && !p.axis->empty()) {
    for (int64_t a : *p.axis) {
      *problem = AxisProblem(a, ndim);
      if (!problem->empty()) return {};
      const int k = static_cast<int>(a < 0 ? a + ndim : a);
      if (reduced[k]) {
        *problem = StrCat("axis ", a, " is named twice");
        return {};
      }
      reduced[k] = true;
    }
    if (p.exclude) reduced.flip();
  }
  return reduced;
}

// The reduced shape with kept axes of extent 1.
PartialShape KeptShape(const PartialShape& in, const std::vector<bool>& r) {
  PartialShape out = in;
  for (int i = 0; i < in.ndim(); ++i) {
    if (r[i]) out.set(i, 1);
  }
  return out;
}

void InferReduceShape(InferShapeContext* ctx) {
  const PartialShape& in = ctx->in(0);
  if (!in.rank_known()) return;
  const ReduceParam p = ParamsOf(ctx->attrs());
  std::string problem;
  const std::vector<bool> r = ReducedAxes(p, in.ndim(), &problem);
  if (!problem.empty()) ctx->Fail(problem);
  if (p.keepdims) return ctx->AssignOut(0, KeptShape(in, r));
  std::vector<int64_t> dims;
  for (int i = 0; i < in.ndim(); ++i) {
    if (!r[i]) dims.push_back(in[i]);
  }
  if (dims.empty()) dims.push_back(1);
  ctx->AssignOut(0, PartialShape(dims));
}

// The reductions: Init, Add(acc, x), Finish(acc, count) and the partial
// derivative of the result y by one element x.
struct SumR {
  static double Init() { return 0; }
  static double Add(double a, double x) { return a + x; }
  static double Finish(double a, int64_t) { return a; }
  static double Partial(double, double, int64_t) { return 1; }
};
struct MeanR : SumR {
  static double Finish(double a, int64_t n) { return a / n; }
  static double Partial(double, double, int64_t n) { return 1.0 / n; }
};
struct ProdR {
  static double Init() { return 1; }
  static double Add(double a, double x) { return a * x; }
  static double Finish(double a, int64_t) { return a; }
  static double Partial(double x, double y, int64_t) { return y / x; }
};
struct MaxR {
  static double Init() { return -std::numeric_limits<double>::infinity(); }
  static double Add(double a, double x) { return x > a ? x : a; }
  static double Finish(double a, int64_t) { return a; }
  static double Partial(double x, double y, int64_t) { return x == y; }
};
struct MinR : MaxR {
  static double Init() { return std::numeric_limits<double>::infinity(); }
  static double Add(double a, double x) { return x < a ? x : a; }
};
struct NanSumR : SumR {
  static double Add(double a, double x) { return std::isnan(x) ? a : a + x; }
  static double Partial(double x, double, int64_t) { return !std::isnan(x); }
};
struct NanProdR : ProdR {
  static double Add(double a, double x) { return std::isnan(x) ? a : a * x; }
  static double Partial(double x, double y, int64_t) {
    return std::isnan(x) ? 0 : y / x;
  }
};
struct Norm1R : SumR {
  static double Add(double a, double x) { return a + std::fabs(x); }
  static double Partial(double x, double, int64_t) { return (x > 0) - (x < 0); }
};
struct Norm2R : SumR {
  static double Add(double a, double x) { return a + x * x; }
  static double Finish(double a, int64_t) { return std::sqrt(a); }
  static double Partial(double x, double y, int64_t) {
    return y > 0 ? x / y : 0;
  }
};

// The walk over the input: its extents, its own strides and the output's
// (0 on reduced axes).
struct ReduceWalk {
  std::vector<int64_t> dims, in, out;
  int64_t out_size = 1, count = 1;
};

ReduceWalk MakeWalk(const Shape& big, const Shape& small) {
  ReduceWalk w;
  w.dims = big.dims();
  w.in = RowMajorStrides(big);
  w.out = BroadcastStrides(small, big);
  w.out_size = std::max<int64_t>(1, small.Size());
  w.count = small.Size() ? big.Size() / small.Size() : 0;
  return w;
}

template <typename R, typename T>
void ReduceForward(const ReduceWalk& w, const T* x, T* y, OpReq req) {
  std::vector<double> acc(static_cast<size_t>(w.out_size), R::Init());
  ForEachStrided<1>(w.dims, {w.out.data()},
                    [&](int64_t i, const std::array<int64_t, 1>& o) {
                      acc[o[0]] = R::Add(acc[o[0]], x[i]);
                    });
  StoreEach(req, y, w.out_size, [&](int64_t i) {
    return static_cast<T>(R::Finish(acc[i], w.count));
  });
}

template <typename R, typename T>
void ReduceBackward(const ReduceWalk& w, const T* g, const T* x, const T* y,
                    T* dx, OpReq req) {
  if (req == OpReq::kNull) return;
  ForEachStrided<1>(
      w.dims, {w.out.data()}, [&](int64_t i, const std::array<int64_t, 1>& o) {
        const double d =
            g[o[0]] * R::Partial(x ? x[i] : 0, y ? y[o[0]] : 0, w.count);
        if (req == OpReq::kAdd) {
          dx[i] += static_cast<T>(d);
        } else {
          dx[i] = static_cast<T>(d);
        }
      });
}

template <typename T>
struct ReduceLoops {
  void (*forward)(const ReduceWalk&, const T*, T*, OpReq);
  void (*backward)(const ReduceWalk&, const T*, const T*, const T*, T*, OpReq);
};

template <typename R, typename T>
ReduceLoops<T> LoopsOf() {
  return {&ReduceForward<R, T>, &ReduceBackward<R, T>};
}

struct ReduceOp {
  const char* name;
  std::vector<const char*> aliases;
  const char* doc;
  bool reads_values;  // backward reads the input and the output
  ReduceLoops<float> f32;
  ReduceLoops<double> f64;
};

template <typename R>
ReduceOp Row(const char* name, std::vector<const char*> aliases,
             const char* doc, bool reads_values) {
  return {name,         std::move(aliases),  doc,
          reads_values, LoopsOf<R, float>(), LoopsOf<R, double>()};
}

const std::vector<ReduceOp>& ReduceOps() {
  static const std::vector<ReduceOp> ops = {
      Row<SumR>("sum", {"sum_axis"}, "The sum over the axes.", false),
      Row<MeanR>("mean", {}, "The mean over the axes.", false),
      Row<ProdR>("prod", {}, "The product over the axes.", true),
      Row<MaxR>("max", {"max_axis"},
                "The maximum over the axes; every element equal to it gets "
                "the gradient.",
                true),
      Row<MinR>("min", {"min_axis"},
                "The minimum over the axes; every element equal to it gets "
                "the gradient.",
                true),
      Row<NanSumR>("nansum", {}, "The sum over the axes, NaN counted as 0.",
                   true),
      Row<NanProdR>("nanprod", {},
                    "The product over the axes, NaN counted as 1.", true),
  };
  return ops;
}

template <typename T>
const ReduceLoops<T>& Pick(const ReduceOp& op) {
  if constexpr (std::is_same_v<T, float>) {
    return op.f32;
  } else {
    return op.f64;
  }
}

template <typename T>
ReduceLoops<T> LoopsNamed(const std::string& name, int64_t ord) {
  if (name == "norm") {
    return ord == 1 ? LoopsOf<Norm1R, T>() : LoopsOf<Norm2R, T>();
  }
  for (const ReduceOp& op : ReduceOps()) {
    if (name == op.name) return Pick<T>(op);
  }
  MX_INTERNAL_CHECK(false, "no reduction ", name);
  return {};
}

template <typename T>
class ReduceKernel : public OpKernel {
 public:
  explicit ReduceKernel(const KernelSetup& s) {
    const ReduceParam p = ParamsOf(*s.attrs);
    std::string problem;
    const Shape& in = s.in_shapes[0];
    const std::vector<bool> r = ReducedAxes(p, in.ndim(), &problem);
    walk_ = MakeWalk(in, KeptShape(in, r).ToShape());
    loops_ = LoopsNamed<T>(s.attrs->op->name(), p.ord);
  }
  void Forward(const KernelContext&, const ForwardArgs& a) override {
    loops_.forward(walk_, a.inputs[0].ptr<T>(), a.outputs[0].ptr<T>(),
                   a.req[0]);
  }
  void Backward(const KernelContext&, const BackwardArgs& a) override {
    loops_.backward(walk_, a.out_grads[0].ptr<T>(),
                    a.inputs[0].ptr_or_null<T>(), a.outputs[0].ptr_or_null<T>(),
                    a.in_grads[0].ptr<T>(), a.req[0]);
  }

 private:
  ReduceWalk walk_;
  ReduceLoops<T> loops_;
};

void RegisterReduceKernel(const char* name) {
  KernelRegistry::Global()
      .Register(name, DeviceType::kCPU, KernelVariant::kReference)
      .Types({DType::kFloat32, DType::kFloat64})
      .Factory(TypedFactory<ReduceKernel>());
}

BackwardDeps ReadsValues() { return BackwardDeps{{0}, {0}, {0}}; }

[[maybe_unused]] const bool kReductionsRegistered = [] {
  for (const ReduceOp& r : ReduceOps()) {
    OpDef& op = OpRegistry::Global().Register(r.name);
    for (const char* alias : r.aliases) op.Alias(alias);
    const BackwardDeps deps =
        r.reads_values ? ReadsValues() : BackwardDeps{{0}, {}, {}};
    op.Describe(r.doc)
        .Params<ReduceParam>()
        .Inputs({"data"})
        .InferShape(InferReduceShape)
        .Backward([deps](const NodeAttrs&) { return deps; });
    RegisterReduceKernel(r.name);
  }
  OpRegistry::Global()
      .Register("norm")
      .Describe(
          "The 1-norm (ord=1) or 2-norm (ord=2) over the axes, of the "
          "flattened array when axis is None.")
      .Params<NormParam>()
      .Inputs({"data"})
      .InferShape(InferReduceShape)
      .Backward([](const NodeAttrs&) { return ReadsValues(); });
  RegisterReduceKernel("norm");
  return true;
}();

// ---- broadcast_to / broadcast_axis ----

struct BroadcastToParam {
  std::vector<int64_t> shape;

  static void Declare(ParamDeclarer<BroadcastToParam>* d) {
    d->Field("shape", &BroadcastToParam::shape)
        .Required()
        .Min(0)
        .Doc("The target shape; 0 keeps the input's extent.");
  }
};

struct BroadcastAxisParam {
  std::vector<int64_t> axis;
  std::vector<int64_t> size;

  static void Declare(ParamDeclarer<BroadcastAxisParam>* d) {
    d->Field("axis", &BroadcastAxisParam::axis)
        .Default({})
        .Doc("Axes (of extent 1) to stretch.");
    d->Field("size", &BroadcastAxisParam::size)
        .Default({})
        .Min(1)
        .Doc("The extent each of them gets.");
    d->Check([](const BroadcastAxisParam& p) -> std::string {
      if (p.axis.size() != p.size.size()) {
        return "axis and size must have the same length";
      }
      return "";
    });
  }
};

void InferBroadcastToShape(InferShapeContext* ctx) {
  const PartialShape& in = ctx->in(0);
  if (!in.rank_known()) return;
  std::vector<int64_t> dims;
  if (ctx->attrs().op->name() == "broadcast_to") {
    dims = ctx->params<BroadcastToParam>().shape;
    if (static_cast<int>(dims.size()) != in.ndim()) {
      ctx->Fail(StrCat("shape ", PythonTuple(dims), " has ", dims.size(),
                       " axes; expected ", in.ndim(), " as data"));
    }
    for (int i = 0; i < in.ndim(); ++i) {
      if (dims[i] == 0) dims[i] = in[i];
      if (in[i] >= 0 && in[i] != 1 && in[i] != dims[i]) {
        ctx->Fail(StrCat("axis ", i, " of extent ", in[i],
                         " cannot be broadcast to ", dims[i],
                         "; expected extent 1 or ", dims[i]));
      }
    }
  } else {
    const BroadcastAxisParam& p = ctx->params<BroadcastAxisParam>();
    dims = in.dims();
    for (size_t k = 0; k < p.axis.size(); ++k) {
      const int64_t a = p.axis[k];
      const std::string problem = AxisProblem(a, in.ndim());
      if (!problem.empty()) ctx->Fail(problem);
      const int i = static_cast<int>(a < 0 ? a + in.ndim() : a);
      if (in[i] >= 0 && in[i] != 1) {
        ctx->Fail(StrCat("axis ", a, " has extent ", in[i],
                         "; expected 1 to broadcast it"));
      }
      dims[i] = p.size[k];
    }
  }
  ctx->AssignOut(0, PartialShape(dims));
}

// Forward copies the small input over the big output; backward sums the big
// gradient back: a sum reduction's walk with the roles of the arrays swapped.
template <typename T>
class BroadcastToKernel : public OpKernel {
 public:
  explicit BroadcastToKernel(const KernelSetup& s)
      : walk_(MakeWalk(s.out_shapes[0], s.in_shapes[0])) {}

  void Forward(const KernelContext&, const ForwardArgs& a) override {
    GatherStrided(walk_.dims, walk_.out, a.inputs[0].ptr<T>(),
                  a.outputs[0].ptr<T>(), a.req[0]);
  }
  void Backward(const KernelContext&, const BackwardArgs& a) override {
    ReduceForward<SumR, T>(walk_, a.out_grads[0].ptr<T>(),
                           a.in_grads[0].ptr<T>(), a.req[0]);
  }

 private:
  ReduceWalk walk_;
};

[[maybe_unused]] const bool kBroadcastRegistered = [] {
  OpRegistry::Global()
      .Register("broadcast_to")
      .Describe(
          "Stretches axes of extent 1 to `shape` (0 keeps an extent); the "
          "gradient is summed back.")
      .Params<BroadcastToParam>()
      .Inputs({"data"})
      .InferShape(InferBroadcastToShape)
      .Backward([](const NodeAttrs&) {
        return BackwardDeps{{0}, {}, {}};
      });
  OpRegistry::Global()
      .Register("broadcast_axis")
      .Alias("broadcast_axes")
      .Describe(
          "Stretches the axes `axis` (of extent 1) to the extents `size`; "
          "the gradient is summed back.")
      .Params<BroadcastAxisParam>()
      .Inputs({"data"})
      .InferShape(InferBroadcastToShape)
      .Backward([](const NodeAttrs&) {
        return BackwardDeps{{0}, {}, {}};
      });
  for (const char* name : {"broadcast_to", "broadcast_axis"}) {
    KernelRegistry::Global()
        .Register(name, DeviceType::kCPU, KernelVariant::kReference)
        .Types({DType::kFloat32, DType::kFloat64})
        .Factory(TypedFactory<BroadcastToKernel>());
  }
  return true;
}();

}  // namespace
}  // namespace ops
}  // namespace mx
