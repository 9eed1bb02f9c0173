// Ops that move, add, remove, reverse or cut axes: transpose, SwapAxis,
// expand_dims, squeeze, reverse (flip), slice (crop), _slice_assign,
// slice_axis and Crop (MXNet's names and parameters).
#include "ops/tensor/axes.h"

#include <algorithm>
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

// ---- transpose and SwapAxis: a permutation of the axes ----

struct TransposeParam {
  std::vector<int64_t> axes;

  static void Declare(ParamDeclarer<TransposeParam>* d) {
    d->Field("axes", &TransposeParam::axes)
        .Default({})
        .Doc(
            "The permutation: output axis i is input axis axes[i]; () "
            "reverses the axes.");
  }
};

struct SwapAxisParam {
  int64_t dim1 = 0, dim2 = 0;

  static void Declare(ParamDeclarer<SwapAxisParam>* d) {
    d->Field("dim1", &SwapAxisParam::dim1).Default(0).Doc("The first axis.");
    d->Field("dim2", &SwapAxisParam::dim2).Default(0).Doc("The second axis.");
  }
};

}  // namespace

std::vector<int> TransposePermutation(const NodeAttrs& attrs, int ndim,
                                      std::string* problem) {
  std::vector<int> perm(ndim);
  for (int i = 0; i < ndim; ++i) perm[i] = i;
  if (attrs.op->name() == "SwapAxis") {
    const SwapAxisParam& p = attrs.params<SwapAxisParam>();
    for (int64_t a : {p.dim1, p.dim2}) {
      *problem = AxisProblem(a, ndim, "dim");
      if (!problem->empty()) return {};
    }
    std::swap(perm[PositiveAxis(p.dim1, ndim)],
              perm[PositiveAxis(p.dim2, ndim)]);
    return perm;
  }
  const std::vector<int64_t>& axes = attrs.params<TransposeParam>().axes;
  if (axes.empty()) {
    std::reverse(perm.begin(), perm.end());
    return perm;
  }
  if (static_cast<int>(axes.size()) != ndim) {
    *problem =
        StrCat("axes ", PythonTuple(axes), " has ", axes.size(),
               " entries; expected one per axis of the ", ndim, "-d data");
    return {};
  }
  std::vector<bool> seen(ndim, false);
  for (int i = 0; i < ndim; ++i) {
    *problem = AxisProblem(axes[i], ndim);
    if (!problem->empty()) return {};
    perm[i] = PositiveAxis(axes[i], ndim);
    if (seen[perm[i]]) {
      *problem = StrCat("axes ", PythonTuple(axes),
                        " is not a permutation: axis ", perm[i], " twice");
      return {};
    }
    seen[perm[i]] = true;
  }
  return perm;
}

namespace {

void InferTransposeShape(InferShapeContext* ctx) {
  const PartialShape& in = ctx->in(0);
  if (!in.rank_known()) return;
  std::string problem;
  const std::vector<int> perm =
      TransposePermutation(ctx->attrs(), in.ndim(), &problem);
  if (!problem.empty()) ctx->Fail(problem);
  std::vector<int64_t> dims(in.ndim());
  for (int i = 0; i < in.ndim(); ++i) dims[i] = in[perm[i]];
  ctx->AssignOut(0, PartialShape(dims));
}

// out[i] = in[perm applied]; the gradient goes back by the same walk.
template <typename T>
class TransposeKernel : public OpKernel {
 public:
  explicit TransposeKernel(const KernelSetup& s) {
    std::string problem;
    const Shape& in = s.in_shapes[0];
    const std::vector<int> perm =
        TransposePermutation(*s.attrs, in.ndim(), &problem);
    const std::vector<int64_t> strides = RowMajorStrides(in);
    dims_ = s.out_shapes[0].dims();
    for (int p : perm) in_strides_.push_back(strides[p]);
  }
  void Forward(const KernelContext&, const ForwardArgs& a) override {
    GatherStrided(dims_, in_strides_, a.inputs[0].ptr<T>(),
                  a.outputs[0].ptr<T>(), a.req[0]);
  }
  // A permutation reads every element once: the gradient is scattered back.
  void Backward(const KernelContext&, const BackwardArgs& a) override {
    ScatterAddStrided(dims_, in_strides_, a.out_grads[0].ptr<T>(),
                      a.in_grads[0].ptr<T>(), a.in_grads[0].Size(), a.req[0]);
  }

