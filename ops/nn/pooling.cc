#include "ops/nn/pooling.h"

#include <algorithm>
#include <limits>
#include <vector>

#include "core/base/error.h"
#include "core/op/kernel.h"
#include "core/op/op.h"
#include "ops/common/window.h"

namespace mx {
namespace ops {
namespace {

void InferPoolingShape(InferShapeContext* ctx) {
  const auto& p = ctx->params<PoolingParam>();
  const PartialShape& data = ctx->in(0);
  if (!data.rank_known()) return;
  std::vector<int64_t> out = {data[0], data[1]};
  if (p.global_pool) {
    if (data.ndim() < 3 || data.ndim() > 5) {
      ctx->Fail("data must be 3-D, 4-D or 5-D (N,C,spatial...) for pooling");
    }
    out.resize(data.ndim(), 1);
    ctx->AssignOut(0, PartialShape(out));
    return;
  }
  const size_t n = p.kernel.size();
  CheckSpatialRank(ctx, data, n);
  const auto stride = SpatialOr(p.stride, n, 1);
  const auto pad = SpatialOr(p.pad, n, 0);
  for (size_t i = 0; i < n; ++i) {
    const int64_t in = data[2 + i];
    if (in < 0) {
      out.push_back(-1);
      continue;
    }
    if (in + 2 * pad[i] < p.kernel[i]) {
      ctx->Fail(StrCat("kernel ", p.kernel[i],
                       " is larger than the padded input along spatial "
                       "axis ",
                       i, " (", in, " + 2*", pad[i], ")"));
    }
    const int64_t span = in + 2 * pad[i] - p.kernel[i];
    out.push_back(p.pooling_convention == "full"
                      ? 1 + (span + stride[i] - 1) / stride[i]
                      : 1 + span / stride[i]);
  }
  ctx->AssignOut(0, PartialShape(out));
}

}  // namespace

MX_REGISTER_OP(Pooling)
    .Describe(
        "Max, average or sum pooling over 1, 2 or 3 spatial axes, or over "
        "everything with global_pool.")
    .Params<PoolingParam>()
    .InferShape(InferPoolingShape)
    .Backward([](const NodeAttrs&) {
      return BackwardDeps{{0}, {0}, {0}};
    });

PoolType PoolTypeOf(const std::string& pool_type) {
  return pool_type == "max"   ? PoolType::kMax
         : pool_type == "avg" ? PoolType::kAvg
                              : PoolType::kSum;
}

Window PoolingWindow(const KernelSetup& s) {
  const auto& p = s.params<PoolingParam>();
  const Shape& d = s.in_shapes[0];
  return p.global_pool
             ? Window::Make(d, s.out_shapes[0], {}, {}, {}, {})
             : Window::Make(d, s.out_shapes[0], p.kernel, p.stride, p.pad, {});
}

namespace {

// Max, average or sum over each window, per channel. Average divides by the
// window clipped to the padded data (padding counted, as MXNet); max sends
// the gradient to the first maximum of its window. The windows of every
// output position are worked out once, at bind.
template <typename T>
class PoolingKernel : public OpKernel {
 public:
  explicit PoolingKernel(const KernelSetup& s) {
    const auto& p = s.params<PoolingParam>();
    const Shape& d = s.in_shapes[0];
    w_ = PoolingWindow(s);
    channels_ = d[0] * d[1];
    type_ = PoolTypeOf(p.pool_type);
    for (int64_t o = 0; o < w_.OutSize(); ++o) bounds_.push_back(BoundsOf(o));
  }

  void Forward(const KernelContext&, const ForwardArgs& a) override {
    const T* x = a.inputs[0].ptr<T>();
    const int64_t is = w_.InSize(), os = w_.OutSize();
    const OpReq req = a.req[0];
    if (req == OpReq::kNull) return;
    T* out = a.outputs[0].ptr<T>();
    for (int64_t c = 0; c < channels_; ++c) {
      const T* xc = x + c * is;
      for (int64_t o = 0; o < os; ++o) {
        T acc;
        if (type_ == PoolType::kMax) {
          acc = -std::numeric_limits<T>::infinity();
          Visit(o, [&](int64_t i) { acc = std::max(acc, xc[i]); });
        } else {
          acc = 0;
          Visit(o, [&](int64_t i) { acc += xc[i]; });
          if (type_ == PoolType::kAvg) acc /= static_cast<T>(bounds_[o].area);
        }
        // Not in place: the output never aliases the data.
        if (req == OpReq::kAdd) {
          out[c * os + o] += acc;
        } else {
          out[c * os + o] = acc;
        }
      }
    }
  }

  void Backward(const KernelContext&, const BackwardArgs& a) override {
    if (a.req[0] == OpReq::kNull) return;
    const T* g = a.out_grads[0].ptr<T>();
    const T* x = a.inputs[0].ptr<T>();
    const int64_t is = w_.InSize(), os = w_.OutSize();
    // Accumulated straight into the gradient (it aliases nothing).
    T* dx = a.in_grads[0].ptr<T>();
    if (a.req[0] != OpReq::kAdd) std::fill(dx, dx + channels_ * is, T(0));
    for (int64_t c = 0; c < channels_; ++c) {
      const T* xc = x + c * is;
      T* dxc = dx + c * is;
      for (int64_t o = 0; o < os; ++o) {
        const T go = g[c * os + o];
        if (type_ == PoolType::kMax) {
          // The first maximum, found without branches (the comparisons
          // of random data mispredict).
          int64_t best = -1;
          T best_value = -std::numeric_limits<T>::infinity();
          Visit(o, [&](int64_t i) {
            const bool better = xc[i] > best_value;
            best_value = better ? xc[i] : best_value;
            best = better ? i : best;
          });
          if (best >= 0) dxc[best] += go;
        } else {
          const T share = type_ == PoolType::kAvg
                              ? go / static_cast<T>(bounds_[o].area)
                              : go;
          Visit(o, [&](int64_t i) { dxc[i] += share; });
        }
      }
    }
  }

 private:
  // One output position's window: its part inside the data, and its size
  // clipped to the padded data (the average's divisor).
  struct Bounds {
    int64_t start[3], end[3];
    int64_t area = 1;
  };

  Bounds BoundsOf(int64_t o) const {
    Bounds b;
    int64_t rest = o;
    for (int a = 2; a >= 0; --a) {
      const AxisRange r = PoolingRange(w_, a, rest % w_.out[a]);
      rest /= w_.out[a];
      b.area *= r.padded;
      b.start[a] = r.begin;
      b.end[a] = r.end;
    }
    return b;
  }

  // Calls f(input offset within a channel) for output o's window.
  template <typename F>
  void Visit(int64_t o, F f) const {
    const Bounds& b = bounds_[o];
    for (int64_t d = b.start[0]; d < b.end[0]; ++d)
      for (int64_t h = b.start[1]; h < b.end[1]; ++h)
        for (int64_t x = b.start[2]; x < b.end[2]; ++x)
          f((d * w_.in[1] + h) * w_.in[2] + x);
  }

  Window w_;
  int64_t channels_ = 0;
  PoolType type_ = PoolType::kMax;
  std::vector<Bounds> bounds_;
};

}  // namespace

MX_REGISTER_KERNEL(Pooling, kCPU, kReference)
    .Types({DType::kFloat32, DType::kFloat64})
    .Factory(TypedFactory<PoolingKernel>());

}  // namespace ops
}  // namespace mx
