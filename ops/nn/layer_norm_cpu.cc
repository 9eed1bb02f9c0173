// The optimized CPU kernel of LayerNorm along the last axis (Transformer
// blocks): float32 rows in vectorizable passes, rows split over the
// intra-op threads; gamma's and beta's gradients as column sums after.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "core/base/multiversion.h"
#include "core/engine/parallel.h"
#include "core/op/kernel.h"
#include "ops/common/kernel_util.h"
#include "ops/nn/layer_norm.h"

namespace mx {
namespace ops {
namespace {

// Mean and 1 / sqrt(var + eps) of a row (two passes: no cancellation).
MX_MULTIVERSION void RowMoments(const float* x, int64_t n, float eps,
                                float* mean, float* rstd) {
  const float m = LaneSum(x, n) / static_cast<float>(n);
  float lanes[16] = {};
  int64_t j = 0;
  for (; j + 16 <= n; j += 16) {
    for (int k = 0; k < 16; ++k) {
      const float d = x[j + k] - m;
      lanes[k] += d * d;
    }
  }
  float sq = 0;
  for (; j < n; ++j) sq += (x[j] - m) * (x[j] - m);
  for (float l : lanes) sq += l;
  *mean = m;
  *rstd = 1.f / std::sqrt(sq / static_cast<float>(n) + eps);
}

MX_MULTIVERSION void NormalizeRow(const float* x, float mean, float rstd,
                                  const float* gamma, const float* beta,
                                  float* y, int64_t n, bool add) {
  if (add) {
    for (int64_t j = 0; j < n; ++j) {
      y[j] += gamma[j] * ((x[j] - mean) * rstd) + beta[j];
    }
  } else {
    for (int64_t j = 0; j < n; ++j) {
      y[j] = gamma[j] * ((x[j] - mean) * rstd) + beta[j];
    }
  }
}

// dx = rstd (dxhat - mean(dxhat) - xhat mean(dxhat xhat)), dxhat = g gamma.
MX_MULTIVERSION void RowGradient(const float* x, const float* g,
                                 const float* gamma, float mean, float rstd,
                                 float* dx, int64_t n, bool add) {
  float sum_d = 0, sum_dx = 0;
  for (int64_t j = 0; j < n; ++j) {
    const float d = g[j] * gamma[j];
    sum_d += d;
    sum_dx += d * (x[j] - mean) * rstd;
  }
  const float md = sum_d / static_cast<float>(n);
  const float mdx = sum_dx / static_cast<float>(n);
  for (int64_t j = 0; j < n; ++j) {
    const float v = rstd * (g[j] * gamma[j] - md - (x[j] - mean) * rstd * mdx);
    dx[j] = add ? dx[j] + v : v;
  }
}

class LayerNormLastAxis : public OpKernel {
 public:
  explicit LayerNormLastAxis(const KernelSetup& s)
      : n_(s.in_shapes[0][s.in_shapes[0].ndim() - 1]),
        rows_(s.in_shapes[0].Size() / std::max<int64_t>(1, n_)),
        eps_(static_cast<float>(s.params<LayerNormParam>().eps)) {}

  void Forward(const KernelContext&, const ForwardArgs& a) override {
    const float* x = a.inputs[0].ptr<float>();
    const float* gamma = a.inputs[1].ptr<float>();
    const float* beta = a.inputs[2].ptr<float>();
    float* y = a.outputs[0].ptr<float>();
    float* mean = a.outputs[1].ptr<float>();
    float* sd = a.outputs[2].ptr<float>();
    const int64_t n = n_;
    const bool add = a.req[0] == OpReq::kAdd;
    ParallelFor(
        rows_, std::max<int64_t>(1, 4096 / n), [&](int64_t r0, int64_t r1) {
          for (int64_t r = r0; r < r1; ++r) {
            float m, rstd;
            RowMoments(x + r * n, n, eps_, &m, &rstd);
            mean[r] = m;
            sd[r] = 1.f / rstd;
            if (a.req[0] != OpReq::kNull) {
              NormalizeRow(x + r * n, m, rstd, gamma, beta, y + r * n, n, add);
            }
          }
        });
  }

  void Backward(const KernelContext&, const BackwardArgs& a) override {
    const float* g = a.out_grads[0].ptr<float>();
    const float* x = a.inputs[0].ptr<float>();
    const float* gamma = a.inputs[1].ptr<float>();
    const float* mean = a.outputs[1].ptr<float>();
    const float* sd = a.outputs[2].ptr<float>();
    const int64_t n = n_;
    if (float* dx = a.in_grads[0].ptr_or_null<float>();
        dx != nullptr && a.req[0] != OpReq::kNull) {
      const bool add = a.req[0] == OpReq::kAdd;
      ParallelFor(rows_, std::max<int64_t>(1, 4096 / n),
                  [&](int64_t r0, int64_t r1) {
                    for (int64_t r = r0; r < r1; ++r) {
                      RowGradient(x + r * n, g + r * n, gamma, mean[r],
                                  1.f / sd[r], dx + r * n, n, add);
                    }
                  });
    }
    // Column sums: dgamma = sum g xhat, dbeta = sum g (double: many rows).
    std::vector<double> dgamma(n, 0), dbeta(n, 0);
    for (int64_t r = 0; r < rows_; ++r) {
      const float* xr = x + r * n;
      const float* gr = g + r * n;
      const float m = mean[r], rstd = 1.f / sd[r];
      for (int64_t j = 0; j < n; ++j) {
        dgamma[j] += gr[j] * ((xr[j] - m) * rstd);
        dbeta[j] += gr[j];
      }
    }
    StoreEach(a.req[1], a.in_grads[1].ptr_or_null<float>(), n,
              [&](int64_t j) { return static_cast<float>(dgamma[j]); });
    StoreEach(a.req[2], a.in_grads[2].ptr_or_null<float>(), n,
              [&](int64_t j) { return static_cast<float>(dbeta[j]); });
  }

 private:
  int64_t n_, rows_;
  float eps_;
};

bool LastAxis(const KernelSetup& s) {
  const Shape& in = s.in_shapes[0];
  return in.ndim() > 0 &&
         PositiveAxis(s.params<LayerNormParam>().axis, in.ndim()) ==
             in.ndim() - 1 &&
         in[in.ndim() - 1] > 0;
}

MX_REGISTER_KERNEL(LayerNorm, kCPU, kOptimized)
    .Supports(LastAxis)
    .Factory(SimpleFactory<LayerNormLastAxis>());

}  // namespace
}  // namespace ops
}  // namespace mx
