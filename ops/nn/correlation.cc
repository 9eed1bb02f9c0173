// Correlation (MXNet's name and parameters; FlowNet's correlation layer):
// for every position of data1 and every displacement in a neighbourhood,
// the mean product (or absolute difference) of a patch of data1 with the
// displaced patch of data2.
#include <cmath>
#include <string>

#include "core/base/strings.h"
#include "core/op/kernel.h"
#include "core/op/op.h"
#include "core/op/param.h"
#include "ops/common/kernel_util.h"

namespace mx {
namespace ops {
namespace {

struct CorrelationParam {
  int64_t kernel_size = 1;
  int64_t max_displacement = 1;
  int64_t stride1 = 1;
  int64_t stride2 = 1;
  int64_t pad_size = 0;
  bool is_multiply = true;

  static void Declare(ParamDeclarer<CorrelationParam>* d) {
    d->Field("kernel_size", &CorrelationParam::kernel_size)
        .Default(1)
        .Min(1)
        .Doc("The patch's side (odd).");
    d->Field("max_displacement", &CorrelationParam::max_displacement)
        .Default(1)
        .Min(0)
        .Doc("The largest displacement compared, in each direction.");
    d->Field("stride1", &CorrelationParam::stride1)
        .Default(1)
        .Min(1)
        .Doc("The step between compared positions of data1.");
    d->Field("stride2", &CorrelationParam::stride2)
        .Default(1)
        .Min(1)
        .Doc("The step between compared displacements.");
    d->Field("pad_size", &CorrelationParam::pad_size)
        .Default(0)
        .Min(0)
        .Doc("Zero padding around both inputs.");
    d->Field("is_multiply", &CorrelationParam::is_multiply)
        .Default(true)
        .Doc(
            "True: the patches' mean product; False: mean absolute "
            "difference.");
  }
};

// The output's layout for NCHW inputs of height h and width w.
struct CorrelationGeometry {
  int64_t top_h = 0, top_w = 0;
  int64_t grid_radius = 0, grid_width = 0;  // displacements per axis
  int64_t channels() const { return grid_width * grid_width; }

  static CorrelationGeometry Of(const CorrelationParam& p, int64_t h,
                                int64_t w) {
    CorrelationGeometry g;
    const int64_t border = p.max_displacement + (p.kernel_size - 1) / 2;
    // As MXNet: ceil((padded extent - 2 border) / stride1).
    auto top = [&](int64_t extent) {
      const int64_t inner = extent + 2 * p.pad_size - 2 * border;
      return inner <= 0 ? 0 : (inner + p.stride1 - 1) / p.stride1;
    };
    g.top_h = top(h);
    g.top_w = top(w);
    g.grid_radius = p.max_displacement / p.stride2;
    g.grid_width = 2 * g.grid_radius + 1;
    return g;
  }
};

void InferCorrelationShape(InferShapeContext* ctx) {
  const CorrelationParam& p = ctx->params<CorrelationParam>();
  if (p.kernel_size % 2 == 0) {
    ctx->Fail(StrCat("kernel_size ", p.kernel_size, " must be odd"));
  }
  PartialShape data = ctx->in(0);
  if (!data.rank_known()) data = ctx->in(1);
  if (!data.rank_known()) return;
  if (data.ndim() != 4) {
    ctx->Fail(
        StrCat("data1 and data2 must be 4-D (N,C,H,W), got ", data.ToString()));
  }
  ctx->AssignIn(0, data);
  ctx->AssignIn(1, data);
  const PartialShape& in = ctx->in(0);
  int64_t top_h = -1, top_w = -1;
  const CorrelationGeometry g =
      CorrelationGeometry::Of(p, in[2] < 0 ? 0 : in[2], in[3] < 0 ? 0 : in[3]);
  if (in[2] >= 0 && in[3] >= 0) {
    if (g.top_h <= 0 || g.top_w <= 0) {
      ctx->Fail(StrCat("data ", in.ToString(), " padded by ", p.pad_size,
                       " is too small for max_displacement ",
                       p.max_displacement, " and kernel_size ", p.kernel_size,
                       ": no output position"));
    }
    top_h = g.top_h;
    top_w = g.top_w;
  }
  ctx->AssignOut(0, PartialShape{in[0], g.channels(), top_h, top_w});
}

// Output (n, d, i, j) = sum over the patch offsets (h, w) and channels c of
// f(a[c, y1 + h, x1 + w], b[c, y1 + dy + h, x1 + dx + w]) / (k^2 C), with
// (y1, x1) = (i, j) * stride1 + max_displacement in padded coordinates,
// displacement d = (dy, dx) on the grid of step stride2, f the product or
// the absolute difference, and zero outside the data.
template <typename T>
class CorrelationKernel : public OpKernel {
 public:
  explicit CorrelationKernel(const KernelSetup& s)
      : p_(s.params<CorrelationParam>()) {
    const Shape& d = s.in_shapes[0];
    batch_ = d[0];
    channels_ = d[1];
    height_ = d[2];
    width_ = d[3];
    g_ = CorrelationGeometry::Of(p_, height_, width_);
  }

