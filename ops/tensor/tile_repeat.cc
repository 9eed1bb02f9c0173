// repeat and tile (MXNet's names and parameters, NumPy's semantics): copies
// of each element, or of the whole array, along axes. Both read the input
// through strides over a split output (Note [One op, one place]): repeat
// splits the axis into (extent, repeats) with stride 0 on the copies, tile
// splits every axis into (reps, extent) with stride 0 on the tiles; the
// gradient adds the copies back.
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

struct RepeatParam {
  int64_t repeats = 1;
  std::optional<int64_t> axis;

  static void Declare(ParamDeclarer<RepeatParam>* d) {
    d->Field("repeats", &RepeatParam::repeats)
        .Required()
        .Min(1)
        .Doc("Copies of each element.");
    d->Field("axis", &RepeatParam::axis)
        .Default(std::nullopt)
        .Doc(
            "The axis along which to repeat (negative from the end); None "
            "flattens the data first.");
  }
};

struct TileParam {
  std::vector<int64_t> reps;

  static void Declare(ParamDeclarer<TileParam>* d) {
    d->Field("reps", &TileParam::reps)
        .Required()
        .Min(1)
        .Doc(
            "Copies along each axis (NumPy's tile: a shorter tuple pads "
            "with 1s on the left, a longer one adds leading axes).");
  }
};

// The split output's extents and the input's strides over them.
struct Expansion {
  std::vector<int64_t> dims, strides;
};

Expansion RepeatExpansion(const RepeatParam& p, const Shape& in) {
  Expansion e;
  if (!p.axis) {
    e.dims = {in.Size(), p.repeats};
    e.strides = {1, 0};
    return e;
  }
  const int axis = PositiveAxis(*p.axis, in.ndim());
  const std::vector<int64_t> strides = RowMajorStrides(in);
  for (int i = 0; i < in.ndim(); ++i) {
    e.dims.push_back(in[i]);
    e.strides.push_back(strides[i]);
    if (i == axis) {
      e.dims.push_back(p.repeats);
      e.strides.push_back(0);
    }
  }
  return e;
}

// reps aligned with the input's axes, the input padded with leading 1s.
Expansion TileExpansion(const TileParam& p, const Shape& in) {
  const int nd = std::max<int>(in.ndim(), static_cast<int>(p.reps.size()));
  std::vector<int64_t> dims(nd, 1), reps(nd, 1);
  for (int i = 0; i < in.ndim(); ++i) dims[nd - in.ndim() + i] = in[i];
  for (size_t i = 0; i < p.reps.size(); ++i) {
    reps[nd - p.reps.size() + i] = p.reps[i];
  }
  const std::vector<int64_t> strides = RowMajorStrides(Shape(dims));
  Expansion e;
  for (int i = 0; i < nd; ++i) {
    e.dims.insert(e.dims.end(), {reps[i], dims[i]});
    e.strides.insert(e.strides.end(), {0, strides[i]});
  }
  return e;
}

void InferRepeatShape(InferShapeContext* ctx) {
  const PartialShape& in = ctx->in(0);
  if (!in.rank_known()) return;
  const RepeatParam& p = ctx->params<RepeatParam>();
  std::string problem;
  if (!p.axis) {
    const int64_t n = in.IsKnown() ? in.ToShape().Size() : -1;
    const int64_t out = GrownExtent(0, n, p.repeats, 0, &problem);
    if (!problem.empty()) ctx->Fail(problem);
    return ctx->AssignOut(0, PartialShape{out});
  }
  problem = AxisProblem(*p.axis, in.ndim());
  if (!problem.empty()) ctx->Fail(problem);
  PartialShape out = in;
  const int axis = PositiveAxis(*p.axis, in.ndim());
  out.set(axis, GrownExtent(axis, in[axis], p.repeats, 0, &problem));
  if (!problem.empty()) ctx->Fail(problem);
  ctx->AssignOut(0, out);
}

void InferTileShape(InferShapeContext* ctx) {
  const PartialShape& in = ctx->in(0);
  if (!in.rank_known()) return;
  const std::vector<int64_t>& reps = ctx->params<TileParam>().reps;
  if (reps.empty()) ctx->Fail("reps must have at least one entry");
  const int nd = std::max<int>(in.ndim(), static_cast<int>(reps.size()));
  std::vector<int64_t> dims(nd);
  for (int i = 0; i < nd; ++i) {
    const int in_axis = i - (nd - in.ndim());
    const int rep_axis = i - (nd - static_cast<int>(reps.size()));
    const int64_t extent = in_axis >= 0 ? in[in_axis] : 1;
    const int64_t rep = rep_axis >= 0 ? reps[rep_axis] : 1;
    std::string problem;
    dims[i] = GrownExtent(i, extent, rep, 0, &problem);
    if (!problem.empty()) ctx->Fail(problem);
  }
  ctx->AssignOut(0, PartialShape(dims));
}

template <typename T>
class ExpandKernel : public OpKernel {
 public:
  explicit ExpandKernel(const KernelSetup& s)
      : e_(s.attrs->op->name() == "repeat"
               ? RepeatExpansion(s.params<RepeatParam>(), s.in_shapes[0])
               : TileExpansion(s.params<TileParam>(), s.in_shapes[0])) {}

  void Forward(const KernelContext&, const ForwardArgs& a) override {
    GatherStrided(e_.dims, e_.strides, a.inputs[0].ptr<T>(),
                  a.outputs[0].ptr<T>(), a.req[0]);
  }
  void Backward(const KernelContext&, const BackwardArgs& a) override {
    T* dx = a.in_grads[0].ptr_or_null<T>();
    if (dx == nullptr) return;
    ScatterAddStrided(e_.dims, e_.strides, a.out_grads[0].ptr<T>(), dx,
                      a.in_grads[0].Size(), a.req[0]);
  }

 private:
  Expansion e_;
};

BackwardDeps GradientOnly(const NodeAttrs&) { return {{0}, {}, {}}; }

MX_REGISTER_OP(repeat)
    .Describe(
        "Each element repeated `repeats` times along `axis` (NumPy's "
        "repeat; axis None flattens first).")
    .Params<RepeatParam>()
    .Inputs({"data"})
    .InferShape(InferRepeatShape)
    .Backward(GradientOnly);

MX_REGISTER_OP(tile)
    .Describe("The data tiled reps times along each axis (NumPy's tile).")
    .Params<TileParam>()
    .Inputs({"data"})
    .InferShape(InferTileShape)
    .Backward(GradientOnly);

MX_REGISTER_KERNEL(repeat, kCPU, kReference)
    .Types({DType::kFloat32, DType::kFloat64})
    .Factory(TypedFactory<ExpandKernel>());
MX_REGISTER_KERNEL(tile, kCPU, kReference)
    .Types({DType::kFloat32, DType::kFloat64})
    .Factory(TypedFactory<ExpandKernel>());

}  // namespace
}  // namespace ops
}  // namespace mx
