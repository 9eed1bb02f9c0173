// The optimized CPU kernel of softmax and log_softmax along the last axis
// (attention weights, classifier outputs): float32 rows on the vectorized
// exp of ops/common/vector_math.h, rows split over the intra-op threads.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "core/base/multiversion.h"
#include "core/engine/parallel.h"
#include "core/op/kernel.h"
#include "ops/common/kernel_util.h"
#include "ops/common/vector_math.h"
#include "ops/nn/softmax.h"

namespace mx {
namespace ops {
namespace {

MX_MULTIVERSION float RowMax(const float* x, int64_t n) {
  float m = x[0];
  for (int64_t j = 1; j < n; ++j) m = std::max(m, x[j]);
  return m;
}

// y = (x - shift) * scale.
MX_MULTIVERSION void ShiftScale(const float* x, float shift, float scale,
                                float* y, int64_t n) {
  for (int64_t j = 0; j < n; ++j) y[j] = (x[j] - shift) * scale;
}

MX_MULTIVERSION float Dot(const float* a, const float* b, int64_t n) {
  float s = 0;
  for (int64_t j = 0; j < n; ++j) s += a[j] * b[j];
  return s;
}

// Stores row `v` into out as `req` says.
MX_MULTIVERSION void StoreRow(const float* v, float* out, int64_t n,
                              OpReq req) {
  if (req == OpReq::kAdd) {
    for (int64_t j = 0; j < n; ++j) out[j] += v[j];
  } else {
    std::copy(v, v + n, out);
  }
}

class SoftmaxLastAxis : public OpKernel {
 public:
  explicit SoftmaxLastAxis(const KernelSetup& s)
      : log_(s.attrs->op->name() == "log_softmax"),
        n_(s.in_shapes[0][s.in_shapes[0].ndim() - 1]),
        rows_(s.in_shapes[0].Size() / std::max<int64_t>(1, n_)) {
    const auto& t = s.params<SoftmaxParam>().temperature;
    inv_t_ = t ? static_cast<float>(1 / *t) : 1.f;
  }

  void Forward(const KernelContext&, const ForwardArgs& a) override {
    if (a.req[0] == OpReq::kNull) return;
    const float* x = a.inputs[0].ptr<float>();
    float* y = a.outputs[0].ptr<float>();
    const OpReq req = a.req[0];
    const int64_t n = n_;
    ParallelFor(rows_, std::max<int64_t>(1, 4096 / n),
                [&](int64_t r0, int64_t r1) {
                  std::vector<float> z(n), e(n);
                  for (int64_t r = r0; r < r1; ++r) {
                    const float* xr = x + r * n;
                    ShiftScale(xr, RowMax(xr, n), inv_t_, z.data(), n);
                    VecExp(z.data(), e.data(), n);
                    float sum = 0;
                    for (int64_t j = 0; j < n; ++j) sum += e[j];
                    if (log_) {
                      const float log_sum = std::log(sum);
                      for (int64_t j = 0; j < n; ++j) z[j] -= log_sum;
                      StoreRow(z.data(), y + r * n, n, req);
                    } else {
                      const float inv = 1.f / sum;
                      for (int64_t j = 0; j < n; ++j) e[j] *= inv;
                      StoreRow(e.data(), y + r * n, n, req);
                    }
                  }
                });
  }

  // softmax: dx = y (g - sum(g y)) / t; log_softmax: dx = (g - e^y sum(g))
  // / t.
  void Backward(const KernelContext&, const BackwardArgs& a) override {
    if (a.req[0] == OpReq::kNull) return;
    const float* g = a.out_grads[0].ptr<float>();
    const float* y = a.outputs[0].ptr<float>();
    float* dx = a.in_grads[0].ptr<float>();
    const OpReq req = a.req[0];
    const int64_t n = n_;
    ParallelFor(rows_, std::max<int64_t>(1, 4096 / n),
                [&](int64_t r0, int64_t r1) {
                  std::vector<float> d(n), e(n);
                  for (int64_t r = r0; r < r1; ++r) {
                    const float* gr = g + r * n;
                    const float* yr = y + r * n;
                    if (log_) {
                      float sum = 0;
                      for (int64_t j = 0; j < n; ++j) sum += gr[j];
                      VecExp(yr, e.data(), n);
                      for (int64_t j = 0; j < n; ++j)
                        d[j] = (gr[j] - e[j] * sum) * inv_t_;
                    } else {
                      const float dot = Dot(gr, yr, n);
                      for (int64_t j = 0; j < n; ++j)
                        d[j] = yr[j] * (gr[j] - dot) * inv_t_;
                    }
                    StoreRow(d.data(), dx + r * n, n, req);
                  }
                });
  }

 private:
  bool log_;
  int64_t n_, rows_;
  float inv_t_ = 1;
};

bool LastAxis(const KernelSetup& s) {
  const Shape& in = s.in_shapes[0];
  const int64_t axis = s.params<SoftmaxParam>().axis;
  return in.ndim() > 0 && PositiveAxis(axis, in.ndim()) == in.ndim() - 1 &&
         in[in.ndim() - 1] > 0;
}

[[maybe_unused]] const bool kRegistered = [] {
  for (const char* op : {"softmax", "log_softmax"}) {
    KernelRegistry::Global()
        .Register(op, DeviceType::kCPU, KernelVariant::kOptimized)
        .Supports(LastAxis)
        .Factory(SimpleFactory<SoftmaxLastAxis>());
  }
  return true;
}();

}  // namespace
}  // namespace ops
}  // namespace mx
