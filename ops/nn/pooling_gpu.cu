// Pooling on the GPU, with MXNet's window rules exactly (the average divides
// by the window clipped to the padded data; the "full" convention): one
// thread per output forward, atomic scatter backward (the max gradient goes
// to the first maximum of each window, as on the CPU).
#include <limits>

#include "core/op/kernel.h"
#include "ops/common/cuda_loops.cuh"
#include "ops/common/kernel_util.h"
#include "ops/common/window.h"
#include "ops/nn/pooling.h"

namespace mx {
namespace ops {
namespace {

// Output position o's window: [begin, end) inside the data per axis, and the
// average's divisor.
struct Bounds {
  int64_t begin[3], end[3];
  int64_t area;
};

__device__ Bounds BoundsOf(const Window& w, int64_t o) {
  Bounds b;
  b.area = 1;
  for (int a = 2; a >= 0; --a) {
    const int64_t pos = o % w.out[a];
    o /= w.out[a];
    const int64_t start = pos * w.stride[a] - w.pad[a];
    const int64_t padded_end = min(start + w.kernel[a], w.in[a] + w.pad[a]);
    b.begin[a] = max(start, int64_t{0});
    b.end[a] = min(start + w.kernel[a], w.in[a]);
    b.area *= max(padded_end - start, int64_t{1});
  }
  return b;
}

template <typename T>
class PoolingGpu : public NodeKernel {
 public:
  explicit PoolingGpu(const KernelSetup& s) : NodeKernel(s) {
    const auto& p = s.params<PoolingParam>();
    const Shape& d = s.in_shapes[0];
    w_ = PoolingWindow(s);
    channels_ = d[0] * d[1];
    type_ = PoolTypeOf(p.pool_type);
  }

  void Forward(const KernelContext& ctx, const ForwardArgs& a) override {
    const T* x = a.inputs[0].ptr<T>();
    const Window w = w_;
    const int64_t is = w.InSize(), os = w.OutSize();
    const PoolType type = type_;
    cu::StoreEach(ctx, where_, a.req[0], a.outputs[0].ptr<T>(), channels_ * os,
                  [=] __device__(int64_t i) {
                    const Bounds b = BoundsOf(w, i % os);
                    const T* xc = x + (i / os) * is;
                    T acc = type == PoolType::kMax
                                ? -std::numeric_limits<T>::infinity()
                                : T(0);
                    for (int64_t d = b.begin[0]; d < b.end[0]; ++d)
                      for (int64_t h = b.begin[1]; h < b.end[1]; ++h)
                        for (int64_t x0 = b.begin[2]; x0 < b.end[2]; ++x0) {
                          const T v = xc[(d * w.in[1] + h) * w.in[2] + x0];
                          acc = type == PoolType::kMax ? max(acc, v) : acc + v;
                        }
                    return type == PoolType::kAvg ? acc / T(b.area) : acc;
                  });
  }

  void Backward(const KernelContext& ctx, const BackwardArgs& a) override {
    if (a.req[0] == OpReq::kNull) return;
    const T* g = a.out_grads[0].ptr<T>();
    const T* x = a.inputs[0].ptr<T>();
    T* dx = a.in_grads[0].ptr<T>();
    const Window w = w_;
    const int64_t is = w.InSize(), os = w.OutSize();
    if (a.req[0] != OpReq::kAdd) cu::Zero(ctx, where_, dx, channels_ * is);
    const PoolType type = type_;
    cu::ForEach(ctx, where_, channels_ * os, [=] __device__(int64_t i) {
      const Bounds b = BoundsOf(w, i % os);
      const int64_t c = i / os;
      const T* xc = x + c * is;
      T* dxc = dx + c * is;
      const T go = g[i];
      if (type == PoolType::kMax) {
        int64_t best = -1;
        T best_value = -std::numeric_limits<T>::infinity();
        for (int64_t d = b.begin[0]; d < b.end[0]; ++d)
          for (int64_t h = b.begin[1]; h < b.end[1]; ++h)
            for (int64_t x0 = b.begin[2]; x0 < b.end[2]; ++x0) {
              const int64_t at = (d * w.in[1] + h) * w.in[2] + x0;
              if (xc[at] > best_value) {
                best_value = xc[at];
                best = at;
              }
            }
        if (best >= 0) atomicAdd(dxc + best, go);
        return;
      }
      const T share = type == PoolType::kAvg ? go / T(b.area) : go;
      for (int64_t d = b.begin[0]; d < b.end[0]; ++d)
        for (int64_t h = b.begin[1]; h < b.end[1]; ++h)
          for (int64_t x0 = b.begin[2]; x0 < b.end[2]; ++x0) {
            atomicAdd(dxc + (d * w.in[1] + h) * w.in[2] + x0, share);
          }
    });
  }

 private:
  Window w_;
  int64_t channels_ = 0;
  PoolType type_ = PoolType::kMax;
};

}  // namespace

MX_REGISTER_KERNEL(Pooling, kGPU, kOptimized)
    .Types({DType::kFloat32, DType::kFloat64})
    .Factory(TypedFactory<PoolingGpu>());

}  // namespace ops
}  // namespace mx
