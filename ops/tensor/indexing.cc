// Ops that pick elements by index or by value: one_hot, argmax / argmin /
// argmax_channel, topk, take, pick and where (MXNet's names and
// parameters). Indices are carried in the data's element type, as MXNet.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <optional>
#include <string>
#include <vector>

#include "core/base/strings.h"
#include "core/op/kernel.h"
#include "core/op/op.h"
#include "core/op/param.h"
#include "ops/common/kernel_util.h"

namespace mx {
namespace ops {
namespace {

// Index `v` into [0, n): "clip" clamps, "wrap" wraps; "raise" reports
// out-of-range values (returns -1).
int64_t ResolveIndex(double v, int64_t n, const std::string& mode) {
  const int64_t i = static_cast<int64_t>(std::floor(v));
  if (mode == "wrap") return ((i % n) + n) % n;
  if (mode == "clip") return std::min(std::max<int64_t>(i, 0), n - 1);
  return i >= 0 && i < n ? i : -1;
}

// ---- one_hot ----

struct OneHotParam {
  int64_t depth = 0;
  double on_value = 1, off_value = 0;
  std::string dtype = "float32";

  static void Declare(ParamDeclarer<OneHotParam>* d) {
    d->Field("depth", &OneHotParam::depth)
        .Required()
        .Range(1, int64_t{1} << 31)
        .Doc("The number of classes (the new last axis).");
    d->Field("on_value", &OneHotParam::on_value)
        .Default(1.0)
        .Doc("The value at the index.");
    d->Field("off_value", &OneHotParam::off_value)
        .Default(0.0)
        .Doc("The value elsewhere.");
    d->Field("dtype", &OneHotParam::dtype)
        .Default("float32")
        .Enum({"float32", "float64"})
        .Doc("The output's element type.");
  }
};

void InferOneHotShape(InferShapeContext* ctx) {
  const PartialShape& in = ctx->in(0);
  if (!in.rank_known()) return;
  std::vector<int64_t> dims = in.dims();
  dims.push_back(ctx->params<OneHotParam>().depth);
  ctx->AssignOut(0, PartialShape(dims));
}

void InferOneHotType(InferTypeContext* ctx) {
  const std::string& t = ctx->attrs().params<OneHotParam>().dtype;
  ctx->AssignOut(
      0, static_cast<int>(t == "float64" ? DType::kFloat64 : DType::kFloat32));
}

// Rows of `depth` values; indices out of [0, depth) give a row of
// off_value (as MXNet).
template <typename T>
class OneHotKernel : public OpKernel {
 public:
  explicit OneHotKernel(const KernelSetup& s) : p_(s.params<OneHotParam>()) {}

  void Forward(const KernelContext&, const ForwardArgs& a) override {
    const int64_t n = a.inputs[0].Size(), depth = p_.depth;
    std::vector<double> idx(static_cast<size_t>(n));
    MX_ARITH_DTYPE_SWITCH(a.inputs[0].dtype, "one_hot", I, {
      const I* x = a.inputs[0].ptr<I>();
      for (int64_t i = 0; i < n; ++i) idx[i] = static_cast<double>(x[i]);
    });
    T* y = a.outputs[0].ptr<T>();
    const T on = static_cast<T>(p_.on_value),
            off = static_cast<T>(p_.off_value);
    StoreEach(a.req[0], y, n * depth, [&](int64_t e) {
      const double v = idx[e / depth];
      return v >= 0 && static_cast<int64_t>(v) == e % depth ? on : off;
    });
  }

 private:
  OneHotParam p_;
};

MX_REGISTER_OP(one_hot)
    .Describe(
        "out[..., j] = on_value where j == indices[...], else off_value; a "
        "new last axis of extent depth.")
    .Params<OneHotParam>()
    .Inputs({"indices"})
    .InferShape(InferOneHotShape)
    .InferType(InferOneHotType)
    .NoGradient({"indices"});

// ---- argmax, argmin, argmax_channel ----

struct ArgParam {
  std::optional<int64_t> axis;
  bool keepdims = false;

