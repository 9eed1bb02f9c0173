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

namespace {

// Max, average or sum over each window, per channel. Average divides by the
// window clipped to the padded data (padding counted, as MXNet); max sends
// the gradient to the first maximum of its window.
template <typename T>
class PoolingKernel : public OpKernel {
 public:
  explicit PoolingKernel(const KernelSetup& s) {
    const auto& p = s.params<PoolingParam>();
    const Shape& d = s.in_shapes[0];
    if (p.global_pool) {
      w_ = Window::Make(d, s.out_shapes[0], {}, {}, {}, {});
    } else {
      w_ = Window::Make(d, s.out_shapes[0], p.kernel, p.stride, p.pad, {});
    }
    channels_ = d[0] * d[1];
    type_ = p.pool_type;
  }

  void Forward(const KernelContext&, const ForwardArgs& a) override {
    const T* x = a.inputs[0].ptr<T>();
    const int64_t is = w_.InSize(), os = w_.OutSize();
    std::vector<T> out(static_cast<size_t>(channels_ * os));
    for (int64_t c = 0; c < channels_; ++c) {
      for (int64_t o = 0; o < os; ++o) {
        T acc = type_ == "max" ? -std::numeric_limits<T>::infinity() : T(0);
        Visit(x + c * is, o, [&](int64_t i) {
          acc = type_ == "max" ? std::max(acc, x[c * is + i])
                               : acc + x[c * is + i];
        });
        if (type_ == "avg") acc /= static_cast<T>(Area(o));
        out[c * os + o] = acc;
      }
    }
    StoreArray(a.req[0], a.outputs[0].ptr<T>(), out.data(),
               static_cast<int64_t>(out.size()));
  }

  void Backward(const KernelContext&, const BackwardArgs& a) override {
    if (a.req[0] == OpReq::kNull) return;
    const T* g = a.out_grads[0].ptr<T>();
    const T* x = a.inputs[0].ptr<T>();
    const T* y = a.outputs[0].ptr<T>();
    const int64_t is = w_.InSize(), os = w_.OutSize();
    std::vector<T> dx(static_cast<size_t>(channels_ * is), T(0));
    for (int64_t c = 0; c < channels_; ++c) {
      for (int64_t o = 0; o < os; ++o) {
        const T go = g[c * os + o];
        if (type_ == "max") {
          bool done = false;
          Visit(x + c * is, o, [&](int64_t i) {
            if (!done && x[c * is + i] == y[c * os + o]) {
              dx[c * is + i] += go;
              done = true;
            }
          });
        } else {
          const T share = type_ == "avg" ? go / static_cast<T>(Area(o)) : go;
          Visit(x + c * is, o, [&](int64_t i) { dx[c * is + i] += share; });
        }
      }
    }
    StoreArray(a.req[0], a.in_grads[0].ptr<T>(), dx.data(),
               static_cast<int64_t>(dx.size()));
  }

 private:
  // Calls f(input offset) for the in-data positions of output o's window.
  template <typename F>
  void Visit(const T*, int64_t o, F f) const {
    int64_t start[3], end[3], rest = o;
    for (int a = 2; a >= 0; --a) {
      const int64_t pos = rest % w_.out[a];
      rest /= w_.out[a];
      start[a] = pos * w_.stride[a] - w_.pad[a];
      end[a] = std::min(start[a] + w_.kernel[a], w_.in[a]);
      start[a] = std::max<int64_t>(start[a], 0);
    }
    for (int64_t d = start[0]; d < end[0]; ++d)
      for (int64_t h = start[1]; h < end[1]; ++h)
        for (int64_t x = start[2]; x < end[2]; ++x)
          f((d * w_.in[1] + h) * w_.in[2] + x);
  }

  // Output o's window clipped to the padded data.
  int64_t Area(int64_t o) const {
    int64_t area = 1, rest = o;
    for (int a = 2; a >= 0; --a) {
      const int64_t pos = rest % w_.out[a];
      rest /= w_.out[a];
      const int64_t start = pos * w_.stride[a] - w_.pad[a];
      const int64_t end = std::min(start + w_.kernel[a], w_.in[a] + w_.pad[a]);
      area *= std::max<int64_t>(end - start, 1);
    }
    return area;
  }

  Window w_;
  int64_t channels_ = 0;
  std::string type_;
};

}  // namespace

MX_REGISTER_KERNEL(Pooling, kCPU, kReference)
    .Types({DType::kFloat32, DType::kFloat64})
    .Factory(TypedFactory<PoolingKernel>());

}  // namespace ops
}  // namespace mx
