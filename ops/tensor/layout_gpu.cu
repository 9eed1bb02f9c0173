// GPU kernels of the ops that move data without arithmetic: Reshape,
// Flatten, Concat, SliceChannel, Cast.
#include <string>
#include <vector>

#include "core/ndarray/gpu_kernels.h"
#include "core/op/kernel.h"
#include "ops/common/cuda_loops.cuh"
#include "ops/common/kernel_util.h"
#include "ops/tensor/slice_channel.h"
#include "ops/tensor/variadic.h"

namespace mx {
namespace ops {
namespace {

// out = data; data gradient = out gradient (alias-safe).
template <typename T>
class CopyGpu : public NodeKernel {
 public:
  explicit CopyGpu(const KernelSetup& s) : NodeKernel(s) {}

  void Forward(const KernelContext& ctx, const ForwardArgs& a) override {
    cu::StoreArray(ctx, where_, a.req[0], a.outputs[0].ptr<T>(),
                   a.inputs[0].ptr<T>(), a.outputs[0].Size());
  }
  void Backward(const KernelContext& ctx, const BackwardArgs& a) override {
    cu::StoreArray(ctx, where_, a.req[0], a.in_grads[0].ptr_or_null<T>(),
                   a.out_grads[0].ptr<T>(), a.out_grads[0].Size());
  }
};

// A part (outer, part_extent, inner) moved into a whole (outer, w.extent,
// inner) at `offset` along the middle axis, or out of it; as `req` says.
template <typename T>
void PartToWholeGpu(const KernelContext& ctx, const std::string& where,
                    const T* part, int64_t part_extent, T* whole,
                    const AxisSplit& w, int64_t offset, OpReq req) {
  const int64_t row = part_extent * w.inner, extent = w.extent, inner = w.inner;
  if (req == OpReq::kNull) return;
  const bool add = req == OpReq::kAdd;
  cu::ForEach(ctx, where, w.outer * row, [=] __device__(int64_t i) {
    const int64_t o = i / row, j = i % row;
    T& dst = whole[(o * extent + offset) * inner + j];
    dst = add ? dst + part[i] : part[i];
  });
}

template <typename T>
void WholeToPartGpu(const KernelContext& ctx, const std::string& where,
                    const T* whole, const AxisSplit& w, int64_t offset, T* part,
                    int64_t part_extent, OpReq req) {
  const int64_t row = part_extent * w.inner, extent = w.extent, inner = w.inner;
  cu::StoreEach(ctx, where, req, part, w.outer * row,
                [=] __device__(int64_t i) {
                  const int64_t o = i / row, j = i % row;
                  return whole[(o * extent + offset) * inner + j];
                });
}

template <typename T>
class ConcatGpu : public NodeKernel {
 public:
  explicit ConcatGpu(const KernelSetup& s)
      : NodeKernel(s),
        axis_(
            PositiveAxis(s.params<ConcatParam>().dim, s.out_shapes[0].ndim())) {
    for (const Shape& in : s.in_shapes) extents_.push_back(in[axis_]);
  }

  void Forward(const KernelContext& ctx, const ForwardArgs& a) override {
    const AxisSplit w = SplitAt(a.outputs[0].shape, axis_);
    int64_t offset = 0;
    for (size_t k = 0; k < a.inputs.size(); ++k) {
      PartToWholeGpu(ctx, where_, a.inputs[k].ptr<T>(), extents_[k],
                     a.outputs[0].ptr<T>(), w, offset, a.req[0]);
      offset += extents_[k];
    }
  }

  void Backward(const KernelContext& ctx, const BackwardArgs& a) override {
    const AxisSplit w = SplitAt(a.out_grads[0].shape, axis_);
    int64_t offset = 0;
    for (size_t k = 0; k < a.in_grads.size(); ++k) {
      if (a.req[k] != OpReq::kNull) {
        WholeToPartGpu(ctx, where_, a.out_grads[0].ptr<T>(), w, offset,
                       a.in_grads[k].ptr<T>(), extents_[k], a.req[k]);
      }
      offset += extents_[k];
    }
  }

