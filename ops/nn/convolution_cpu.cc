// Convolution as im2col + BLAS gemm per sample and group (the optimized CPU
// kernel); the column buffer is the kernel's planned workspace.
#include <algorithm>
#include <cstring>
#include <vector>

#include "core/op/kernel.h"
#include "ops/common/gemm.h"
#include "ops/common/kernel_util.h"
#include "ops/nn/convolution.h"

namespace mx {
namespace ops {
namespace {

template <typename T>
class ConvolutionIm2Col : public OpKernel {
 public:
  explicit ConvolutionIm2Col(const KernelSetup& s) : d_(ConvDims::Of(s)) {}

  size_t ForwardWorkspace() const override { return ColBytes(); }
  size_t BackwardWorkspace() const override { return ColBytes(); }

  void Forward(const KernelContext& ctx, const ForwardArgs& a) override {
    if (a.req[0] == OpReq::kNull) return;
    const T* x = a.inputs[0].ptr<T>();
    const T* wt = a.inputs[1].ptr<T>();
    T* y = a.outputs[0].ptr<T>();
    T* col = static_cast<T*>(ctx.workspace);
    const int64_t cg = d_.in_per_group(), fg = d_.out_per_group();
    const int64_t is = d_.w.InSize(), os = d_.w.OutSize();
    const int64_t rows = cg * d_.w.KernelSize();
    const bool add = a.req[0] == OpReq::kAdd;
    for (int64_t n = 0; n < d_.batch; ++n) {
      T* yn = y + n * d_.out_c * os;
      if (d_.bias && !add) {
        const T* b = a.inputs[2].ptr<T>();
        for (int64_t f = 0; f < d_.out_c; ++f) {
          std::fill(yn + f * os, yn + (f + 1) * os, b[f]);
        }
      }
      for (int64_t g = 0; g < d_.groups; ++g) {
        Im2Col(x + (n * d_.in_c + g * cg) * is, cg, d_.w, col);
        MatMul(false, false, fg, os, rows, wt + g * fg * rows, col,
               yn + g * fg * os, add || d_.bias);
      }
    }
    if (d_.bias && add) {
      AddChannelBias(a.inputs[2].ptr<T>(), d_.batch, d_.out_c, os, y);
    }
  }

  void Backward(const KernelContext& ctx, const BackwardArgs& a) override {
    const T* gy = a.out_grads[0].ptr<T>();
    const T* x = a.inputs[0].ptr<T>();
    const T* wt = a.inputs[1].ptr<T>();
    T* col = static_cast<T*>(ctx.workspace);
    const int64_t cg = d_.in_per_group(), fg = d_.out_per_group();
    const int64_t is = d_.w.InSize(), os = d_.w.OutSize();
    const int64_t rows = cg * d_.w.KernelSize();
    T* dx = a.in_grads[0].ptr_or_null<T>();
    T* dw = a.in_grads[1].ptr_or_null<T>();
    if (dx && a.req[0] != OpReq::kAdd) {
      std::memset(dx, 0, sizeof(T) * d_.batch * d_.in_c * is);
    }
    for (int64_t n = 0; n < d_.batch; ++n) {
      const T* gn = gy + n * d_.out_c * os;
      for (int64_t g = 0; g < d_.groups; ++g) {
        const T* gg = gn + g * fg * os;
        if (dw) {
          // dw_g (fg, rows) += gy_g (fg, os) col^T (os, rows).
          Im2Col(x + (n * d_.in_c + g * cg) * is, cg, d_.w, col);
          MatMul(false, true, fg, rows, os, gg, col, dw + g * fg * rows,
                 n > 0 || a.req[1] == OpReq::kAdd);
        }
        if (dx) {
          // col (rows, os) = w_g^T (rows, fg) gy_g (fg, os); then col2im.
          MatMul(true, false, rows, os, fg, wt + g * fg * rows, gg, col, false);
          Col2ImAdd(col, cg, d_.w, dx + (n * d_.in_c + g * cg) * is);
        }
      }
    }
    if (d_.bias) {
      SumChannels(gy, d_.batch, d_.out_c, os, a.in_grads[2].ptr_or_null<T>(),
                  a.req[2]);
    }
  }

 private:
  size_t ColBytes() const { return sizeof(T) * d_.ColumnElements(); }

  ConvDims d_;
};

}  // namespace

MX_REGISTER_KERNEL(Convolution, kCPU, kOptimized)
    .Types({DType::kFloat32, DType::kFloat64})
    .Factory(TypedFactory<ConvolutionIm2Col>());

}  // namespace ops
}  // namespace mx
