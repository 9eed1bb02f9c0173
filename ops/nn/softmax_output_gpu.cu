// SoftmaxOutput, LinearRegressionOutput and LogisticRegressionOutput on the
// GPU. Softmax takes one warp per row; a label that is not a class is
// reported without a host wait (BadValueReport) and raised by a later call.
#include <algorithm>
#include <cmath>
#include <limits>

#include "core/base/error.h"
#include "core/op/kernel.h"
#include "ops/common/cuda_libs.h"
#include "ops/common/cuda_loops.cuh"
#include "ops/common/kernel_util.h"
#include "ops/nn/regression_output.h"
#include "ops/nn/softmax_output.h"

namespace mx {
namespace ops {
namespace {

template <typename T>
__device__ T WarpMax(T v) {
  for (int offset = 16; offset > 0; offset /= 2) {
    v = max(v, __shfl_xor_sync(0xffffffffu, v, offset));
  }
  return v;
}

template <typename T>
__device__ T WarpSum(T v) {
  for (int offset = 16; offset > 0; offset /= 2) {
    v += __shfl_xor_sync(0xffffffffu, v, offset);
  }
  return v;
}

// Rows of (outer, classes, inner) data: row r is (r / inner, r % inner), its
// class c at base + c * inner.
struct RowLayout {
  int64_t rows, classes, inner;
  __device__ int64_t Base(int64_t r) const {
    return (r / inner) * classes * inner + r % inner;
  }
};

// Calls f(row, lane) with every row on one warp.
template <typename F>
__global__ void WarpPerRowKernel(int64_t rows, F f) {
  const int64_t warp =
      (blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x) / 32;
  const int64_t warps = static_cast<int64_t>(gridDim.x) * blockDim.x / 32;
  const int lane = threadIdx.x % 32;
  for (int64_t r = warp; r < rows; r += warps) f(r, lane);
}

template <typename F>
void ForEachRow(const KernelContext& ctx, const std::string& where,
                int64_t rows, F f) {
  if (rows <= 0) return;
  const int64_t warps_per_block = cu::kThreads / 32;
  const unsigned blocks = static_cast<unsigned>(
      std::min<int64_t>((rows + warps_per_block - 1) / warps_per_block, 65535));
  WarpPerRowKernel<<<blocks, cu::kThreads, 0, cu::StreamOf(ctx)>>>(rows, f);
  CheckLaunch(where);
}

template <typename T>
class SoftmaxOutputGpu : public NodeKernel {
 public:
  explicit SoftmaxOutputGpu(const KernelSetup& s)
      : NodeKernel(s), p_(s.params<SoftmaxOutputParam>()) {
    const SoftmaxLayout l = SoftmaxLayout::Of(s);
    outer_ = l.outer;
    classes_ = l.classes;
    inner_ = l.inner;
    batch_ = l.batch;
    probability_ = l.probability;
    // The valid-row counter sits after the gradient, 8-byte aligned.
    count_offset_ = (s.in_shapes[0].Size() * sizeof(T) + 7) / 8 * 8;
  }

  // The unscaled gradient, then the count of valid rows.
  size_t BackwardWorkspace() const override {
    return count_offset_ + sizeof(unsigned long long);
  }

  void Forward(const KernelContext& ctx, const ForwardArgs& a) override {
    RaiseBadLabel();
    if (a.req[0] == OpReq::kNull) return;
    const T* x = a.inputs[0].ptr<T>();
    T* y = a.outputs[0].ptr<T>();
    const RowLayout l{outer_ * inner_, classes_, inner_};
    const bool add = a.req[0] == OpReq::kAdd;
    ForEachRow(ctx, where_, l.rows, [=] __device__(int64_t r, int lane) {
      const int64_t base = l.Base(r);
      T m = -std::numeric_limits<T>::infinity();
      for (int64_t c = lane; c < l.classes; c += 32) {
        m = max(m, x[base + c * l.inner]);
      }
      m = WarpMax(m);
      T sum = 0;
      for (int64_t c = lane; c < l.classes; c += 32) {
        sum += exp(x[base + c * l.inner] - m);
      }
      sum = WarpSum(sum);
      for (int64_t c = lane; c < l.classes; c += 32) {
        const T v = exp(x[base + c * l.inner] - m) / sum;
        T& out = y[base + c * l.inner];
        out = add ? out + v : v;
      }
    });
  }

