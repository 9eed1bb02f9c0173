#include "ops/nn/batch_norm.h"

#include <cmath>
#include <vector>

#include "core/op/kernel.h"
#include "core/op/op.h"
#include "ops/common/fusion.h"
#include "ops/common/kernel_util.h"
#include "ops/common/same_shape.h"
#include "ops/common/spatial.h"

namespace mx {
namespace ops {
namespace {

void InferBatchNormShape(InferShapeContext* ctx) {
  const auto& p = ctx->params<BatchNormParam>();
  const PartialShape data = InferDataShapedOutput(ctx);
  if (!data.rank_known()) return;
  if (data.ndim() < 1) ctx->Fail("data must have at least 1 dimension");
  const int axis = NormalizeAxis(ctx, "axis", p.axis, data.ndim());
  const PartialShape channel{data[axis]};
  for (int i = 1; i < 5; ++i) ctx->AssignIn(i, channel);
  ctx->AssignOut(1, channel);
  ctx->AssignOut(2, channel);
}

// What BatchNorm and the fused op declare alike.
OpDef& DeclareBatchNorm(OpDef& op) {
  return op.Params<BatchNormParam>()
      .Inputs({"data", "gamma", "beta"})
      .AuxStates({"moving_mean", "moving_var"})
      .Outputs({"output", "mean", "var"})
      .VisibleOutputs([](const NodeAttrs& a) {
        return a.params<BatchNormParam>().output_mean_var ? 3 : 1;
      })
      .InferShape(InferBatchNormShape)
      // As MXNet: moving statistics start at mean 0 and variance 1.
      .OnInputVariable([](const NodeAttrs&, int index, AttrDict* var_attrs) {
        if (var_attrs->count("__init__")) return;
        if (index == 3) (*var_attrs)["__init__"] = "[\"zero\", {}]";
        if (index == 4) (*var_attrs)["__init__"] = "[\"one\", {}]";
      });
}

}  // namespace

[[maybe_unused]] static OpDef& batch_norm_op =
    DeclareBatchNorm(OpRegistry::Global().Register("BatchNorm"))
        .Describe(
            "Batch normalization over every axis but `axis`: out = gamma (x - "
            "mean) / sqrt(var + eps) + beta, with batch statistics in "
            "training and moving_mean / moving_var otherwise.")
        .Backward([](const NodeAttrs&) {
          return BackwardDeps{{0}, {0, 1, 2, 3, 4}, {1, 2}};
        })
        // A ReLU after it: one pass less over memory each way.
        .FusesWith({"Activation", kBatchNormWithReLU,
                    [](const NodeAttrs&, const NodeAttrs& next) {
                      return IsReluActivation(next);
                    },
                    "a ReLU Activation"});

[[maybe_unused]] static OpDef& batch_norm_relu_op =
    DeclareBatchNorm(OpRegistry::Global().Register(kBatchNormWithReLU))
        .Describe(
            "BatchNorm followed by a ReLU: out = max(0, BatchNorm(data)) "
            "(MXNet's contrib BatchNormWithReLU). Binds make it of a "
            "BatchNorm whose output only a ReLU Activation reads.")
        // The output tells where the ReLU passed the gradient.
        .Backward([](const NodeAttrs&) {
          return BackwardDeps{{0}, {0, 1, 2, 3, 4}, {0, 1, 2}};
        });

namespace {

// Data viewed as (outer, channels, inner). Training without global stats:
// batch mean and biased variance (hidden outputs mean, var), and the moving
// statistics updated here, in forward (Note [BatchNorm moving statistics]).
// Otherwise the moving statistics normalize and the gradient treats them as
// constants.
template <typename T>
class BatchNormKernel : public OpKernel {
 public:
  explicit BatchNormKernel(const KernelSetup& s)
      : p_(s.params<BatchNormParam>()), relu_(WithReLU(s)) {
    const Shape& d = s.in_shapes[0];
    split_ = SplitAt(d, PositiveAxis(p_.axis, d.ndim()));
  }

