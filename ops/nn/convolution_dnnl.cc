#include "ops/nn/convolution_dnnl.h"

#include <algorithm>
#include <dnnl.hpp>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/base/env.h"
#include "core/base/error.h"
#include "core/engine/parallel.h"
#include "ops/nn/conv_few_channels.h"
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

memory Wrap(const memory::desc& md, const void* data) {
  return memory(md, CpuEngine(), const_cast<void*>(data));
}

constexpr size_t kAlign = 64;
size_t RoundUp(size_t bytes) { return (bytes + kAlign - 1) / kAlign * kAlign; }

// One primitive and the layouts it wants. Arguments whose layout differs from
// ours are reordered through buffers that follow the scratchpad in the
// workspace: inputs before the primitive, outputs after it. An input's
// buffer may instead be the memory of an output that is itself reordered
// afterwards and is large enough: that memory is free until the output's
// reorder (a convolution's output never aliases its inputs), which halves
// the workspace of a channels-last forward.
class DnnlStep {
 public:
  struct Arg {
    int id;               // DNNL_ARG_*
    memory::desc plain;   // our layout
    memory::desc wanted;  // the primitive's
    bool output;
  };

  DnnlStep() = default;
  DnnlStep(dnnl::primitive primitive, const memory::desc& scratchpad,
           std::vector<Arg> args)
      : primitive_(std::move(primitive)),
        scratchpad_(scratchpad),
        bytes_(RoundUp(scratchpad_.get_size())) {
    std::vector<bool> lent(args.size(), false);  // outputs staging an input
    for (size_t i = 0; i < args.size(); ++i) {
      const Arg& a = args[i];
      Slot slot{a, bytes_, -1, {}};
      if (a.plain != a.wanted) {
        const memory::desc& from = a.output ? a.wanted : a.plain;
        const memory::desc& to = a.output ? a.plain : a.wanted;
        slot.reorder = dnnl::reorder(
            dnnl::reorder::primitive_desc(CpuEngine(), from, CpuEngine(), to));
        for (size_t o = 0; !a.output && o < args.size(); ++o) {
          if (args[o].output && !lent[o] && args[o].plain != args[o].wanted &&
              args[o].plain.get_size() >= a.wanted.get_size()) {
            lent[o] = true;
            slot.staged_in = static_cast<int>(o);
            break;
          }
        }
        if (slot.staged_in < 0) bytes_ += RoundUp(a.wanted.get_size());
      }
      slots_.push_back(slot);
    }
  }

  size_t workspace_bytes() const { return bytes_; }

  // Runs the primitive on `data` (one pointer per argument, in the order
  // given at construction; null for an absent one such as a bias) with
  // `workspace` of workspace_bytes().
  void Run(const std::vector<const void*>& data, void* workspace) const {
    UseIntraOpThreads();
    dnnl::stream stream(CpuEngine());
    char* ws = static_cast<char*>(workspace);
    std::unordered_map<int, memory> args = {
        {DNNL_ARG_SCRATCHPAD, Wrap(scratchpad_, ws)}};
    // Output reorders, run after the primitive.
    struct Pending {
      const dnnl::reorder* reorder;
      memory from, to;
    };
    std::vector<Pending> outputs;
    for (size_t i = 0; i < slots_.size(); ++i) {
      const Slot& s = slots_[i];
      if (data[i] == nullptr) continue;
      const memory plain = Wrap(s.arg.plain, data[i]);
      if (!s.reorder) {
        args[s.arg.id] = plain;
        continue;
      }
      const memory wanted = Wrap(
          s.arg.wanted, s.staged_in >= 0 ? data[s.staged_in] : ws + s.offset);
      args[s.arg.id] = wanted;
      if (s.arg.output) {
        outputs.push_back({&s.reorder, wanted, plain});
      } else {
        s.reorder.execute(stream,
                          {{DNNL_ARG_FROM, plain}, {DNNL_ARG_TO, wanted}});
      }
    }
    primitive_.execute(stream, args);
    for (const Pending& p : outputs) {
      p.reorder->execute(stream,
                         {{DNNL_ARG_FROM, p.from}, {DNNL_ARG_TO, p.to}});
    }
    stream.wait();
  }

