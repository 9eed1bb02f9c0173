// Convolution as im2col + BLAS gemm (the optimized CPU kernel). Several
// samples share one product: their columns sit side by side, so the gemm is
// (filters x rows) x (rows x samples * positions) instead of one thin
// product per sample (Note [Convolution on gemm]). The column and product
// buffers are the kernel's planned workspace.
#include <algorithm>
#include <cstring>

#include "core/op/kernel.h"
#include "ops/common/gemm.h"
#include "ops/common/kernel_util.h"
#include "ops/nn/convolution.h"
#include "ops/nn/convolution_depthwise.h"
#include "ops/nn/convolution_dnnl.h"
#include "ops/nn/convolution_pointwise.h"

namespace mx {
namespace ops {
namespace {

// Buffer bytes one product aims for: enough columns for an efficient gemm,
// small enough to stay in cache and not to dominate the memory plan. Fewer
// samples when the op's workspace limit (MB, as MXNet's `workspace`) is
// lower; always at least one sample.
constexpr double kTargetBufferBytes = 2 << 20;

template <typename T>
class ConvolutionIm2Col : public OpKernel {
 public:
  explicit ConvolutionIm2Col(const KernelSetup& s) : d_(ConvDims::Of(s)) {
    const double limit =
        std::min(kTargetBufferBytes,
                 static_cast<double>(s.params<ConvolutionParam>().workspace) *
                     (1 << 20));
    const double per_sample = static_cast<double>(BufferBytes(1));
    chunk_ = std::clamp<int64_t>(static_cast<int64_t>(limit / per_sample), 1,
                                 d_.batch);
  }

  size_t ForwardWorkspace() const override { return BufferBytes(chunk_); }
  size_t BackwardWorkspace() const override { return BufferBytes(chunk_); }

  void Forward(const KernelContext& ctx, const ForwardArgs& a) override {
    const OpReq req = a.req[0];
    if (req == OpReq::kNull) return;
    const T* x = a.inputs[0].ptr<T>();
    const T* wt = a.inputs[1].ptr<T>();
    const T* bias = d_.bias ? a.inputs[2].ptr<T>() : nullptr;
    T* y = a.outputs[0].ptr<T>();
    const int64_t cg = d_.in_per_group(), fg = d_.out_per_group();
    const int64_t os = d_.w.OutSize();
    const int64_t rows = cg * d_.w.KernelSize();
    T* col = static_cast<T*>(ctx.workspace);
    T* prod = col + rows * chunk_ * os;
    for (int64_t n0 = 0; n0 < d_.batch; n0 += chunk_) {
      const int64_t cn = std::min(chunk_, d_.batch - n0), ld = cn * os;
      for (int64_t g = 0; g < d_.groups; ++g) {
        ChunkColumns(x, n0, cn, g, col);
        // prod (fg, cn * os) = w_g (fg, rows) col (rows, cn * os).
        MatMul(false, false, fg, ld, rows, wt + g * fg * rows, col, prod,
               false);
        for (int64_t s = 0; s < cn; ++s) {
          for (int64_t f = 0; f < fg; ++f) {
            const T b = bias ? bias[g * fg + f] : T(0);
            const T* src = prod + f * ld + s * os;
            StoreEach(req, y + ((n0 + s) * d_.out_c + g * fg + f) * os, os,
                      [=](int64_t o) { return src[o] + b; });
          }
        }
      }
    }
  }

  void Backward(const KernelContext& ctx, const BackwardArgs& a) override {
    const T* gy = a.out_grads[0].ptr<T>();
    const T* x = a.inputs[0].ptr<T>();
    const T* wt = a.inputs[1].ptr<T>();
    T* dx = a.in_grads[0].ptr_or_null<T>();
    T* dw = a.in_grads[1].ptr_or_null<T>();
    const int64_t cg = d_.in_per_group(), fg = d_.out_per_group();
    const int64_t is = d_.w.InSize(), os = d_.w.OutSize();
    const int64_t rows = cg * d_.w.KernelSize();
    T* col = static_cast<T*>(ctx.workspace);
    T* prod = col + rows * chunk_ * os;
    if (dx && a.req[0] != OpReq::kAdd) {
      std::memset(dx, 0, sizeof(T) * d_.batch * d_.in_c * is);
    }
    for (int64_t n0 = 0; (dx || dw) && n0 < d_.batch; n0 += chunk_) {
      const int64_t cn = std::min(chunk_, d_.batch - n0), ld = cn * os;
      for (int64_t g = 0; g < d_.groups; ++g) {
        // prod (fg, cn * os): the chunk's output gradient of group g.
        for (int64_t s = 0; s < cn; ++s) {
          for (int64_t f = 0; f < fg; ++f) {
            std::memcpy(prod + f * ld + s * os,
                        gy + ((n0 + s) * d_.out_c + g * fg + f) * os,
                        sizeof(T) * os);
          }
        }
        if (dw) {
          // dw_g (fg, rows) += prod (fg, cn * os) col^T (cn * os, rows).
          ChunkColumns(x, n0, cn, g, col);
          MatMul(false, true, fg, rows, ld, prod, col, dw + g * fg * rows,
                 n0 > 0 || a.req[1] == OpReq::kAdd);
        }
        if (dx) {
          // col (rows, cn * os) = w_g^T (rows, fg) prod; then col2im.
          MatMul(true, false, rows, ld, fg, wt + g * fg * rows, prod, col,
                 false);
          for (int64_t s = 0; s < cn; ++s) {
            Col2ImAdd(col + s * os, cg, d_.w,
                      dx + ((n0 + s) * d_.in_c + g * cg) * is, ld);
          }
        }
      }
    }
    if (d_.bias) {
      SumChannels(gy, d_.batch, d_.out_c, os, a.in_grads[2].ptr_or_null<T>(),
                  a.req[2]);
    }
  }

 private:
  // col (rows, cn * positions): the im2col columns of group g of samples
  // [n0, n0 + cn), side by side.
  void ChunkColumns(const T* x, int64_t n0, int64_t cn, int64_t g,
                    T* col) const {
    const int64_t cg = d_.in_per_group(), os = d_.w.OutSize();
    for (int64_t s = 0; s < cn; ++s) {
      Im2Col(x + ((n0 + s) * d_.in_c + g * cg) * d_.w.InSize(), cg, d_.w,
             col + s * os, cn * os);
    }
  }

  // The column buffer (rows, chunk * positions) and the product buffer
  // (filters per group, chunk * positions).
  size_t BufferBytes(int64_t chunk) const {
    const int64_t columns = chunk * d_.w.OutSize();
    return sizeof(T) *
           static_cast<size_t>(
               (d_.in_per_group() * d_.w.KernelSize() + d_.out_per_group()) *
               columns);
  }

  ConvDims d_;
  int64_t chunk_ = 1;  // samples per product
};

}  // namespace

// Direct loops for depthwise convolutions, per-sample products for 1x1
// ones, oneDNN where it applies (float32, 1-D and 2-D), im2col + gemm
// otherwise.
MX_REGISTER_KERNEL(Convolution, kCPU, kOptimized)
    .Types({DType::kFloat32, DType::kFloat64})
    .Factory([](const KernelSetup& s) -> std::unique_ptr<OpKernel> {
      if (auto depthwise = MakeDepthwiseConvolution(s)) return depthwise;
      if (auto pointwise = MakePointwiseConvolution(s)) return pointwise;
      const KernelFactory im2col = TypedFactory<ConvolutionIm2Col>();
      if (auto dnnl = MakeDnnlConvolution(s, im2col)) return dnnl;
      return im2col(s);
    });

}  // namespace ops
}  // namespace mx
