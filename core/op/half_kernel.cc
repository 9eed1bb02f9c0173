#include "core/op/half_kernel.h"

#include <utility>
#include <vector>

namespace mx {
namespace {

// A float32 copy of a float16 view (or the view itself for other types).
struct Converted {
  std::vector<float> buffer;
  TensorView view;
};

Converted ToFloat(const TensorView& v, bool copy_values) {
  Converted c;
  c.view = v;
  if (v.empty() || v.dtype != DType::kFloat16) return c;
  const int64_t n = v.Size();
  c.buffer.resize(static_cast<size_t>(n));
  if (copy_values) {
    const Half* h = static_cast<const Half*>(v.data);
    for (int64_t i = 0; i < n; ++i) c.buffer[i] = HalfToFloat(h[i]);
  }
  c.view.data = c.buffer.data();
  c.view.dtype = DType::kFloat32;
  return c;
}

// Writes a converted output back into its float16 view.
void StoreBack(const Converted& c, const TensorView& original, OpReq req) {
  if (c.buffer.empty() || req == OpReq::kNull) return;
  Half* h = static_cast<Half*>(original.data);
  for (size_t i = 0; i < c.buffer.size(); ++i) h[i] = FloatToHalf(c.buffer[i]);
}

// The inner kernel adds into the converted copy of the old values, so kAdd
// needs them; other reqs write (in place has no meaning between copies).
OpReq InnerReq(OpReq req) {
  return req == OpReq::kInplace ? OpReq::kWrite : req;
}

class HalfKernel : public OpKernel {
 public:
  HalfKernel(std::unique_ptr<OpKernel> inner, size_t num_args)
      : inner_(std::move(inner)), num_args_(num_args) {}

  size_t ForwardWorkspace() const override {
    return inner_->ForwardWorkspace();
  }
  size_t BackwardWorkspace() const override {
    return inner_->BackwardWorkspace();
  }
  bool NeedsRandom() const override { return inner_->NeedsRandom(); }

  void Forward(const KernelContext& ctx, const ForwardArgs& a) override {
    ForwardArgs f;
    std::vector<Converted> in, out;
    for (const TensorView& v : a.inputs) in.push_back(ToFloat(v, true));
    for (size_t o = 0; o < a.outputs.size(); ++o) {
      out.push_back(ToFloat(a.outputs[o], a.req[o] == OpReq::kAdd));
    }
    for (const Converted& c : in) f.inputs.push_back(c.view);
    for (const Converted& c : out) f.outputs.push_back(c.view);
    for (OpReq r : a.req) f.req.push_back(InnerReq(r));
    inner_->Forward(ctx, f);
    // Auxiliary states (after the arguments) are updated by forward.
    for (size_t i = num_args_; i < a.inputs.size(); ++i) {
      StoreBack(in[i], a.inputs[i], OpReq::kWrite);
    }
    for (size_t o = 0; o < a.outputs.size(); ++o) {
      StoreBack(out[o], a.outputs[o], a.req[o]);
    }
  }

  void Backward(const KernelContext& ctx, const BackwardArgs& a) override {
    BackwardArgs b;
    std::vector<Converted> og, in, out, ig;
    for (const TensorView& v : a.out_grads) og.push_back(ToFloat(v, true));
    for (const TensorView& v : a.inputs) in.push_back(ToFloat(v, true));
    for (const TensorView& v : a.outputs) out.push_back(ToFloat(v, true));
    for (size_t k = 0; k < a.in_grads.size(); ++k) {
      ig.push_back(ToFloat(a.in_grads[k], a.req[k] == OpReq::kAdd));
    }
    for (const Converted& c : og) b.out_grads.push_back(c.view);
    for (const Converted& c : in) b.inputs.push_back(c.view);
    for (const Converted& c : out) b.outputs.push_back(c.view);
    for (const Converted& c : ig) b.in_grads.push_back(c.view);
    for (OpReq r : a.req) b.req.push_back(InnerReq(r));
    inner_->Backward(ctx, b);
    for (size_t k = 0; k < a.in_grads.size(); ++k) {
      StoreBack(ig[k], a.in_grads[k], a.req[k]);
    }
  }

 private:
  std::unique_ptr<OpKernel> inner_;
  size_t num_args_;
};

}  // namespace

std::unique_ptr<OpKernel> MakeHalfKernel(std::unique_ptr<OpKernel> inner,
                                         size_t num_args) {
  return std::make_unique<HalfKernel>(std::move(inner), num_args);
}

}  // namespace mx
