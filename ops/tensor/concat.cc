// Concat: joins inputs along one axis (MXNet's Concat, alias concat).
#include "core/base/error.h"
#include "core/op/kernel.h"
#include "core/op/op.h"
#include "ops/common/kernel_util.h"
#include "ops/common/spatial.h"
#include "ops/tensor/variadic.h"

namespace mx {
namespace ops {

namespace {

void InferConcatShape(InferShapeContext* ctx) {
  const auto& p = ctx->params<ConcatParam>();
  int ndim = ctx->out(0).ndim();
  for (int i = 0; i < ctx->num_inputs() && ndim < 0; ++i)
    ndim = ctx->in(i).ndim();
  if (ndim < 0) return;
  if (ndim == 0) ctx->Fail("inputs must have at least 1 dimension");
  const int axis = NormalizeAxis(ctx, "dim", p.dim, ndim);
  // Every axis but `axis` agrees across inputs and output.
  PartialShape common = PartialShape::UnknownExtents(ndim);
  const auto merge_common = [&](const PartialShape& s) {
    if (!s.rank_known()) return;
    if (s.ndim() != ndim) {
      ctx->Fail(StrCat("inputs must have the same number of dimensions (", ndim,
                       "), got ", s.ToString()));
    }
    PartialShape masked = s;
    masked.set(axis, -1);
    if (!common.Merge(masked)) {
      ctx->Fail(StrCat("inputs differ outside the concatenation axis ", axis));
    }
  };
  for (int i = 0; i < ctx->num_inputs(); ++i) merge_common(ctx->in(i));
  merge_common(ctx->out(0));
  int64_t total = 0;
  int unknown = -1, num_unknown = 0;
  for (int i = 0; i < ctx->num_inputs(); ++i) {
    PartialShape s = common;
    if (ctx->in(i).rank_known()) s.set(axis, ctx->in(i)[axis]);
    ctx->AssignIn(i, s);
    if (s[axis] < 0) {
      unknown = i;
      ++num_unknown;
    } else {
      total += s[axis];
    }
  }
  PartialShape out = common;
  out.set(axis, num_unknown == 0 ? total : -1);
  ctx->AssignOut(0, out);
  // One unknown input extent follows from the output's.
  if (num_unknown == 1 && ctx->out(0)[axis] >= 0) {
    PartialShape s = common;
    s.set(axis, ctx->out(0)[axis] - total);
    if (s[axis] < 0) ctx->Fail("the output is smaller than the inputs");
    ctx->AssignIn(unknown, s);
  }
}

}  // namespace

MX_REGISTER_OP(Concat)
    .Alias("concat")
    .Describe("Concatenates arg0..argN-1 along `dim`; other axes must match.")
    .Params<ConcatParam>()
    .Inputs([](const NodeAttrs& a) {
      return VariadicInputNames(a.params<ConcatParam>().num_args);
    })
    .VariadicInputs("num_args")
    .InferShape(InferConcatShape)
    .Backward([](const NodeAttrs&) {
      return BackwardDeps{{0}, {}, {}};
    });

namespace {

template <typename T>
class ConcatKernel : public OpKernel {
 public:
  explicit ConcatKernel(const KernelSetup& s)
      : axis_(
            PositiveAxis(s.params<ConcatParam>().dim, s.out_shapes[0].ndim())) {
    for (const Shape& in : s.in_shapes) extents_.push_back(in[axis_]);
  }

  void Forward(const KernelContext&, const ForwardArgs& a) override {
    const AxisSplit w = SplitAt(a.outputs[0].shape, axis_);
    int64_t offset = 0;
    for (const TensorView& in : a.inputs) {
      const int64_t extent = in.shape[axis_];
      PartToWhole(in.ptr<T>(), extent, a.outputs[0].ptr<T>(), w, offset,
                  a.req[0]);
      offset += extent;
    }
  }

  void Backward(const KernelContext&, const BackwardArgs& a) override {
    const AxisSplit w = SplitAt(a.out_grads[0].shape, axis_);
    int64_t offset = 0;
    for (size_t k = 0; k < a.in_grads.size(); ++k) {
      if (a.req[k] != OpReq::kNull) {
        WholeToPart(a.out_grads[0].ptr<T>(), w, offset, a.in_grads[k].ptr<T>(),
                    extents_[k], a.req[k]);
      }
      offset += extents_[k];
    }
  }

 private:
  int axis_;
  std::vector<int64_t> extents_;  // of each input along the axis
};

}  // namespace

MX_REGISTER_KERNEL(Concat, kCPU, kReference)
    .Types({DType::kFloat32, DType::kFloat64})
    .Factory(TypedFactory<ConcatKernel>());

}  // namespace ops
}  // namespace mx
