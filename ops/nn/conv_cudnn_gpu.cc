#include "ops/nn/conv_cudnn_gpu.h"

#include <algorithm>
#include <limits>
#include <vector>

#include "core/base/env.h"
#include "core/base/error.h"
#include "core/base/strings.h"
#include "core/gpu/gpu.h"

namespace mx {
namespace ops {
namespace {

// cuDNN's alpha and beta: float for float data, double for double.
class Scalars {
 public:
  Scalars(cudnnDataType_t type, bool add)
      : is_double_(type == CUDNN_DATA_DOUBLE),
        beta_f_(add ? 1.f : 0.f),
        beta_d_(add ? 1.0 : 0.0) {}
  const void* alpha() const {
    return is_double_ ? static_cast<const void*>(&one_d_) : &one_f_;
  }
  const void* beta() const {
    return is_double_ ? static_cast<const void*>(&beta_d_) : &beta_f_;
  }

 private:
  bool is_double_;
  float one_f_ = 1.f, beta_f_;
  double one_d_ = 1.0, beta_d_;
};

// The first algorithm that succeeded and fits in `limit` (perf is sorted
// fastest first), else the smallest that succeeded.
template <typename Perf>
bool Pick(const Perf* perf, int count, size_t limit, Perf* out) {
  const Perf* smallest = nullptr;
  for (int i = 0; i < count; ++i) {
    if (perf[i].status != CUDNN_STATUS_SUCCESS) continue;
    if (perf[i].memory <= limit) {
      *out = perf[i];
      return true;
    }
    if (smallest == nullptr || perf[i].memory < smallest->memory) {
      smallest = &perf[i];
    }
  }
  if (smallest == nullptr) return false;
  *out = *smallest;
  return true;
}

// cudnn_tune, or where unset MX_CUDNN_AUTOTUNE_DEFAULT's mode (MXNet's
// MXNET_CUDNN_AUTOTUNE_DEFAULT: 0 off, 1 limited_workspace, 2 fastest;
// 1 by default, as MXNet).
std::string TuneMode(const std::optional<std::string>& cudnn_tune) {
  if (cudnn_tune.has_value()) return *cudnn_tune;
  static const char* const kModes[] = {"off", "limited_workspace", "fastest"};
  return kModes[EnvInt("MX_CUDNN_AUTOTUNE_DEFAULT", 1, 0, 2)];
}

}  // namespace

ConvTune ConvTuneOf(const std::optional<std::string>& cudnn_tune) {
  return TuneMode(cudnn_tune) != "off" ? ConvTune::kMeasure
                                       : ConvTune::kHeuristic;
}

size_t WorkspaceLimit(int64_t workspace_mb,
                      const std::optional<std::string>& cudnn_tune) {
  if (TuneMode(cudnn_tune) == "fastest") {
    return std::numeric_limits<size_t>::max();
  }
  return static_cast<size_t>(workspace_mb) << 20;
}

CudnnConvolution::CudnnConvolution(const ConvDims& d, int spatial,
                                   cudnnDataType_t type, int device,
                                   size_t workspace_limit, ConvTune tune,
                                   const std::string& where)
    : where_(where), type_(type) {
  const Window& win = d.w;
  // The op's spatial axes are the last `spatial` of the window's three;
  // 1-D convolutions get a trailing axis of extent 1 (cuDNN wants 2 or 3).
  std::vector<int64_t> in, out, kernel;
  std::vector<int> pad, stride, dilate;
  for (int a = 3 - spatial; a < 3; ++a) {
    in.push_back(win.in[a]);
    out.push_back(win.out[a]);
    kernel.push_back(win.kernel[a]);
    pad.push_back(static_cast<int>(win.pad[a]));
    stride.push_back(static_cast<int>(win.stride[a]));
    dilate.push_back(static_cast<int>(win.dilate[a]));
  }
  if (spatial == 1) {
    in.push_back(1);
    out.push_back(1);
    kernel.push_back(1);
    pad.push_back(0);
    stride.push_back(1);
    dilate.push_back(1);
  }
  const auto with = [](std::vector<int64_t> head,
                       const std::vector<int64_t>& rest) {
    head.insert(head.end(), rest.begin(), rest.end());
    return head;
  };
  const std::vector<int64_t> ones(in.size(), 1);
  x_desc_.Set(type, with({d.batch, d.in_c}, in), where);
  y_desc_.Set(type, with({d.batch, d.out_c}, out), where);
  x_bias_desc_.Set(type, with({1, d.in_c}, ones), where);
  y_bias_desc_.Set(type, with({1, d.out_c}, ones), where);

  CheckCudnn(cudnnCreateFilterDescriptor(&w_desc_), where,
             "creating a filter descriptor");
  std::vector<int> w_dims = {static_cast<int>(d.out_c),
                             static_cast<int>(d.in_per_group())};
  for (int64_t k : kernel) w_dims.push_back(static_cast<int>(k));
  CheckCudnn(cudnnSetFilterNdDescriptor(w_desc_, type, CUDNN_TENSOR_NCHW,
                                        static_cast<int>(w_dims.size()),
                                        w_dims.data()),
             where, "describing the filters");

  CheckCudnn(cudnnCreateConvolutionDescriptor(&conv_desc_), where,
             "creating a convolution descriptor");
  CheckCudnn(cudnnSetConvolutionNdDescriptor(
                 conv_desc_, static_cast<int>(pad.size()), pad.data(),
                 stride.data(), dilate.data(), CUDNN_CROSS_CORRELATION, type),
             where, "describing the convolution");
  CheckCudnn(
      cudnnSetConvolutionGroupCount(conv_desc_, static_cast<int>(d.groups)),
      where, "setting the group count");
  // FMA only unless TF32 is allowed: results then match the CPU's.
  CheckCudnn(cudnnSetConvolutionMathType(
                 conv_desc_, type == CUDNN_DATA_FLOAT && !AllowTf32()
                                 ? CUDNN_FMA_MATH
                                 : CUDNN_DEFAULT_MATH),
             where, "setting the math type");
  ChooseAlgorithms(device, workspace_limit, tune);
}

CudnnConvolution::~CudnnConvolution() {
  if (conv_desc_ != nullptr) cudnnDestroyConvolutionDescriptor(conv_desc_);
  if (w_desc_ != nullptr) cudnnDestroyFilterDescriptor(w_desc_);
}

void CudnnConvolution::ChooseAlgorithms(int device, size_t limit,
                                        ConvTune tune) {
  gpu::SetDevice(device);
  cudnnHandle_t h = CudnnFor(device, nullptr);
  const bool measure = tune == ConvTune::kMeasure;
  const auto none = [&](const char* direction) {
    MX_THROW(where_, ": cuDNN has no ", direction,
             " algorithm for this convolution");
  };
  int n = 0;
  {
    cudnnConvolutionFwdAlgoPerf_t perf[CUDNN_CONVOLUTION_FWD_ALGO_COUNT], pick;
    CheckCudnn(measure
                   ? cudnnFindConvolutionForwardAlgorithm(
                         h, x_desc_.get(), w_desc_, conv_desc_, y_desc_.get(),
                         CUDNN_CONVOLUTION_FWD_ALGO_COUNT, &n, perf)
                   : cudnnGetConvolutionForwardAlgorithm_v7(
                         h, x_desc_.get(), w_desc_, conv_desc_, y_desc_.get(),
                         CUDNN_CONVOLUTION_FWD_ALGO_COUNT, &n, perf),
               where_, "choosing the forward algorithm");
    if (!Pick(perf, n, limit, &pick)) none("forward");
    fwd_algo_ = pick.algo;
    workspace_ = std::max(workspace_, pick.memory);
  }
  {
    cudnnConvolutionBwdDataAlgoPerf_t
        perf[CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT],
        pick;
    CheckCudnn(measure
                   ? cudnnFindConvolutionBackwardDataAlgorithm(
                         h, w_desc_, y_desc_.get(), conv_desc_, x_desc_.get(),
                         CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT, &n, perf)
                   : cudnnGetConvolutionBackwardDataAlgorithm_v7(
                         h, w_desc_, y_desc_.get(), conv_desc_, x_desc_.get(),
                         CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT, &n, perf),
               where_, "choosing the backward-data algorithm");
    if (!Pick(perf, n, limit, &pick)) none("backward-data");
    bwd_data_algo_ = pick.algo;
    workspace_ = std::max(workspace_, pick.memory);
  }
  {
    cudnnConvolutionBwdFilterAlgoPerf_t
        perf[CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT],
        pick;
    CheckCudnn(measure
                   ? cudnnFindConvolutionBackwardFilterAlgorithm(
                         h, x_desc_.get(), y_desc_.get(), conv_desc_, w_desc_,
                         CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT, &n, perf)
                   : cudnnGetConvolutionBackwardFilterAlgorithm_v7(
                         h, x_desc_.get(), y_desc_.get(), conv_desc_, w_desc_,
                         CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT, &n, perf),
               where_, "choosing the backward-filter algorithm");
    if (!Pick(perf, n, limit, &pick)) none("backward-filter");
    bwd_filter_algo_ = pick.algo;
    workspace_ = std::max(workspace_, pick.memory);
  }
}

void CudnnConvolution::Forward(const KernelContext& ctx, const void* x,
                               const void* w, void* y, bool add) const {
  const Scalars s(type_, add);
  CheckCudnn(
      cudnnConvolutionForward(CudnnFor(ctx), s.alpha(), x_desc_.get(), x,
                              w_desc_, w, conv_desc_, fwd_algo_, ctx.workspace,
                              ctx.workspace_bytes, s.beta(), y_desc_.get(), y),
      where_, "convolution forward");
}

void CudnnConvolution::BackwardData(const KernelContext& ctx, const void* dy,
                                    const void* w, void* dx, bool add) const {
  const Scalars s(type_, add);
  CheckCudnn(cudnnConvolutionBackwardData(
                 CudnnFor(ctx), s.alpha(), w_desc_, w, y_desc_.get(), dy,
                 conv_desc_, bwd_data_algo_, ctx.workspace, ctx.workspace_bytes,
                 s.beta(), x_desc_.get(), dx),
             where_, "convolution backward (data)");
}

void CudnnConvolution::BackwardFilter(const KernelContext& ctx, const void* x,
                                      const void* dy, void* dw,
                                      bool add) const {
  const Scalars s(type_, add);
  CheckCudnn(cudnnConvolutionBackwardFilter(
                 CudnnFor(ctx), s.alpha(), x_desc_.get(), x, y_desc_.get(), dy,
                 conv_desc_, bwd_filter_algo_, ctx.workspace,
                 ctx.workspace_bytes, s.beta(), w_desc_, dw),
             where_, "convolution backward (filters)");
}

void CudnnConvolution::AddBias(const KernelContext& ctx, const void* bias,
                               void* y, bool to_data) const {
  const Scalars s(type_, /*add=*/true);
  CheckCudnn(
      cudnnAddTensor(CudnnFor(ctx), s.alpha(),
                     to_data ? x_bias_desc_.get() : y_bias_desc_.get(), bias,
                     s.beta(), to_data ? x_desc_.get() : y_desc_.get(), y),
      where_, "adding the bias");
}

void CudnnConvolution::BiasGradient(const KernelContext& ctx, const void* dy,
                                    void* db, bool of_data, bool add) const {
  const Scalars s(type_, add);
  CheckCudnn(
      cudnnConvolutionBackwardBias(
          CudnnFor(ctx), s.alpha(), of_data ? x_desc_.get() : y_desc_.get(), dy,
          s.beta(), of_data ? x_bias_desc_.get() : y_bias_desc_.get(), db),
      where_, "the bias gradient");
}

}  // namespace ops
}  // namespace mx