  void Backward(const KernelContext& ctx, const BackwardArgs& a) override {
    RaiseBadLabel();
    if (a.req[0] == OpReq::kNull) return;
    const T* y = a.outputs[0].ptr<T>();
    const T* label = a.inputs[1].ptr<T>();
    const T* og = p_.out_grad ? a.out_grads[0].ptr<T>() : nullptr;
    T* dx = a.in_grads[0].ptr<T>();
    // dx may not be written before the whole gradient is known (req add and
    // the valid count), so the unscaled gradient goes to the workspace.
    auto* count = reinterpret_cast<unsigned long long*>(
        static_cast<char*>(ctx.workspace) + count_offset_);
    T* grad = static_cast<T*>(ctx.workspace);
    if (cudaMemsetAsync(count, 0, sizeof(*count), cu::StreamOf(ctx)) !=
        cudaSuccess) {
      CheckLaunch(where_);
    }
    const RowLayout l{outer_ * inner_, classes_, inner_};
    const bool probability = probability_;
    const bool use_ignore = p_.use_ignore;
    const T ignore = T(p_.ignore_label);
    const T off = classes_ > 1 ? T(p_.smooth_alpha / (classes_ - 1)) : T(0);
    const T on = T(1 - p_.smooth_alpha);
    BadValue* bad = bad_labels_.device();
    ForEachRow(ctx, where_, l.rows, [=] __device__(int64_t r, int lane) {
      const int64_t base = l.Base(r);
      if (probability) {
        for (int64_t c = lane; c < l.classes; c += 32) {
          const int64_t at = base + c * l.inner;
          grad[at] = y[at] - label[at];
        }
        if (lane == 0) atomicAdd(count, 1ull);
        return;
      }
      const T v = label[r];
      const int64_t k = static_cast<int64_t>(v);
      const bool ignored = use_ignore && v == ignore;
      const bool valid = !ignored && v >= T(0) && k < l.classes && T(k) == v;
      if (!ignored && !valid && lane == 0) cu::ReportBadValue(bad, r, v);
      for (int64_t c = lane; c < l.classes; c += 32) {
        const int64_t at = base + c * l.inner;
        grad[at] = valid ? y[at] - (c == k ? on : off) : T(0);
      }
      if (valid && lane == 0) atomicAdd(count, 1ull);
    });
    bad_labels_.Queued(ctx);
    double scale = p_.grad_scale;
    if (p_.normalization == "batch") scale /= static_cast<double>(batch_);
    if (p_.multi_output && p_.normalization != "valid") scale /= inner_;
    const T s = static_cast<T>(scale);
    const bool per_valid = p_.normalization == "valid";
    cu::StoreEach(ctx, where_, a.req[0], dx, l.rows * l.classes,
                  [=] __device__(int64_t i) {
                    T v = grad[i] * s;
                    if (per_valid) v /= T(max(*count, 1ull));
                    return og ? v * og[i] : v;
                  });
  }

 private:
  // The label a previous call found bad, as an mx::Error.
  void RaiseBadLabel() {
    BadValue b;
    if (!bad_labels_.Take(&b)) return;
    MX_THROW(where_, ": label ", b.value, " at position ", b.position,
             " is not a class in [0, ", classes_, ")");
  }

  SoftmaxOutputParam p_;
  int64_t outer_ = 1, classes_ = 1, inner_ = 1, batch_ = 1;
  bool probability_ = false;
  size_t count_offset_ = 0;
  BadValueReport bad_labels_;
};

// Linear: out = x; logistic: out = sigmoid(x). Gradient (out - label) *
// grad_scale / num_output.
template <typename T>
class RegressionGpu : public NodeKernel {
 public:
  explicit RegressionGpu(const KernelSetup& s)
      : NodeKernel(s),
        logistic_(s.attrs->op->name() == "LogisticRegressionOutput"),
        scale_(s.params<RegressionOutputParam>().grad_scale /
               std::max<int64_t>(
                   1, s.in_shapes[1].Size() /
                          std::max<int64_t>(1, s.in_shapes[1][0]))) {}

  void Forward(const KernelContext& ctx, const ForwardArgs& a) override {
    const T* x = a.inputs[0].ptr<T>();
    T* y = a.outputs[0].ptr<T>();
    const int64_t n = a.outputs[0].Size();
    if (!logistic_) return cu::StoreArray(ctx, where_, a.req[0], y, x, n);
    cu::StoreEach(ctx, where_, a.req[0], y, n, [=] __device__(int64_t i) {
      return T(1) / (T(1) + exp(-x[i]));
    });
  }

  void Backward(const KernelContext& ctx, const BackwardArgs& a) override {
    const T* y = a.outputs[0].ptr<T>();
    const T* label = a.inputs[1].ptr<T>();
    const T scale = static_cast<T>(scale_);
    cu::StoreEach(ctx, where_, a.req[0], a.in_grads[0].ptr_or_null<T>(),
                  a.outputs[0].Size(), [=] __device__(int64_t i) {
                    return (y[i] - label[i]) * scale;
                  });
  }

 private:
  bool logistic_;
  double scale_;
};

[[maybe_unused]] const bool kRegistered = [] {
  KernelRegistry::Global()
      .Register("SoftmaxOutput", DeviceType::kGPU, KernelVariant::kOptimized)
      .Types({DType::kFloat32, DType::kFloat64})
      .Factory(TypedFactory<SoftmaxOutputGpu>());
  for (const char* op :
       {"LinearRegressionOutput", "LogisticRegressionOutput"}) {
    KernelRegistry::Global()
        .Register(op, DeviceType::kGPU, KernelVariant::kOptimized)
        .Types({DType::kFloat32, DType::kFloat64})
        .Factory(TypedFactory<RegressionGpu>());
  }
  return true;
}();

}  // namespace
}  // namespace ops
}  // namespace mx