 private:
  struct Slot {
    Arg arg;
    size_t offset;          // of the reorder buffer in the workspace
    int staged_in;          // or the output whose memory holds it, or -1
    dnnl::reorder reorder;  // empty when the layouts agree
  };
  dnnl::primitive primitive_;
  memory::desc scratchpad_;
  size_t bytes_ = 0;
  std::vector<Slot> slots_;
};

// Layouts (Note [Convolution on oneDNN]): oneDNN's kernels on plain NCHW
// are gemm-based and slow but for convolutions of very few input channels (a
// network's first layer), whose data gradient is fastest there and whose
// weight gradient wants blocked layouts on AVX-512; without AVX-512 their
// forward and weight gradient are computed directly (oneDNN's gemm-based
// forward and blocked weight gradient ran at 5-8% of the FMA ceiling of an
// AVX2 machine). Other convolutions, grouped ones included,
// run on channels-last data (NHWC) with blocked weights, reordered in and
// out.
constexpr int64_t kMaxFirstLayerChannels = kMaxDirectChannels;

class DnnlConvolution : public OpKernel {
 public:
  DnnlConvolution(const ConvDims& d, std::unique_ptr<OpKernel> fallback)
      : d_(d), fallback_(std::move(fallback)) {
    // oneDNN sizes its thread partition when a primitive is created, from
    // the creating thread's OpenMP team size.
    UseIntraOpThreads();
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
    const memory::desc src_md(src, f32, data_tag), dst_md(dst, f32, data_tag);
    const memory::desc wei_md(wei, f32, wei_tag),
        bias_md({d.out_c}, f32, Tag::x);
    const memory::desc no_bias;
    const bool first_layer =
        d.groups == 1 && d.in_per_group() <= kMaxFirstLayerChannels;
    const bool channels_last = !first_layer;
    const auto any = [&](const memory::desc& md) {
      return memory::desc(md.dims(), f32, Tag::any);
    };
    const auto last = [&](const memory::desc& md) {
      return channels_last
                 ? memory::desc(md.dims(), f32, two ? Tag::nhwc : Tag::nwc)
                 : md;
    };
    // What forward and data gradient run on.
    const memory::desc src_run = last(src_md), dst_run = last(dst_md);
    const memory::desc wei_run = channels_last ? any(wei_md) : wei_md;
    dnnl::primitive_attr attr;
    attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
    const auto algo = dnnl::algorithm::convolution_direct;
    const auto fwd_pd = dnnl::convolution_forward::primitive_desc(
        {dnnl::prop_kind::forward_training, algo, src_run, wei_run,
         d.bias ? bias_md : no_bias, dst_run, strides, dilates, pad_l, pad_r},
        attr, CpuEngine());
    forward_ =
        DnnlStep(dnnl::convolution_forward(fwd_pd), fwd_pd.scratchpad_desc(),
                 {{DNNL_ARG_SRC, src_md, fwd_pd.src_desc(), false},
                  {DNNL_ARG_WEIGHTS, wei_md, fwd_pd.weights_desc(), false},
                  {DNNL_ARG_BIAS, bias_md, bias_md, false},
                  {DNNL_ARG_DST, dst_md, fwd_pd.dst_desc(), true}});
    const auto data_pd = dnnl::convolution_backward_data::primitive_desc(
        {algo, src_run, wei_run, dst_run, strides, dilates, pad_l, pad_r}, attr,
        CpuEngine(), fwd_pd);
    backward_data_ = DnnlStep(
        dnnl::convolution_backward_data(data_pd), data_pd.scratchpad_desc(),
        {{DNNL_ARG_DIFF_DST, dst_md, data_pd.diff_dst_desc(), false},
         {DNNL_ARG_WEIGHTS, wei_md, data_pd.weights_desc(), false},
         {DNNL_ARG_DIFF_SRC, src_md, data_pd.diff_src_desc(), true}});
    // First layers: forward and weight gradient computed directly where
    // oneDNN has no AVX-512 kernels (Note [Few-channel convolution]), the
    // weight gradient on the blocked layouts oneDNN chooses elsewhere.
    direct_ = first_layer && DirectWeightGradientApplies(d) &&
              !__builtin_cpu_supports("avx512f");
    if (direct_) return;
    const auto weights_pd = dnnl::convolution_backward_weights::primitive_desc(
        {algo, first_layer ? any(src_md) : src_run,
         first_layer ? any(wei_md) : wei_run, d.bias ? bias_md : no_bias,
         first_layer ? any(dst_md) : dst_run, strides, dilates, pad_l, pad_r},
        attr, CpuEngine(), fwd_pd);
    backward_weights_ = DnnlStep(
        dnnl::convolution_backward_weights(weights_pd),
        weights_pd.scratchpad_desc(),
        {{DNNL_ARG_DIFF_DST, dst_md, weights_pd.diff_dst_desc(), false},
         {DNNL_ARG_SRC, src_md, weights_pd.src_desc(), false},
         {DNNL_ARG_DIFF_WEIGHTS, wei_md, weights_pd.diff_weights_desc(), true},
         {DNNL_ARG_DIFF_BIAS, bias_md, bias_md, true}});
  }

