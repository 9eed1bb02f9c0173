#include "ops/tensor/slice_channel.h"

#include "core/base/error.h"
#include "core/op/kernel.h"
#include "core/op/op.h"
#include "ops/common/kernel_util.h"
#include "ops/common/spatial.h"

namespace mx {
namespace ops {
namespace {

void InferSliceChannelShape(InferShapeContext* ctx) {
  const auto& p = ctx->params<SliceChannelParam>();
  const int64_t n = p.num_outputs;
  // The input follows from every known output: the axis widened n times.
  for (int i = 0; i < ctx->num_outputs(); ++i) {
    const PartialShape& part = ctx->out(i);
    if (!part.rank_known()) continue;
    std::vector<int64_t> dims = part.dims();
    const int ndim = static_cast<int>(dims.size()) + (p.squeeze_axis ? 1 : 0);
    const int axis = NormalizeAxis(ctx, "axis", p.axis, ndim);
    if (p.squeeze_axis) {
      dims.insert(dims.begin() + axis, n);
    } else if (dims[axis] >= 0) {
      dims[axis] *= n;
    }
    ctx->AssignIn(0, PartialShape(dims));
  }
  const PartialShape data = ctx->in(0);
  if (!data.rank_known()) return;
  const int axis = NormalizeAxis(ctx, "axis", p.axis, data.ndim());
  const int64_t extent = data[axis];
  if (extent >= 0 && extent % n != 0) {
    ctx->Fail(StrCat("axis ", axis, " has extent ", extent,
                     ", not divisible by num_outputs ", n));
  }
  if (p.squeeze_axis && extent >= 0 && extent != n) {
    ctx->Fail(StrCat("squeeze_axis needs axis ", axis, " to have extent ",
                     "num_outputs (", n, "), got ", extent));
  }
  std::vector<int64_t> dims = data.dims();
  if (p.squeeze_axis) {
    dims.erase(dims.begin() + axis);
  } else {
    dims[axis] = extent < 0 ? -1 : extent / n;
  }
  for (int i = 0; i < ctx->num_outputs(); ++i) {
    ctx->AssignOut(i, PartialShape(dims));
  }
}

}  // namespace

MX_REGISTER_OP(SliceChannel)
    .Alias("split")
    .Describe("Splits `axis` into num_outputs equal parts: output0, ...")
    .Params<SliceChannelParam>()
    .Outputs([](const NodeAttrs& a) {
      std::vector<std::string> names;
      for (int64_t i = 0; i < a.params<SliceChannelParam>().num_outputs; ++i) {
        names.push_back("output" + std::to_string(i));
      }
      return names;
    })
    .InferShape(InferSliceChannelShape)
    .Backward([](const NodeAttrs& a) {
      BackwardDeps deps;
      for (int64_t i = 0; i < a.params<SliceChannelParam>().num_outputs; ++i) {
        deps.out_grads.push_back(static_cast<int>(i));
      }
      return deps;
    });

namespace {

// Output k is the k-th equal part of data along the axis (squeezing the axis
// changes only the shape, not the layout).
template <typename T>
class SliceChannelKernel : public OpKernel {
 public:
  explicit SliceChannelKernel(const KernelSetup& s)
      : axis_(PositiveAxis(s.params<SliceChannelParam>().axis,
                           s.in_shapes[0].ndim())),
        parts_(s.params<SliceChannelParam>().num_outputs) {}

  void Forward(const KernelContext&, const ForwardArgs& a) override {
    const AxisSplit w = SplitAt(a.inputs[0].shape, axis_);
    const int64_t extent = w.extent / parts_;
    for (int64_t k = 0; k < parts_; ++k) {
      WholeToPart(a.inputs[0].ptr<T>(), w, k * extent, a.outputs[k].ptr<T>(),
                  extent, a.req[k]);
    }
  }

  void Backward(const KernelContext&, const BackwardArgs& a) override {
    const AxisSplit w = SplitAt(a.in_grads[0].shape, axis_);
    const int64_t extent = w.extent / parts_;
    for (int64_t k = 0; k < parts_; ++k) {
      PartToWhole(a.out_grads[k].ptr<T>(), extent, a.in_grads[0].ptr<T>(), w,
                  k * extent, a.req[0]);
    }
  }

 private:
  int axis_;
  int64_t parts_;
};

}  // namespace

MX_REGISTER_KERNEL(SliceChannel, kCPU, kReference)
    .Types({DType::kFloat32, DType::kFloat64})
    .Factory(TypedFactory<SliceChannelKernel>());

}  // namespace ops
}  // namespace mx
