#include "ops/nn/leaky_relu.h"

#include <cmath>
#include <string>
#include <vector>

#include "core/op/kernel.h"
#include "core/op/op.h"
#include "ops/common/kernel_util.h"
#include "ops/common/same_shape.h"

namespace mx {
namespace ops {

Leaky LeakyOf(const std::string& t) {
  if (t == "prelu") return Leaky::kPReLU;
  if (t == "rrelu") return Leaky::kRReLU;
  if (t == "elu") return Leaky::kELU;
  return Leaky::kLeaky;
}

namespace {

bool IsPReLU(const NodeAttrs& a) {
  return a.params<LeakyReLUParam>().act_type == "prelu";
}
bool IsRReLU(const NodeAttrs& a) {
  return a.params<LeakyReLUParam>().act_type == "rrelu";
}

void InferLeakyReLUShape(InferShapeContext* ctx) {
  const PartialShape data = InferDataShapedOutput(ctx);
  // rrelu's mask has the data's shape too.
  for (int i = 1; i < ctx->num_outputs(); ++i) ctx->AssignOut(i, data);
  if (IsPReLU(ctx->attrs()) && data.rank_known()) {
    // One slope per channel (axis 1); a single one for 1-D data.
    ctx->AssignIn(1, PartialShape{data.ndim() >= 2 ? data[1] : 1});
  }
}

}  // namespace

MX_REGISTER_OP(LeakyReLU)
    .Describe(
        "Leaky rectifiers: leaky, prelu (input gamma, one slope per channel), "
        "rrelu (hidden output mask holds the sampled slopes), elu.")
    .Params<LeakyReLUParam>()
    .Inputs([](const NodeAttrs& a) {
      return IsPReLU(a) ? std::vector<std::string>{"data", "gamma"}
                        : std::vector<std::string>{"data"};
    })
    .Outputs([](const NodeAttrs& a) {
      return IsRReLU(a) ? std::vector<std::string>{"output", "mask"}
                        : std::vector<std::string>{"output"};
    })
    .VisibleOutputs([](const NodeAttrs&) { return 1; })
    .InferShape(InferLeakyReLUShape)
    // As MXNet (and PyTorch's PReLU): learned slopes start at 0.25.
    .OnInputVariable([](const NodeAttrs& a, int index, AttrDict* var_attrs) {
      if (!IsPReLU(a) || index != 1 || var_attrs->count("__init__")) return;
      (*var_attrs)["__init__"] = "[\"constant\", {\"value\": 0.25}]";
    })
    .Backward([](const NodeAttrs& a) {
      if (IsPReLU(a)) return BackwardDeps{{0}, {0, 1}, {}};
      if (IsRReLU(a)) return BackwardDeps{{0}, {0}, {1}};
      return BackwardDeps{{0}, {0}, {0}};
    });

namespace {

// leaky: y = x > 0 ? x : slope x; elu: x > 0 ? x : slope (e^x - 1);
// prelu: x > 0 ? x : gamma[c] x with c the index along axis 1; rrelu: x > 0
// ? x : mask x, the mask holding slopes drawn from U(lower, upper) in
// training and their mean otherwise.
template <typename T>
class LeakyReLUKernel : public OpKernel {
 public:
  explicit LeakyReLUKernel(const KernelSetup& s)
      : act_(LeakyOf(s.params<LeakyReLUParam>().act_type)),
        slope_(s.params<LeakyReLUParam>().slope),
        lower_(s.params<LeakyReLUParam>().lower_bound),
        upper_(s.params<LeakyReLUParam>().upper_bound),
        channels_(ChannelSplit(s.in_shapes[0])) {}

  bool NeedsRandom() const override { return act_ == Leaky::kRReLU; }