  static void Declare(ParamDeclarer<ArgParam>* d) {
    d->Field("axis", &ArgParam::axis)
        .Default(std::nullopt)
        .Doc(
            "The axis searched (negative from the end); None for the "
            "flattened array.");
    d->Field("keepdims", &ArgParam::keepdims)
        .Default(false)
        .Doc("Keep the searched axis with extent 1.");
  }
};

std::optional<int64_t> ArgAxis(const NodeAttrs& attrs) {
  if (attrs.op->name() == "argmax_channel") return -1;
  return attrs.params<ArgParam>().axis;
}

void InferArgShape(InferShapeContext* ctx) {
  const PartialShape& in = ctx->in(0);
  if (!in.rank_known()) return;
  const std::optional<int64_t> axis = ArgAxis(ctx->attrs());
  const bool keep = ctx->attrs().op->name() != "argmax_channel" &&
                    ctx->params<ArgParam>().keepdims;
  if (!axis) {
    return ctx->AssignOut(
        0, keep ? PartialShape(std::vector<int64_t>(in.ndim(), 1))
                : PartialShape{1});
  }
  const std::string problem = AxisProblem(*axis, in.ndim());
  if (!problem.empty()) ctx->Fail(problem);
  std::vector<int64_t> dims = in.dims();
  const int a = PositiveAxis(*axis, in.ndim());
  if (keep) {
    dims[a] = 1;
  } else {
    dims.erase(dims.begin() + a);
    if (dims.empty()) dims.push_back(1);
  }
  ctx->AssignOut(0, PartialShape(dims));
}

template <typename T>
class ArgKernel : public OpKernel {
 public:
  explicit ArgKernel(const KernelSetup& s)
      : min_(s.attrs->op->name() == "argmin") {
    const std::optional<int64_t> axis = ArgAxis(*s.attrs);
    const Shape& in = s.in_shapes[0];
    split_ = axis ? SplitAt(in, PositiveAxis(*axis, in.ndim()))
                  : AxisSplit{1, in.Size(), 1};
  }

  void Forward(const KernelContext&, const ForwardArgs& a) override {
    const T* x = a.inputs[0].ptr<T>();
    T* y = a.outputs[0].ptr<T>();
    const AxisSplit& s = split_;
    for (int64_t o = 0; o < s.outer; ++o) {
      for (int64_t i = 0; i < s.inner; ++i) {
        const T* row = x + o * s.extent * s.inner + i;
        int64_t best = 0;
        for (int64_t j = 1; j < s.extent; ++j) {
          const T v = row[j * s.inner], b = row[best * s.inner];
          if (min_ ? v < b : v > b) best = j;
        }
        const T v = static_cast<T>(best);
        StoreEach(a.req[0], y + o * s.inner + i, 1, [v](int64_t) { return v; });
      }
    }
  }

 private:
  bool min_;
  AxisSplit split_;
};

[[maybe_unused]] const bool kArgRegistered = [] {
  for (const char* name : {"argmax", "argmin"}) {
    const bool max = std::string(name) == "argmax";
    OpRegistry::Global()
        .Register(name)
        .Describe(StrCat("The index of the ", max ? "greatest" : "smallest",
                         " value along `axis` (the first on ties), as a "
                         "number; no gradient."))
        .Params<ArgParam>()
        .Inputs({"data"})
        .InferShape(InferArgShape)
        .NoGradient({"data"});
  }
  OpRegistry::Global()
      .Register("argmax_channel")
      .Describe(
          "The index of the greatest value along the last axis (the class "
          "of each row of scores); no gradient.")
      .Inputs({"data"})
      .InferShape(InferArgShape)
      .NoGradient({"data"});
  return true;
}();

// ---- topk ----

struct TopKParam {
  int64_t axis = -1;
  int64_t k = 1;
  std::string ret_typ = "indices";
  bool is_ascend = false;

