// Deconvolution as gemm + col2im per sample and group (the optimized CPU
// kernel): the forward is Convolution's data gradient, the backward its
// forward (data gradient) and weight gradient; the column buffer is the
// kernel's planned workspace.
#include <cstring>

#include "core/op/kernel.h"
#include "ops/common/gemm.h"
#include "ops/common/kernel_util.h"
#include "ops/nn/deconvolution.h"

namespace mx {
namespace ops {
namespace {

// In DeconvAsConv's terms: the node's data x (batch, out_c, out...) is the
// convolution's output, the node's output y (batch, in_c, in...) its data.
template <typename T>
class DeconvolutionCol2Im : public OpKernel {
 public:
  explicit DeconvolutionCol2Im(const KernelSetup& s) : c_(DeconvAsConv(s)) {}

  size_t ForwardWorkspace() const override { return ColBytes(); }
  size_t BackwardWorkspace() const override { return ColBytes(); }

  void Forward(const KernelContext& ctx, const ForwardArgs& a) override {
    if (a.req[0] == OpReq::kNull) return;
    const T* x = a.inputs[0].ptr<T>();
    const T* wt = a.inputs[1].ptr<T>();
    T* y = a.outputs[0].ptr<T>();
    T* col = static_cast<T*>(ctx.workspace);
    const int64_t fg = c_.in_per_group(), cg = c_.out_per_group();
    const int64_t ys = c_.w.InSize(), xs = c_.w.OutSize();
    const int64_t rows = fg * c_.w.KernelSize();
    if (a.req[0] != OpReq::kAdd) {
      std::memset(y, 0, sizeof(T) * c_.batch * c_.in_c * ys);
    }
    for (int64_t n = 0; n < c_.batch; ++n) {
      for (int64_t g = 0; g < c_.groups; ++g) {
        // col (rows, xs) = w_g^T (rows, cg) x_g (cg, xs); then col2im.
        MatMul(true, false, rows, xs, cg, wt + g * cg * rows,
               x + (n * c_.out_c + g * cg) * xs, col, false);
        Col2ImAdd(col, fg, c_.w, y + (n * c_.in_c + g * fg) * ys);
      }
    }
    if (c_.bias) {
      AddChannelBias(a.inputs[2].ptr<T>(), c_.batch, c_.in_c, ys, y);
    }
  }

  void Backward(const KernelContext& ctx, const BackwardArgs& a) override {
    const T* gy = a.out_grads[0].ptr<T>();
    const T* x = a.inputs[0].ptr<T>();
    const T* wt = a.inputs[1].ptr<T>();
    T* col = static_cast<T*>(ctx.workspace);
    const int64_t fg = c_.in_per_group(), cg = c_.out_per_group();
    const int64_t ys = c_.w.InSize(), xs = c_.w.OutSize();
    const int64_t rows = fg * c_.w.KernelSize();
    T* dx = a.in_grads[0].ptr_or_null<T>();
    T* dw = a.in_grads[1].ptr_or_null<T>();
    for (int64_t n = 0; n < c_.batch; ++n) {
      for (int64_t g = 0; g < c_.groups; ++g) {
        if (!dx && !dw) break;
        Im2Col(gy + (n * c_.in_c + g * fg) * ys, fg, c_.w, col);
        const int64_t x_at = (n * c_.out_c + g * cg) * xs;
        if (dx) {
          // dx_g (cg, xs) = w_g (cg, rows) col (rows, xs).
          MatMul(false, false, cg, xs, rows, wt + g * cg * rows, col, dx + x_at,
                 a.req[0]);
        }
        if (dw) {
          // dw_g (cg, rows) += x_g (cg, xs) col^T (xs, rows).
          MatMul(false, true, cg, rows, xs, x + x_at, col, dw + g * cg * rows,
                 n > 0 || a.req[1] == OpReq::kAdd);
        }
      }
    }
    if (c_.bias) {
      SumChannels(gy, c_.batch, c_.in_c, ys, a.in_grads[2].ptr_or_null<T>(),
                  a.req[2]);
    }
  }

 private:
  size_t ColBytes() const { return sizeof(T) * c_.ColumnElements(); }

  ConvDims c_;
};

}  // namespace

MX_REGISTER_KERNEL(Deconvolution, kCPU, kOptimized)
    .Types({DType::kFloat32, DType::kFloat64})
    .Factory(TypedFactory<DeconvolutionCol2Im>());

}  // namespace ops
}  // namespace mx