 private:
  std::vector<int64_t> dims_, in_strides_;
};

BackwardDeps GradientOnly(const NodeAttrs&) { return {{0}, {}, {}}; }

MX_REGISTER_OP(transpose)
    .Describe(
        "Permutes the axes: output axis i is input axis axes[i]; () "
        "reverses them.")
    .Params<TransposeParam>()
    .Inputs({"data"})
    .InferShape(InferTransposeShape)
    .Backward(GradientOnly);

MX_REGISTER_OP(SwapAxis)
    .Alias("swapaxes")
    .Describe("Swaps axes dim1 and dim2.")
    .Params<SwapAxisParam>()
    .Inputs({"data"})
    .InferShape(InferTransposeShape)
    .Backward(GradientOnly);

MX_REGISTER_KERNEL(transpose, kCPU, kReference)
    .Types({DType::kFloat32, DType::kFloat64})
    .Factory(TypedFactory<TransposeKernel>());
MX_REGISTER_KERNEL(SwapAxis, kCPU, kReference)
    .Types({DType::kFloat32, DType::kFloat64})
    .Factory(TypedFactory<TransposeKernel>());

// ---- expand_dims and squeeze: the same memory, another shape ----

struct ExpandDimsParam {
  int64_t axis = 0;

  static void Declare(ParamDeclarer<ExpandDimsParam>* d) {
    d->Field("axis", &ExpandDimsParam::axis)
        .Required()
        .Doc(
            "Where the new axis goes, in the output (negative from the "
            "end).");
  }
};

struct SqueezeParam {
  std::optional<std::vector<int64_t>> axis;

  static void Declare(ParamDeclarer<SqueezeParam>* d) {
    d->Field("axis", &SqueezeParam::axis)
        .Default(std::nullopt)
        .Doc("Axes of extent 1 to remove; None removes every one.");
  }
};

void InferExpandDimsShape(InferShapeContext* ctx) {
  const PartialShape& in = ctx->in(0);
  if (!in.rank_known()) return;
  const int64_t axis = ctx->params<ExpandDimsParam>().axis;
  const std::string problem = AxisProblem(axis, in.ndim() + 1);
  if (!problem.empty()) ctx->Fail(problem);
  std::vector<int64_t> dims = in.dims();
  dims.insert(dims.begin() + PositiveAxis(axis, in.ndim() + 1), 1);
  ctx->AssignOut(0, PartialShape(dims));
}

void InferSqueezeShape(InferShapeContext* ctx) {
  const PartialShape& in = ctx->in(0);
  if (!in.rank_known()) return;
  const SqueezeParam& p = ctx->params<SqueezeParam>();
  std::vector<bool> drop(in.ndim(), false);
  if (!p.axis) {
    for (int i = 0; i < in.ndim(); ++i) {
      if (in[i] < 0) return;  // unknown: it may be 1
      drop[i] = in[i] == 1;
    }
  } else {
    for (int64_t a : *p.axis) {
      const std::string problem = AxisProblem(a, in.ndim());
      if (!problem.empty()) ctx->Fail(problem);
      const int i = PositiveAxis(a, in.ndim());
      if (in[i] >= 0 && in[i] != 1) {
        ctx->Fail(StrCat("axis ", a, " has extent ", in[i],
                         "; expected 1 to squeeze it"));
      }
      drop[i] = true;
    }
  }
  std::vector<int64_t> dims;
  for (int i = 0; i < in.ndim(); ++i) {
    if (!drop[i]) dims.push_back(in[i]);
  }
  if (dims.empty()) dims.push_back(1);
  ctx->AssignOut(0, PartialShape(dims));
}

MX_REGISTER_OP(expand_dims)
    .Describe("Inserts an axis of extent 1 at `axis`.")
    .Params<ExpandDimsParam>()
    .Inputs({"data"})
    .InferShape(InferExpandDimsShape)
    .Backward(GradientOnly)
    .InplaceForward({{0, 0}})
    .InplaceBackward({{0, 0}});

MX_REGISTER_OP(squeeze)
    .Describe(
        "Removes axes of extent 1 (those in `axis`, or all); a result with "
        "no axes has shape (1,).")
    .Params<SqueezeParam>()
    .Inputs({"data"})
    .InferShape(InferSqueezeShape)
    .Backward(GradientOnly)
    .InplaceForward({{0, 0}})
    .InplaceBackward({{0, 0}});

MX_REGISTER_KERNEL(expand_dims, kCPU, kReference)
    .Types({DType::kFloat32, DType::kFloat64})
    .Factory(TypedFactory<CopyKernel>());
MX_REGISTER_KERNEL(squeeze, kCPU, kReference)
    .Types({DType::kFloat32, DType::kFloat64})
    .Factory(TypedFactory<CopyKernel>());

// ---- reverse (flip): the order of some axes reversed ----

struct ReverseParam {
  std::vector<int64_t> axis;