 private:
  int axis_;
  std::vector<int64_t> extents_;
};

template <typename T>
class SliceChannelGpu : public NodeKernel {
 public:
  explicit SliceChannelGpu(const KernelSetup& s)
      : NodeKernel(s),
        axis_(PositiveAxis(s.params<SliceChannelParam>().axis,
                           s.in_shapes[0].ndim())),
        parts_(s.params<SliceChannelParam>().num_outputs) {}

  void Forward(const KernelContext& ctx, const ForwardArgs& a) override {
    const AxisSplit w = SplitAt(a.inputs[0].shape, axis_);
    const int64_t extent = w.extent / parts_;
    for (int64_t k = 0; k < parts_; ++k) {
      WholeToPartGpu(ctx, where_, a.inputs[0].ptr<T>(), w, k * extent,
                     a.outputs[k].ptr_or_null<T>(), extent, a.req[k]);
    }
  }

  void Backward(const KernelContext& ctx, const BackwardArgs& a) override {
    const AxisSplit w = SplitAt(a.in_grads[0].shape, axis_);
    const int64_t extent = w.extent / parts_;
    for (int64_t k = 0; k < parts_; ++k) {
      PartToWholeGpu(ctx, where_, a.out_grads[k].ptr<T>(), extent,
                     a.in_grads[0].ptr_or_null<T>(), w, k * extent, a.req[0]);
    }
  }

 private:
  int axis_;
  int64_t parts_;
};

// Converts between the views' own types; the gradient is converted back.
class CastGpu : public NodeKernel {
 public:
  explicit CastGpu(const KernelSetup& s)
      : NodeKernel(s), n_(s.in_shapes[0].Size()) {}

  size_t BackwardWorkspace() const override {
    return n_ * sizeof(double);  // the converted gradient, for req add
  }

  void Forward(const KernelContext& ctx, const ForwardArgs& a) override {
    MX_CHECK(a.req[0] != OpReq::kAdd, where_, ": outputs are not accumulated");
    if (a.req[0] == OpReq::kNull) return;
    cuda::Cast(a.inputs[0].dtype, a.inputs[0].data, a.outputs[0].dtype,
               a.outputs[0].data, n_, ctx.stream);
  }

  void Backward(const KernelContext& ctx, const BackwardArgs& a) override {
    const TensorView& g = a.out_grads[0];
    const TensorView& dx = a.in_grads[0];
    switch (a.req[0]) {
      case OpReq::kNull:
        return;
      case OpReq::kAdd:
        cuda::Cast(g.dtype, g.data, dx.dtype, ctx.workspace, n_, ctx.stream);
        cuda::Binary(cuda::BinaryOp::kAdd, dx.dtype, dx.data, ctx.workspace,
                     dx.data, n_, ctx.stream);
        return;
      case OpReq::kWrite:
      case OpReq::kInplace:
        cuda::Cast(g.dtype, g.data, dx.dtype, dx.data, n_, ctx.stream);
        return;
    }
  }

 private:
  int64_t n_;
};

[[maybe_unused]] const bool kRegistered = [] {
  for (const char* op : {"Reshape", "Flatten"}) {
    KernelRegistry::Global()
        .Register(op, DeviceType::kGPU, KernelVariant::kOptimized)
        .Types({DType::kFloat32, DType::kFloat64})
        .Factory(TypedFactory<CopyGpu>());
  }
  KernelRegistry::Global()
      .Register("Concat", DeviceType::kGPU, KernelVariant::kOptimized)
      .Types({DType::kFloat32, DType::kFloat64})
      .Factory(TypedFactory<ConcatGpu>());
  KernelRegistry::Global()
      .Register("SliceChannel", DeviceType::kGPU, KernelVariant::kOptimized)
      .Types({DType::kFloat32, DType::kFloat64})
      .Factory(TypedFactory<SliceChannelGpu>());
  KernelRegistry::Global()
      .Register("Cast", DeviceType::kGPU, KernelVariant::kOptimized)
      .Types({DType::kFloat16, DType::kFloat32, DType::kFloat64, DType::kUint8,
              DType::kInt8, DType::kInt32, DType::kInt64})
      .Factory(SimpleFactory<CastGpu>());
  return true;
}();

}  // namespace
}  // namespace ops
}  // namespace mx
