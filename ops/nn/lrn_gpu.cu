// LRN on the GPU: one thread per element sums its channel window (nsize is
// small); the same formulas as the CPU kernel, tmp_norm kept for backward.
#include <algorithm>

#include "core/op/kernel.h"
#include "ops/common/cuda_loops.cuh"
#include "ops/common/kernel_util.h"
#include "ops/nn/lrn.h"

namespace mx {
namespace ops {
namespace {

// Where element i's channel window lies: channels [lo, hi] of its image, at
// offset `base + j * plane` for channel j.
struct ChannelWindow {
  int64_t channels, plane, half;
  __device__ void Of(int64_t i, int64_t* base, int64_t* lo, int64_t* hi) const {
    const int64_t s = i % plane, c = (i / plane) % channels,
                  b = i / (plane * channels);
    *base = b * channels * plane + s;
    *lo = c - half < 0 ? 0 : c - half;
    *hi = c + half > channels - 1 ? channels - 1 : c + half;
  }
};

template <typename T>
class LRNGpu : public NodeKernel {
 public:
  explicit LRNGpu(const KernelSetup& s)
      : NodeKernel(s),
        p_(s.params<LRNParam>()),
        window_{s.in_shapes[0][1], s.in_shapes[0][2] * s.in_shapes[0][3],
                s.params<LRNParam>().nsize / 2},
        n_bytes_(s.in_shapes[0].Size() * sizeof(T)) {}

  // g y / norm, summed over windows in backward.
  size_t BackwardWorkspace() const override { return n_bytes_; }

  void Forward(const KernelContext& ctx, const ForwardArgs& a) override {
    const T* x = a.inputs[0].ptr<T>();
    T* norm = a.outputs[1].ptr<T>();
    const T scale = T(p_.alpha / p_.nsize), knorm = T(p_.knorm);
    const ChannelWindow w = window_;
    const int64_t n = a.inputs[0].Size();
    cu::ForEach(ctx, where_, n, [=] __device__(int64_t i) {
      int64_t base, lo, hi;
      w.Of(i, &base, &lo, &hi);
      T sum = 0;
      for (int64_t j = lo; j <= hi; ++j) {
        const T v = x[base + j * w.plane];
        sum += v * v;
      }
      norm[i] = knorm + scale * sum;
    });
    const T beta = T(p_.beta);
    cu::StoreEach(
        ctx, where_, a.req[0], a.outputs[0].ptr<T>(), n,
        [=] __device__(int64_t i) { return x[i] * T(pow(norm[i], -beta)); });
  }

  void Backward(const KernelContext& ctx, const BackwardArgs& a) override {
    const T* g = a.out_grads[0].ptr<T>();
    const T* x = a.inputs[0].ptr<T>();
    const T* y = a.outputs[0].ptr<T>();
    const T* norm = a.outputs[1].ptr<T>();
    const int64_t n = a.inputs[0].Size();
    T* gyn = static_cast<T*>(ctx.workspace);
    cu::ForEach(ctx, where_, n,
                [=] __device__(int64_t i) { gyn[i] = g[i] * y[i] / norm[i]; });
    const T beta = T(p_.beta);
    const T coef = T(2 * p_.alpha * p_.beta / p_.nsize);
    const ChannelWindow w = window_;
    cu::StoreEach(ctx, where_, a.req[0], a.in_grads[0].ptr_or_null<T>(), n,
                  [=] __device__(int64_t i) {
                    int64_t base, lo, hi;
                    w.Of(i, &base, &lo, &hi);
                    T sum = 0;
                    for (int64_t j = lo; j <= hi; ++j) {
                      sum += gyn[base + j * w.plane];
                    }
                    return g[i] * T(pow(norm[i], -beta)) - coef * x[i] * sum;
                  });
  }

 private:
  LRNParam p_;
  ChannelWindow window_;
  size_t n_bytes_ = 0;
};

}  // namespace

MX_REGISTER_KERNEL(LRN, kGPU, kOptimized)
    .Types({DType::kFloat32, DType::kFloat64})
    .Factory(TypedFactory<LRNGpu>());

}  // namespace ops
}  // namespace mx
