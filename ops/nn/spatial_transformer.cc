// SpatialTransformer (MXNet's name and parameters; Jaderberg et al.'s
// spatial transformer with an affine transform and bilinear sampling): each
// sample's loc row (6 values, the 2x3 matrix theta) maps the target grid,
// in coordinates normalized to [-1, 1], to points of the data, which are
// sampled bilinearly (zero outside).
#include <cmath>
#include <string>
#include <vector>

#include "core/base/strings.h"
#include "core/op/kernel.h"
#include "core/op/op.h"
#include "core/op/param.h"
#include "ops/common/kernel_util.h"

namespace mx {
namespace ops {
namespace {

struct SpatialTransformerParam {
  std::vector<int64_t> target_shape{0, 0};
  std::string transform_type;
  std::string sampler_type;
  bool cudnn_off = false;

  static void Declare(ParamDeclarer<SpatialTransformerParam>* d) {
    d->Field("target_shape", &SpatialTransformerParam::target_shape)
        .Default({0, 0})
        .Min(0)
        .Doc("The output's (height, width); (0, 0) keeps the data's.");
    d->Field("transform_type", &SpatialTransformerParam::transform_type)
        .Required()
        .Enum({"affine"})
        .Doc("affine: loc holds the 2x3 matrix of each sample, row-major.");
    d->Field("sampler_type", &SpatialTransformerParam::sampler_type)
        .Required()
        .Enum({"bilinear"})
        .Doc("bilinear interpolation of the 4 nearest pixels.");
    d->Field("cudnn_off", &SpatialTransformerParam::cudnn_off)
        .Default(false)
        .Doc("Accepted for compatibility (GPU only).");
    d->Check([](const SpatialTransformerParam& p) -> std::string {
      return p.target_shape.size() == 2
                 ? ""
                 : "target_shape must have two entries (height, width)";
    });
  }
};

void InferSpatialTransformerShape(InferShapeContext* ctx) {
  const SpatialTransformerParam& p = ctx->params<SpatialTransformerParam>();
  const PartialShape& data = ctx->in(0);
  if (!data.rank_known()) return;
  if (data.ndim() != 4) {
    ctx->Fail(StrCat("data ", data.ToString(), " must be 4-D (N,C,H,W)"));
  }
  ctx->AssignIn(1, PartialShape{data[0], 6});
  const int64_t h = p.target_shape[0] > 0 ? p.target_shape[0] : data[2];
  const int64_t w = p.target_shape[1] > 0 ? p.target_shape[1] : data[3];
  ctx->AssignOut(0, PartialShape{data[0], data[1], h, w});
}

// out[n, c, i, j] = bilinear sample of data[n, c] at ((x + 1) (W - 1) / 2,
// (y + 1) (H - 1) / 2), where (x, y) = theta_n (x_t, y_t, 1) and (x_t, y_t)
// spans [-1, 1] over the target's columns and rows (MXNet's grid).
template <typename T>
class SpatialTransformerKernel : public OpKernel {
 public:
  explicit SpatialTransformerKernel(const KernelSetup& s)
      : in_(s.in_shapes[0]), out_(s.out_shapes[0]) {}

  void Forward(const KernelContext&, const ForwardArgs& a) override {
    T* y = AccumulateInto(a.req[0], a.outputs[0].ptr<T>(), out_.Size());
    if (y == nullptr) return;
    const T* x = a.inputs[0].ptr<T>();
    ForEachTap(a.inputs[1].ptr<T>(),
               [&](int64_t out, int64_t at, T weight, const Point&) {
                 y[out] += weight * x[at];
               });
  }

