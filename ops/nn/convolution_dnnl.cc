#include "ops/nn/convolution_dnnl.h"

#include <omp.h>

#include <algorithm>
#include <dnnl.hpp>
#include <unordered_map>

#include "core/base/env.h"
#include "core/base/error.h"
#include "core/ndarray/blas.h"
#include "ops/nn/convolution.h"

namespace mx {
namespace ops {
namespace {

using dnnl::memory;
using Tag = memory::format_tag;

dnnl::engine& CpuEngine() {
  static dnnl::engine* const engine =
      new dnnl::engine(dnnl::engine::kind::cpu, 0);
  return *engine;
}

class DnnlConvolution : public OpKernel {
 public:
  DnnlConvolution(const ConvDims& d, std::unique_ptr<OpKernel> fallback)
      : d_(d), fallback_(std::move(fallback)) {
    const Window& w = d.w;
    const bool one_d = w.in[1] == 1 && w.kernel[1] == 1 && w.out[1] == 1;
    const int first = one_d ? 2 : 1;  // the spatial dims oneDNN sees
    memory::dims src = {d.batch, d.in_c}, dst = {d.batch, d.out_c};
    memory::dims wei;
    if (d.groups > 1) {
      wei = {d.groups, d.out_per_group(), d.in_per_group()};
    } else {
      wei = {d.out_c, d.in_c};
    }
    memory::dims strides, pad_l, pad_r, dilates;
    for (int i = first; i < 3; ++i) {
      src.push_back(w.in[i]);
      dst.push_back(w.out[i]);
      wei.push_back(w.kernel[i]);
      strides.push_back(w.stride[i]);
      dilates.push_back(w.dilate[i] - 1);
      pad_l.push_back(w.pad[i]);
      // The right padding that makes oneDNN's output size ours.
      pad_r.push_back((w.out[i] - 1) * w.stride[i] +
                      (w.kernel[i] - 1) * w.dilate[i] + 1 - w.in[i] - w.pad[i]);
    }
    const bool two = !one_d;
    const Tag data_tag = two ? Tag::nchw : Tag::ncw;
    const Tag wei_tag = d.groups > 1 ? (two ? Tag::goihw : Tag::goiw)
                                     : (two ? Tag::oihw : Tag::oiw);
    const auto f32 = memory::data_type::f32;
    src_md_ = memory::desc(src, f32, data_tag);
    dst_md_ = memory::desc(dst, f32, data_tag);
    wei_md_ = memory::desc(wei, f32, wei_tag);
    bias_md_ = memory::desc({d.out_c}, f32, Tag::x);
    dnnl::primitive_attr attr;
    attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
    const auto algo = dnnl::algorithm::convolution_direct;
    const memory::desc no_bias;
    const auto fwd_desc = dnnl::convolution_forward::desc(
        dnnl::prop_kind::forward_training, algo, src_md_, wei_md_,
        d.bias ? bias_md_ : no_bias, dst_md_, strides, dilates, pad_l, pad_r);
    fwd_pd_ =
        dnnl::convolution_forward::primitive_desc(fwd_desc, attr, CpuEngine());
    const auto data_desc = dnnl::convolution_backward_data::desc(
        algo, src_md_, wei_md_, dst_md_, strides, dilates, pad_l, pad_r);
    bwd_data_pd_ = dnnl::convolution_backward_data::primitive_desc(
        data_desc, attr, CpuEngine(), fwd_pd_);
    const auto weights_desc = dnnl::convolution_backward_weights::desc(
        algo, src_md_, wei_md_, d.bias ? bias_md_ : no_bias, dst_md_, strides,
        dilates, pad_l, pad_r);
    bwd_weights_pd_ = dnnl::convolution_backward_weights::primitive_desc(
        weights_desc, attr, CpuEngine(), fwd_pd_);
    fwd_ = dnnl::convolution_forward(fwd_pd_);
    bwd_data_ = dnnl::convolution_backward_data(bwd_data_pd_);
    bwd_weights_ = dnnl::convolution_backward_weights(bwd_weights_pd_);
  }

  size_t ForwardWorkspace() const override {
    return std::max(fwd_pd_.scratchpad_desc().get_size(),
                    fallback_->ForwardWorkspace());
  }
  size_t BackwardWorkspace() const override {
    return std::max({bwd_data_pd_.scratchpad_desc().get_size(),
                     bwd_weights_pd_.scratchpad_desc().get_size(),
                     fallback_->BackwardWorkspace()});
  }