  static void Declare(ParamDeclarer<ReverseParam>* d) {
    d->Field("axis", &ReverseParam::axis)
        .Required()
        .Doc("The axes to reverse (negative from the end).");
  }
};

// The axes of an ndim-array that `reverse` flips; "" in *problem or what
// is wrong.
std::vector<bool> ReversedAxes(const ReverseParam& p, int ndim,
                               std::string* problem) {
  std::vector<bool> flipped(ndim, false);
  for (int64_t a : p.axis) {
    *problem = AxisProblem(a, ndim);
    if (!problem->empty()) return {};
    const int i = PositiveAxis(a, ndim);
    if (flipped[i]) {
      *problem =
          StrCat("axis ", PythonTuple(p.axis), " names axis ", i, " twice");
      return {};
    }
    flipped[i] = true;
  }
  return flipped;
}

void InferReverseShape(InferShapeContext* ctx) {
  const PartialShape& in = ctx->in(0);
  if (in.rank_known()) {
    std::string problem;
    ReversedAxes(ctx->params<ReverseParam>(), in.ndim(), &problem);
    if (!problem.empty()) ctx->Fail(problem);
  }
  ctx->AssignOut(0, in);
}

// out = in read backwards along the flipped axes (negative strides from
// the last element of each); the gradient goes back by the same walk.
template <typename T>
class ReverseKernel : public OpKernel {
 public:
  explicit ReverseKernel(const KernelSetup& s) {
    const Shape& in = s.in_shapes[0];
    std::string problem;
    const std::vector<bool> flipped =
        ReversedAxes(s.params<ReverseParam>(), in.ndim(), &problem);
    dims_ = in.dims();
    strides_ = RowMajorStrides(in);
    for (int i = 0; i < in.ndim(); ++i) {
      if (!flipped[i] || in[i] == 0) continue;
      offset_ += (in[i] - 1) * strides_[i];
      strides_[i] = -strides_[i];
    }
  }
  void Forward(const KernelContext&, const ForwardArgs& a) override {
    GatherStrided(dims_, strides_, a.inputs[0].ptr<T>() + offset_,
                  a.outputs[0].ptr<T>(), a.req[0]);
  }
  void Backward(const KernelContext&, const BackwardArgs& a) override {
    T* dx = a.in_grads[0].ptr_or_null<T>();
    if (dx == nullptr) return;
    GatherStrided(dims_, strides_, a.out_grads[0].ptr<T>() + offset_, dx,
                  a.req[0]);
  }

 private:
  int64_t offset_ = 0;
  std::vector<int64_t> dims_, strides_;
};

MX_REGISTER_OP(reverse)
    .Alias("flip")
    .Describe("Reverses the order of the elements along the given axes.")
    .Params<ReverseParam>()
    .Inputs({"data"})
    .InferShape(InferReverseShape)
    .Backward(GradientOnly);

MX_REGISTER_KERNEL(reverse, kCPU, kReference)
    .Types({DType::kFloat32, DType::kFloat64})
    .Factory(TypedFactory<ReverseKernel>());

// ---- slice_axis and Crop: a window of the input ----

struct SliceAxisParam {
  int64_t axis = 0;
  int64_t begin = 0;
  std::optional<int64_t> end;

