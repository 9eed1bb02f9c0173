// Normalizations computed per sample (no running statistics): LayerNorm
// (along one axis), InstanceNorm (over each channel's positions) and
// L2Normalization (to unit 2-norm). Each normalizes groups of elements
// (outer, extent, inner) along the middle axis; the first two then scale
// and shift by gamma and beta.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "core/base/strings.h"
#include "core/op/kernel.h"
#include "core/op/op.h"
#include "core/op/param.h"
#include "ops/common/kernel_util.h"
#include "ops/nn/layer_norm.h"

namespace mx {
namespace ops {
namespace {

struct InstanceNormParam {
  double eps = 1e-3;

  static void Declare(ParamDeclarer<InstanceNormParam>* d) {
    d->Field("eps", &InstanceNormParam::eps)
        .Default(1e-3)
        .Min(0)
        .Doc("Added to the variance.");
  }
};

struct L2NormalizationParam {
  double eps = 1e-10;
  std::string mode = "instance";

  static void Declare(ParamDeclarer<L2NormalizationParam>* d) {
    d->Field("eps", &L2NormalizationParam::eps)
        .Default(1e-10)
        .Min(0)
        .Doc("Added to the sum of squares.");
    d->Field("mode", &L2NormalizationParam::mode)
        .Default("instance")
        .Enum({"instance", "channel", "spatial"})
        .Doc(
            "instance: each sample as a whole; channel: across channels "
            "at each position; spatial: each channel over its positions.");
  }
};

// How one node groups the elements of its data.
struct Grouping {
  AxisSplit split;
  // gamma[j] for element j of a group (LayerNorm), or gamma[group's
  // channel] (InstanceNorm); L2Normalization has none.
  bool gamma_by_position = true;
  int64_t channels = 1;
};

Grouping GroupingOf(const NodeAttrs& attrs, const Shape& s) {
  Grouping g;
  const std::string& op = attrs.op->name();
  if (op == "LayerNorm") {
    g.split =
        SplitAt(s, PositiveAxis(attrs.params<LayerNormParam>().axis, s.ndim()));
    return g;
  }
  const int64_t n = s[0], c = s.ndim() > 1 ? s[1] : 1;
  const int64_t spatial = s.Size() / std::max<int64_t>(1, n * c);
  if (op == "InstanceNorm") {
    g.split = {n * c, spatial, 1};
    g.gamma_by_position = false;
    g.channels = c;
    return g;
  }
  const std::string& mode = attrs.params<L2NormalizationParam>().mode;
  if (mode == "channel") {
    g.split = SplitAt(s, 1);
  } else if (mode == "spatial") {
    g.split = {n * c, spatial, 1};
  } else {
    g.split = {n, s.Size() / std::max<int64_t>(1, n), 1};
  }
  return g;
}

// The statistics' shape: data's with the normalized elements collapsed.
PartialShape StatsShape(const NodeAttrs& attrs, const PartialShape& data) {
  const std::string& op = attrs.op->name();
  PartialShape s = data;
  if (op == "LayerNorm") {
    s.set(PositiveAxis(attrs.params<LayerNormParam>().axis, data.ndim()), 1);
    return s;
  }
  if (op == "InstanceNorm") return PartialShape{data[0], data[1]};
  const std::string& mode = attrs.params<L2NormalizationParam>().mode;
  if (mode == "channel") {
    s.set(1, 1);
    return s;
  }
  if (mode == "spatial") return PartialShape{data[0], data[1]};
  return PartialShape{data[0]};
}

void InferNormShape(InferShapeContext* ctx) {
  const PartialShape& data = ctx->in(0);
  if (!data.rank_known()) return;
  const std::string& op = ctx->attrs().op->name();
  int64_t params_extent = -1;
  if (op == "LayerNorm") {
    const int64_t axis = ctx->params<LayerNormParam>().axis;
    const std::string problem = AxisProblem(axis, data.ndim());
    if (!problem.empty()) ctx->Fail(problem);
    params_extent = data[PositiveAxis(axis, data.ndim())];
  } else {
    const bool needs_spatial =
        op == "InstanceNorm" ||
        ctx->params<L2NormalizationParam>().mode != "instance";
    const int min_axes = needs_spatial ? 3 : 2;
    if (data.ndim() < min_axes) {
      ctx->Fail(StrCat("data ", data.ToString(), " has ", data.ndim(),
                       " axes; expected at least ", min_axes));
    }
    params_extent = data[1];
  }
  ctx->AssignOut(0, data);
  for (int o = 1; o < ctx->num_outputs(); ++o) {
    ctx->AssignOut(o, StatsShape(ctx->attrs(), data));
  }
  if (op != "L2Normalization" && params_extent >= 0) {
    ctx->AssignIn(1, PartialShape{params_extent});
    ctx->AssignIn(2, PartialShape{params_extent});
  }
}

// out = gamma (x - mean) / std + beta per group (std = sqrt(var + eps));
// outputs 1 and 2 keep mean and std for backward.
template <typename T>
class MeanVarNormKernel : public OpKernel {
 public:
  explicit MeanVarNormKernel(const KernelSetup& s)
      : g_(GroupingOf(*s.attrs, s.in_shapes[0])),
        eps_(s.attrs->op->name() == "LayerNorm"
                 ? s.params<LayerNormParam>().eps
                 : s.params<InstanceNormParam>().eps) {}

