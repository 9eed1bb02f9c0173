// FullyConnected on BLAS gemm (the optimized CPU kernel).
#include <algorithm>
#include <vector>

#include "core/op/kernel.h"
#include "ops/common/gemm.h"
#include "ops/nn/fully_connected.h"

namespace mx {
namespace ops {
namespace {

template <typename T>
class FullyConnectedBlas : public OpKernel {
 public:
  explicit FullyConnectedBlas(const KernelSetup& s)
      : dims_(FullyConnectedDims::Of(s)) {}

  void Forward(const KernelContext&, const ForwardArgs& a) override {
    const int64_t m = dims_.m, k = dims_.k, h = dims_.h;
    T* out = a.outputs[0].ptr<T>();
    const OpReq req = a.req[0];
    if (req == OpReq::kNull) return;
    if (dims_.bias && req != OpReq::kAdd) {
      // out = bias rows, then out += x w^T.
      const T* b = a.inputs[2].ptr<T>();
      for (int64_t r = 0; r < m; ++r) std::copy(b, b + h, out + r * h);
      MatMul(false, true, m, h, k, a.inputs[0].ptr<T>(), a.inputs[1].ptr<T>(),
             out, OpReq::kAdd);
      return;
    }
    MatMul(false, true, m, h, k, a.inputs[0].ptr<T>(), a.inputs[1].ptr<T>(),
           out, req);
    if (dims_.bias) {
      const T* b = a.inputs[2].ptr<T>();
      for (int64_t r = 0; r < m; ++r) {
        for (int64_t c = 0; c < h; ++c) out[r * h + c] += b[c];
      }
    }
  }

  void Backward(const KernelContext&, const BackwardArgs& a) override {
    const int64_t m = dims_.m, k = dims_.k, h = dims_.h;
    const T* g = a.out_grads[0].ptr<T>();
    // dx (m, k) = g (m, h) w (h, k); dw (h, k) = g^T x.
    MatMul(false, false, m, k, h, g, a.inputs[1].ptr<T>(),
           a.in_grads[0].ptr_or_null<T>(), a.req[0]);
    MatMul(true, false, h, k, m, g, a.inputs[0].ptr<T>(),
           a.in_grads[1].ptr_or_null<T>(), a.req[1]);
    if (dims_.bias) {
      SumRows(g, m, h, a.in_grads[2].ptr_or_null<T>(), a.req[2]);
    }
  }

 private:
  FullyConnectedDims dims_;
};

}  // namespace

MX_REGISTER_KERNEL(FullyConnected, kCPU, kOptimized)
    .Types({DType::kFloat32, DType::kFloat64})
    .Factory(TypedFactory<FullyConnectedBlas>());

}  // namespace ops
}  // namespace mx