  static void Declare(ParamDeclarer<TopKParam>* d) {
    d->Field("axis", &TopKParam::axis)
        .Default(-1)
        .Doc("The axis searched (negative from the end).");
    d->Field("k", &TopKParam::k).Default(1).Min(1).Doc("How many to keep.");
    d->Field("ret_typ", &TopKParam::ret_typ)
        .Default("indices")
        .Enum({"value", "indices", "mask", "both"})
        .Doc(
            "value: the k values; indices: their indices; mask: 1 at "
            "them, 0 elsewhere, data-shaped; both: values then indices.");
    d->Field("is_ascend", &TopKParam::is_ascend)
        .Default(false)
        .Doc("The k smallest instead of the k largest.");
  }
};

void InferTopKShape(InferShapeContext* ctx) {
  const PartialShape& in = ctx->in(0);
  if (!in.rank_known()) return;
  const TopKParam& p = ctx->params<TopKParam>();
  const std::string problem = AxisProblem(p.axis, in.ndim());
  if (!problem.empty()) ctx->Fail(problem);
  const int a = PositiveAxis(p.axis, in.ndim());
  if (in[a] >= 0 && p.k > in[a]) {
    ctx->Fail(StrCat("k = ", p.k, " exceeds the extent ", in[a], " of axis ",
                     p.axis));
  }
  if (p.ret_typ == "mask") return ctx->AssignOut(0, in);
  PartialShape out = in;
  out.set(a, p.k);
  for (int o = 0; o < ctx->num_outputs(); ++o) ctx->AssignOut(o, out);
}

// The k chosen positions of each row, best first (stable: earlier indices
// first among equals).
template <typename T>
std::vector<int64_t> TopPositions(const T* row, int64_t stride, int64_t n,
                                  int64_t k, bool ascend) {
  std::vector<int64_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int64_t x, int64_t y) {
    return ascend ? row[x * stride] < row[y * stride]
                  : row[x * stride] > row[y * stride];
  });
  order.resize(static_cast<size_t>(k));
  return order;
}

template <typename T>
class TopKKernel : public OpKernel {
 public:
  explicit TopKKernel(const KernelSetup& s)
      : p_(s.params<TopKParam>()),
        split_(SplitAt(s.in_shapes[0],
                       PositiveAxis(p_.axis, s.in_shapes[0].ndim()))) {}

  void Forward(const KernelContext&, const ForwardArgs& a) override {
    const T* x = a.inputs[0].ptr<T>();
    const AxisSplit& s = split_;
    const bool mask = p_.ret_typ == "mask";
    T* first = a.outputs[0].ptr<T>();
    if (mask && a.req[0] != OpReq::kAdd) {
      std::fill(first, first + a.outputs[0].Size(), T(0));
    }
    ForEachRow([&](int64_t in_base, int64_t out_base) {
      const std::vector<int64_t> top =
          TopPositions(x + in_base, s.inner, s.extent, p_.k, p_.is_ascend);
      for (int64_t j = 0; j < p_.k; ++j) {
        const int64_t src = in_base + top[j] * s.inner;
        const int64_t dst = out_base + j * s.inner;
        if (mask) {
          first[src] += T(1);
        } else if (p_.ret_typ == "indices") {
          Store(a.req[0], first + dst, static_cast<T>(top[j]));
        } else {
          Store(a.req[0], first + dst, x[src]);
          if (p_.ret_typ == "both") {
            Store(a.req[1], a.outputs[1].ptr<T>() + dst,
                  static_cast<T>(top[j]));
          }
        }
      }
    });
  }

  // Only the values carry a gradient, back to where they came from.
  void Backward(const KernelContext&, const BackwardArgs& a) override {
    T* dx = a.in_grads[0].ptr<T>();
    if (a.req[0] != OpReq::kAdd) {
      std::fill(dx, dx + a.in_grads[0].Size(), T(0));
    }
    if (p_.ret_typ != "value" && p_.ret_typ != "both") return;
    const T* x = a.inputs[0].ptr<T>();
    const T* g = a.out_grads[0].ptr<T>();
    const AxisSplit& s = split_;
    ForEachRow([&](int64_t in_base, int64_t out_base) {
      const std::vector<int64_t> top =
          TopPositions(x + in_base, s.inner, s.extent, p_.k, p_.is_ascend);
      for (int64_t j = 0; j < p_.k; ++j) {
        dx[in_base + top[j] * s.inner] += g[out_base + j * s.inner];
      }
    });
  }

