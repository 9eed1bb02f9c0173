#include "ops/nn/fully_connected.h"

#include <algorithm>

#include "core/op/kernel.h"
#include "core/op/op.h"
#include "ops/common/kernel_util.h"
#include "ops/common/spatial.h"

namespace mx {
namespace ops {
namespace {

void InferFullyConnectedShape(InferShapeContext* ctx) {
  const auto& p = ctx->params<FullyConnectedParam>();
  const PartialShape& data = ctx->in(0);
  if (!data.rank_known()) return;
  if (data.ndim() == 0) ctx->Fail("data must have at least 1 dimension");
  PartialShape out;
  int64_t k;
  if (p.flatten) {
    k = data.ProdRange(1, data.ndim());
    out = PartialShape{data[0], p.num_hidden};
  } else {
    k = data[-1];
    std::vector<int64_t> dims = data.dims();
    dims.back() = p.num_hidden;
    out = PartialShape(dims);
  }
  ctx->AssignIn(1, PartialShape{p.num_hidden, k});
  if (!p.no_bias) ctx->AssignIn(2, PartialShape{p.num_hidden});
  ctx->AssignOut(0, out);
  // Backward: the output's leading extents are the data's (the batch).
  const PartialShape& known = ctx->out(0);
  std::vector<int64_t> dims = data.dims();
  const int leading = p.flatten ? 1 : data.ndim() - 1;
  for (int i = 0; i < leading; ++i) dims[i] = known[i];
  ctx->AssignIn(0, PartialShape(dims));
}

}  // namespace

MX_REGISTER_OP(FullyConnected)
    .Describe(
        "Fully connected layer: out = data * weight^T + bias, with data "
        "flattened to (N, K), weight (num_hidden, K), bias (num_hidden,).")
    .Params<FullyConnectedParam>()
    .Inputs([](const NodeAttrs& a) {
      return DataWeightBias(a.params<FullyConnectedParam>().no_bias);
    })
    .InferShape(InferFullyConnectedShape)
    .Backward([](const NodeAttrs&) {
      return BackwardDeps{{0}, {0, 1}, {}};
    });

namespace {

// Plain loops over out[m, h] = sum_k x[m, k] w[h, k] + b[h].
template <typename T>
class FullyConnectedRef : public OpKernel {
 public:
  explicit FullyConnectedRef(const KernelSetup& s)
      : dims_(FullyConnectedDims::Of(s)) {}

  void Forward(const KernelContext&, const ForwardArgs& a) override {
    const int64_t m = dims_.m, k = dims_.k, h = dims_.h;
    const bool bias = dims_.bias;
    const T* x = a.inputs[0].ptr<T>();
    const T* w = a.inputs[1].ptr<T>();
    const T* b = bias ? a.inputs[2].ptr<T>() : nullptr;
    StoreEach(a.req[0], a.outputs[0].ptr<T>(), m * h, [=](int64_t i) {
      const int64_t r = i / h, c = i % h;
      T acc = b ? b[c] : T(0);
      for (int64_t j = 0; j < k; ++j) acc += x[r * k + j] * w[c * k + j];
      return acc;
    });
  }

  void Backward(const KernelContext&, const BackwardArgs& a) override {
    const int64_t m = dims_.m, k = dims_.k, h = dims_.h;
    const bool bias = dims_.bias;
    const T* g = a.out_grads[0].ptr<T>();
    const T* x = a.inputs[0].ptr<T>();
    const T* w = a.inputs[1].ptr<T>();
    StoreEach(a.req[0], a.in_grads[0].ptr_or_null<T>(), m * k, [=](int64_t i) {
      const int64_t r = i / k, c = i % k;
      T acc = 0;
      for (int64_t j = 0; j < h; ++j) acc += g[r * h + j] * w[j * k + c];
      return acc;
    });
    StoreEach(a.req[1], a.in_grads[1].ptr_or_null<T>(), h * k, [=](int64_t i) {
      const int64_t r = i / k, c = i % k;
      T acc = 0;
      for (int64_t j = 0; j < m; ++j) acc += g[j * h + r] * x[j * k + c];
      return acc;
    });
    if (bias) {
      StoreEach(a.req[2], a.in_grads[2].ptr_or_null<T>(), h, [=](int64_t c) {
        T acc = 0;
        for (int64_t j = 0; j < m; ++j) acc += g[j * h + c];
        return acc;
      });
    }
  }

 private:
  FullyConnectedDims dims_;
};

}  // namespace

FullyConnectedDims FullyConnectedDims::Of(const KernelSetup& s) {
  const auto& p = s.params<FullyConnectedParam>();
  const Shape& d = s.in_shapes[0];
  FullyConnectedDims dims;
  dims.k = p.flatten ? d.ProdRange(1, d.ndim()) : d[d.ndim() - 1];
  dims.m = d.Size() / std::max<int64_t>(dims.k, 1);
  dims.h = p.num_hidden;
  dims.bias = !p.no_bias;
  return dims;
}

MX_REGISTER_KERNEL(FullyConnected, kCPU, kReference)
    .Types({DType::kFloat32, DType::kFloat64})
    .Factory(TypedFactory<FullyConnectedRef>());

}  // namespace ops
}  // namespace mx