  static void Declare(ParamDeclarer<SliceAxisParam>* d) {
    d->Field("axis", &SliceAxisParam::axis)
        .Required()
        .Doc("The axis to slice (negative from the end).");
    d->Field("begin", &SliceAxisParam::begin)
        .Required()
        .Doc("The first index (negative from the end).");
    d->Field("end", &SliceAxisParam::end)
        .Default(std::nullopt)
        .Doc(
            "One past the last index (negative from the end); None for "
            "the extent.");
  }
};

// MXNet's Crop (v0.7): the (h, w) window at `offset` of NCHW data, its size
// given by h_w or by a second input's last two extents; center_crop centers
// it.
struct CropParam {
  int64_t num_args = 1;
  std::vector<int64_t> offset{0, 0};
  std::vector<int64_t> h_w{0, 0};
  bool center_crop = false;

  static void Declare(ParamDeclarer<CropParam>* d) {
    d->Field("num_args", &CropParam::num_args)
        .Required()
        .Range(1, 2)
        .Doc("1: the size is h_w; 2: the size is crop_like's (H, W).");
    d->Field("offset", &CropParam::offset)
        .Default({0, 0})
        .Min(0)
        .Doc("The window's top-left corner (y, x).");
    d->Field("h_w", &CropParam::h_w)
        .Default({0, 0})
        .Min(0)
        .Doc("The window's (height, width) when num_args is 1.");
    d->Field("center_crop", &CropParam::center_crop)
        .Default(false)
        .Doc("Center the window instead of placing it at offset.");
    d->Check([](const CropParam& p) -> std::string {
      if (p.offset.size() != 2 || p.h_w.size() != 2) {
        return "offset and h_w must have two entries (y, x) and (h, w)";
      }
      return "";
    });
  }
};

// ---- slice (crop): [begin:end:step] along the leading axes ----

struct SliceParam {
  OptionalInts begin, end, step;

