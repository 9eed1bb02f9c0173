// One convolution on cuDNN, shared by the GPU kernels of Convolution and
// Deconvolution (whose forward is this convolution's backward-data): the
// descriptors and the three algorithms with their workspace, chosen once at
// bind (Note [Kernels are planned at bind]).
#ifndef MX_OPS_NN_CONV_CUDNN_GPU_H_
#define MX_OPS_NN_CONV_CUDNN_GPU_H_

#include <cudnn.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "core/op/kernel.h"
#include "ops/common/cuda_libs.h"
#include "ops/nn/convolution.h"

namespace mx {
namespace ops {

// How to choose algorithms: cuDNN's heuristics (no GPU time at bind), or
// timing every candidate once at bind (MXNet's cudnn_tune limited_workspace
// and fastest).
enum class ConvTune { kHeuristic, kMeasure };

// ConvTune of the op's cudnn_tune parameter; unset means
// MX_CUDNN_AUTOTUNE_DEFAULT (0 heuristics; 1, the default, limited_workspace;
// 2 fastest), as MXNet.
ConvTune ConvTuneOf(const std::optional<std::string>& cudnn_tune);

// The workspace limit of a convolution op: `workspace` MB, none when tuned
// for the fastest algorithm (cudnn_tune, or its default above).
size_t WorkspaceLimit(int64_t workspace_mb,
                      const std::optional<std::string>& cudnn_tune);

class CudnnConvolution {
 public:
  // The convolution of data (batch, in_c, in...) with filters (out_c,
  // in_c / groups, kernel...) into (batch, out_c, out...), `spatial` axes
  // (1 to 3), of element type `type`; algorithms need at most
  // `workspace_limit` bytes.
  CudnnConvolution(const ConvDims& d, int spatial, cudnnDataType_t type,
                   int device, size_t workspace_limit, ConvTune tune,
                   const std::string& where);
  ~CudnnConvolution();
  CudnnConvolution(const CudnnConvolution&) = delete;
  CudnnConvolution& operator=(const CudnnConvolution&) = delete;

  // The largest workspace of the three algorithms.
  size_t WorkspaceBytes() const { return workspace_; }

  // y = conv(x, w), accumulated when `add`.
  void Forward(const KernelContext& ctx, const void* x, const void* w, void* y,
               bool add) const;
  // dx = the gradient of the data given dy (accumulated when `add`).
  void BackwardData(const KernelContext& ctx, const void* dy, const void* w,
                    void* dx, bool add) const;
  // dw = the gradient of the filters (accumulated when `add`).
  void BackwardFilter(const KernelContext& ctx, const void* x, const void* dy,
                      void* dw, bool add) const;
  // Adds bias (channels) to every channel of the output (or of the data).
  void AddBias(const KernelContext& ctx, const void* bias, void* y,
               bool to_data) const;
  // db = the per-channel sums of dy (the output's or the data's shape).
  void BiasGradient(const KernelContext& ctx, const void* dy, void* db,
                    bool of_data, bool add) const;

 private:
  void ChooseAlgorithms(int device, size_t limit, ConvTune tune);

  std::string where_;
  cudnnDataType_t type_;
  TensorDesc x_desc_, y_desc_, x_bias_desc_, y_bias_desc_;
  cudnnFilterDescriptor_t w_desc_ = nullptr;
  cudnnConvolutionDescriptor_t conv_desc_ = nullptr;
  cudnnConvolutionFwdAlgo_t fwd_algo_{};
  cudnnConvolutionBwdDataAlgo_t bwd_data_algo_{};
  cudnnConvolutionBwdFilterAlgo_t bwd_filter_algo_{};
  size_t workspace_ = 0;
};

}  // namespace ops
}  // namespace mx

#endif  // MX_OPS_NN_CONV_CUDNN_GPU_H_
