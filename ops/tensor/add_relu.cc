// _fused_add_relu: an elemwise_add and the ReLU Activation reading it, run as
// one node by the executor's fusion pass (Note [Op fusion]): one pass over
// memory each way instead of two.
#include "ops/tensor/add_relu.h"

#include <cstdint>

#include "core/base/multiversion.h"
#include "core/engine/parallel.h"
#include "core/op/kernel.h"
#include "core/op/op.h"
#include "ops/common/same_shape.h"

namespace mx {
namespace ops {
namespace {

[[maybe_unused]] static OpDef& add_relu_op =
    OpRegistry::Global()
        .Register(kAddReLU)
        .Describe(
            "out = max(0, lhs + rhs): elemwise_add and a ReLU fused (binds "
            "make it of an elemwise_add whose output only a ReLU Activation "
            "reads); gradients (g, g) where out > 0, 0 elsewhere.")
        .Inputs({"lhs", "rhs"})
        .InferShape(InferSameShape)
        .Backward([](const NodeAttrs&) {
          return BackwardDeps{{0}, {}, {0}};
        })
        .InplaceForward({{0, 0}})
        .InplaceBackward({{0, 0}});

// out[begin, end) = max(0, lhs + rhs).
template <typename T>
void StoreSums(const ForwardArgs& a, int64_t begin, int64_t end) {
  const T* lhs = a.inputs[0].ptr<T>() + begin;
  const T* rhs = a.inputs[1].ptr<T>() + begin;
  StoreEach(a.req[0], a.outputs[0].ptr<T>() + begin, end - begin,
            [=](int64_t i) { return AddReLU(lhs[i], rhs[i]); });
}

// The rhs gradient first: with in place, the lhs one shares g's memory.
template <typename T>
void StoreGrads(const BackwardArgs& a, int64_t begin, int64_t end) {
  const T* g = a.out_grads[0].ptr<T>() + begin;
  const T* y = a.outputs[0].ptr<T>() + begin;
  for (int k : {1, 0}) {
    if (a.req[k] == OpReq::kNull) continue;
    StoreEach(a.req[k], a.in_grads[k].ptr<T>() + begin, end - begin,
              [=](int64_t i) { return AddReLUGrad(g[i], y[i]); });
  }
}

template <typename T>
class AddReLUKernel : public OpKernel {
 public:
  explicit AddReLUKernel(const KernelSetup&) {}

  void Forward(const KernelContext&, const ForwardArgs& a) override {
    StoreSums<T>(a, 0, a.outputs[0].Size());
  }

  void Backward(const KernelContext&, const BackwardArgs& a) override {
    StoreGrads<T>(a, 0, a.out_grads[0].Size());
  }
};

// The float32 loops, compiled for AVX-512, AVX2 + FMA and baseline x86-64.
MX_MULTIVERSION void AddReLURange(const ForwardArgs& a, int64_t begin,
                                  int64_t end) {
  StoreSums<float>(a, begin, end);
}
MX_MULTIVERSION void AddReLUGradRange(const BackwardArgs& a, int64_t begin,
                                      int64_t end) {
  StoreGrads<float>(a, begin, end);
}

// The same, split over the intra-op threads.
class AddReLUCpu : public OpKernel {
 public:
  explicit AddReLUCpu(const KernelSetup&) {}

  void Forward(const KernelContext&, const ForwardArgs& a) override {
    ParallelFor(a.outputs[0].Size(), kGrain,
                [&](int64_t b, int64_t e) { AddReLURange(a, b, e); });
  }

  void Backward(const KernelContext&, const BackwardArgs& a) override {
    ParallelFor(a.out_grads[0].Size(), kGrain,
                [&](int64_t b, int64_t e) { AddReLUGradRange(a, b, e); });
  }

 private:
  static constexpr int64_t kGrain = 1 << 14;
};

}  // namespace

MX_REGISTER_KERNEL(_fused_add_relu, kCPU, kReference)
    .Types({DType::kFloat32, DType::kFloat64})
    .Factory(TypedFactory<AddReLUKernel>());
MX_REGISTER_KERNEL(_fused_add_relu, kCPU, kOptimized)
    .Types({DType::kFloat32})
    .Factory(SimpleFactory<AddReLUCpu>());

}  // namespace ops
}  // namespace mx
