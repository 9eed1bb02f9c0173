#include "ops/nn/lrn.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/op/kernel.h"
#include "core/op/op.h"
#include "ops/common/same_shape.h"

namespace mx {
namespace ops {
namespace {

void InferLRNShape(InferShapeContext* ctx) {
  InferSameShape(ctx);
  const PartialShape& data = ctx->in(0);
  if (data.rank_known() && data.ndim() != 4) {
    ctx->Fail("data must be 4-D (N,C,H,W)");
  }
}

}  // namespace

MX_REGISTER_OP(LRN)
    .Describe(
        "Local response normalization across channels: out = x (knorm + "
        "alpha / nsize * sum of x^2 over nsize channels)^-beta; the hidden "
        "output tmp_norm keeps the normalizer.")
    .Params<LRNParam>()
    .Outputs({"output", "tmp_norm"})
    .VisibleOutputs([](const NodeAttrs&) { return 1; })
    .InferShape(InferLRNShape)
    .Backward([](const NodeAttrs&) {
      return BackwardDeps{{0}, {0}, {0, 1}};
    });

namespace {

// With s_c = knorm + alpha / nsize * sum_{j in W(c)} x_j^2 over the window
// W(c) of nsize channels centred on c (clipped at the edges):
//   y_c = x_c s_c^-beta,
//   dx_c = g_c s_c^-beta - 2 alpha beta / nsize x_c sum_{j in W(c)} g_j y_j
//          / s_j
// (the window is symmetric: c is in W(j) exactly when j is in W(c)).
template <typename T>
class LRNKernel : public OpKernel {
 public:
  explicit LRNKernel(const KernelSetup& s)
      : p_(s.params<LRNParam>()),
        batch_(s.in_shapes[0][0]),
        channels_(s.in_shapes[0][1]),
        plane_(s.in_shapes[0][2] * s.in_shapes[0][3]) {}

  void Forward(const KernelContext&, const ForwardArgs& a) override {
    const T* x = a.inputs[0].ptr<T>();
    T* norm = a.outputs[1].ptr<T>();
    const T scale = T(p_.alpha / p_.nsize);
    WindowSums(
        x,
        [&](int64_t at, T sum_sq) { norm[at] = T(p_.knorm) + scale * sum_sq; },
        [](int64_t at, const T* v) { return v[at] * v[at]; });
    const T beta = T(p_.beta);
    StoreEach(a.req[0], a.outputs[0].ptr<T>(), a.inputs[0].Size(),
              [=](int64_t i) { return x[i] * std::pow(norm[i], -beta); });
  }

  void Backward(const KernelContext&, const BackwardArgs& a) override {
    const T* g = a.out_grads[0].ptr<T>();
    const T* x = a.inputs[0].ptr<T>();
    const T* y = a.outputs[0].ptr<T>();
    const T* norm = a.outputs[1].ptr<T>();
    const int64_t n = a.inputs[0].Size();
    std::vector<T> gyn(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) gyn[i] = g[i] * y[i] / norm[i];
    std::vector<T> window(static_cast<size_t>(n));
    WindowSums(
        gyn.data(), [&](int64_t at, T sum) { window[at] = sum; },
        [](int64_t at, const T* v) { return v[at]; });
    const T beta = T(p_.beta);
    const T coef = T(2 * p_.alpha * p_.beta / p_.nsize);
    StoreEach(a.req[0], a.in_grads[0].ptr_or_null<T>(), n, [&](int64_t i) {
      return g[i] * std::pow(norm[i], -beta) - coef * x[i] * window[i];
    });
  }

 private:
  // Calls put(index, sum of term(index', v) over the channel window of the
  // element) for every element.
  template <typename Put, typename Term>
  void WindowSums(const T* v, Put put, Term term) const {
    const int64_t half = p_.nsize / 2;
    for (int64_t b = 0; b < batch_; ++b) {
      for (int64_t c = 0; c < channels_; ++c) {
        const int64_t lo = std::max<int64_t>(0, c - half);
        const int64_t hi = std::min<int64_t>(channels_ - 1, c + half);
        for (int64_t s = 0; s < plane_; ++s) {
          T sum = 0;
          for (int64_t j = lo; j <= hi; ++j) {
            sum += term((b * channels_ + j) * plane_ + s, v);
          }
          put((b * channels_ + c) * plane_ + s, sum);
        }
      }
    }
  }

  LRNParam p_;
  int64_t batch_, channels_, plane_;
};

}  // namespace

MX_REGISTER_KERNEL(LRN, kCPU, kReference)
    .Types({DType::kFloat32, DType::kFloat64})
    .Factory(TypedFactory<LRNKernel>());

}  // namespace ops
}  // namespace mx
