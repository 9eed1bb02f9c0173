// Cast: converts the element type (MXNet's Cast, alias cast); the gradient
// is converted back to the input's type.
#include <string>

#include "core/ndarray/cpu_kernels.h"
#include "core/op/kernel.h"
#include "core/op/op.h"
#include "ops/common/same_shape.h"

namespace mx {
namespace ops {
namespace {

struct CastParam {
  std::string dtype;
  static void Declare(ParamDeclarer<CastParam>* d) {
    d->Field("dtype", &CastParam::dtype)
        .Required()
        .Enum({"float16", "float32", "float64", "uint8", "int8", "int32",
               "int64"})
        .Doc("The output's element type.");
  }
};

void InferCastType(InferTypeContext* ctx) {
  ctx->AssignOut(0, static_cast<int>(
                        DTypeFromName(ctx->attrs().params<CastParam>().dtype)));
}

// Converts between the views' own types (the executor gives the input its
// type and the output the cast's).
class CastKernel : public OpKernel {
 public:
  explicit CastKernel(const KernelSetup& s) : n_(s.in_shapes[0].Size()) {}

  size_t BackwardWorkspace() const override {
    return n_ * sizeof(double);  // the converted gradient, for req add
  }

  void Forward(const KernelContext&, const ForwardArgs& a) override {
    MX_CHECK(a.req[0] != OpReq::kAdd, "Cast: outputs are not accumulated");
    if (a.req[0] == OpReq::kNull) return;
    cpu::Cast(a.inputs[0].dtype, a.inputs[0].data, a.outputs[0].dtype,
              a.outputs[0].data, n_);
  }

  void Backward(const KernelContext& ctx, const BackwardArgs& a) override {
    const TensorView& g = a.out_grads[0];
    const TensorView& dx = a.in_grads[0];
    switch (a.req[0]) {
      case OpReq::kNull:
        return;
      case OpReq::kAdd:
        cpu::Cast(g.dtype, g.data, dx.dtype, ctx.workspace, n_);
        cpu::Binary(cpu::BinaryOp::kAdd, dx.dtype, dx.data, ctx.workspace,
                    dx.data, n_);
        return;
      case OpReq::kWrite:
      case OpReq::kInplace:
        cpu::Cast(g.dtype, g.data, dx.dtype, dx.data, n_);
        return;
    }
  }

 private:
  int64_t n_;
};

}  // namespace

MX_REGISTER_OP(Cast)
    .Alias("cast")
    .Describe(
        "Converts the elements to `dtype`; the gradient is converted "
        "back to the input's type.")
    .Params<CastParam>()
    .InferShape(InferSameShape)
    .InferType(InferCastType)
    .Backward([](const NodeAttrs&) {
      return BackwardDeps{{0}, {}, {}};
    });

MX_REGISTER_KERNEL(Cast, kCPU, kReference)
    .Types({DType::kFloat16, DType::kFloat32, DType::kFloat64, DType::kUint8,
            DType::kInt8, DType::kInt32, DType::kInt64})
    .Factory(SimpleFactory<CastKernel>());

}  // namespace ops
}  // namespace mx
