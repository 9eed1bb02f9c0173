#include "ops/tensor/reshape.h"

#include <algorithm>

#include "core/base/error.h"
#include "core/base/strings.h"
#include "core/op/kernel.h"
#include "core/op/op.h"
#include "ops/common/kernel_util.h"

namespace mx {
namespace ops {
namespace {

// Product of extents, -1 when one is unknown.
int64_t KnownProduct(const std::vector<int64_t>& dims) {
  int64_t product = 1;
  for (int64_t d : dims) {
    if (d < 0) return -1;
    product *= d;
  }
  return product;
}

// MXNet's ReshapeShape (src/operator/tensor/matrix_op-inl.h).
PartialShape ApplySpecials(const ReshapeParam& p, const PartialShape& in,
                           std::string* problem) {
  std::vector<int64_t> src = in.dims();
  std::vector<int64_t> spec = p.shape;
  if (p.reverse) {
    std::reverse(src.begin(), src.end());
    std::reverse(spec.begin(), spec.end());
  }
  std::vector<int64_t> out;
  size_t s = 0;
  int infer = -1;
  const auto next_src = [&](const char* what) -> int64_t {
    if (s >= src.size()) {
      *problem = StrCat("shape ", PythonTuple(p.shape), ": ", what,
                        " needs more input dimensions than data has");
      return -1;
    }
    return src[s++];
  };
  for (size_t i = 0; i < spec.size() && problem->empty(); ++i) {
    const int64_t v = spec[i];
    if (v == 0) {
      out.push_back(next_src("0"));
    } else if (v == -1) {
      if (infer >= 0) {
        *problem = "shape " + PythonTuple(p.shape) +
                   " has more than one -1; only one dimension can be inferred";
        break;
      }
      infer = static_cast<int>(out.size());
      ++s;
      out.push_back(-1);
    } else if (v == -2) {
      while (s < src.size()) out.push_back(src[s++]);
    } else if (v == -3) {
      const int64_t a = next_src("-3"), b = next_src("-3");
      out.push_back(a < 0 || b < 0 ? -1 : a * b);
    } else if (v == -4) {
      if (i + 2 >= spec.size()) {
        *problem = "shape " + PythonTuple(p.shape) +
                   ": -4 must be followed by two values";
        break;
      }
      const int64_t whole = next_src("-4");
      int64_t a = spec[++i], b = spec[++i];
      if (a == -1 && b == -1) {
        *problem = "shape " + PythonTuple(p.shape) +
                   ": -4 cannot split into two -1 dims";
        break;
      }
      if (a < -1 || b < -1 || a == 0 || b == 0) {
        *problem = "shape " + PythonTuple(p.shape) +
                   ": -4 takes two positive sizes (or one -1)";
        break;
      }
      if (whole >= 0) {
        if (a == -1) a = b ? whole / b : 0;
        if (b == -1) b = a ? whole / a : 0;
        if (a * b != whole) {
          *problem = StrCat("shape ", PythonTuple(p.shape), ": cannot split ",
                            "dimension ", whole, " into ", spec[i - 1], " x ",
                            spec[i]);
          break;
        }
      }
      out.push_back(a);
      out.push_back(b);
    } else {
      out.push_back(v);
      ++s;
    }
  }
  if (!problem->empty()) return PartialShape();
  const int64_t total = in.ProdRange(0, in.ndim());
  if (infer >= 0 && total >= 0) {
    int64_t rest = 1;
    for (size_t i = 0; i < out.size(); ++i) {
      if (static_cast<int>(i) != infer) rest = out[i] < 0 ? -1 : rest * out[i];
    }
    if (rest > 0) {
      if (total % rest != 0) {
        *problem = StrCat("cannot reshape ", in.ToString(), " (", total,
                          " elements) with shape ", PythonTuple(p.shape), ": ",
                          total, " is not a multiple of ", rest);
        return PartialShape();
      }
      out[infer] = total / rest;
    }
  }
  if (p.reverse) std::reverse(out.begin(), out.end());
  return PartialShape(out);
}

// The deprecated target_shape form: one 0 is inferred; keep_highest keeps
// the first dimension.
PartialShape ApplyTargetShape(const ReshapeParam& p, const PartialShape& in) {
  std::vector<int64_t> out = p.target_shape;
  if (p.keep_highest && in.ndim() > 0) out[0] = in[0];
  int zeros = 0, zero_at = -1;
  for (size_t i = p.keep_highest ? 1 : 0; i < out.size(); ++i) {
    if (out[i] == 0) {
      ++zeros;
      zero_at = static_cast<int>(i);
    }
  }
  if (zeros == 1) {
    out[zero_at] = 1;
    const int64_t total = in.ProdRange(0, in.ndim());
    const int64_t rest = KnownProduct(out);
    out[zero_at] = total < 0 || rest <= 0 ? -1 : total / rest;
  }
  return PartialShape(out);
}

void InferReshapeShape(InferShapeContext* ctx) {
  const auto& p = ctx->params<ReshapeParam>();
  const PartialShape& data = ctx->in(0);
  if (!data.rank_known()) return;
  std::string problem;
  const PartialShape out = ReshapeOutput(p, data, &problem);
  if (!problem.empty()) ctx->Fail(problem);
  ctx->AssignOut(0, out);
}

}  // namespace

PartialShape ReshapeOutput(const ReshapeParam& p, const PartialShape& in,
                           std::string* problem) {
  problem->clear();
  PartialShape out =
      p.shape.empty() ? ApplyTargetShape(p, in) : ApplySpecials(p, in, problem);
  if (!problem->empty()) return out;
  const int64_t in_size = in.ProdRange(0, in.ndim());
  const int64_t out_size = KnownProduct(out.dims());
  if (in_size >= 0 && out_size >= 0 && in_size != out_size) {
    *problem =
        StrCat("cannot reshape ", in.ToString(), " (", in_size,
               " elements) to ", out.ToString(), " (", out_size, " elements)");
  }
  return out;
}

MX_REGISTER_OP(Reshape)
    .Alias("reshape")
    .Describe(
        "Reshapes without copying; `shape` may use 0 (copy), -1 (infer), -2 "
        "(copy the rest), -3 (merge two), -4 a b (split one).")
    .Params<ReshapeParam>()
    .InferShape(InferReshapeShape)
    .Backward([](const NodeAttrs&) {
      return BackwardDeps{{0}, {}, {}};
    })
    .InplaceForward({{0, 0}})
    .InplaceBackward({{0, 0}});

MX_REGISTER_KERNEL(Reshape, kCPU, kReference)
    .Types({DType::kFloat32, DType::kFloat64})
    .Factory(TypedFactory<CopyKernel>());

}  // namespace ops
}  // namespace mx