  void Forward(const KernelContext&, const ForwardArgs& a) override {
    const T* x = a.inputs[0].ptr<T>();
    const T* gamma = a.inputs[1].ptr<T>();
    const T* beta = a.inputs[2].ptr<T>();
    T* y = a.outputs[0].ptr<T>();
    T* mean = a.outputs[1].ptr<T>();
    T* sd = a.outputs[2].ptr<T>();
    const AxisSplit& s = g_.split;
    for (int64_t o = 0; o < s.outer; ++o) {
      for (int64_t i = 0; i < s.inner; ++i) {
        const int64_t base = o * s.extent * s.inner + i, k = o * s.inner + i;
        double sum = 0, sq = 0;
        for (int64_t j = 0; j < s.extent; ++j) sum += x[base + j * s.inner];
        const double m = sum / s.extent;
        for (int64_t j = 0; j < s.extent; ++j) {
          const double d = x[base + j * s.inner] - m;
          sq += d * d;
        }
        const double std_dev = std::sqrt(sq / s.extent + eps_);
        mean[k] = static_cast<T>(m);
        sd[k] = static_cast<T>(std_dev);
        for (int64_t j = 0; j < s.extent; ++j) {
          const int64_t p = Param(o, j);
          const T v = static_cast<T>(
              gamma[p] * (x[base + j * s.inner] - m) / std_dev + beta[p]);
          StoreEach(a.req[0], y + base + j * s.inner, 1,
                    [v](int64_t) { return v; });
        }
      }
    }
  }

  // dx = (dxhat - mean(dxhat) - xhat mean(dxhat xhat)) / std with dxhat =
  // g gamma; dgamma = sum g xhat, dbeta = sum g.
  void Backward(const KernelContext&, const BackwardArgs& a) override {
    const T* g = a.out_grads[0].ptr<T>();
    const T* x = a.inputs[0].ptr<T>();
    const T* gamma = a.inputs[1].ptr<T>();
    const T* mean = a.outputs[1].ptr<T>();
    const T* sd = a.outputs[2].ptr<T>();
    T* dx = a.in_grads[0].ptr_or_null<T>();
    const AxisSplit& s = g_.split;
    const int64_t num_params = a.inputs[1].Size();
    std::vector<double> dgamma(num_params, 0), dbeta(num_params, 0);
    std::vector<double> dxhat(static_cast<size_t>(s.extent));
    for (int64_t o = 0; o < s.outer; ++o) {
      for (int64_t i = 0; i < s.inner; ++i) {
        const int64_t base = o * s.extent * s.inner + i, k = o * s.inner + i;
        double sum_d = 0, sum_dx = 0;
        for (int64_t j = 0; j < s.extent; ++j) {
          const int64_t e = base + j * s.inner, p = Param(o, j);
          const double xhat = (x[e] - mean[k]) / sd[k];
          dgamma[p] += g[e] * xhat;
          dbeta[p] += g[e];
          dxhat[j] = g[e] * gamma[p];
          sum_d += dxhat[j];
          sum_dx += dxhat[j] * xhat;
        }
        if (dx == nullptr) continue;
        const double md = sum_d / s.extent, mdx = sum_dx / s.extent;
        for (int64_t j = 0; j < s.extent; ++j) {
          const int64_t e = base + j * s.inner;
          const double xhat = (x[e] - mean[k]) / sd[k];
          const T v = static_cast<T>((dxhat[j] - md - xhat * mdx) / sd[k]);
          StoreEach(a.req[0], dx + e, 1, [v](int64_t) { return v; });
        }
      }
    }
    StoreEach(a.req[1], a.in_grads[1].ptr_or_null<T>(), num_params,
              [&](int64_t p) { return static_cast<T>(dgamma[p]); });
    StoreEach(a.req[2], a.in_grads[2].ptr_or_null<T>(), num_params,
              [&](int64_t p) { return static_cast<T>(dbeta[p]); });
  }

 private:
  int64_t Param(int64_t outer, int64_t j) const {
    return g_.gamma_by_position ? j : outer % g_.channels;
  }

  Grouping g_;
  double eps_;
};

// out = x / norm per group, norm = sqrt(sum x^2 + eps) kept as output 1;
// dx = (g - out sum(g out)) / norm.
template <typename T>
class L2NormKernel : public OpKernel {
 public:
  explicit L2NormKernel(const KernelSetup& s)
      : g_(GroupingOf(*s.attrs, s.in_shapes[0])),
        eps_(s.params<L2NormalizationParam>().eps) {}

