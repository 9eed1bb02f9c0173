#include "ops/nn/deconvolution.h"

#include <vector>

#include "core/base/error.h"
#include "core/op/kernel.h"
#include "core/op/op.h"
#include "ops/common/kernel_util.h"
#include "ops/common/spatial.h"

namespace mx {
namespace ops {
namespace {

void InferDeconvolutionShape(InferShapeContext* ctx) {
  const auto& p = ctx->params<DeconvolutionParam>();
  const size_t n = p.kernel.size();
  const PartialShape& data = ctx->in(0);
  if (!CheckSpatialRank(ctx, data, n)) return;
  const int64_t channels = GroupedChannels(ctx, data, p.num_group);
  const auto stride = SpatialOr(p.stride, n, 1);
  const auto dilate = SpatialOr(p.dilate, n, 1);
  const auto pad = SpatialOr(p.pad, n, 0);
  const auto adj = SpatialOr(p.adj, n, 0);
  std::vector<int64_t> weight = {channels, p.num_filter / p.num_group};
  std::vector<int64_t> out = {data[0], p.num_filter};
  for (size_t i = 0; i < n; ++i) {
    weight.push_back(p.kernel[i]);
    const int64_t in = data[2 + i];
    const int64_t window = dilate[i] * (p.kernel[i] - 1) + 1;
    if (in < 0) {
      out.push_back(p.target_shape.empty() ? -1 : p.target_shape[i]);
      continue;
    }
    const int64_t full = stride[i] * (in - 1) + window;
    if (!p.target_shape.empty()) {
      // MXNet derives pad and adj from the target: the output is the target
      // whenever the unpadded output is at least that large.
      if (full < p.target_shape[i]) {
        ctx->Fail(StrCat("target_shape ", PythonTuple(p.target_shape),
                         " is larger than the deconvolution can produce (",
                         full, " along spatial axis ", i, ")"));
      }
      out.push_back(p.target_shape[i]);
      continue;
    }
    const int64_t extent = full - 2 * pad[i] + adj[i];
    if (extent < 1) {
      ctx->Fail(StrCat("pad ", pad[i], " leaves no output along spatial axis ",
                       i, " (", full, " - 2*", pad[i], ")"));
    }
    out.push_back(extent);
  }
  ctx->AssignIn(1, PartialShape(weight));
  if (!p.no_bias) ctx->AssignIn(2, PartialShape{p.num_filter});
  ctx->AssignOut(0, PartialShape(out));
}

}  // namespace

MX_REGISTER_OP(Deconvolution)
    .Describe(
        "Transposed convolution: weight (C, num_filter/num_group, kernel...), "
        "bias (num_filter,) unless no_bias (the default); output extent "
        "stride (x - 1) + dilate (k - 1) + 1 - 2 pad + adj, or target_shape.")
    .Params<DeconvolutionParam>()
    .Inputs([](const NodeAttrs& a) {
      return DataWeightBias(a.params<DeconvolutionParam>().no_bias);
    })
    .InferShape(InferDeconvolutionShape)
    .Backward([](const NodeAttrs&) {
      return BackwardDeps{{0}, {0, 1}, {}};
    });

ConvDims DeconvAsConv(const KernelSetup& s) {
  const auto& p = s.params<DeconvolutionParam>();
  const Shape& data = s.in_shapes[0];
  const Shape& out = s.out_shapes[0];
  std::vector<int64_t> pad = p.pad;
  if (!p.target_shape.empty()) {
    // MXNet's derivation: the padding that trims the full extent to the
    // target, the odd remainder going to adj (the high side).
    const size_t n = p.kernel.size();
    const auto stride = SpatialOr(p.stride, n, 1);
    const auto dilate = SpatialOr(p.dilate, n, 1);
    pad.assign(n, 0);
    for (size_t i = 0; i < n; ++i) {
      const int64_t full =
          stride[i] * (data[2 + i] - 1) + dilate[i] * (p.kernel[i] - 1) + 1;
      pad[i] = (full - p.target_shape[i] + 1) / 2;
    }
  }
  ConvDims d;
  d.batch = data[0];
  d.in_c = p.num_filter;
  d.out_c = data[1];
  d.groups = p.num_group;
  d.bias = !p.no_bias;
  d.w = Window::Make(out, data, p.kernel, p.stride, pad, p.dilate);
  return d;
}

namespace {

// Direct loops over every (channel, filter, tap): each input element
// scatters its window into the output. In the terms of DeconvAsConv, the
// node's data is the convolution's output (index o) and the node's output is
// the convolution's data (index i).
template <typename T>
class DeconvolutionRef : public OpKernel {
 public:
  explicit DeconvolutionRef(const KernelSetup& s) : c_(DeconvAsConv(s)) {}

