// UpSampling on the GPU. Nearest: one thread per output element forward, one
// per input element (summing its block) backward. Bilinear (a transposed
// convolution per channel, as on the CPU): gathers, so no thread adds to
// another's element: one thread per output element forward, per data
// element for its gradient, per weight tap for the weight's.
#include <vector>

#include "core/op/kernel.h"
#include "ops/common/cuda_loops.cuh"
#include "ops/common/kernel_util.h"
#include "ops/nn/upsampling.h"

namespace mx {
namespace ops {
namespace {

template <typename T>
class UpSamplingGpu : public NodeKernel {
 public:
  explicit UpSamplingGpu(const KernelSetup& s)
      : NodeKernel(s),
        in_shapes_(s.in_shapes),
        out_(s.out_shapes[0]),
        sum_(s.params<UpSamplingParam>().multi_input_mode == "sum") {}

  void Forward(const KernelContext& ctx, const ForwardArgs& a) override {
    T* out = a.outputs[0].ptr<T>();
    const int64_t oc = out_[1], oh = out_[2], ow = out_[3];
    int64_t offset = 0;
    for (size_t k = 0; k < in_shapes_.size(); ++k) {
      const Shape& s = in_shapes_[k];
      const int64_t c = s[1], h = s[2], w = s[3], f = oh / h;
      const T* in = a.inputs[k].ptr<T>();
      // Summed inputs after the first add to what the first wrote.
      const OpReq r = sum_ && k > 0 ? OpReq::kAdd : a.req[0];
      const bool add = r == OpReq::kAdd;
      if (r != OpReq::kNull) {
        // Over this input's part of the output: (n, c, oh, ow).
        cu::ForEach(ctx, where_, s[0] * c * oh * ow, [=] __device__(int64_t i) {
          const int64_t x = i % ow, y = (i / ow) % oh, ch = (i / (ow * oh)) % c,
                        n = i / (ow * oh * c);
          const T v = in[((n * c + ch) * h + y / f) * w + x / f];
          T& dst = out[((n * oc + offset + ch) * oh + y) * ow + x];
          dst = add ? dst + v : v;
        });
      }
      if (!sum_) offset += c;
    }
  }

  void Backward(const KernelContext& ctx, const BackwardArgs& a) override {
    const T* g = a.out_grads[0].ptr<T>();
    const int64_t oc = out_[1], oh = out_[2], ow = out_[3];
    int64_t offset = 0;
    for (size_t k = 0; k < in_shapes_.size(); ++k) {
      const Shape& s = in_shapes_[k];
      const int64_t c = s[1], h = s[2], w = s[3], f = oh / h;
      cu::StoreEach(ctx, where_, a.req[k], a.in_grads[k].ptr_or_null<T>(),
                    s.Size(), [=] __device__(int64_t i) {
                      const int64_t x0 = (i % w) * f, y0 = ((i / w) % h) * f,
                                    ch = (i / (w * h)) % c, n = i / (w * h * c);
                      const T* src = g + (n * oc + offset + ch) * oh * ow;
                      T total = 0;
                      for (int64_t y = y0; y < y0 + f; ++y) {
                        for (int64_t x = x0; x < x0 + f; ++x) {
                          total += src[y * ow + x];
                        }
                      }
                      return total;
                    });
      if (!sum_) offset += c;
    }
  }

 private:
  std::vector<Shape> in_shapes_;
  Shape out_;
  bool sum_;
};

// One axis of the transposed convolution: input pixel i reaches output
// pixel i scale - pad + tap through tap `tap`.
struct BilinearAxis {
  int64_t in, out, scale, pad, k;
  // The output pixel input pixel i reaches through `tap`; -1 outside.
  __device__ int64_t Target(int64_t i, int64_t tap) const {
    const int64_t o = i * scale - pad + tap;
    return o < 0 || o >= out ? -1 : o;
  }
  // The input pixel that reaches output pixel o through `tap`; -1 if none.
  __device__ int64_t Source(int64_t o, int64_t tap) const {
    const int64_t t = o + pad - tap;
    if (t < 0 || t % scale != 0 || t / scale >= in) return -1;
    return t / scale;
  }
};

template <typename T>
class BilinearUpSamplingGpu : public NodeKernel {
 public:
  explicit BilinearUpSamplingGpu(const KernelSetup& s)
      : NodeKernel(s), n_(s.in_shapes[0][0]), c_(s.in_shapes[0][1]) {
    const int64_t scale = s.params<UpSamplingParam>().scale;
    const int64_t k = BilinearKernelSize(scale), pad = BilinearPad(scale);
    y_ = {s.in_shapes[0][2], s.out_shapes[0][2], scale, pad, k};
    x_ = {s.in_shapes[0][3], s.out_shapes[0][3], scale, pad, k};
  }