  void Forward(const KernelContext& ctx, const ForwardArgs& a) override {
    const OpReq req = a.req[0];
    if (req == OpReq::kNull) return;
    if (req == OpReq::kAdd) return fallback_->Forward(ctx, a);
    std::unordered_map<int, memory> args = {
        {DNNL_ARG_SRC, Wrap(src_md_, a.inputs[0].data)},
        {DNNL_ARG_WEIGHTS, Wrap(wei_md_, a.inputs[1].data)},
        {DNNL_ARG_DST, Wrap(dst_md_, a.outputs[0].data)},
        {DNNL_ARG_SCRATCHPAD, Wrap(fwd_pd_.scratchpad_desc(), ctx.workspace)}};
    if (d_.bias) args[DNNL_ARG_BIAS] = Wrap(bias_md_, a.inputs[2].data);
    Run(fwd_, args);
  }

  void Backward(const KernelContext& ctx, const BackwardArgs& a) override {
    const OpReq dx_req = a.req[0], dw_req = a.req[1];
    const OpReq db_req = d_.bias ? a.req[2] : OpReq::kNull;
    // The weights primitive writes the weight and bias gradients together.
    const bool weights = dw_req != OpReq::kNull || db_req != OpReq::kNull;
    if (dx_req == OpReq::kAdd || dw_req == OpReq::kAdd ||
        db_req == OpReq::kAdd ||
        (weights &&
         (dw_req == OpReq::kNull || (d_.bias && db_req == OpReq::kNull)))) {
      return fallback_->Backward(ctx, a);
    }
    const memory gy = Wrap(dst_md_, a.out_grads[0].data);
    if (dx_req != OpReq::kNull) {
      Run(bwd_data_, {{DNNL_ARG_DIFF_DST, gy},
                      {DNNL_ARG_WEIGHTS, Wrap(wei_md_, a.inputs[1].data)},
                      {DNNL_ARG_DIFF_SRC, Wrap(src_md_, a.in_grads[0].data)},
                      {DNNL_ARG_SCRATCHPAD,
                       Wrap(bwd_data_pd_.scratchpad_desc(), ctx.workspace)}});
    }
    if (weights) {
      std::unordered_map<int, memory> args = {
          {DNNL_ARG_DIFF_DST, gy},
          {DNNL_ARG_SRC, Wrap(src_md_, a.inputs[0].data)},
          {DNNL_ARG_DIFF_WEIGHTS, Wrap(wei_md_, a.in_grads[1].data)},
          {DNNL_ARG_SCRATCHPAD,
           Wrap(bwd_weights_pd_.scratchpad_desc(), ctx.workspace)}};
      if (d_.bias) {
        args[DNNL_ARG_DIFF_BIAS] = Wrap(bias_md_, a.in_grads[2].data);
      }
      Run(bwd_weights_, args);
    }
  }

 private:
  static memory Wrap(const memory::desc& md, const void* data) {
    return memory(md, CpuEngine(), const_cast<void*>(data));
  }

  // Runs on the calling engine worker with the BLAS thread budget (Note
  // [Thread budget]), so workers x threads stay within the cores.
  static void Run(const dnnl::primitive& p,
                  const std::unordered_map<int, memory>& args) {
    omp_set_num_threads(BlasThreads());
    dnnl::stream stream(CpuEngine());
    p.execute(stream, args);
    stream.wait();
  }

  ConvDims d_;
  std::unique_ptr<OpKernel> fallback_;
  memory::desc src_md_, dst_md_, wei_md_, bias_md_;
  dnnl::convolution_forward::primitive_desc fwd_pd_;
  dnnl::convolution_backward_data::primitive_desc bwd_data_pd_;
  dnnl::convolution_backward_weights::primitive_desc bwd_weights_pd_;
  dnnl::convolution_forward fwd_;
  dnnl::convolution_backward_data bwd_data_;
  dnnl::convolution_backward_weights bwd_weights_;
};

}  // namespace

std::unique_ptr<OpKernel> MakeDnnlConvolution(const KernelSetup& setup,
                                              const KernelFactory& fallback) {
  if (setup.dtype != DType::kFloat32 || EnvInt("MX_USE_DNNL", 1, 0, 1) == 0) {
    return nullptr;
  }
  const ConvDims d = ConvDims::Of(setup);
  // 1-D and 2-D only (3-D data has in[0] > 1).
  if (d.w.in[0] != 1 || d.w.kernel[0] != 1 || d.w.out[0] != 1) return nullptr;
  try {
    return std::make_unique<DnnlConvolution>(d, fallback(setup));
  } catch (const dnnl::error&) {
    return nullptr;  // a configuration oneDNN does not implement
  }
}

}  // namespace ops
}  // namespace mx
