// UpSampling (nearest) on the GPU: one thread per output element forward,
// one per input element (summing its block) backward.
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
        sum_(s.params<UpSamplingParam>().multi_input_mode == "sum") {
    MX_CHECK(s.params<UpSamplingParam>().sample_type == "nearest", where_,
             ": bilinear UpSampling has no GPU kernel yet (it runs on the "
             "CPU)");
  }

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

}  // namespace

MX_REGISTER_KERNEL(UpSampling, kGPU, kOptimized)
    .Types({DType::kFloat32, DType::kFloat64})
    .Factory(TypedFactory<UpSamplingGpu>());

}  // namespace ops
}  // namespace mx