 private:
  static void Store(OpReq req, T* out, T v) {
    StoreEach(req, out, 1, [v](int64_t) { return v; });
  }
  // f(offset of a row's first input element, of its first output element).
  template <typename F>
  void ForEachRow(F f) const {
    const AxisSplit& s = split_;
    const int64_t out_extent = p_.ret_typ == "mask" ? s.extent : p_.k;
    for (int64_t o = 0; o < s.outer; ++o) {
      for (int64_t i = 0; i < s.inner; ++i) {
        f(o * s.extent * s.inner + i, o * out_extent * s.inner + i);
      }
    }
  }

  TopKParam p_;
  AxisSplit split_;
};

MX_REGISTER_OP(topk)
    .Describe(
        "The k largest (or smallest) elements along `axis`: their values, "
        "indices, a mask, or values and indices; only values pass a "
        "gradient.")
    .Params<TopKParam>()
    .Inputs({"data"})
    .Outputs([](const NodeAttrs& a) {
      return a.params<TopKParam>().ret_typ == "both"
                 ? std::vector<std::string>{"value", "indices"}
                 : std::vector<std::string>{"output"};
    })
    .InferShape(InferTopKShape)
    .Backward([](const NodeAttrs&) {
      return BackwardDeps{{0}, {0}, {}};
    });

// ---- take and pick ----

struct TakeParam {
  int64_t axis = 0;
  std::string mode = "clip";

  static void Declare(ParamDeclarer<TakeParam>* d) {
    d->Field("axis", &TakeParam::axis)
        .Default(0)
        .Doc("The axis indexed (negative from the end).");
    d->Field("mode", &TakeParam::mode)
        .Default("clip")
        .Enum({"clip", "wrap", "raise"})
        .Doc("Out-of-range indices: clamped, wrapped, or an error.");
  }
};

struct PickParam {
  int64_t axis = -1;
  bool keepdims = false;
  std::string mode = "clip";

  static void Declare(ParamDeclarer<PickParam>* d) {
    d->Field("axis", &PickParam::axis)
        .Default(-1)
        .Doc("The axis indexed (negative from the end).");
    d->Field("keepdims", &PickParam::keepdims)
        .Default(false)
        .Doc("Keep the indexed axis with extent 1.");
    d->Field("mode", &PickParam::mode)
        .Default("clip")
        .Enum({"clip", "wrap"})
        .Doc("Out-of-range indices: clamped or wrapped.");
  }
};

void InferTakeShape(InferShapeContext* ctx) {
  const PartialShape& a = ctx->in(0);
  const PartialShape& idx = ctx->in(1);
  if (!a.rank_known() || !idx.rank_known()) return;
  const int64_t axis = ctx->params<TakeParam>().axis;
  const std::string problem = AxisProblem(axis, a.ndim());
  if (!problem.empty()) ctx->Fail(problem);
  const int k = PositiveAxis(axis, a.ndim());
  std::vector<int64_t> dims(a.dims().begin(), a.dims().begin() + k);
  dims.insert(dims.end(), idx.dims().begin(), idx.dims().end());
  dims.insert(dims.end(), a.dims().begin() + k + 1, a.dims().end());
  ctx->AssignOut(0, PartialShape(dims));
}

void InferPickShape(InferShapeContext* ctx) {
  const PartialShape& data = ctx->in(0);
  if (!data.rank_known()) return;
  const PickParam& p = ctx->params<PickParam>();
  const std::string problem = AxisProblem(p.axis, data.ndim());
  if (!problem.empty()) ctx->Fail(problem);
  const int k = PositiveAxis(p.axis, data.ndim());
  std::vector<int64_t> dims = data.dims();
  if (p.keepdims) {
    dims[k] = 1;
  } else {
    dims.erase(dims.begin() + k);
    if (dims.empty()) dims.push_back(1);
  }
  ctx->AssignIn(1, PartialShape(dims));
  ctx->AssignOut(0, PartialShape(dims));
}

// take: out[o, m, i] = a[o, idx[m], i]; pick: out[o, i] = a[o, idx[o, i],
// i]. Both gather rows of `inner` elements; the gradient scatters them back.
template <typename T>
class GatherKernel : public OpKernel {
 public:
  explicit GatherKernel(const KernelSetup& s) : where_(s.attrs->Where()) {
    const Shape& data = s.in_shapes[0];
    pick_ = s.attrs->op->name() == "pick";
    const int64_t axis =
        pick_ ? s.params<PickParam>().axis : s.params<TakeParam>().axis;
    mode_ = pick_ ? s.params<PickParam>().mode : s.params<TakeParam>().mode;
    split_ = SplitAt(data, PositiveAxis(axis, data.ndim()));
    num_indices_ = s.in_shapes[1].Size();
  }

