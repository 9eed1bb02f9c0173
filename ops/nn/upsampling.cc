// UpSampling (MXNet's, sample_type 'nearest'): each input (N, C_k, H_k, W_k)
// is repeated to the output's extent (H_0 scale, W_0 scale), and the results
// are concatenated along the channels or summed. The gradient of an input
// sums its output gradient over each repeated block.
#include "ops/nn/upsampling.h"

#include <string>
#include <vector>

#include "core/base/error.h"
#include "core/op/kernel.h"
#include "core/op/op.h"
#include "core/op/param.h"
#include "ops/tensor/variadic.h"

namespace mx {
namespace ops {
namespace {

void InferUpSamplingShape(InferShapeContext* ctx) {
  const auto& p = ctx->params<UpSamplingParam>();
  for (int i = 0; i < ctx->num_inputs(); ++i) {
    if (!ctx->in(i).IsKnown()) return;
    if (ctx->in(i).ndim() != 4) {
      ctx->Fail(StrCat("input ", i, " must be 4-D (N, C, H, W), got ",
                       ctx->in(i).ToString()));
    }
  }
  const PartialShape& first = ctx->in(0);
  const int64_t oh = first[2] * p.scale, ow = first[3] * p.scale;
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

}  // namespace

MX_REGISTER_OP(UpSampling)
    .Describe(
        "Nearest-neighbour upsampling of arg0..argN-1 (N, C, H, W) to (H_0 "
        "scale, W_0 scale), concatenated along the channels or summed.")
    .Params<UpSamplingParam>()
    .Inputs([](const NodeAttrs& a) {
      return VariadicInputNames(a.params<UpSamplingParam>().num_args);
    })
    .VariadicInputs("num_args")
    .InferShape(InferUpSamplingShape)
    .Backward([](const NodeAttrs&) {
      return BackwardDeps{{0}, {}, {}};
    });

MX_REGISTER_KERNEL(UpSampling, kCPU, kReference)
    .Types({DType::kFloat32, DType::kFloat64})
    .Factory(TypedFactory<UpSamplingKernel>());

}  // namespace ops
}  // namespace mx
