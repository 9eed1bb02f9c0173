// Softmax as a layer (not a loss head): softmax and log_softmax along any
// axis, and MXNet's older SoftmaxActivation (over all but the first axis, or
// over channels).
#include "ops/nn/softmax.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "core/base/strings.h"
#include "core/op/kernel.h"
#include "core/op/op.h"
#include "core/op/param.h"
#include "ops/common/kernel_util.h"
#include "ops/common/same_shape.h"

namespace mx {
namespace ops {
namespace {

// The groups one node normalizes: (outer, extent, inner) around its axis.
AxisSplit GroupsOf(const NodeAttrs& attrs, const Shape& shape) {
  if (attrs.op->name() == "SoftmaxActivation") {
    if (attrs.params<SoftmaxActivationParam>().mode == "channel") {
      return SplitAt(shape, 1);
    }
    AxisSplit s;
    s.outer = shape[0];
    s.extent = shape.Size() / std::max<int64_t>(1, shape[0]);
    return s;
  }
  return SplitAt(shape,
                 PositiveAxis(attrs.params<SoftmaxParam>().axis, shape.ndim()));
}

void InferSoftmaxShape(InferShapeContext* ctx) {
  const PartialShape shape = InferDataShapedOutput(ctx);
  if (!shape.rank_known()) return;
  if (ctx->attrs().op->name() == "SoftmaxActivation") {
    const bool channel =
        ctx->params<SoftmaxActivationParam>().mode == "channel";
    if (shape.ndim() < (channel ? 2 : 1)) {
      ctx->Fail(StrCat("data ", shape.ToString(), " needs at least ",
                       channel ? 2 : 1, " axes"));
    }
    return;
  }
  const int64_t axis = ctx->params<SoftmaxParam>().axis;
  const std::string problem = AxisProblem(axis, shape.ndim());
  if (!problem.empty()) ctx->Fail(problem);
}

template <typename T>
class SoftmaxKernel : public OpKernel {
 public:
  explicit SoftmaxKernel(const KernelSetup& s)
      : g_(GroupsOf(*s.attrs, s.in_shapes[0])),
        log_(s.attrs->op->name() == "log_softmax") {
    if (s.attrs->op->name() != "SoftmaxActivation") {
      const auto& t = s.params<SoftmaxParam>().temperature;
      inv_t_ = t ? 1 / *t : 1;
    }
  }

  void Forward(const KernelContext&, const ForwardArgs& a) override {
    const T* x = a.inputs[0].ptr<T>();
    T* y = a.outputs[0].ptr<T>();
    const OpReq req = a.req[0];
    std::vector<T> row(static_cast<size_t>(g_.extent));
    ForEachGroup([&](int64_t base) {
      T mx = x[base];
      for (int64_t j = 1; j < g_.extent; ++j) {
        mx = std::max(mx, x[base + j * g_.inner]);
      }
      T sum = 0;
      for (int64_t j = 0; j < g_.extent; ++j) {
        row[j] = (x[base + j * g_.inner] - mx) * static_cast<T>(inv_t_);
        sum += std::exp(row[j]);
      }
      const T log_sum = std::log(sum);
      for (int64_t j = 0; j < g_.extent; ++j) {
        const T v = log_ ? row[j] - log_sum : std::exp(row[j] - log_sum);
        StoreEach(req, y + base + j * g_.inner, 1, [v](int64_t) { return v; });
      }
    });
  }

  // softmax: dx = (y (g - sum(g y))) / t; log_softmax: dx = (g - e^y
  // sum(g)) / t.
  void Backward(const KernelContext&, const BackwardArgs& a) override {
    const T* g = a.out_grads[0].ptr<T>();
    const T* y = a.outputs[0].ptr<T>();
    T* dx = a.in_grads[0].ptr<T>();
    const OpReq req = a.req[0];
    const T inv_t = static_cast<T>(inv_t_);
    ForEachGroup([&](int64_t base) {
      T dot = 0;
      for (int64_t j = 0; j < g_.extent; ++j) {
        const int64_t i = base + j * g_.inner;
        dot += log_ ? g[i] : g[i] * y[i];
      }
      for (int64_t j = 0; j < g_.extent; ++j) {
        const int64_t i = base + j * g_.inner;
        const T v = log_ ? (g[i] - std::exp(y[i]) * dot) * inv_t
                         : y[i] * (g[i] - dot) * inv_t;
        StoreEach(req, dx + i, 1, [v](int64_t) { return v; });
      }
    });
  }

 private:
  // Calls f(offset of the group's first element) for every group.
  template <typename F>
  void ForEachGroup(F f) const {
    for (int64_t o = 0; o < g_.outer; ++o) {
      for (int64_t i = 0; i < g_.inner; ++i) f(o * g_.extent * g_.inner + i);
    }
  }

  AxisSplit g_;
  bool log_;
  double inv_t_ = 1;
};

BackwardDeps ReadsOutput(const NodeAttrs&) { return {{0}, {}, {0}}; }

[[maybe_unused]] const bool kRegistered = [] {
  OpRegistry::Global()
      .Register("softmax")
      .Describe("out = exp(x / t) / sum(exp(x / t)) along `axis`.")
      .Params<SoftmaxParam>()
      .Inputs({"data"})
      .InferShape(InferSoftmaxShape)
      .Backward(ReadsOutput);
  OpRegistry::Global()
      .Register("log_softmax")
      .Describe("out = log(softmax(data)) along `axis`, computed stably.")
      .Params<SoftmaxParam>()
      .Inputs({"data"})
      .InferShape(InferSoftmaxShape)
      .Backward(ReadsOutput);
  OpRegistry::Global()
      .Register("SoftmaxActivation")
      .Describe(
          "Softmax over all axes but the first (mode instance) or over "
          "channels at each position (mode channel); a layer, not a loss.")
      .Params<SoftmaxActivationParam>()
      .Inputs({"data"})
      .InferShape(InferSoftmaxShape)
      .Backward(ReadsOutput);
  for (const char* name : {"softmax", "log_softmax", "SoftmaxActivation"}) {
    KernelRegistry::Global()
        .Register(name, DeviceType::kCPU, KernelVariant::kReference)
        .Types({DType::kFloat32, DType::kFloat64})
        .Factory(TypedFactory<SoftmaxKernel>());
  }
  return true;
}();

}  // namespace
}  // namespace ops
}  // namespace mx
