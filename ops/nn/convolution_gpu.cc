// Convolution on cuDNN (the GPU kernel).
#include "core/op/kernel.h"
#include "ops/common/cuda_libs.h"
#include "ops/common/kernel_util.h"
#include "ops/nn/conv_cudnn_gpu.h"
#include "ops/nn/convolution.h"

namespace mx {
namespace ops {
namespace {

template <typename T>
class ConvolutionCudnn : public NodeKernel {
 public:
  explicit ConvolutionCudnn(const KernelSetup& s)
      : NodeKernel(s),
        bias_(!s.params<ConvolutionParam>().no_bias),
        conv_(ConvDims::Of(s), s.in_shapes[0].ndim() - 2, CudnnType<T>(),
              s.ctx.dev_id,
              WorkspaceLimit(s.params<ConvolutionParam>().workspace,
                             s.params<ConvolutionParam>().cudnn_tune),
              ConvTuneOf(s.params<ConvolutionParam>().cudnn_tune), where_) {}

  size_t ForwardWorkspace() const override { return conv_.WorkspaceBytes(); }
  size_t BackwardWorkspace() const override { return conv_.WorkspaceBytes(); }

  void Forward(const KernelContext& ctx, const ForwardArgs& a) override {
    if (a.req[0] == OpReq::kNull) return;
    T* y = a.outputs[0].ptr<T>();
    conv_.Forward(ctx, a.inputs[0].ptr<T>(), a.inputs[1].ptr<T>(), y,
                  a.req[0] == OpReq::kAdd);
    if (bias_) conv_.AddBias(ctx, a.inputs[2].ptr<T>(), y, /*to_data=*/false);
  }

  void Backward(const KernelContext& ctx, const BackwardArgs& a) override {
    const T* g = a.out_grads[0].ptr<T>();
    if (a.req[0] != OpReq::kNull) {
      conv_.BackwardData(ctx, g, a.inputs[1].ptr<T>(), a.in_grads[0].ptr<T>(),
                         a.req[0] == OpReq::kAdd);
    }
    if (a.req[1] != OpReq::kNull) {
      conv_.BackwardFilter(ctx, a.inputs[0].ptr<T>(), g, a.in_grads[1].ptr<T>(),
                           a.req[1] == OpReq::kAdd);
    }
    if (bias_ && a.req[2] != OpReq::kNull) {
      conv_.BiasGradient(ctx, g, a.in_grads[2].ptr<T>(), /*of_data=*/false,
                         a.req[2] == OpReq::kAdd);
    }
  }

 private:
  bool bias_;
  CudnnConvolution conv_;
};

}  // namespace

MX_REGISTER_KERNEL(Convolution, kGPU, kOptimized)
    .Types({DType::kFloat32, DType::kFloat64})
    .Factory(TypedFactory<ConvolutionCudnn>());

}  // namespace ops
}  // namespace mx