  void Forward(const KernelContext& ctx, const ForwardArgs& a) override {
    const T* x = a.inputs[0].ptr<T>();
    const T* w = a.inputs[1].ptr<T>();
    const BilinearAxis ay = y_, ax = x_;
    const int64_t c = c_;
    cu::StoreEach(ctx, where_, a.req[0], a.outputs[0].ptr<T>(),
                  n_ * c * ay.out * ax.out, [=] __device__(int64_t i) {
                    const int64_t ox = i % ax.out, oy = (i / ax.out) % ay.out,
                                  nc = i / (ax.out * ay.out), ch = nc % c;
                    T total = 0;
                    for (int64_t ky = 0; ky < ay.k; ++ky) {
                      const int64_t iy = ay.Source(oy, ky);
                      if (iy < 0) continue;
                      for (int64_t kx = 0; kx < ax.k; ++kx) {
                        const int64_t ix = ax.Source(ox, kx);
                        if (ix < 0) continue;
                        total += x[(nc * ay.in + iy) * ax.in + ix] *
                                 w[(ch * ay.k + ky) * ax.k + kx];
                      }
                    }
                    return total;
                  });
  }

  void Backward(const KernelContext& ctx, const BackwardArgs& a) override {
    const T* g = a.out_grads[0].ptr<T>();
    const T* x = a.inputs[0].ptr<T>();
    const T* w = a.inputs[1].ptr<T>();
    const BilinearAxis ay = y_, ax = x_;
    const int64_t n = n_, c = c_;
    // d data[n, c, y, x] = sum over taps landing inside of g[out] w[tap].
    cu::StoreEach(ctx, where_, a.req[0], a.in_grads[0].ptr_or_null<T>(),
                  n * c * ay.in * ax.in, [=] __device__(int64_t i) {
                    const int64_t ix = i % ax.in, iy = (i / ax.in) % ay.in,
                                  nc = i / (ax.in * ay.in), ch = nc % c;
                    T total = 0;
                    for (int64_t ky = 0; ky < ay.k; ++ky) {
                      const int64_t oy = ay.Target(iy, ky);
                      if (oy < 0) continue;
                      for (int64_t kx = 0; kx < ax.k; ++kx) {
                        const int64_t ox = ax.Target(ix, kx);
                        if (ox < 0) continue;
                        total += g[(nc * ay.out + oy) * ax.out + ox] *
                                 w[(ch * ay.k + ky) * ax.k + kx];
                      }
                    }
                    return total;
                  });
    // d weight[c, ky, kx] = sum over samples and input pixels whose tap lands
    // inside of g[out] data[in].
    cu::StoreEach(ctx, where_, a.req[1], a.in_grads[1].ptr_or_null<T>(),
                  c * ay.k * ax.k, [=] __device__(int64_t i) {
                    const int64_t kx = i % ax.k, ky = (i / ax.k) % ay.k,
                                  ch = i / (ax.k * ay.k);
                    T total = 0;
                    for (int64_t s = 0; s < n; ++s) {
                      const int64_t nc = s * c + ch;
                      for (int64_t iy = 0; iy < ay.in; ++iy) {
                        const int64_t oy = ay.Target(iy, ky);
                        if (oy < 0) continue;
                        for (int64_t ix = 0; ix < ax.in; ++ix) {
                          const int64_t ox = ax.Target(ix, kx);
                          if (ox < 0) continue;
                          total += g[(nc * ay.out + oy) * ax.out + ox] *
                                   x[(nc * ay.in + iy) * ax.in + ix];
                        }
                      }
                    }
                    return total;
                  });
  }

 private:
  int64_t n_, c_;
  BilinearAxis y_, x_;
};

}  // namespace

// Nearest or bilinear by sample_type.
MX_REGISTER_KERNEL(UpSampling, kGPU, kOptimized)
    .Types({DType::kFloat32, DType::kFloat64})
    .Factory([](const KernelSetup& s) {
      return s.params<UpSamplingParam>().sample_type == "bilinear"
                 ? TypedFactory<BilinearUpSamplingGpu>()(s)
                 : TypedFactory<UpSamplingGpu>()(s);
    });

}  // namespace ops
}  // namespace mx