  static void Declare(ParamDeclarer<SliceParam>* d) {
    d->Field("begin", &SliceParam::begin)
        .Required()
        .Doc(
            "The first index of each leading axis (negative from the end; "
            "None: the start, or the end for a negative step).");
    d->Field("end", &SliceParam::end)
        .Required()
        .Doc(
            "One past the last index of each axis in begin (negative from "
            "the end; None: past the end).");
    d->Field("step", &SliceParam::step)
        .Default({})
        .Doc("The step of each axis (None or () for 1; negative reverses).");
  }
};

// The indices of one axis a slice takes: start, step and count.
struct AxisSlice {
  int64_t start = 0, step = 1, count = 0;
};

// Python's slice semantics for [b:e:s] over extent n (out-of-range bounds
// clamp).
AxisSlice SliceOfAxis(std::optional<int64_t> b, std::optional<int64_t> e,
                      int64_t s, int64_t n) {
  auto wrap = [n](int64_t v, int64_t lo, int64_t hi) {
    return std::clamp<int64_t>(v < 0 ? v + n : v, lo, hi);
  };
  AxisSlice r;
  r.step = s;
  if (s > 0) {
    r.start = b ? wrap(*b, 0, n) : 0;
    const int64_t end = e ? wrap(*e, 0, n) : n;
    r.count = end > r.start ? (end - r.start + s - 1) / s : 0;
  } else {
    r.start = b ? wrap(*b, -1, n - 1) : n - 1;
    const int64_t end = e ? wrap(*e, -1, n - 1) : -1;
    r.count = r.start > end ? (r.start - end - s - 1) / -s : 0;
  }
  return r;
}

// The slice of each axis of `in` (extents < 0 unknown: count -1); "" in
// *problem or what is wrong.
std::vector<AxisSlice> SlicesOf(const SliceParam& p, const PartialShape& in,
                                std::string* problem) {
  const size_t k = p.begin.size();
  if (p.end.size() != k || (!p.step.empty() && p.step.size() != k) ||
      static_cast<int>(k) > in.ndim()) {
    *problem = StrCat(
        "begin ", ParamTraits<OptionalInts>::Print(p.begin), ", end ",
        ParamTraits<OptionalInts>::Print(p.end), " and step ",
        ParamTraits<OptionalInts>::Print(p.step),
        " must have one entry per sliced axis (step may be ()), at most ",
        in.ndim(), " for the ", in.ndim(), "-d data");
    return {};
  }
  std::vector<AxisSlice> slices(in.ndim());
  for (int i = 0; i < in.ndim(); ++i) {
    if (in[i] < 0) {
      slices[i].count = -1;
      continue;
    }
    if (i >= static_cast<int>(k)) {
      slices[i].count = in[i];
      continue;
    }
    const int64_t step = p.step.empty() ? 1 : p.step[i].value_or(1);
    if (step == 0) {
      *problem = StrCat("step of axis ", i, " is 0");
      return {};
    }
    slices[i] = SliceOfAxis(p.begin[i], p.end[i], step, in[i]);
    if (slices[i].count == 0) {
      *problem = StrCat("axis ", i, " (extent ", in[i], ") sliced by begin ",
                        ParamTraits<OptionalInts>::Print(p.begin), ", end ",
                        ParamTraits<OptionalInts>::Print(p.end), " is empty");
      return {};
    }
  }
  return slices;
}

// The shape the slice of `in` takes.
PartialShape SlicedShape(InferShapeContext* ctx, const PartialShape& in) {
  std::string problem;
  const std::vector<AxisSlice> slices =
      SlicesOf(ctx->params<SliceParam>(), in, &problem);
  if (!problem.empty()) ctx->Fail(problem);
  std::vector<int64_t> dims;
  for (const AxisSlice& a : slices) dims.push_back(a.count);
  return PartialShape(dims);
}

void InferSliceShape(InferShapeContext* ctx) {
  const PartialShape& in = ctx->in(0);
  if (!in.rank_known()) return;
  ctx->AssignOut(0, SlicedShape(ctx, in));
}

// lhs with its slice replaced by rhs: out has lhs's shape, rhs the slice's.
void InferSliceAssignShape(InferShapeContext* ctx) {
  PartialShape lhs = ctx->in(0);
  if (!lhs.rank_known()) lhs = ctx->out(0);
  if (!lhs.rank_known()) return;
  ctx->AssignIn(0, lhs);
  ctx->AssignOut(0, lhs);
  ctx->AssignIn(1, SlicedShape(ctx, ctx->in(0)));
}

// A window of the input: its start and step in each axis.
struct Window {
  std::vector<int64_t> start, step;
};

// The window of `in` that gives `out` (shapes already checked).
Window WindowOf(const NodeAttrs& attrs, const Shape& in, const Shape& out) {
  Window w;
  w.start.assign(in.ndim(), 0);
  w.step.assign(in.ndim(), 1);
  const std::string& op = attrs.op->name();
  if (op == "slice" || op == "_slice_assign") {
    std::string problem;
    const std::vector<AxisSlice> slices =
        SlicesOf(attrs.params<SliceParam>(), PartialShape(in.dims()), &problem);
    for (int i = 0; i < in.ndim(); ++i) {
      w.start[i] = slices[i].start;
      w.step[i] = slices[i].step;
    }
    return w;
  }
  if (op == "slice_axis") {
    const SliceAxisParam& p = attrs.params<SliceAxisParam>();
    const int axis = PositiveAxis(p.axis, in.ndim());
    w.start[axis] = p.begin < 0 ? p.begin + in[axis] : p.begin;
    return w;
  }
  const CropParam& p = attrs.params<CropParam>();
  if (p.center_crop) {
    w.start[2] = (in[2] - out[2]) / 2;
    w.start[3] = (in[3] - out[3]) / 2;
  } else {
    w.start[2] = p.offset[0];
    w.start[3] = p.offset[1];
  }
  return w;
}

void InferSliceAxisShape(InferShapeContext* ctx) {
  const PartialShape& in = ctx->in(0);
  if (!in.rank_known()) return;
  const SliceAxisParam& p = ctx->params<SliceAxisParam>();
  const std::string problem = AxisProblem(p.axis, in.ndim());
  if (!problem.empty()) ctx->Fail(problem);
  const int axis = PositiveAxis(p.axis, in.ndim());
  const int64_t n = in[axis];
  PartialShape out = in;
  if (n < 0) {
    out.set(axis, -1);
    return ctx->AssignOut(0, out);
  }
  const int64_t begin = p.begin < 0 ? p.begin + n : p.begin;
  const int64_t end = !p.end ? n : (*p.end < 0 ? *p.end + n : *p.end);
  if (begin < 0 || end > n || begin >= end) {
    ctx->Fail(StrCat("slice [", p.begin, ", ",
                     p.end ? std::to_string(*p.end) : "None", ") of axis ",
                     p.axis, " (extent ", n,
                     ") is empty or out of range; expected 0 <= begin < end "
                     "<= ",
                     n, " after counting negative values from the end"));
  }
  out.set(axis, end - begin);
  ctx->AssignOut(0, out);
}

void InferCropShape(InferShapeContext* ctx) {
  const PartialShape& in = ctx->in(0);
  const CropParam& p = ctx->params<CropParam>();
  if (!in.rank_known()) return;
  if (in.ndim() != 4) {
    ctx->Fail(StrCat("data has ", in.ndim(), " axes; expected 4 (NCHW)"));
  }
  int64_t h = p.h_w[0], w = p.h_w[1];
  if (p.num_args == 2) {
    const PartialShape& like = ctx->in(1);
    if (!like.rank_known()) return;
    if (like.ndim() < 2) ctx->Fail("crop_like needs at least 2 axes");
    h = like[-2];
    w = like[-1];
  } else if (h <= 0 || w <= 0) {
    ctx->Fail("h_w must be positive (height, width) when num_args is 1");
  }
  PartialShape out = in;
  out.set(2, h);
  out.set(3, w);
  if (in.IsKnown() && h >= 0 && w >= 0) {
    const int64_t y = p.center_crop ? (in[2] - h) / 2 : p.offset[0];
    const int64_t x = p.center_crop ? (in[3] - w) / 2 : p.offset[1];
    if (h > in[2] || w > in[3] || y + h > in[2] || x + w > in[3]) {
      ctx->Fail(StrCat("the window (", h, ", ", w, ") at (", y, ", ", x,
                       ") does not fit data ", in.ToString()));
    }
  }
  ctx->AssignOut(0, out);
}

// out = in[window]; the gradient goes to the window, zero elsewhere.
template <typename T>
class WindowKernel : public OpKernel {
 public:
  explicit WindowKernel(const KernelSetup& s)
      : in_size_(s.in_shapes[0].Size()) {
    const Shape& in = s.in_shapes[0];
    const Shape& out = s.out_shapes[0];
    const Window w = WindowOf(*s.attrs, in, out);
    const std::vector<int64_t> strides = RowMajorStrides(in);
    dims_ = out.dims();
    for (int i = 0; i < in.ndim(); ++i) {
      offset_ += w.start[i] * strides[i];
      strides_.push_back(strides[i] * w.step[i]);
    }
  }
  void Forward(const KernelContext&, const ForwardArgs& a) override {
    GatherStrided(dims_, strides_, a.inputs[0].ptr<T>() + offset_,
                  a.outputs[0].ptr<T>(), a.req[0]);
  }
  void Backward(const KernelContext&, const BackwardArgs& a) override {
    T* dx = a.in_grads[0].ptr_or_null<T>();
    if (dx == nullptr || a.req[0] == OpReq::kNull) return;
    if (a.req[0] != OpReq::kAdd) std::fill(dx, dx + in_size_, T(0));
    // Added into the window: the rest stays zero.
    ScatterAddStrided(dims_, strides_, a.out_grads[0].ptr<T>(), dx + offset_, 0,
                      OpReq::kAdd);
  }

