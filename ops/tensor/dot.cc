// Matrix products as ops: dot (arrays of any rank, as MXNet: lhs's last
// axis, or its first with transpose_a, against rhs's first, or its last with
// transpose_b) and batch_dot (a product per batch entry of 3-d arrays), on
// core's BLAS gemm.
#include <string>
#include <vector>

#include "core/base/strings.h"
#include "core/op/kernel.h"
#include "core/op/op.h"
#include "core/op/param.h"
#include "ops/common/gemm.h"

namespace mx {
namespace ops {
namespace {

struct DotParam {
  bool transpose_a = false, transpose_b = false;

  static void Declare(ParamDeclarer<DotParam>* d) {
    d->Field("transpose_a", &DotParam::transpose_a)
        .Default(false)
        .Doc("Use lhs transposed (its first axis is the summed one).");
    d->Field("transpose_b", &DotParam::transpose_b)
        .Default(false)
        .Doc("Use rhs transposed (its last axis is the summed one).");
  }
};

// The matrices a product multiplies: op(lhs) is (m, k), op(rhs) is (k, n),
// `batch` of them.
struct Product {
  int64_t batch = 1, m = 1, n = 1, k = 1;
  bool ta = false, tb = false;
};

// The free axes of lhs and rhs around the summed one (dot).
struct DotAxes {
  std::vector<int64_t> lhs_free, rhs_free;
  int64_t lhs_k = -1, rhs_k = -1;
};

DotAxes DotAxesOf(const PartialShape& l, const PartialShape& r,
                  const DotParam& p) {
  DotAxes d;
  const std::vector<int64_t>& ld = l.dims();
  const std::vector<int64_t>& rd = r.dims();
  if (p.transpose_a) {
    d.lhs_k = ld.front();
    d.lhs_free.assign(ld.begin() + 1, ld.end());
  } else {
    d.lhs_k = ld.back();
    d.lhs_free.assign(ld.begin(), ld.end() - 1);
  }
  if (p.transpose_b) {
    d.rhs_k = rd.back();
    d.rhs_free.assign(rd.begin(), rd.end() - 1);
  } else {
    d.rhs_k = rd.front();
    d.rhs_free.assign(rd.begin() + 1, rd.end());
  }
  return d;
}

void InferDotShape(InferShapeContext* ctx) {
  const PartialShape& l = ctx->in(0);
  const PartialShape& r = ctx->in(1);
  if (!l.rank_known() || !r.rank_known()) return;
  if (l.ndim() == 0 || r.ndim() == 0) ctx->Fail("operands need >= 1 axis");
  const DotAxes d = DotAxesOf(l, r, ctx->params<DotParam>());
  if (d.lhs_k >= 0 && d.rhs_k >= 0 && d.lhs_k != d.rhs_k) {
    ctx->Fail(StrCat("lhs ", l.ToString(), " and rhs ", r.ToString(),
                     " do not match: the summed axes have extents ", d.lhs_k,
                     " and ", d.rhs_k, "; expected equal extents"));
  }
  std::vector<int64_t> out = d.lhs_free;
  out.insert(out.end(), d.rhs_free.begin(), d.rhs_free.end());
  if (out.empty()) out.push_back(1);  // vector . vector
  ctx->AssignOut(0, PartialShape(out));
}

void InferBatchDotShape(InferShapeContext* ctx) {
  const PartialShape& l = ctx->in(0);
  const PartialShape& r = ctx->in(1);
  if (!l.rank_known() || !r.rank_known()) return;
  if (l.ndim() != 3 || r.ndim() != 3) {
    ctx->Fail(StrCat("lhs ", l.ToString(), " and rhs ", r.ToString(),
                     ": expected 3-d arrays (batch, rows, columns)"));
  }
  const DotParam& p = ctx->params<DotParam>();
  const int64_t m = p.transpose_a ? l[2] : l[1];
  const int64_t kl = p.transpose_a ? l[1] : l[2];
  const int64_t kr = p.transpose_b ? r[2] : r[1];
  const int64_t n = p.transpose_b ? r[1] : r[2];
  if ((l[0] >= 0 && r[0] >= 0 && l[0] != r[0]) ||
      (kl >= 0 && kr >= 0 && kl != kr)) {
    ctx->Fail(StrCat("lhs ", l.ToString(), " and rhs ", r.ToString(),
                     " do not match: expected equal batch sizes and summed "
                     "extents"));
  }
  ctx->AssignOut(0, PartialShape{std::max(l[0], r[0]), m, n});
}

Product ProductOf(const KernelSetup& s) {
  const DotParam& p = s.params<DotParam>();
  const Shape& l = s.in_shapes[0];
  const Shape& r = s.in_shapes[1];
  Product q;
  q.ta = p.transpose_a;
  q.tb = p.transpose_b;
  if (s.attrs->op->name() == "batch_dot") {
    q.batch = l[0];
    q.m = p.transpose_a ? l[2] : l[1];
    q.k = p.transpose_a ? l[1] : l[2];
    q.n = p.transpose_b ? r[1] : r[2];
    return q;
  }
  const DotAxes d = DotAxesOf(l, r, p);
  q.k = d.lhs_k;
  for (int64_t e : d.lhs_free) q.m *= e;
  for (int64_t e : d.rhs_free) q.n *= e;
  return q;
}

// C = op(A) op(B) per batch entry; backward:
//   dA = G op(B)^T (or its transpose when A is used transposed),
//   dB = op(A)^T G (likewise).
template <typename T>
class DotKernel : public OpKernel {
 public:
  explicit DotKernel(const KernelSetup& s) : q_(ProductOf(s)) {}

