// Embedding on the GPU: row copies forward, atomic scatter-add backward. An
// index that is not a row is reported without a host wait (BadValueReport):
// its output row is zero and a later call raises the error.
#include "core/base/dtype.h"
#include "core/op/kernel.h"
#include "ops/common/cuda_libs.h"
#include "ops/common/cuda_loops.cuh"
#include "ops/common/kernel_util.h"
#include "ops/nn/embedding.h"

namespace mx {
namespace ops {
namespace {

template <typename T>
class EmbeddingGpu : public NodeKernel {
 public:
  explicit EmbeddingGpu(const KernelSetup& s)
      : NodeKernel(s),
        rows_(s.params<EmbeddingParam>().input_dim),
        dim_(s.params<EmbeddingParam>().output_dim) {}

  void Forward(const KernelContext& ctx, const ForwardArgs& a) override {
    RaiseBadIndex();
    const T* wt = a.inputs[1].ptr<T>();
    T* out = a.outputs[0].ptr<T>();
    const int64_t rows = rows_, dim = dim_;
    BadValue* bad = bad_indices_.device();
    MX_ARITH_DTYPE_SWITCH(a.inputs[0].dtype, where_, I, {
      const I* idx = a.inputs[0].ptr<I>();
      cu::StoreEach(
          ctx, where_, a.req[0], out, a.outputs[0].Size(),
          [=] __device__(int64_t i) {
            const int64_t at = i / dim;
            const double v = static_cast<double>(idx[at]);
            const int64_t r = static_cast<int64_t>(v);
            if (!(v >= 0 && r < rows && static_cast<double>(r) == v)) {
              if (i % dim == 0) cu::ReportBadValue(bad, at, v);
              return T(0);
            }
            return wt[r * dim + i % dim];
          });
    });
    bad_indices_.Queued(ctx);
  }

  void Backward(const KernelContext& ctx, const BackwardArgs& a) override {
    if (a.req[1] == OpReq::kNull) return;
    const T* g = a.out_grads[0].ptr<T>();
    T* dw = a.in_grads[1].ptr<T>();
    if (a.req[1] != OpReq::kAdd) cu::Zero(ctx, where_, dw, rows_ * dim_);
    const int64_t rows = rows_, dim = dim_;
    MX_ARITH_DTYPE_SWITCH(a.inputs[0].dtype, where_, I, {
      const I* idx = a.inputs[0].ptr<I>();
      cu::ForEach(ctx, where_, a.out_grads[0].Size(),
                  [=] __device__(int64_t i) {
                    const double v = static_cast<double>(idx[i / dim]);
                    const int64_t r = static_cast<int64_t>(v);
                    if (v >= 0 && r < rows && static_cast<double>(r) == v) {
                      atomicAdd(dw + r * dim + i % dim, g[i]);
                    }
                  });
    });
  }

 private:
  void RaiseBadIndex() {
    BadValue b;
    if (!bad_indices_.Take(&b)) return;
    MX_THROW(where_, ": index ", b.value, " at position ", b.position,
             " is not a row of the weight: rows are integers in [0, ", rows_,
             ") (input_dim)");
  }

  int64_t rows_, dim_;
  BadValueReport bad_indices_;
};

}  // namespace

MX_REGISTER_KERNEL(Embedding, kGPU, kOptimized)
    .Types({DType::kFloat32, DType::kFloat64})
    .Factory(TypedFactory<EmbeddingGpu>());

}  // namespace ops
}  // namespace mx