  void Forward(const KernelContext&, const ForwardArgs& a) override {
    const T* x = a.inputs[0].ptr<T>();
    T* y = a.outputs[0].ptr<T>();
    ForEachCopy(a.inputs[1], [&](int64_t src, int64_t dst) {
      StoreEach(a.req[0], y + dst, 1, [&](int64_t) { return x[src]; });
    });
  }

  void Backward(const KernelContext&, const BackwardArgs& a) override {
    T* dx = a.in_grads[0].ptr<T>();
    const T* g = a.out_grads[0].ptr<T>();
    if (a.req[0] != OpReq::kAdd) {
      std::fill(dx, dx + a.in_grads[0].Size(), T(0));
    }
    ForEachCopy(a.inputs[1],
                [&](int64_t src, int64_t dst) { dx[src] += g[dst]; });
  }

 private:
  // f(data offset, output offset) for every element copied.
  template <typename F>
  void ForEachCopy(const TensorView& indices, F f) const {
    const T* idx = indices.ptr<T>();
    const AxisSplit& s = split_;
    const auto resolve = [&](double v) {
      const int64_t j = ResolveIndex(v, s.extent, mode_);
      MX_CHECK(j >= 0, where_, ": index ", v,
               " is out of range; expected 0 <= "
               "index < ",
               s.extent, " (mode 'raise')");
      return j;
    };
    if (pick_) {
      for (int64_t o = 0; o < s.outer; ++o) {
        for (int64_t i = 0; i < s.inner; ++i) {
          const int64_t j = resolve(idx[o * s.inner + i]);
          f((o * s.extent + j) * s.inner + i, o * s.inner + i);
        }
      }
      return;
    }
    for (int64_t o = 0; o < s.outer; ++o) {
      for (int64_t m = 0; m < num_indices_; ++m) {
        const int64_t j = resolve(idx[m]);
        for (int64_t i = 0; i < s.inner; ++i) {
          f((o * s.extent + j) * s.inner + i,
            (o * num_indices_ + m) * s.inner + i);
        }
      }
    }
  }

