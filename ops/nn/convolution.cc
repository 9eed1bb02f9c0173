#include "ops/nn/convolution.h"

#include "core/base/error.h"
#include "core/op/kernel.h"
#include "core/op/op.h"
#include "ops/common/spatial.h"

namespace mx {
namespace ops {
namespace {

void InferConvolutionShape(InferShapeContext* ctx) {
  const auto& p = ctx->params<ConvolutionParam>();
  const size_t n = p.kernel.size();
  const PartialShape& data = ctx->in(0);
  if (!CheckSpatialRank(ctx, data, n)) return;
  const int64_t channels = GroupedChannels(ctx, data, p.num_group);
  const auto stride = SpatialOr(p.stride, n, 1);
  const auto dilate = SpatialOr(p.dilate, n, 1);
  const auto pad = SpatialOr(p.pad, n, 0);
  std::vector<int64_t> weight = {p.num_filter,
                                 channels < 0 ? -1 : channels / p.num_group};
  std::vector<int64_t> out = {data[0], p.num_filter};
  for (size_t i = 0; i < n; ++i) {
    weight.push_back(p.kernel[i]);
    out.push_back(ConvOutExtent(ctx, static_cast<int>(i), data[2 + i],
                                p.kernel[i], stride[i], pad[i], dilate[i]));
  }
  ctx->AssignIn(1, PartialShape(weight));
  if (!p.no_bias) ctx->AssignIn(2, PartialShape{p.num_filter});
  ctx->AssignOut(0, PartialShape(out));
  // Backward (as MXNet): the batch, and with stride 1 each spatial extent,
  // follow from the output's.
  const PartialShape& known = ctx->out(0);
  std::vector<int64_t> in = data.dims();
  in[0] = known[0];
  for (size_t i = 0; i < n; ++i) {
    const int64_t o = known[2 + i];
    const int64_t x = o + dilate[i] * (p.kernel[i] - 1) - 2 * pad[i];
    if (stride[i] == 1 && o >= 0 && in[2 + i] < 0 && x > 0) in[2 + i] = x;
  }
  ctx->AssignIn(0, PartialShape(in));
}

}  // namespace

MX_REGISTER_OP(Convolution)
    .Describe(
        "Convolution over 1, 2 or 3 spatial axes (NCW, NCHW, NCDHW): weight "
        "(num_filter, C/num_group, kernel...), bias (num_filter,); output "
        "extent floor((x + 2 pad - dilate (k - 1) - 1) / stride) + 1.")
    .Params<ConvolutionParam>()
    .Inputs([](const NodeAttrs& a) {
      return DataWeightBias(a.params<ConvolutionParam>().no_bias);
    })
    .InferShape(InferConvolutionShape)
    .Backward([](const NodeAttrs&) {
      return BackwardDeps{{0}, {0, 1}, {}};
    });

ConvDims ConvDims::Of(const KernelSetup& s) {
  const auto& p = s.params<ConvolutionParam>();
  ConvDims d;
  d.batch = s.in_shapes[0][0];
  d.in_c = s.in_shapes[0][1];
  d.out_c = p.num_filter;
  d.groups = p.num_group;
  d.bias = !p.no_bias;
  d.w = Window::Make(s.in_shapes[0], s.out_shapes[0], p.kernel, p.stride, p.pad,
                     p.dilate);
  return d;
}

namespace {

// Direct loops over every (filter, channel, tap).
template <typename T>
class ConvolutionRef : public OpKernel {
 public:
  explicit ConvolutionRef(const KernelSetup& s) : d_(ConvDims::Of(s)) {}

  void Forward(const KernelContext&, const ForwardArgs& a) override {
    const T* x = a.inputs[0].ptr<T>();
    const T* wt = a.inputs[1].ptr<T>();
    const int64_t cg = d_.in_per_group(), fg = d_.out_per_group();
    const int64_t is = d_.w.InSize(), os = d_.w.OutSize(),
                  ks = d_.w.KernelSize();
    std::vector<T> out(static_cast<size_t>(d_.batch * d_.out_c * os), T(0));
    for (int64_t n = 0; n < d_.batch; ++n) {
      for (int64_t f = 0; f < d_.out_c; ++f) {
        T* y = out.data() + (n * d_.out_c + f) * os;
        const int64_t g = f / fg;
        for (int64_t cl = 0; cl < cg; ++cl) {
          const T* xc = x + (n * d_.in_c + g * cg + cl) * is;
          const T* wc = wt + (f * cg + cl) * ks;
          ForEachTap(d_.w, [&](int64_t k, int64_t o, int64_t i) {
            y[o] += xc[i] * wc[k];
          });
        }
        if (d_.bias) {
          const T b = a.inputs[2].ptr<T>()[f];
          for (int64_t o = 0; o < os; ++o) y[o] += b;
        }
      }
    }
    StoreArray(a.req[0], a.outputs[0].ptr<T>(), out.data(),
               static_cast<int64_t>(out.size()));
  }

  void Backward(const KernelContext&, const BackwardArgs& a) override {
    const T* g = a.out_grads[0].ptr<T>();
    const T* x = a.inputs[0].ptr<T>();
    const T* wt = a.inputs[1].ptr<T>();
    const int64_t cg = d_.in_per_group(), fg = d_.out_per_group();
    const int64_t is = d_.w.InSize(), os = d_.w.OutSize(),
                  ks = d_.w.KernelSize();
    std::vector<T> dx(static_cast<size_t>(d_.batch * d_.in_c * is), T(0));
    std::vector<T> dw(static_cast<size_t>(d_.out_c * cg * ks), T(0));
    std::vector<T> db(static_cast<size_t>(d_.out_c), T(0));
    for (int64_t n = 0; n < d_.batch; ++n) {
      for (int64_t f = 0; f < d_.out_c; ++f) {
        const T* gy = g + (n * d_.out_c + f) * os;
        for (int64_t o = 0; o < os; ++o) db[f] += gy[o];
        const int64_t grp = f / fg;
        for (int64_t cl = 0; cl < cg; ++cl) {
          const int64_t c = grp * cg + cl;
          const T* xc = x + (n * d_.in_c + c) * is;
          T* dxc = dx.data() + (n * d_.in_c + c) * is;
          const T* wc = wt + (f * cg + cl) * ks;
          T* dwc = dw.data() + (f * cg + cl) * ks;
          ForEachTap(d_.w, [&](int64_t k, int64_t o, int64_t i) {
            dxc[i] += gy[o] * wc[k];
            dwc[k] += gy[o] * xc[i];
          });
        }
      }
    }
    StoreArray(a.req[0], a.in_grads[0].ptr_or_null<T>(), dx.data(),
               static_cast<int64_t>(dx.size()));
    StoreArray(a.req[1], a.in_grads[1].ptr_or_null<T>(), dw.data(),
               static_cast<int64_t>(dw.size()));
    if (d_.bias) {
      StoreArray(a.req[2], a.in_grads[2].ptr_or_null<T>(), db.data(), d_.out_c);
    }
  }

 private:
  ConvDims d_;
};

}  // namespace

MX_REGISTER_KERNEL(Convolution, kCPU, kReference)
    .Types({DType::kFloat32, DType::kFloat64})
    .Factory(TypedFactory<ConvolutionRef>());

}  // namespace ops
}  // namespace mx