  void Forward(const KernelContext& ctx, const ForwardArgs& a) override {
    const T* x = a.inputs[0].ptr<T>();
    const T* gamma = a.inputs[1].ptr<T>();
    const T* beta = a.inputs[2].ptr<T>();
    T* moving_mean = a.inputs[3].ptr<T>();
    T* moving_var = a.inputs[4].ptr<T>();
    T* mean = a.outputs[1].ptr<T>();
    T* var = a.outputs[2].ptr<T>();
    const int64_t outer = split_.outer, c_n = split_.extent,
                  inner = split_.inner;
    const bool batch_stats = ctx.is_train && !p_.use_global_stats;
    const double count = static_cast<double>(outer * inner);
    for (int64_t c = 0; c < c_n; ++c) {
      if (batch_stats) {
        double sum = 0, sq = 0;
        ForChannel(c, [&](int64_t i) { sum += x[i]; });
        const double m = sum / count;
        ForChannel(c, [&](int64_t i) { sq += (x[i] - m) * (x[i] - m); });
        mean[c] = static_cast<T>(m);
        var[c] = static_cast<T>(sq / count);
        const T mom = static_cast<T>(p_.momentum);
        moving_mean[c] = moving_mean[c] * mom + mean[c] * (T(1) - mom);
        moving_var[c] = moving_var[c] * mom + var[c] * (T(1) - mom);
      } else {
        mean[c] = moving_mean[c];
        var[c] = moving_var[c];
      }
    }
    std::vector<T> out(static_cast<size_t>(outer * c_n * inner));
    for (int64_t c = 0; c < c_n; ++c) {
      const T scale = Gamma(gamma, c) / std::sqrt(var[c] + T(p_.eps));
      const T shift = beta[c] - mean[c] * scale;
      ForChannel(c, [&](int64_t i) {
        const T v = x[i] * scale + shift;
        out[i] = !relu_ || v > T(0) ? v : T(0);
      });
    }
    StoreArray(a.req[0], a.outputs[0].ptr<T>(), out.data(),
               static_cast<int64_t>(out.size()));
  }

  void Backward(const KernelContext&, const BackwardArgs& a) override {
    const T* g = a.out_grads[0].ptr<T>();
    const int64_t size = split_.outer * split_.extent * split_.inner;
    std::vector<T> masked;
    if (relu_) {  // the ReLU's gradient first
      const T* y = a.outputs[0].ptr<T>();
      masked.resize(static_cast<size_t>(size));
      for (int64_t i = 0; i < size; ++i) masked[i] = y[i] > 0 ? g[i] : T(0);
      g = masked.data();
    }
    const T* x = a.inputs[0].ptr<T>();
    const T* gamma = a.inputs[1].ptr<T>();
    const T* mean =
        p_.use_global_stats ? a.inputs[3].ptr<T>() : a.outputs[1].ptr<T>();
    const T* var =
        p_.use_global_stats ? a.inputs[4].ptr<T>() : a.outputs[2].ptr<T>();
    const int64_t c_n = split_.extent;
    const double count = static_cast<double>(split_.outer * split_.inner);
    std::vector<T> dx(static_cast<size_t>(split_.outer * c_n * split_.inner));
    std::vector<T> dgamma(c_n), dbeta(c_n);
    for (int64_t c = 0; c < c_n; ++c) {
      const T istd = T(1) / std::sqrt(var[c] + T(p_.eps));
      double sum_g = 0, sum_gx = 0;
      ForChannel(c, [&](int64_t i) {
        sum_g += g[i];
        sum_gx += g[i] * (x[i] - mean[c]) * istd;
      });
      dbeta[c] = static_cast<T>(sum_g);
      dgamma[c] = p_.fix_gamma ? T(0) : static_cast<T>(sum_gx);
      const T scale = Gamma(gamma, c) * istd;
      if (p_.use_global_stats) {
        ForChannel(c, [&](int64_t i) { dx[i] = g[i] * scale; });
      } else {
        const T mg = static_cast<T>(sum_g / count);
        const T mgx = static_cast<T>(sum_gx / count);
        ForChannel(c, [&](int64_t i) {
          const T xhat = (x[i] - mean[c]) * istd;
          dx[i] = scale * (g[i] - mg - xhat * mgx);
        });
      }
    }
    StoreArray(a.req[0], a.in_grads[0].ptr_or_null<T>(), dx.data(),
               static_cast<int64_t>(dx.size()));
    StoreArray(a.req[1], a.in_grads[1].ptr_or_null<T>(), dgamma.data(), c_n);
    StoreArray(a.req[2], a.in_grads[2].ptr_or_null<T>(), dbeta.data(), c_n);
  }

 private:
  T Gamma(const T* gamma, int64_t c) const {
    return p_.fix_gamma ? T(1) : gamma[c];
  }

  // Calls f(flat index) for every element of channel c.
  template <typename F>
  void ForChannel(int64_t c, F f) const {
    for (int64_t o = 0; o < split_.outer; ++o) {
      const int64_t base = (o * split_.extent + c) * split_.inner;
      for (int64_t i = 0; i < split_.inner; ++i) f(base + i);
    }
  }

  BatchNormParam p_;
  bool relu_;  // the fused op
  AxisSplit split_;
};

}  // namespace

MX_REGISTER_KERNEL(BatchNorm, kCPU, kReference)
    .Types({DType::kFloat32, DType::kFloat64})
    .Factory(TypedFactory<BatchNormKernel>());
MX_REGISTER_KERNEL(_contrib_BatchNormWithReLU, kCPU, kReference)
    .Types({DType::kFloat32, DType::kFloat64})
    .Factory(TypedFactory<BatchNormKernel>());

}  // namespace ops
}  // namespace mx
