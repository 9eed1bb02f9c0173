#include "ops/nn/convolution_pointwise.h"

#include <algorithm>
#include <climits>

#include "core/engine/parallel.h"
#include "core/ndarray/blas.h"
#include "ops/common/gemm.h"
#include "ops/common/kernel_util.h"
#include "ops/nn/convolution.h"

namespace mx {
namespace ops {
namespace {

// Per sample n and group g, with P positions, C / F input / output channels
// and cg / fg per group:
//   y[n, g] (fg, P) = w[g] (fg, cg) x[n, g] (cg, P) + bias,
//   dx[n, g] (cg, P) = w[g]^T dy[n, g],
//   dw[g] (fg, cg) = sum over n of dy[n, g] x[n, g]^T.
// Samples split over the intra-op threads for y and dx, output channels for
// dw (each weight row summed over the samples in order: the same every run).
template <typename T>
class PointwiseConvolution : public OpKernel {
 public:
  explicit PointwiseConvolution(const KernelSetup& s)
      : d_(ConvDims::Of(s)),
        p_(d_.w.OutSize()),
        cg_(d_.in_per_group()),
        fg_(d_.out_per_group()) {}

  void Forward(const KernelContext&, const ForwardArgs& a) override {
    const OpReq req = a.req[0];
    if (req == OpReq::kNull) return;
    const T* x = a.inputs[0].ptr<T>();
    const T* wt = a.inputs[1].ptr<T>();
    const T* bias = d_.bias ? a.inputs[2].ptr<T>() : nullptr;
    T* y = a.outputs[0].ptr<T>();
    ParallelFor(d_.batch, 1, [&](int64_t begin, int64_t end) {
      for (int64_t n = begin; n < end; ++n) {
        for (int64_t g = 0; g < d_.groups; ++g) {
          T* out = y + (n * d_.out_c + g * fg_) * p_;
          GemmOnCallingThread(MatMulArgs(false, false, fg_, p_, cg_,
                                         wt + g * fg_ * cg_, cg_,
                                         x + (n * d_.in_c + g * cg_) * p_, p_,
                                         out, p_, req == OpReq::kAdd));
        }
        if (bias) AddChannelBias(bias, 1, d_.out_c, p_, y + n * d_.out_c * p_);
      }
    });
  }

  void Backward(const KernelContext&, const BackwardArgs& a) override {
    const T* gy = a.out_grads[0].ptr<T>();
    const T* x = a.inputs[0].ptr<T>();
    const T* wt = a.inputs[1].ptr<T>();
    const OpReq dx_req = a.req[0], dw_req = a.req[1];
    T* dx = dx_req == OpReq::kNull ? nullptr : a.in_grads[0].ptr_or_null<T>();
    T* dw = dw_req == OpReq::kNull ? nullptr : a.in_grads[1].ptr_or_null<T>();
    if (dx) {
      ParallelFor(d_.batch, 1, [&](int64_t begin, int64_t end) {
        for (int64_t n = begin; n < end; ++n) {
          for (int64_t g = 0; g < d_.groups; ++g) {
            GemmOnCallingThread(MatMulArgs(
                true, false, cg_, p_, fg_, wt + g * fg_ * cg_, cg_,
                gy + (n * d_.out_c + g * fg_) * p_, p_,
                dx + (n * d_.in_c + g * cg_) * p_, p_, dx_req == OpReq::kAdd));
          }
        }
      });
    }
    if (dw) {
      ParallelFor(d_.out_c, kRowGrain, [&](int64_t begin, int64_t end) {
        // Rows [r0, r1) of one group at a time.
        for (int64_t r0 = begin; r0 < end;) {
          const int64_t g = r0 / fg_;
          const int64_t r1 = std::min(end, (g + 1) * fg_);
          for (int64_t n = 0; n < d_.batch; ++n) {
            GemmOnCallingThread(MatMulArgs(
                false, true, r1 - r0, cg_, p_, gy + (n * d_.out_c + r0) * p_,
                p_, x + (n * d_.in_c + g * cg_) * p_, p_, dw + r0 * cg_, cg_,
                n > 0 || dw_req == OpReq::kAdd));
          }
          r0 = r1;
        }
      });
    }
    if (d_.bias) {
      SumChannels(gy, d_.batch, d_.out_c, p_, a.in_grads[2].ptr_or_null<T>(),
                  a.req[2]);
    }
  }

 private:
  // Weight-gradient rows per thread at least (a product's row block).
  static constexpr int64_t kRowGrain = 8;

  ConvDims d_;
  int64_t p_, cg_, fg_;  // positions; input / output channels per group
};

}  // namespace

std::unique_ptr<OpKernel> MakePointwiseConvolution(const KernelSetup& setup) {
  const ConvDims d = ConvDims::Of(setup);
  const Window& w = d.w;
  for (int i = 0; i < 3; ++i) {
    if (w.kernel[i] != 1 || w.stride[i] != 1 || w.pad[i] != 0) return nullptr;
  }
  // BLAS indices are 32-bit.
  if (std::max({d.in_c, d.out_c, w.OutSize()}) > INT_MAX) return nullptr;
  return TypedFactory<PointwiseConvolution>()(setup);
}

}  // namespace ops
}  // namespace mx