  std::string where_;
  bool pick_ = false;
  std::string mode_;
  AxisSplit split_;
  int64_t num_indices_ = 0;
};

MX_REGISTER_OP(take)
    .Describe(
        "Rows of a along `axis` at `indices`: out has a's axes before it, "
        "then the indices' axes, then a's axes after it.")
    .Params<TakeParam>()
    .Inputs({"a", "indices"})
    .InferShape(InferTakeShape)
    .NoGradient({"indices"})
    .Backward([](const NodeAttrs&) {
      return BackwardDeps{{0}, {1}, {}};
    });

MX_REGISTER_OP(pick)
    .Describe(
        "out[..] = data[.., index[..], ..]: one element along `axis` per "
        "position of the other axes (e.g. each row's score of its label).")
    .Params<PickParam>()
    .Inputs({"data", "index"})
    .InferShape(InferPickShape)
    .NoGradient({"index"})
    .Backward([](const NodeAttrs&) {
      return BackwardDeps{{0}, {1}, {}};
    });

// ---- where ----

void InferWhereShape(InferShapeContext* ctx) {
  PartialShape s = ctx->in(1);
  if (!s.Merge(ctx->in(2)) || !s.Merge(ctx->out(0))) {
    ctx->Fail("x and y must have one shape");
  }
  ctx->AssignIn(1, s);
  ctx->AssignIn(2, s);
  ctx->AssignOut(0, s);
  const PartialShape& c = ctx->in(0);
  if (!c.rank_known() || !s.rank_known()) return;
  const bool rows =
      c.ndim() == 1 && s.ndim() > 1 && (c[0] < 0 || s[0] < 0 || c[0] == s[0]);
  PartialShape same = c;
  if (!rows && !same.Merge(s)) {
    ctx->Fail(StrCat("condition ", c.ToString(), " must have x's shape ",
                     s.ToString(), " or be 1-d with its first extent"));
  }
}

// out = condition != 0 ? x : y (a 1-d condition picks whole rows).
template <typename T>
class WhereKernel : public OpKernel {
 public:
  explicit WhereKernel(const KernelSetup& s)
      : row_(s.in_shapes[0].ndim() == 1 && s.in_shapes[1].ndim() > 1
                 ? s.in_shapes[1].Size() /
                       std::max<int64_t>(1, s.in_shapes[1][0])
                 : 1) {}

  void Forward(const KernelContext&, const ForwardArgs& a) override {
    const T* c = a.inputs[0].ptr<T>();
    const T* x = a.inputs[1].ptr<T>();
    const T* y = a.inputs[2].ptr<T>();
    const int64_t row = row_;
    StoreEach(a.req[0], a.outputs[0].ptr<T>(), a.outputs[0].Size(),
              [=](int64_t i) { return c[i / row] != T(0) ? x[i] : y[i]; });
  }
  void Backward(const KernelContext&, const BackwardArgs& a) override {
    const T* c = a.inputs[0].ptr<T>();
    const T* g = a.out_grads[0].ptr<T>();
    const int64_t row = row_, n = a.out_grads[0].Size();
    StoreEach(a.req[1], a.in_grads[1].ptr_or_null<T>(), n,
              [=](int64_t i) { return c[i / row] != T(0) ? g[i] : T(0); });
    StoreEach(a.req[2], a.in_grads[2].ptr_or_null<T>(), n,
              [=](int64_t i) { return c[i / row] != T(0) ? T(0) : g[i]; });
  }

 private:
  int64_t row_;
};

MX_REGISTER_OP(where)
    .Describe(
        "out = x where condition is nonzero, else y; a 1-d condition "
        "chooses whole rows.")
    .Inputs({"condition", "x", "y"})
    .InferShape(InferWhereShape)
    .NoGradient({"condition"})
    .Backward([](const NodeAttrs&) {
      return BackwardDeps{{0}, {0}, {}};
    });

[[maybe_unused]] const bool kKernelsRegistered = [] {
  const auto reg = [](const char* op, KernelFactory f) {
    KernelRegistry::Global()
        .Register(op, DeviceType::kCPU, KernelVariant::kReference)
        .Types({DType::kFloat32, DType::kFloat64})
        .Factory(std::move(f));
  };
  reg("one_hot", TypedFactory<OneHotKernel>());
  reg("argmax", TypedFactory<ArgKernel>());
  reg("argmin", TypedFactory<ArgKernel>());
  reg("argmax_channel", TypedFactory<ArgKernel>());
  reg("topk", TypedFactory<TopKKernel>());
  reg("take", TypedFactory<GatherKernel>());
  reg("pick", TypedFactory<GatherKernel>());
  reg("where", TypedFactory<WhereKernel>());
  return true;
}();

}  // namespace
}  // namespace ops
}  // namespace mx