  void Forward(const KernelContext&, const ForwardArgs& a) override {
    const T* x = a.inputs[0].ptr<T>();
    const T* y = a.inputs[1].ptr<T>();
    T* c = a.outputs[0].ptr<T>();
    for (int64_t b = 0; b < q_.batch; ++b) {
      MatMul(q_.ta, q_.tb, q_.m, q_.n, q_.k, x + b * q_.m * q_.k,
             y + b * q_.k * q_.n, c + b * q_.m * q_.n, a.req[0]);
    }
  }

  void Backward(const KernelContext&, const BackwardArgs& a) override {
    const T* g = a.out_grads[0].ptr<T>();
    const T* x = a.inputs[0].ptr<T>();
    const T* y = a.inputs[1].ptr<T>();
    T* dx = a.in_grads[0].ptr_or_null<T>();
    T* dy = a.in_grads[1].ptr_or_null<T>();
    const int64_t m = q_.m, n = q_.n, k = q_.k;
    for (int64_t b = 0; b < q_.batch; ++b) {
      const T* gb = g + b * m * n;
      const T* xb = x + b * m * k;
      const T* yb = y + b * k * n;
      if (dx != nullptr) {
        T* d = dx + b * m * k;
        if (!q_.ta) {  // dA (m, k) = G op(B)^T
          MatMul(false, !q_.tb, m, k, n, gb, yb, d, a.req[0]);
        } else {  // dA (k, m) = op(B) G^T
          MatMul(q_.tb, true, k, m, n, yb, gb, d, a.req[0]);
        }
      }
      if (dy != nullptr) {
        T* d = dy + b * k * n;
        if (!q_.tb) {  // dB (k, n) = op(A)^T G
          MatMul(!q_.ta, false, k, n, m, xb, gb, d, a.req[1]);
        } else {  // dB (n, k) = G^T op(A)
          MatMul(true, q_.ta, n, k, m, gb, xb, d, a.req[1]);
        }
      }
    }
  }

 private:
  Product q_;
};

BackwardDeps ReadsInputs(const NodeAttrs&) { return {{0}, {0, 1}, {}}; }

MX_REGISTER_OP(dot)
    .Describe(
        "The matrix product of lhs and rhs: lhs's last axis (first with "
        "transpose_a) against rhs's first (last with transpose_b); the other "
        "axes of lhs then rhs form the output.")
    .Params<DotParam>()
    .Inputs({"lhs", "rhs"})
    .InferShape(InferDotShape)
    .Backward(ReadsInputs);

MX_REGISTER_OP(batch_dot)
    .Describe(
        "out[b] = op(lhs[b]) op(rhs[b]) for 3-d lhs and rhs (batch, rows, "
        "columns), op transposing when asked.")
    .Params<DotParam>()
    .Inputs({"lhs", "rhs"})
    .InferShape(InferBatchDotShape)
    .Backward(ReadsInputs);

MX_REGISTER_KERNEL(dot, kCPU, kReference)
    .Types({DType::kFloat32, DType::kFloat64})
    .Factory(TypedFactory<DotKernel>());
MX_REGISTER_KERNEL(batch_dot, kCPU, kReference)
    .Types({DType::kFloat32, DType::kFloat64})
    .Factory(TypedFactory<DotKernel>());

}  // namespace
}  // namespace ops
}  // namespace mx