 private:
  int64_t in_size_;
  int64_t offset_ = 0;
  std::vector<int64_t> dims_, strides_;
};

MX_REGISTER_OP(slice_axis)
    .Describe(
        "The indices [begin, end) of one axis (negative values count from "
        "the end; end None for the extent).")
    .Params<SliceAxisParam>()
    .Inputs({"data"})
    .InferShape(InferSliceAxisShape)
    .Backward(GradientOnly);

MX_REGISTER_OP(Crop)
    .Describe(
        "The (h, w) window of NCHW data at `offset` (or centered), its size "
        "h_w or crop_like's last two extents (num_args 2).")
    .Params<CropParam>()
    .Inputs([](const NodeAttrs& a) {
      return a.params<CropParam>().num_args == 2
                 ? std::vector<std::string>{"data", "crop_like"}
                 : std::vector<std::string>{"data"};
    })
    .VariadicInputs("num_args")
    .InferShape(InferCropShape)
    .NoGradient({"crop_like"})
    .Backward(GradientOnly);

MX_REGISTER_KERNEL(slice_axis, kCPU, kReference)
    .Types({DType::kFloat32, DType::kFloat64})
    .Factory(TypedFactory<WindowKernel>());
MX_REGISTER_KERNEL(Crop, kCPU, kReference)
    .Types({DType::kFloat32, DType::kFloat64})
    .Factory(TypedFactory<WindowKernel>());

MX_REGISTER_OP(slice)
    .Alias("crop")
    .Describe(
        "data[begin:end:step] along the leading len(begin) axes, with "
        "Python's slice rules (negative indices from the end, None for the "
        "ends, a negative step reverses).")
    .Params<SliceParam>()
    .Inputs({"data"})
    .InferShape(InferSliceShape)
    .Backward(GradientOnly);

MX_REGISTER_KERNEL(slice, kCPU, kReference)
    .Types({DType::kFloat32, DType::kFloat64})
    .Factory(TypedFactory<WindowKernel>());

// out = lhs with the slice [begin:end:step] replaced by rhs; gradients: lhs
// the output's outside the slice, rhs the output's slice.
template <typename T>
class SliceAssignKernel : public OpKernel {
 public:
  explicit SliceAssignKernel(const KernelSetup& s)
      : size_(s.in_shapes[0].Size()) {
    const Shape& lhs = s.in_shapes[0];
    const Window w = WindowOf(*s.attrs, lhs, s.in_shapes[1]);
    const std::vector<int64_t> strides = RowMajorStrides(lhs);
    dims_ = s.in_shapes[1].dims();
    for (int i = 0; i < lhs.ndim(); ++i) {
      offset_ += w.start[i] * strides[i];
      strides_.push_back(strides[i] * w.step[i]);
    }
  }
  void Forward(const KernelContext&, const ForwardArgs& a) override {
    if (a.req[0] == OpReq::kNull) return;
    const T* lhs = a.inputs[0].ptr<T>();
    const T* rhs = a.inputs[1].ptr<T>();
    T* out = a.outputs[0].ptr<T>();
    // With add, the slice keeps what was there plus rhs (not lhs).
    std::vector<T> before;
    if (a.req[0] == OpReq::kAdd) {
      ForEachInSlice([&](int64_t, int64_t at) { before.push_back(out[at]); });
    }
    StoreArray(a.req[0], out, lhs, size_);
    ForEachInSlice([&](int64_t i, int64_t at) {
      out[at] = before.empty() ? rhs[i] : before[i] + rhs[i];
    });
  }
  void Backward(const KernelContext&, const BackwardArgs& a) override {
    const T* g = a.out_grads[0].ptr<T>();
    if (T* dl = a.in_grads[0].ptr_or_null<T>();
        dl && a.req[0] != OpReq::kNull) {
      // g outside the slice (rhs replaced lhs there).
      std::vector<T> before;
      if (a.req[0] == OpReq::kAdd) {
        ForEachInSlice([&](int64_t, int64_t at) { before.push_back(dl[at]); });
      }
      StoreArray(a.req[0], dl, g, size_);
      ForEachInSlice([&](int64_t i, int64_t at) {
        dl[at] = before.empty() ? T(0) : before[i];
      });
    }
    if (T* dr = a.in_grads[1].ptr_or_null<T>()) {
      GatherStrided(dims_, strides_, g + offset_, dr, a.req[1]);
    }
  }

 private:
  // Calls f(index in rhs, index in lhs) for every element of the slice.
  template <typename F>
  void ForEachInSlice(F f) const {
    ForEachStrided<1>(dims_, {strides_.data()},
                      [&](int64_t i, const std::array<int64_t, 1>& o) {
                        f(i, offset_ + o[0]);
                      });
  }

  int64_t size_;
  int64_t offset_ = 0;
  std::vector<int64_t> dims_, strides_;
};

MX_REGISTER_OP(_slice_assign)
    .Alias("_crop_assign")
    .Describe(
        "lhs with its slice [begin:end:step] (as slice's) replaced by rhs, "
        "which has the slice's shape.")
    .Params<SliceParam>()
    .Inputs({"lhs", "rhs"})
    .InferShape(InferSliceAssignShape)
    .Backward(GradientOnly);

MX_REGISTER_KERNEL(_slice_assign, kCPU, kReference)
    .Types({DType::kFloat32, DType::kFloat64})
    .Factory(TypedFactory<SliceAssignKernel>());

}  // namespace
}  // namespace ops
}  // namespace mx