  size_t ForwardWorkspace() const override {
    return std::max(forward_.workspace_bytes(), fallback_->ForwardWorkspace());
  }
  size_t BackwardWorkspace() const override {
    return std::max({backward_data_.workspace_bytes(),
                     backward_weights_.workspace_bytes(),
                     fallback_->BackwardWorkspace()});
  }

  void Forward(const KernelContext& ctx, const ForwardArgs& a) override {
    const OpReq req = a.req[0];
    if (req == OpReq::kNull) return;
    if (req == OpReq::kAdd) return fallback_->Forward(ctx, a);
    if (direct_) {
      return DirectForward(d_, a.inputs[0].ptr<float>(),
                           a.inputs[1].ptr<float>(),
                           d_.bias ? a.inputs[2].ptr<float>() : nullptr,
                           a.outputs[0].ptr<float>());
    }
    forward_.Run({a.inputs[0].data, a.inputs[1].data,
                  d_.bias ? a.inputs[2].data : nullptr, a.outputs[0].data},
                 ctx.workspace);
  }

  void Backward(const KernelContext& ctx, const BackwardArgs& a) override {
    const OpReq dx_req = a.req[0], dw_req = a.req[1];
    const OpReq db_req = d_.bias ? a.req[2] : OpReq::kNull;
    // The weights primitive writes the weight and bias gradients together.
    const bool weights = dw_req != OpReq::kNull || db_req != OpReq::kNull;
    const bool primitive_cannot =
        !direct_ && (dw_req == OpReq::kAdd || db_req == OpReq::kAdd ||
                     (weights && (dw_req == OpReq::kNull ||
                                  (d_.bias && db_req == OpReq::kNull))));
    if (dx_req == OpReq::kAdd || primitive_cannot) {
      return fallback_->Backward(ctx, a);
    }
    const void* gy = a.out_grads[0].data;
    if (dx_req != OpReq::kNull) {
      backward_data_.Run({gy, a.inputs[1].data, a.in_grads[0].data},
                         ctx.workspace);
    }
    if (weights && direct_) {
      DirectWeightGradient(
          d_, static_cast<const float*>(gy), a.inputs[0].ptr<float>(),
          a.in_grads[1].ptr_or_null<float>(), dw_req,
          d_.bias ? a.in_grads[2].ptr_or_null<float>() : nullptr, db_req);
    } else if (weights) {
      backward_weights_.Run({gy, a.inputs[0].data, a.in_grads[1].data,
                             d_.bias ? a.in_grads[2].data : nullptr},
                            ctx.workspace);
    }
  }

 private:
  ConvDims d_;
  std::unique_ptr<OpKernel> fallback_;
  DnnlStep forward_, backward_data_, backward_weights_;
  // DirectForward and DirectWeightGradient, not the primitives.
  bool direct_ = false;
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
