#include "ops/nn/convolution_pointwise.h"

#include <algorithm>
#include <climits>
#include <vector>

#include "core/engine/parallel.h"
#include "core/ndarray/blas.h"
#include "ops/common/gemm.h"
#include "ops/common/kernel_util.h"
#include "ops/nn/convolution.h"

namespace mx {
namespace ops {
namespace {

// Per sample n and group g, with P output positions, C / F input / output
// channels and cg / fg per group:
//   y[n, g] (fg, P) = w[g] (fg, cg) xs[n, g] (cg, P) + bias,
//   dxs[n, g] (cg, P) = w[g]^T dy[n, g],
//   dw[g] (fg, cg) = sum over n of dy[n, g] xs[n, g]^T,
// where xs is x at the output positions: x itself with unit strides, else
// gathered into a buffer (residual projections, stride 2), and dx is dxs at
// those positions and 0 elsewhere.
// Samples split over the intra-op threads for y and dx, output channels for
// dw (each weight row summed over the samples in order: the same every run).
template <typename T>
class PointwiseConvolution : public OpKernel {
 public:
  explicit PointwiseConvolution(const KernelSetup& s)
      : d_(ConvDims::Of(s)),
        p_(d_.w.OutSize()),
        cg_(d_.in_per_group()),
        fg_(d_.out_per_group()),
        strided_(d_.w.InSize() != p_) {}

  void Forward(const KernelContext&, const ForwardArgs& a) override {
    const OpReq req = a.req[0];
    if (req == OpReq::kNull) return;
    const T* x = a.inputs[0].ptr<T>();
    const T* wt = a.inputs[1].ptr<T>();
    const T* bias = d_.bias ? a.inputs[2].ptr<T>() : nullptr;
    T* y = a.outputs[0].ptr<T>();
    ParallelFor(d_.batch, 1, [&](int64_t begin, int64_t end) {
      std::vector<T> buf(strided_ ? static_cast<size_t>(d_.in_c * p_) : 0);
      for (int64_t n = begin; n < end; ++n) {
        const T* xs = Positions(x, n, 0, d_.in_c, buf.data());
        for (int64_t g = 0; g < d_.groups; ++g) {
          T* out = y + (n * d_.out_c + g * fg_) * p_;
          GemmOnCallingThread(
              MatMulArgs(false, false, fg_, p_, cg_, wt + g * fg_ * cg_, cg_,
                         xs + g * cg_ * p_, p_, out, p_, req == OpReq::kAdd));
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
        std::vector<T> buf(strided_ ? static_cast<size_t>(d_.in_c * p_) : 0);
        for (int64_t n = begin; n < end; ++n) {
          T* dxn = dx + n * d_.in_c * d_.w.InSize();
          for (int64_t g = 0; g < d_.groups; ++g) {
            GemmOnCallingThread(MatMulArgs(
                true, false, cg_, p_, fg_, wt + g * fg_ * cg_, cg_,
                gy + (n * d_.out_c + g * fg_) * p_, p_,
                strided_ ? buf.data() + g * cg_ * p_ : dxn + g * cg_ * p_, p_,
                !strided_ && dx_req == OpReq::kAdd));
          }
          if (strided_) Spread(buf.data(), dx_req == OpReq::kAdd, dxn);
        }
      });
    }
    if (dw) {
      ParallelFor(d_.out_c, kRowGrain, [&](int64_t begin, int64_t end) {
        std::vector<T> buf(strided_ ? static_cast<size_t>(cg_ * p_) : 0);
        // Rows [r0, r1) of one group at a time.
        for (int64_t r0 = begin; r0 < end;) {
          const int64_t g = r0 / fg_;
          const int64_t r1 = std::min(end, (g + 1) * fg_);
          for (int64_t n = 0; n < d_.batch; ++n) {
            GemmOnCallingThread(MatMulArgs(
                false, true, r1 - r0, cg_, p_, gy + (n * d_.out_c + r0) * p_,
                p_, Positions(x, n, g * cg_, cg_, buf.data()), p_,
                dw + r0 * cg_, cg_, n > 0 || dw_req == OpReq::kAdd));
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
  // Channels [c0, c0 + count) of sample n at the output positions, (count,
  // P): x's own memory with unit strides, else gathered into buf.
  const T* Positions(const T* x, int64_t n, int64_t c0, int64_t count,
                     T* buf) const {
    const T* src = x + (n * d_.in_c + c0) * d_.w.InSize();
    if (!strided_) return src;
    for (int64_t c = 0; c < count; ++c) {
      ForEachPosition([&](int64_t o, int64_t i) {
        buf[c * p_ + o] = src[c * d_.w.InSize() + i];
      });
    }
    return buf;
  }

  // dx (in_c, input positions) = (or +=) dxs (in_c, P) at the output
  // positions, 0 elsewhere.
  void Spread(const T* dxs, bool add, T* dx) const {
    const int64_t is = d_.w.InSize();
    if (!add) std::fill(dx, dx + d_.in_c * is, T(0));
    for (int64_t c = 0; c < d_.in_c; ++c) {
      ForEachPosition(
          [&](int64_t o, int64_t i) { dx[c * is + i] += dxs[c * p_ + o]; });
    }
  }

  // f(output position, its input position) within one channel.
  template <typename F>
  void ForEachPosition(F f) const {
    const Window& w = d_.w;
    int64_t o = 0;
    for (int64_t a = 0; a < w.out[0]; ++a) {
      for (int64_t b = 0; b < w.out[1]; ++b) {
        const int64_t row =
            (a * w.stride[0] * w.in[1] + b * w.stride[1]) * w.in[2];
        for (int64_t c = 0; c < w.out[2]; ++c) f(o++, row + c * w.stride[2]);
      }
    }
  }

  // Weight-gradient rows per thread at least (a product's row block).
  static constexpr int64_t kRowGrain = 8;

  ConvDims d_;
  int64_t p_, cg_, fg_;  // positions; input / output channels per group
  bool strided_;         // the output positions are not all the input's
};

}  // namespace

std::unique_ptr<OpKernel> MakePointwiseConvolution(const KernelSetup& setup) {
  const ConvDims d = ConvDims::Of(setup);
  const Window& w = d.w;
  for (int i = 0; i < 3; ++i) {
    if (w.kernel[i] != 1 || w.pad[i] != 0) return nullptr;
  }
  // BLAS indices are 32-bit.
  if (std::max({d.in_c, d.out_c, w.OutSize()}) > INT_MAX) return nullptr;
  return TypedFactory<PointwiseConvolution>()(setup);
}

}  // namespace ops
}  // namespace mx
