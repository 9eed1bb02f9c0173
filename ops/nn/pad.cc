// Pad (MXNet's name and parameters): the data surrounded by a border of a
// constant, of copies of its edge, or of its mirror image.
#include <algorithm>
#include <string>
#include <vector>

#include "core/base/strings.h"
#include "core/op/kernel.h"
#include "core/op/op.h"
#include "core/op/param.h"
#include "ops/common/kernel_util.h"
#include "ops/common/strided.h"

namespace mx {
namespace ops {
namespace {

struct PadParam {
  std::string mode = "constant";
  std::vector<int64_t> pad_width;
  double constant_value = 0;

  static void Declare(ParamDeclarer<PadParam>* d) {
    d->Field("mode", &PadParam::mode)
        .Default("constant")
        .Enum({"constant", "edge", "reflect"})
        .Doc(
            "constant: the border is constant_value; edge: copies of the "
            "nearest edge element; reflect: the mirror image without the "
            "edge (NumPy's pad modes).");
    d->Field("pad_width", &PadParam::pad_width)
        .Required()
        .Min(0)
        .Doc(
            "(before, after) for every axis in order: 2 * ndim entries, "
            "e.g. (0,0, 0,0, 1,1, 2,2) for 1 row and 2 columns around NCHW "
            "data.");
    d->Field("constant_value", &PadParam::constant_value)
        .Default(0.0)
        .Doc("The border's value in constant mode.");
  }
};

// What is wrong with padding an array of shape `in` ("" when nothing).
std::string PadProblem(const PadParam& p, const PartialShape& in) {
  if (static_cast<int>(p.pad_width.size()) != 2 * in.ndim()) {
    return StrCat("pad_width ", PythonTuple(p.pad_width), " has ",
                  p.pad_width.size(), " entries; expected 2 * ", in.ndim(),
                  " (before, after) pairs for the ", in.ndim(), "-d data");
  }
  for (int i = 0; i < in.ndim(); ++i) {
    const int64_t most = std::max(p.pad_width[2 * i], p.pad_width[2 * i + 1]);
    if (in[i] < 0 || most == 0) continue;
    if (p.mode == "edge" && in[i] == 0) {
      return StrCat("axis ", i, " is empty: edge mode has no edge to copy");
    }
    if (p.mode == "reflect" && most >= in[i]) {
      return StrCat("reflect mode pads axis ", i, " (extent ", in[i], ") by ",
                    most, "; expected at most ", in[i] - 1);
    }
  }
  return "";
}

void InferPadShape(InferShapeContext* ctx) {
  const PartialShape& in = ctx->in(0);
  if (!in.rank_known()) return;
  const PadParam& p = ctx->params<PadParam>();
  std::string problem = PadProblem(p, in);
  if (!problem.empty()) ctx->Fail(problem);
  PartialShape out = in;
  for (int i = 0; i < in.ndim(); ++i) {
    const int64_t before =
        GrownExtent(i, in[i], 1, p.pad_width[2 * i], &problem);
    out.set(i, GrownExtent(i, before, 1, p.pad_width[2 * i + 1], &problem));
    if (!problem.empty()) ctx->Fail(problem);
  }
  ctx->AssignOut(0, out);
}

// For each axis, the input index every output index reads (-1: the
// constant border).
std::vector<std::vector<int64_t>> SourceIndices(const PadParam& p,
                                                const Shape& in) {
  std::vector<std::vector<int64_t>> source(in.ndim());
  for (int d = 0; d < in.ndim(); ++d) {
    const int64_t n = in[d], before = p.pad_width[2 * d];
    const int64_t out_n = n + before + p.pad_width[2 * d + 1];
    for (int64_t o = 0; o < out_n; ++o) {
      int64_t j = o - before;
      if (j < 0 || j >= n) {
        if (p.mode == "constant") {
          j = -1;
        } else if (p.mode == "edge") {
          j = std::clamp<int64_t>(j, 0, n - 1);
        } else {
          j = j < 0 ? -j : 2 * (n - 1) - j;
        }
      }
      source[d].push_back(j);
    }
  }
  return source;
}

// Every output element reads one input element through the per-axis
// source tables (or is the constant); the gradient adds each output's
// gradient to the element it read.
template <typename T>
class PadKernel : public OpKernel {
 public:
  explicit PadKernel(const KernelSetup& s)
      : value_(static_cast<T>(s.params<PadParam>().constant_value)),
        in_size_(s.in_shapes[0].Size()),
        out_dims_(s.out_shapes[0].dims()),
        in_strides_(RowMajorStrides(s.in_shapes[0])),
        source_(SourceIndices(s.params<PadParam>(), s.in_shapes[0])) {}

  void Forward(const KernelContext&, const ForwardArgs& a) override {
    const T* x = a.inputs[0].ptr<T>();
    T* y = a.outputs[0].ptr<T>();
    const bool add = a.req[0] == OpReq::kAdd;
    if (a.req[0] == OpReq::kNull) return;
    ForEachSource([&](int64_t i, int64_t src) {
      const T v = src < 0 ? value_ : x[src];
      y[i] = add ? y[i] + v : v;
    });
  }

  void Backward(const KernelContext&, const BackwardArgs& a) override {
    T* dx = AccumulateInto(a.req[0], a.in_grads[0].ptr_or_null<T>(), in_size_);
    if (dx == nullptr) return;
    const T* g = a.out_grads[0].ptr<T>();
    ForEachSource([&](int64_t i, int64_t src) {
      if (src >= 0) dx[src] += g[i];
    });
  }

 private:
  // Calls f(output index, input offset or -1) for every output element, in
  // order: an odometer over the output's axes.
  template <typename F>
  void ForEachSource(F f) const {
    const int nd = static_cast<int>(out_dims_.size());
    int64_t total = 1;
    for (int64_t d : out_dims_) total *= d;
    if (total == 0) return;
    if (nd == 0) return f(0, 0);
    std::vector<int64_t> idx(nd, 0);
    const std::vector<int64_t>& inner = source_[nd - 1];
    const int64_t inner_stride = in_strides_[nd - 1];
    for (int64_t i = 0; i < total; i += out_dims_[nd - 1]) {
      // The offset of the row's outer indices, or -1 in the border.
      int64_t base = 0;
      for (int d = 0; d < nd - 1 && base >= 0; ++d) {
        const int64_t j = source_[d][idx[d]];
        base = j < 0 ? -1 : base + j * in_strides_[d];
      }
      for (int64_t k = 0; k < out_dims_[nd - 1]; ++k) {
        const int64_t j = inner[k];
        f(i + k, base < 0 || j < 0 ? -1 : base + j * inner_stride);
      }
      for (int d = nd - 2; d >= 0; --d) {
        if (++idx[d] < out_dims_[d]) break;
        idx[d] = 0;
      }
    }
  }

  T value_;
  int64_t in_size_;
  std::vector<int64_t> out_dims_, in_strides_;
  std::vector<std::vector<int64_t>> source_;
};

MX_REGISTER_OP(Pad)
    .Alias("pad")
    .Describe(
        "Surrounds the data with a border: pad_width (before, after) per "
        "axis, filled with constant_value, copies of the edge, or the "
        "mirror image (mode).")
    .Params<PadParam>()
    .Inputs({"data"})
    .InferShape(InferPadShape)
    .Backward([](const NodeAttrs&) {
      return BackwardDeps{{0}, {}, {}};
    });

MX_REGISTER_KERNEL(Pad, kCPU, kReference)
    .Types({DType::kFloat32, DType::kFloat64})
    .Factory(TypedFactory<PadKernel>());

}  // namespace
}  // namespace ops
}  // namespace mx