  void Forward(const KernelContext& ctx, const ForwardArgs& a) override {
    const T* x = a.inputs[0].ptr<T>();
    T* y = a.outputs[0].ptr<T>();
    const int64_t n = a.inputs[0].Size();
    const OpReq req = a.req[0];
    const T slope = T(slope_);
    switch (act_) {
      case Leaky::kLeaky:
        return StoreEach(req, y, n, [=](int64_t i) {
          return x[i] > T(0) ? x[i] : slope * x[i];
        });
      case Leaky::kELU:
        return StoreEach(req, y, n, [=](int64_t i) {
          return x[i] > T(0) ? x[i] : slope * std::expm1(x[i]);
        });
      case Leaky::kPReLU: {
        const T* gamma = a.inputs[1].ptr<T>();
        return ForEachChannelRun([&](int64_t c, int64_t begin, int64_t end) {
          StoreEach(req, y + begin, end - begin, [=](int64_t i) {
            const T v = x[begin + i];
            return v > T(0) ? v : gamma[c] * v;
          });
        });
      }
      case Leaky::kRReLU: {
        T* mask = a.outputs[1].ptr<T>();
        if (ctx.is_train) {
          const double span = (upper_ - lower_) / 16777216.0;
          for (int64_t i = 0; i < n; ++i) {
            mask[i] =
                T(lower_ + span * static_cast<double>((*ctx.rng)() >> 40));
          }
        } else {
          std::fill(mask, mask + n, T((lower_ + upper_) / 2));
        }
        return StoreEach(req, y, n, [=](int64_t i) {
          return x[i] > T(0) ? x[i] : mask[i] * x[i];
        });
      }
    }
  }

  void Backward(const KernelContext&, const BackwardArgs& a) override {
    const T* g = a.out_grads[0].ptr<T>();
    const T* x = a.inputs[0].ptr<T>();
    T* dx = a.in_grads[0].ptr_or_null<T>();
    const int64_t n = a.out_grads[0].Size();
    const OpReq req = a.req[0];
    const T slope = T(slope_);
    switch (act_) {
      case Leaky::kLeaky:
        return StoreEach(req, dx, n, [=](int64_t i) {
          return x[i] > T(0) ? g[i] : slope * g[i];
        });
      case Leaky::kELU:
        return StoreEach(req, dx, n, [=](int64_t i) {
          return x[i] > T(0) ? g[i] : slope * std::exp(x[i]) * g[i];
        });
      case Leaky::kRReLU: {
        const T* mask = a.outputs[1].ptr<T>();
        return StoreEach(req, dx, n, [=](int64_t i) {
          return x[i] > T(0) ? g[i] : mask[i] * g[i];
        });
      }
      case Leaky::kPReLU: {
        // dgamma[c] = sum of g x over the non-positive x of channel c.
        const T* gamma = a.inputs[1].ptr<T>();
        std::vector<T> dgamma(static_cast<size_t>(channels_.extent), T(0));
        ForEachChannelRun([&](int64_t c, int64_t begin, int64_t end) {
          StoreEach(req, dx ? dx + begin : nullptr, end - begin,
                    [=](int64_t i) {
                      const int64_t at = begin + i;
                      return x[at] > T(0) ? g[at] : gamma[c] * g[at];
                    });
          for (int64_t i = begin; i < end; ++i) {
            if (!(x[i] > T(0))) dgamma[c] += g[i] * x[i];
          }
        });
        StoreArray(a.req[1], a.in_grads[1].ptr_or_null<T>(), dgamma.data(),
                   channels_.extent);
        return;
      }
    }
  }

 private:
  // The data split around axis 1; 1-D data is one channel.
  static AxisSplit ChannelSplit(const Shape& shape) {
    if (shape.ndim() >= 2) return SplitAt(shape, 1);
    return AxisSplit{1, 1, shape.Size()};
  }

  // Calls f(channel, begin, end) for each contiguous run [begin, end) of
  // one channel's elements.
  template <typename F>
  void ForEachChannelRun(F f) const {
    const AxisSplit& s = channels_;
    for (int64_t o = 0; o < s.outer; ++o) {
      for (int64_t c = 0; c < s.extent; ++c) {
        const int64_t begin = (o * s.extent + c) * s.inner;
        f(c, begin, begin + s.inner);
      }
    }
  }

  Leaky act_;
  double slope_, lower_, upper_;
  AxisSplit channels_;  // the data split around axis 1 (prelu's channels)
};

}  // namespace

MX_REGISTER_KERNEL(LeakyReLU, kCPU, kReference)
    .Types({DType::kFloat32, DType::kFloat64})
    .Factory(TypedFactory<LeakyReLUKernel>());

}  // namespace ops
}  // namespace mx
