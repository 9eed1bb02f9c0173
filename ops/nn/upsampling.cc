// UpSampling (MXNet's). sample_type 'nearest': each input (N, C_k, H_k, W_k)
// is repeated to the output's extent (H_0 scale, W_0 scale), and the results
// are concatenated along the channels or summed; the gradient of an input
// sums its output gradient over each repeated block. 'bilinear': data
// (N, C, H, W) deconvolved channel by channel by weight (C, 1, k, k), k =
// 2 scale - scale % 2, stride scale, pad ceil((scale - 1) / 2), to (N, C,
// H scale, W scale) (MXNet's construction; mx.init.Bilinear fills the
// weight with the bilinear interpolation kernel).
#include "ops/nn/upsampling.h"

#include <string>
#include <vector>

#include "core/base/error.h"
#include "core/base/strings.h"
#include "core/op/kernel.h"
#include "core/op/op.h"
#include "core/op/param.h"
#include "ops/common/kernel_util.h"
#include "ops/tensor/variadic.h"

namespace mx {
namespace ops {
namespace {

bool IsBilinear(const NodeAttrs& a) {
  return a.params<UpSamplingParam>().sample_type == "bilinear";
}

void InferBilinearShape(InferShapeContext* ctx) {
  const auto& p = ctx->params<UpSamplingParam>();
  const int64_t k = BilinearKernelSize(p.scale);
  ctx->AssignIn(1, PartialShape{p.num_filter, 1, k, k});
  const PartialShape& data = ctx->in(0);
  if (!data.rank_known()) return;
  if (data.ndim() != 4) {
    ctx->Fail(StrCat("data must be 4-D (N, C, H, W), got ", data.ToString()));
  }
  if (data[1] >= 0 && data[1] != p.num_filter) {
    ctx->Fail(StrCat("data has ", data[1],
                     " channels; bilinear needs "
                     "num_filter (",
                     p.num_filter, ") equal to them"));
  }
  std::string problem;
  const int64_t h = GrownExtent(2, data[2], p.scale, 0, &problem);
  const int64_t w = GrownExtent(3, data[3], p.scale, 0, &problem);
  if (!problem.empty()) ctx->Fail(problem);
  ctx->AssignOut(0, PartialShape{data[0], p.num_filter, h, w});
}

void InferUpSamplingShape(InferShapeContext* ctx) {
  const auto& p = ctx->params<UpSamplingParam>();
  if (p.sample_type == "bilinear") return InferBilinearShape(ctx);
  for (int i = 0; i < ctx->num_inputs(); ++i) {
    if (!ctx->in(i).IsKnown()) return;
    if (ctx->in(i).ndim() != 4) {
      ctx->Fail(StrCat("input ", i, " must be 4-D (N, C, H, W), got ",
                       ctx->in(i).ToString()));
    }
  }
  const PartialShape& first = ctx->in(0);
  std::string grown;
  const int64_t oh = GrownExtent(2, first[2], p.scale, 0, &grown);
  const int64_t ow = GrownExtent(3, first[3], p.scale, 0, &grown);
  if (!grown.empty()) ctx->Fail(grown);
  int64_t channels = 0;
  for (int i = 0; i < ctx->num_inputs(); ++i) {
    const PartialShape& s = ctx->in(i);
    if (s[0] != first[0] || oh % s[2] != 0 || ow % s[3] != 0 ||
        oh / s[2] != ow / s[3]) {
      ctx->Fail(StrCat("input ", i, " ", s.ToString(),
                       " does not upsample by a whole factor to (", oh, ", ",
                       ow, ") with batch ", first[0]));
    }
    if (p.multi_input_mode == "sum" && s[1] != first[1]) {
      ctx->Fail(StrCat("sum mode needs equal channels; input ", i, " has ",
                       s[1], ", input 0 ", first[1]));
    }
    channels += s[1];
  }
  if (p.multi_input_mode == "sum") channels = first[1];
  ctx->AssignOut(0, PartialShape{first[0], channels, oh, ow});
}

template <typename T>
class UpSamplingKernel : public OpKernel {
 public:
  explicit UpSamplingKernel(const KernelSetup& s)
      : in_shapes_(s.in_shapes),
        out_(s.out_shapes[0]),
        sum_(s.params<UpSamplingParam>().multi_input_mode == "sum") {}

  void Forward(const KernelContext&, const ForwardArgs& a) override {
    T* out = a.outputs[0].ptr<T>();
    const OpReq req = a.req[0];
    int64_t channel_offset = 0;
    for (size_t k = 0; k < in_shapes_.size(); ++k) {
      const Shape& s = in_shapes_[k];
      const int64_t f = out_[2] / s[2];
      const T* in = a.inputs[k].ptr<T>();
      // Summed inputs after the first add to what the first wrote.
      const OpReq r = sum_ && k > 0 ? OpReq::kAdd : req;
      for (int64_t n = 0; n < s[0]; ++n) {
        for (int64_t c = 0; c < s[1]; ++c) {
          const T* src = in + (n * s[1] + c) * s[2] * s[3];
          T* dst = out + (n * out_[1] + channel_offset + c) * out_[2] * out_[3];
          for (int64_t y = 0; y < out_[2]; ++y) {
            const T* row = src + (y / f) * s[3];
            StoreEach(r, dst + y * out_[3], out_[3],
                      [=](int64_t x) { return row[x / f]; });
          }
        }
      }
      if (!sum_) channel_offset += s[1];
    }
  }

