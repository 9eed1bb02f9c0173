#include "ops/nn/embedding.h"

#include <cstring>
#include <vector>

#include "core/base/error.h"
#include "core/op/kernel.h"
#include "core/op/op.h"
#include "ops/common/kernel_util.h"

namespace mx {
namespace ops {
namespace {

void InferEmbeddingShape(InferShapeContext* ctx) {
  const auto& p = ctx->params<EmbeddingParam>();
  ctx->AssignIn(1, PartialShape{p.input_dim, p.output_dim});
  const PartialShape& data = ctx->in(0);
  if (!data.rank_known()) return;
  std::vector<int64_t> out = data.dims();
  out.push_back(p.output_dim);
  ctx->AssignOut(0, PartialShape(out));
}

void InferEmbeddingType(InferTypeContext* ctx) {
  const int type = static_cast<int>(
      DTypeFromName(ctx->attrs().params<EmbeddingParam>().dtype));
  // Indices default to the weight's type, as in MXNet.
  if (ctx->in(0) == kUnknownType) ctx->AssignIn(0, type);
  ctx->AssignIn(1, type);
  ctx->AssignOut(0, type);
}

}  // namespace

MX_REGISTER_OP(Embedding)
    .Describe(
        "Row lookup: out[..., :] = weight[data[...], :]; data holds indices "
        "(any shape), weight is (input_dim, output_dim), out is data.shape + "
        "(output_dim,). An index that is not an integer in [0, input_dim) "
        "is an error naming the node (MXNet clips it).")
    .Params<EmbeddingParam>()
    .Inputs({"data", "weight"})
    .InferShape(InferEmbeddingShape)
    .InferType(InferEmbeddingType)
    .Backward([](const NodeAttrs&) {
      return BackwardDeps{{0}, {0}, {}};
    })
    .NoGradient({"data"});

namespace {

// Row copies forward, scatter-add backward. Indices may have any arithmetic
// type; one that is not an integer in [0, input_dim) is an error naming the
// node (MXNet clips silently).
template <typename T>
class EmbeddingKernel : public NodeKernel {
 public:
  explicit EmbeddingKernel(const KernelSetup& s)
      : NodeKernel(s),
        rows_(s.params<EmbeddingParam>().input_dim),
        dim_(s.params<EmbeddingParam>().output_dim) {}

  void Forward(const KernelContext&, const ForwardArgs& a) override {
    const std::vector<int64_t> rows = Rows(a.inputs[0]);
    const T* wt = a.inputs[1].ptr<T>();
    T* out = a.outputs[0].ptr<T>();
    for (size_t i = 0; i < rows.size(); ++i) {
      StoreArray(a.req[0], out + i * dim_, wt + rows[i] * dim_, dim_);
    }
  }

  void Backward(const KernelContext&, const BackwardArgs& a) override {
    if (a.req[1] == OpReq::kNull) return;
    const std::vector<int64_t> rows = Rows(a.inputs[0]);
    const T* g = a.out_grads[0].ptr<T>();
    T* dw = a.in_grads[1].ptr<T>();
    if (a.req[1] != OpReq::kAdd) std::memset(dw, 0, sizeof(T) * rows_ * dim_);
    for (size_t i = 0; i < rows.size(); ++i) {
      T* row = dw + rows[i] * dim_;
      const T* gi = g + i * dim_;
      for (int64_t j = 0; j < dim_; ++j) row[j] += gi[j];
    }
  }

 private:
  std::vector<int64_t> Rows(const TensorView& data) const {
    std::vector<int64_t> rows(static_cast<size_t>(data.Size()));
    MX_ARITH_DTYPE_SWITCH(data.dtype, where_, I, {
      const I* idx = data.ptr<I>();
      for (size_t i = 0; i < rows.size(); ++i) {
        const double v = static_cast<double>(idx[i]);
        const int64_t r = static_cast<int64_t>(v);
        MX_CHECK(v >= 0 && r < rows_ && static_cast<double>(r) == v, where_,
                 ": index ", v, " at position ", i,
                 " is not a row of the weight: rows are integers in [0, ",
                 rows_, ") (input_dim)");
        rows[i] = r;
      }
    });
    return rows;
  }

  int64_t rows_, dim_;
};

}  // namespace

MX_REGISTER_KERNEL(Embedding, kCPU, kReference)
    .Types({DType::kFloat32, DType::kFloat64})
    .Factory(TypedFactory<EmbeddingKernel>());

}  // namespace ops
}  // namespace mx