  void Forward(const KernelContext&, const ForwardArgs& a) override {
    const T* x = a.inputs[0].ptr<T>();
    const T* wt = a.inputs[1].ptr<T>();
    const int64_t fg = c_.in_per_group(), cg = c_.out_per_group();
    const int64_t ys = c_.w.InSize(), xs = c_.w.OutSize(),
                  ks = c_.w.KernelSize();
    std::vector<T> y(static_cast<size_t>(c_.batch * c_.in_c * ys), T(0));
    for (int64_t n = 0; n < c_.batch; ++n) {
      for (int64_t c = 0; c < c_.out_c; ++c) {
        const T* xc = x + (n * c_.out_c + c) * xs;
        const int64_t g = c / cg;
        for (int64_t fl = 0; fl < fg; ++fl) {
          T* yf = y.data() + (n * c_.in_c + g * fg + fl) * ys;
          const T* wc = wt + (c * fg + fl) * ks;
          ForEachTap(c_.w, [&](int64_t k, int64_t o, int64_t i) {
            yf[i] += xc[o] * wc[k];
          });
        }
      }
    }
    if (c_.bias) {
      AddChannelBias(a.inputs[2].ptr<T>(), c_.batch, c_.in_c, ys, y.data());
    }
    StoreArray(a.req[0], a.outputs[0].ptr<T>(), y.data(),
               static_cast<int64_t>(y.size()));
  }

  void Backward(const KernelContext&, const BackwardArgs& a) override {
    const T* gy = a.out_grads[0].ptr<T>();
    const T* x = a.inputs[0].ptr<T>();
    const T* wt = a.inputs[1].ptr<T>();
    const int64_t fg = c_.in_per_group(), cg = c_.out_per_group();
    const int64_t ys = c_.w.InSize(), xs = c_.w.OutSize(),
                  ks = c_.w.KernelSize();
    std::vector<T> dx(static_cast<size_t>(c_.batch * c_.out_c * xs), T(0));
    std::vector<T> dw(static_cast<size_t>(c_.out_c * fg * ks), T(0));
    for (int64_t n = 0; n < c_.batch; ++n) {
      for (int64_t c = 0; c < c_.out_c; ++c) {
        const T* xc = x + (n * c_.out_c + c) * xs;
        T* dxc = dx.data() + (n * c_.out_c + c) * xs;
        const int64_t g = c / cg;
        for (int64_t fl = 0; fl < fg; ++fl) {
          const T* gf = gy + (n * c_.in_c + g * fg + fl) * ys;
          const T* wc = wt + (c * fg + fl) * ks;
          T* dwc = dw.data() + (c * fg + fl) * ks;
          ForEachTap(c_.w, [&](int64_t k, int64_t o, int64_t i) {
            dxc[o] += gf[i] * wc[k];
            dwc[k] += gf[i] * xc[o];
          });
        }
      }
    }
    StoreArray(a.req[0], a.in_grads[0].ptr_or_null<T>(), dx.data(),
               static_cast<int64_t>(dx.size()));
    StoreArray(a.req[1], a.in_grads[1].ptr_or_null<T>(), dw.data(),
               static_cast<int64_t>(dw.size()));
    if (c_.bias) {
      SumChannels(gy, c_.batch, c_.in_c, ys, a.in_grads[2].ptr_or_null<T>(),
                  a.req[2]);
    }
  }

 private:
  ConvDims c_;
};

}  // namespace

MX_REGISTER_KERNEL(Deconvolution, kCPU, kReference)
    .Types({DType::kFloat32, DType::kFloat64})
    .Factory(TypedFactory<DeconvolutionRef>());

}  // namespace ops
}  // namespace mx