  void Backward(const KernelContext&, const BackwardArgs& a) override {
    const T* g = a.out_grads[0].ptr<T>();
    int64_t channel_offset = 0;
    for (size_t k = 0; k < in_shapes_.size(); ++k) {
      const Shape& s = in_shapes_[k];
      const int64_t f = out_[2] / s[2];
      T* dx = a.in_grads[k].ptr_or_null<T>();
      if (dx != nullptr) {
        for (int64_t n = 0; n < s[0]; ++n) {
          for (int64_t c = 0; c < s[1]; ++c) {
            const T* src =
                g + (n * out_[1] + channel_offset + c) * out_[2] * out_[3];
            T* dst = dx + (n * s[1] + c) * s[2] * s[3];
            StoreEach(a.req[k], dst, s[2] * s[3], [=](int64_t i) {
              const int64_t y0 = (i / s[3]) * f, x0 = (i % s[3]) * f;
              T total = 0;
              for (int64_t y = y0; y < y0 + f; ++y) {
                for (int64_t x = x0; x < x0 + f; ++x) {
                  total += src[y * out_[3] + x];
                }
              }
              return total;
            });
          }
        }
      }
      if (!sum_) channel_offset += s[1];
    }
  }

 private:
  std::vector<Shape> in_shapes_;
  Shape out_;
  bool sum_;
};

// out[n, c] = sum over input pixels (y, x) and taps (ky, kx) of data[n, c,
// y, x] w[c, ky, kx] placed at (y scale - pad + ky, x scale - pad + kx):
// a transposed convolution per channel.
template <typename T>
class BilinearUpSamplingKernel : public OpKernel {
 public:
  explicit BilinearUpSamplingKernel(const KernelSetup& s)
      : in_(s.in_shapes[0]),
        out_(s.out_shapes[0]),
        scale_(s.params<UpSamplingParam>().scale),
        k_(BilinearKernelSize(scale_)),
        pad_(BilinearPad(scale_)) {}

  void Forward(const KernelContext&, const ForwardArgs& a) override {
    T* y = AccumulateInto(a.req[0], a.outputs[0].ptr<T>(), out_.Size());
    if (y == nullptr) return;
    const T* x = a.inputs[0].ptr<T>();
    const T* w = a.inputs[1].ptr<T>();
    ForEachTap([&](int64_t in, int64_t out, int64_t tap) {
      y[out] += x[in] * w[tap];
    });
  }

  void Backward(const KernelContext&, const BackwardArgs& a) override {
    const T* g = a.out_grads[0].ptr<T>();
    const T* x = a.inputs[0].ptr<T>();
    const T* w = a.inputs[1].ptr<T>();
    T* dx =
        AccumulateInto(a.req[0], a.in_grads[0].ptr_or_null<T>(), in_.Size());
    T* dw = AccumulateInto(a.req[1], a.in_grads[1].ptr_or_null<T>(),
                           a.inputs[1].Size());
    ForEachTap([&](int64_t in, int64_t out, int64_t tap) {
      if (dx) dx[in] += g[out] * w[tap];
      if (dw) dw[tap] += g[out] * x[in];
    });
  }

 private:
  // Calls f(data index, output index, weight index) for every tap of every
  // input pixel that lands inside the output.
  template <typename F>
  void ForEachTap(F f) const {
    const int64_t h = in_[2], w = in_[3], oh = out_[2], ow = out_[3];
    for (int64_t nc = 0; nc < in_[0] * in_[1]; ++nc) {
      const int64_t c = nc % in_[1];
      for (int64_t y = 0; y < h; ++y) {
        for (int64_t x = 0; x < w; ++x) {
          const int64_t in = (nc * h + y) * w + x;
          for (int64_t ky = 0; ky < k_; ++ky) {
            const int64_t oy = y * scale_ - pad_ + ky;
            if (oy < 0 || oy >= oh) continue;
            for (int64_t kx = 0; kx < k_; ++kx) {
              const int64_t ox = x * scale_ - pad_ + kx;
              if (ox < 0 || ox >= ow) continue;
              f(in, (nc * oh + oy) * ow + ox, (c * k_ + ky) * k_ + kx);
            }
          }
        }
      }
    }
  }

  Shape in_, out_;
  int64_t scale_, k_, pad_;
};

// Nearest or bilinear by sample_type.
KernelFactory UpSamplingFactory() {
  return [](const KernelSetup& s) {
    return IsBilinear(*s.attrs) ? TypedFactory<BilinearUpSamplingKernel>()(s)
                                : TypedFactory<UpSamplingKernel>()(s);
  };
}

}  // namespace

MX_REGISTER_OP(UpSampling)
    .Describe(
        "Nearest-neighbour upsampling of arg0..argN-1 (N, C, H, W) to (H_0 "
        "scale, W_0 scale), concatenated along the channels or summed; or "
        "bilinear upsampling of data by the per-channel kernel weight.")
    .Params<UpSamplingParam>()
    .Inputs([](const NodeAttrs& a) {
      if (IsBilinear(a)) return std::vector<std::string>{"data", "weight"};
      return VariadicInputNames(a.params<UpSamplingParam>().num_args);
    })
    .VariadicInputs("num_args")
    .InferShape(InferUpSamplingShape)
    // The weight starts as the bilinear kernel, whatever its name.
    .OnInputVariable([](const NodeAttrs& a, int index, AttrDict* var_attrs) {
      if (!IsBilinear(a) || index != 1 || var_attrs->count("__init__")) return;
      (*var_attrs)["__init__"] = "[\"bilinear\", {}]";
    })
    .Backward([](const NodeAttrs& a) {
      return IsBilinear(a) ? BackwardDeps{{0}, {0, 1}, {}}
                           : BackwardDeps{{0}, {}, {}};
    });

MX_REGISTER_KERNEL(UpSampling, kCPU, kReference)
    .Types({DType::kFloat32, DType::kFloat64})
    .Factory(UpSamplingFactory());

}  // namespace ops
}  // namespace mx
