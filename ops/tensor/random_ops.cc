// Random sampling as ops (MXNet's _random_uniform / _random_normal, exposed
// as mx.sym.random.uniform, mx.nd.random.normal, ...): no inputs, an output
// of `shape` drawn from the device's generator, the same numbers as the
// array functions RandomUniform / RandomNormal for one seed.
#include <string>
#include <vector>

#include "core/base/strings.h"
#include "core/ndarray/ndarray.h"
#include "core/op/kernel.h"
#include "core/op/op.h"
#include "core/op/param.h"

namespace mx {
namespace ops {
namespace {

// What a sampling node draws: (low, high) or (loc, scale), shape, type.
struct Sample {
  double a = 0, b = 1;
  std::vector<int64_t> shape;
  std::string dtype = "float32";
};

template <typename P>
void DeclareShapeAndType(ParamDeclarer<P>* d) {
  d->Field("shape", &P::shape).Default({}).Min(1).Doc("The output's shape.");
  d->Field("dtype", &P::dtype)
      .Default("float32")
      .Enum({"float32", "float64"})
      .Doc("The output's element type.");
}

struct UniformParam {
  double low = 0, high = 1;
  std::vector<int64_t> shape;
  std::string dtype = "float32";

  static void Declare(ParamDeclarer<UniformParam>* d) {
    d->Field("low", &UniformParam::low)
        .Default(0.0)
        .Doc("The lower bound (included).");
    d->Field("high", &UniformParam::high)
        .Default(1.0)
        .Doc("The upper bound (excluded).");
    DeclareShapeAndType(d);
    d->Check([](const UniformParam& p) -> std::string {
      return p.low <= p.high ? "" : "low must not exceed high";
    });
  }
};

struct NormalParam {
  double loc = 0, scale = 1;
  std::vector<int64_t> shape;
  std::string dtype = "float32";

  static void Declare(ParamDeclarer<NormalParam>* d) {
    d->Field("loc", &NormalParam::loc).Default(0.0).Doc("The mean.");
    d->Field("scale", &NormalParam::scale)
        .Default(1.0)
        .Min(0)
        .Doc("The standard deviation.");
    DeclareShapeAndType(d);
  }
};

Sample ParamsOf(const NodeAttrs& attrs) {
  if (attrs.op->name() == "_random_uniform") {
    const UniformParam& p = attrs.params<UniformParam>();
    return {p.low, p.high, p.shape, p.dtype};
  }
  const NormalParam& p = attrs.params<NormalParam>();
  return {p.loc, p.scale, p.shape, p.dtype};
}

void InferSampleShape(InferShapeContext* ctx) {
  const std::vector<int64_t> shape = ParamsOf(ctx->attrs()).shape;
  if (shape.empty()) {
    // A shape given by the graph (e.g. its output's) is fine too.
    return;
  }
  ctx->AssignOut(0, PartialShape(shape));
}

void InferSampleType(InferTypeContext* ctx) {
  ctx->AssignOut(0, static_cast<int>(ParamsOf(ctx->attrs()).dtype == "float64"
                                         ? DType::kFloat64
                                         : DType::kFloat32));
}

template <typename T>
class SampleKernel : public OpKernel {
 public:
  explicit SampleKernel(const KernelSetup& s)
      : p_(ParamsOf(*s.attrs)),
        uniform_(s.attrs->op->name() == "_random_uniform") {}

  bool NeedsRandom() const override { return true; }

  void Forward(const KernelContext& ctx, const ForwardArgs& a) override {
    const int64_t n = a.outputs[0].Size();
    std::vector<float> draws(static_cast<size_t>(n));
    const float p0 = static_cast<float>(p_.a), p1 = static_cast<float>(p_.b);
    if (uniform_) {
      FillUniform(*ctx.rng, draws.data(), n, p0, p1);
    } else {
      FillNormal(*ctx.rng, draws.data(), n, p0, p1);
    }
    StoreEach(a.req[0], a.outputs[0].ptr<T>(), n,
              [&](int64_t i) { return static_cast<T>(draws[i]); });
  }

 private:
  Sample p_;
  bool uniform_;
};

MX_REGISTER_OP(_random_uniform)
    .Alias("uniform")
    .Alias("random_uniform")
    .Describe("Draws of the uniform distribution on [low, high).")
    .Params<UniformParam>()
    .Inputs(std::vector<std::string>{})
    .InferShape(InferSampleShape)
    .InferType(InferSampleType);

MX_REGISTER_OP(_random_normal)
    .Alias("normal")
    .Alias("random_normal")
    .Describe(
        "Draws of the normal distribution of mean loc and deviation "
        "scale.")
    .Params<NormalParam>()
    .Inputs(std::vector<std::string>{})
    .InferShape(InferSampleShape)
    .InferType(InferSampleType);

MX_REGISTER_KERNEL(_random_uniform, kCPU, kReference)
    .Types({DType::kFloat32, DType::kFloat64})
    .Factory(TypedFactory<SampleKernel>());
MX_REGISTER_KERNEL(_random_normal, kCPU, kReference)
    .Types({DType::kFloat32, DType::kFloat64})
    .Factory(TypedFactory<SampleKernel>());

}  // namespace
}  // namespace ops
}  // namespace mx