  void Backward(const KernelContext&, const BackwardArgs& a) override {
    const T* x = a.inputs[0].ptr<T>();
    const T* loc = a.inputs[1].ptr<T>();
    const T* g = a.out_grads[0].ptr<T>();
    T* dx =
        AccumulateInto(a.req[0], a.in_grads[0].ptr_or_null<T>(), in_.Size());
    T* dloc =
        AccumulateInto(a.req[1], a.in_grads[1].ptr_or_null<T>(), in_[0] * 6);
    ForEachTap(loc, [&](int64_t out, int64_t at, T weight, const Point& p) {
      if (dx) dx[at] += weight * g[out];
      if (!dloc) return;
      // d weight / d (source x, y), through the normalized point to theta.
      const T dwx = p.dx_sign * (p.wy) * T(in_[3] - 1) / 2;
      const T dwy = p.dy_sign * (p.wx) * T(in_[2] - 1) / 2;
      const T gsx = g[out] * x[at] * dwx;
      const T gsy = g[out] * x[at] * dwy;
      T* t = dloc + p.n * 6;
      t[0] += gsx * p.xt;
      t[1] += gsx * p.yt;
      t[2] += gsx;
      t[3] += gsy * p.xt;
      t[4] += gsy * p.yt;
      t[5] += gsy;
    });
  }

 private:
  // One of the 4 pixels a target point reads: its sample, target position,
  // the weight's factors along x and y, and the signs of their derivatives
  // in the source coordinates.
  struct Point {
    int64_t n;
    T xt, yt;
    T wx, wy;
    T dx_sign, dy_sign;
  };

  // Calls f(output index, data index, weight, point) for every pixel of
  // the data that a target point reads with a nonzero bilinear weight.
  template <typename F>
  void ForEachTap(const T* loc, F f) const {
    const int64_t c_n = in_[1], h = in_[2], w = in_[3];
    const int64_t oh = out_[2], ow = out_[3];
    for (int64_t n = 0; n < in_[0]; ++n) {
      const T* t = loc + n * 6;
      for (int64_t i = 0; i < oh; ++i) {
        const T yt = oh > 1 ? T(-1) + T(2) * i / T(oh - 1) : T(-1);
        for (int64_t j = 0; j < ow; ++j) {
          const T xt = ow > 1 ? T(-1) + T(2) * j / T(ow - 1) : T(-1);
          const T sx = (t[0] * xt + t[1] * yt + t[2] + 1) * T(w - 1) / 2;
          const T sy = (t[3] * xt + t[4] * yt + t[5] + 1) * T(h - 1) / 2;
          const int64_t x0 = static_cast<int64_t>(std::floor(sx));
          const int64_t y0 = static_cast<int64_t>(std::floor(sy));
          const T fx = sx - T(x0), fy = sy - T(y0);
          for (int corner = 0; corner < 4; ++corner) {
            const int64_t px = x0 + (corner & 1), py = y0 + (corner >> 1);
            if (px < 0 || px >= w || py < 0 || py >= h) continue;
            Point p;
            p.n = n;
            p.xt = xt;
            p.yt = yt;
            p.wx = (corner & 1) ? fx : T(1) - fx;
            p.wy = (corner >> 1) ? fy : T(1) - fy;
            p.dx_sign = (corner & 1) ? T(1) : T(-1);
            p.dy_sign = (corner >> 1) ? T(1) : T(-1);
            for (int64_t c = 0; c < c_n; ++c) {
              const int64_t plane = n * c_n + c;
              f((plane * oh + i) * ow + j, (plane * h + py) * w + px,
                p.wx * p.wy, p);
            }
          }
        }
      }
    }
  }

  Shape in_, out_;
};

MX_REGISTER_OP(SpatialTransformer)
    .Describe(
        "Samples data (N, C, H, W) bilinearly at the target grid mapped by "
        "each sample's affine matrix loc (N, 6), in coordinates normalized "
        "to [-1, 1]; output (N, C, target_shape).")
    .Params<SpatialTransformerParam>()
    .Inputs({"data", "loc"})
    .InferShape(InferSpatialTransformerShape)
    .Backward([](const NodeAttrs&) {
      return BackwardDeps{{0}, {0, 1}, {}};
    });

MX_REGISTER_KERNEL(SpatialTransformer, kCPU, kReference)
    .Types({DType::kFloat32, DType::kFloat64})
    .Factory(TypedFactory<SpatialTransformerKernel>());

}  // namespace
}  // namespace ops
}  // namespace mx