  void Forward(const KernelContext&, const ForwardArgs& a) override {
    if (a.req[0] == OpReq::kNull) return;
    const T* x1 = a.inputs[0].ptr<T>();
    const T* x2 = a.inputs[1].ptr<T>();
    T* y = a.outputs[0].ptr<T>();
    const bool add = a.req[0] == OpReq::kAdd;
    const T norm = T(1) / T(p_.kernel_size * p_.kernel_size * channels_);
    ForEachOutput([&](int64_t out, int64_t n, int64_t ya, int64_t xa,
                      int64_t yb, int64_t xb) {
      T sum = 0;
      ForEachPair(n, ya, xa, yb, xb, [&](int64_t ia, int64_t ib) {
        const T va = ia < 0 ? T(0) : x1[ia];
        const T vb = ib < 0 ? T(0) : x2[ib];
        sum += p_.is_multiply ? va * vb : std::abs(va - vb);
      });
      y[out] = add ? y[out] + sum * norm : sum * norm;
    });
  }

  void Backward(const KernelContext&, const BackwardArgs& a) override {
    const T* x1 = a.inputs[0].ptr<T>();
    const T* x2 = a.inputs[1].ptr<T>();
    const T* gy = a.out_grads[0].ptr<T>();
    const int64_t size = a.inputs[0].Size();
    T* d1 = AccumulateInto(a.req[0], a.in_grads[0].ptr_or_null<T>(), size);
    T* d2 = AccumulateInto(a.req[1], a.in_grads[1].ptr_or_null<T>(), size);
    const T norm = T(1) / T(p_.kernel_size * p_.kernel_size * channels_);
    ForEachOutput([&](int64_t out, int64_t n, int64_t ya, int64_t xa,
                      int64_t yb, int64_t xb) {
      const T g = gy[out] * norm;
      ForEachPair(n, ya, xa, yb, xb, [&](int64_t ia, int64_t ib) {
        const T va = ia < 0 ? T(0) : x1[ia];
        const T vb = ib < 0 ? T(0) : x2[ib];
        if (p_.is_multiply) {
          if (d1 && ia >= 0) d1[ia] += g * vb;
          if (d2 && ib >= 0) d2[ib] += g * va;
        } else {
          const T sign = T((va > vb) - (va < vb));
          if (d1 && ia >= 0) d1[ia] += g * sign;
          if (d2 && ib >= 0) d2[ib] -= g * sign;
        }
      });
    });
  }

 private:
  // Calls f(output index, n, patch corner in data1 (y, x), in data2 (y,
  // x)) for every output element; corners in unpadded coordinates.
  template <typename F>
  void ForEachOutput(F f) const {
    const int64_t top_c = g_.channels();
    for (int64_t n = 0; n < batch_; ++n) {
      for (int64_t d = 0; d < top_c; ++d) {
        const int64_t dx = (d % g_.grid_width - g_.grid_radius) * p_.stride2;
        const int64_t dy = (d / g_.grid_width - g_.grid_radius) * p_.stride2;
        for (int64_t i = 0; i < g_.top_h; ++i) {
          for (int64_t j = 0; j < g_.top_w; ++j) {
            const int64_t ya =
                i * p_.stride1 + p_.max_displacement - p_.pad_size;
            const int64_t xa =
                j * p_.stride1 + p_.max_displacement - p_.pad_size;
            f(((n * top_c + d) * g_.top_h + i) * g_.top_w + j, n, ya, xa,
              ya + dy, xa + dx);
          }
        }
      }
    }
  }

  // Calls f(index in data1 or -1, index in data2 or -1) for every channel
  // and patch offset of the patches at (ya, xa) and (yb, xb); -1 outside.
  template <typename F>
  void ForEachPair(int64_t n, int64_t ya, int64_t xa, int64_t yb, int64_t xb,
                   F f) const {
    for (int64_t c = 0; c < channels_; ++c) {
      const int64_t plane = (n * channels_ + c) * height_ * width_;
      for (int64_t h = 0; h < p_.kernel_size; ++h) {
        for (int64_t w = 0; w < p_.kernel_size; ++w) {
          f(At(plane, ya + h, xa + w), At(plane, yb + h, xb + w));
        }
      }
    }
  }

  int64_t At(int64_t plane, int64_t y, int64_t x) const {
    if (y < 0 || y >= height_ || x < 0 || x >= width_) return -1;
    return plane + y * width_ + x;
  }

  CorrelationParam p_;
  CorrelationGeometry g_;
  int64_t batch_ = 0, channels_ = 0, height_ = 0, width_ = 0;
};

MX_REGISTER_OP(Correlation)
    .Describe(
        "FlowNet's correlation of two NCHW feature maps: for each position "
        "of data1 (step stride1) and each displacement up to "
        "max_displacement (step stride2), the mean product (is_multiply) or "
        "absolute difference of kernel_size patches; output (N, (2 "
        "max_displacement/stride2 + 1)^2, H', W').")
    .Params<CorrelationParam>()
    .Inputs({"data1", "data2"})
    .InferShape(InferCorrelationShape)
    .Backward([](const NodeAttrs&) {
      return BackwardDeps{{0}, {0, 1}, {}};
    });

MX_REGISTER_KERNEL(Correlation, kCPU, kReference)
    .Types({DType::kFloat32, DType::kFloat64})
    .Factory(TypedFactory<CorrelationKernel>());

}  // namespace
}  // namespace ops
}  // namespace mx