  void Forward(const KernelContext&, const ForwardArgs& a) override {
    const T* x = a.inputs[0].ptr<T>();
    T* y = a.outputs[0].ptr<T>();
    T* norm = a.outputs[1].ptr<T>();
    const AxisSplit& s = g_.split;
    for (int64_t o = 0; o < s.outer; ++o) {
      for (int64_t i = 0; i < s.inner; ++i) {
        const int64_t base = o * s.extent * s.inner + i;
        double sq = 0;
        for (int64_t j = 0; j < s.extent; ++j) {
          sq += double(x[base + j * s.inner]) * x[base + j * s.inner];
        }
        const double n = std::sqrt(sq + eps_);
        norm[o * s.inner + i] = static_cast<T>(n);
        for (int64_t j = 0; j < s.extent; ++j) {
          const T v = static_cast<T>(x[base + j * s.inner] / n);
          StoreEach(a.req[0], y + base + j * s.inner, 1,
                    [v](int64_t) { return v; });
        }
      }
    }
  }

  void Backward(const KernelContext&, const BackwardArgs& a) override {
    const T* g = a.out_grads[0].ptr<T>();
    const T* y = a.outputs[0].ptr<T>();
    const T* norm = a.outputs[1].ptr<T>();
    T* dx = a.in_grads[0].ptr<T>();
    const AxisSplit& s = g_.split;
    for (int64_t o = 0; o < s.outer; ++o) {
      for (int64_t i = 0; i < s.inner; ++i) {
        const int64_t base = o * s.extent * s.inner + i;
        double dot = 0;
        for (int64_t j = 0; j < s.extent; ++j) {
          dot += double(g[base + j * s.inner]) * y[base + j * s.inner];
        }
        const double n = norm[o * s.inner + i];
        for (int64_t j = 0; j < s.extent; ++j) {
          const int64_t e = base + j * s.inner;
          const T v = static_cast<T>((g[e] - y[e] * dot) / n);
          StoreEach(a.req[0], dx + e, 1, [v](int64_t) { return v; });
        }
      }
    }
  }

 private:
  Grouping g_;
  double eps_;
};

[[maybe_unused]] const bool kRegistered = [] {
  OpRegistry::Global()
      .Register("LayerNorm")
      .Describe(
          "out = gamma (x - mean) / sqrt(var + eps) + beta, mean and var "
          "along `axis` per position of the other axes; gamma and beta have "
          "that axis's extent.")
      .Params<LayerNormParam>()
      .Inputs({"data", "gamma", "beta"})
      .Outputs({"output", "mean", "std"})
      .VisibleOutputs([](const NodeAttrs& a) {
        return a.params<LayerNormParam>().output_mean_var ? 3 : 1;
      })
      .InferShape(InferNormShape)
      .Backward([](const NodeAttrs&) {
        return BackwardDeps{{0}, {0, 1}, {1, 2}};
      });
  OpRegistry::Global()
      .Register("InstanceNorm")
      .Describe(
          "out = gamma[c] (x - mean) / sqrt(var + eps) + beta[c], mean and "
          "var over the positions of each sample's channel c (data N, C, "
          "...).")
      .Params<InstanceNormParam>()
      .Inputs({"data", "gamma", "beta"})
      .Outputs({"output", "mean", "std"})
      .VisibleOutputs([](const NodeAttrs&) { return 1; })
      .InferShape(InferNormShape)
      .Backward([](const NodeAttrs&) {
        return BackwardDeps{{0}, {0, 1}, {1, 2}};
      });
  OpRegistry::Global()
      .Register("L2Normalization")
      .Describe(
          "out = x / sqrt(sum x^2 + eps) over each sample (mode instance), "
          "across channels at each position (channel) or over each "
          "channel's positions (spatial).")
      .Params<L2NormalizationParam>()
      .Inputs({"data"})
      .Outputs({"output", "norm"})
      .VisibleOutputs([](const NodeAttrs&) { return 1; })
      .InferShape(InferNormShape)
      .Backward([](const NodeAttrs&) {
        return BackwardDeps{{0}, {}, {0, 1}};
      });
  for (const char* name : {"LayerNorm", "InstanceNorm"}) {
    KernelRegistry::Global()
        .Register(name, DeviceType::kCPU, KernelVariant::kReference)
        .Types({DType::kFloat32, DType::kFloat64})
        .Factory(TypedFactory<MeanVarNormKernel>());
  }
  KernelRegistry::Global()
      .Register("L2Normalization", DeviceType::kCPU, KernelVariant::kReference)
      .Types({DType::kFloat32, DType::kFloat64})
      .Factory(TypedFactory<L2NormKernel>());
  return true;
}();

}  // namespace
}  // namespace ops
}  // namespace mx
