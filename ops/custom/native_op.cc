#include "ops/custom/native_op.h"

#include <map>
#include <mutex>
#include <utility>

#include "core/base/error.h"
#include "core/op/op.h"
#include "core/op/param.h"

namespace mx {
namespace ops {
namespace {

struct NativeParam {
  int64_t info = 0;
  bool need_top_grad = true;
  static void Declare(ParamDeclarer<NativeParam>* d) {
    d->Field("info", &NativeParam::info)
        .Required()
        .Doc("Id of the registered callbacks (set by mx.operator.NumpyOp).");
    d->Field("need_top_grad", &NativeParam::need_top_grad)
        .Default(true)
        .Doc("False for a loss head: backward gets no output gradient.");
  }
};

std::mutex& RegistryMutex() {
  static std::mutex mu;
  return mu;
}

std::map<int64_t, std::shared_ptr<const NativeOpInfo>>& Registry() {
  static auto* registry =
      new std::map<int64_t, std::shared_ptr<const NativeOpInfo>>();
  return *registry;
}

std::shared_ptr<const NativeOpInfo> InfoOf(const NodeAttrs& attrs) {
  return FindNativeOp(attrs.params<NativeParam>().info);
}

void InferNativeShape(InferShapeContext* ctx) {
  const auto info = InfoOf(ctx->attrs());
  // As MXNet: asked once the first input is known, with unknown inputs as
  // empty shapes (the callback derives them, e.g. a label from the data).
  if (ctx->num_inputs() == 0 || !ctx->in(0).IsKnown()) return;
  std::vector<Shape> in;
  for (int i = 0; i < ctx->num_inputs(); ++i) {
    in.push_back(ctx->in(i).IsKnown() ? ctx->in(i).ToShape() : Shape());
  }
  const std::vector<Shape> out = info->infer_shape(&in);
  if (static_cast<int>(out.size()) != ctx->num_outputs() ||
      static_cast<int>(in.size()) != ctx->num_inputs()) {
    ctx->Fail(StrCat("infer_shape returned ", in.size(), " input and ",
                     out.size(), " output shapes; expected ", ctx->num_inputs(),
                     " and ", ctx->num_outputs()));
  }
  for (size_t i = 0; i < in.size(); ++i) {
    ctx->AssignIn(static_cast<int>(i), PartialShape(in[i]));
  }
  for (size_t i = 0; i < out.size(); ++i) {
    ctx->AssignOut(static_cast<int>(i), PartialShape(out[i]));
  }
}

// Runs the callbacks on the node's arrays (float32 or float64).
class NativeKernel : public OpKernel {
 public:
  explicit NativeKernel(const KernelSetup& s)
      : info_(InfoOf(*s.attrs)),
        in_shapes_(s.in_shapes),
        dtype_(s.dtype),
        element_bytes_(DTypeSize(s.dtype)) {}

  // One scratch buffer per input gradient, for req add and null.
  size_t BackwardWorkspace() const override {
    size_t total = 0;
    for (const Shape& s : in_shapes_) total += s.Size() * element_bytes_;
    return total;
  }

  void Forward(const KernelContext&, const ForwardArgs& args) override {
    for (OpReq req : args.req) {
      MX_CHECK(req != OpReq::kAdd,
               "_Native: outputs are written, not accumulated");
    }
    info_->forward(args.inputs, args.outputs);
  }

  void Backward(const KernelContext& ctx, const BackwardArgs& args) override {
    // Gradients the executor wants added (or not at all) go through scratch
    // buffers: the callback always overwrites.
    std::vector<TensorView> grads = args.in_grads;
    char* scratch = static_cast<char*>(ctx.workspace);
    for (size_t i = 0; i < grads.size(); ++i) {
      if (args.req[i] == OpReq::kAdd || args.req[i] == OpReq::kNull) {
        grads[i].data = scratch;
        grads[i].shape = in_shapes_[i];
        grads[i].dtype = dtype_;
      }
      scratch += in_shapes_[i].Size() * element_bytes_;
    }
    info_->backward(args.out_grads, args.inputs, args.outputs, grads);
    for (size_t i = 0; i < grads.size(); ++i) {
      if (args.req[i] != OpReq::kAdd) continue;
      if (dtype_ == DType::kFloat32) {
        AddTo(args.in_grads[i].ptr<float>(), grads[i].ptr<float>(),
              in_shapes_[i].Size());
      } else {
        AddTo(args.in_grads[i].ptr<double>(), grads[i].ptr<double>(),
              in_shapes_[i].Size());
      }
    }
  }

 private:
  template <typename T>
  static void AddTo(T* dst, const T* src, int64_t n) {
    for (int64_t k = 0; k < n; ++k) dst[k] += src[k];
  }

  std::shared_ptr<const NativeOpInfo> info_;
  std::vector<Shape> in_shapes_;
  DType dtype_;
  size_t element_bytes_;
};

}  // namespace

int64_t RegisterNativeOp(std::shared_ptr<const NativeOpInfo> info) {
  MX_CHECK(info && info->infer_shape && info->forward && info->backward,
           "_Native: the info needs infer_shape, forward and backward");
  std::lock_guard<std::mutex> lock(RegistryMutex());
  const int64_t id = static_cast<int64_t>(Registry().size()) + 1;
  Registry()[id] = std::move(info);
  return id;
}

std::shared_ptr<const NativeOpInfo> FindNativeOp(int64_t id) {
  std::lock_guard<std::mutex> lock(RegistryMutex());
  const auto it = Registry().find(id);
  MX_CHECK(it != Registry().end(),
           "_Native: no operator is registered as info=", id,
           " in this process (a graph with Python-defined operators "
           "cannot be loaded elsewhere)");
  return it->second;
}

MX_REGISTER_OP(_Native)
    .Describe(
        "An operator defined by registered callbacks (mx.operator.NumpyOp); "
        "float32 or float64 on the CPU.")
    .Params<NativeParam>()
    .Inputs([](const NodeAttrs& a) { return InfoOf(a)->arguments; })
    .Outputs([](const NodeAttrs& a) { return InfoOf(a)->outputs; })
    .InferShape(InferNativeShape)
    .Backward([](const NodeAttrs& a) {
      BackwardDeps deps;
      const auto info = InfoOf(a);
      for (size_t i = 0; i < info->outputs.size(); ++i) {
        if (info->need_top_grad) deps.out_grads.push_back(static_cast<int>(i));
        deps.outputs.push_back(static_cast<int>(i));
      }
      for (size_t i = 0; i < info->arguments.size(); ++i) {
        deps.inputs.push_back(static_cast<int>(i));
      }
      return deps;
    })
    .Loss([](const NodeAttrs& a) {
      return !a.params<NativeParam>().need_top_grad;
    });

MX_REGISTER_KERNEL(_Native, kCPU, kReference)
    .Types({DType::kFloat32, DType::kFloat64})
    .Factory(SimpleFactory<NativeKernel>());

}  // namespace ops
}  // namespace mx
