// Deconvolution on cuDNN (the GPU kernel): in the terms of DeconvAsConv, the
// node's forward is the convolution's backward-data, its data gradient the
// convolution's forward.
#include "core/op/kernel.h"
#include "ops/common/cuda_libs.h"
#include "ops/common/kernel_util.h"
#include "ops/nn/conv_cudnn_gpu.h"
#include "ops/nn/deconvolution.h"

namespace mx {
namespace ops {
namespace {

template <typename T>
class DeconvolutionCudnn : public NodeKernel {
 public:
  explicit DeconvolutionCudnn(const KernelSetup& s)
      : NodeKernel(s),
        bias_(!s.params<DeconvolutionParam>().no_bias),
        conv_(DeconvAsConv(s), s.in_shapes[0].ndim() - 2, CudnnType<T>(),
              s.ctx.dev_id,
              WorkspaceLimit(s.params<DeconvolutionParam>().workspace,
                             s.params<DeconvolutionParam>().cudnn_tune),
              ConvTuneOf(s.params<DeconvolutionParam>().cudnn_tune), where_) {}

  size_t ForwardWorkspace() const override { return conv_.WorkspaceBytes(); }
  size_t BackwardWorkspace() const override { return conv_.WorkspaceBytes(); }

  void Forward(const KernelContext& ctx, const ForwardArgs& a) override {
    if (a.req[0] == OpReq::kNull) return;
    T* y = a.outputs[0].ptr<T>();
    conv_.BackwardData(ctx, a.inputs[0].ptr<T>(), a.inputs[1].ptr<T>(), y,
                       a.req[0] == OpReq::kAdd);
    if (bias_) conv_.AddBias(ctx, a.inputs[2].ptr<T>(), y, /*to_data=*/true);
  }

  void Backward(const KernelContext& ctx, const BackwardArgs& a) override {
    const T* g = a.out_grads[0].ptr<T>();
    if (a.req[0] != OpReq::kNull) {
      conv_.Forward(ctx, g, a.inputs[1].ptr<T>(), a.in_grads[0].ptr<T>(),
                    a.req[0] == OpReq::kAdd);
    }
    if (a.req[1] != OpReq::kNull) {
      conv_.BackwardFilter(ctx, g, a.inputs[0].ptr<T>(), a.in_grads[1].ptr<T>(),
                           a.req[1] == OpReq::kAdd);
    }
    if (bias_ && a.req[2] != OpReq::kNull) {
      conv_.BiasGradient(ctx, g, a.in_grads[2].ptr<T>(), /*of_data=*/true,
                         a.req[2] == OpReq::kAdd);
    }
  }

 private:
  bool bias_;
  CudnnConvolution conv_;
};

}  // namespace

MX_REGISTER_KERNEL(Deconvolution, kGPU, kOptimized)
    .Types({DType::kFloat32, DType::kFloat64})
    .Factory(TypedFactory<DeconvolutionCudnn>());

}  // namespace ops
}  // namespace mx
