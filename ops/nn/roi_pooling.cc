// ROIPooling (MXNet's name and parameters; Fast R-CNN's RoI max pooling):
// every region of interest of a feature map max-pooled to a fixed grid.
#include <algorithm>
#include <cmath>
#include <limits>
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

struct ROIPoolingParam {
  std::vector<int64_t> pooled_size;
  double spatial_scale = 1;

  static void Declare(ParamDeclarer<ROIPoolingParam>* d) {
    d->Field("pooled_size", &ROIPoolingParam::pooled_size)
        .Required()
        .Min(1)
        .Doc("The output grid (height, width) of every region.");
    d->Field("spatial_scale", &ROIPoolingParam::spatial_scale)
        .Required()
        .Doc(
            "The feature map's size over the image's, by which the region "
            "coordinates (in image pixels) are multiplied, e.g. 1/16.");
    d->Check([](const ROIPoolingParam& p) -> std::string {
      if (p.pooled_size.size() != 2) {
        return "pooled_size must have two entries (height, width)";
      }
      if (!(p.spatial_scale > 0) || !std::isfinite(p.spatial_scale)) {
        return "spatial_scale must be a positive number";
      }
      return "";
    });
  }
};

// data (N, C, H, W) and rois (R, 5): (batch index, x1, y1, x2, y2) each;
// output (R, C, pooled height, pooled width).
void InferROIPoolingShape(InferShapeContext* ctx) {
  const ROIPoolingParam& p = ctx->params<ROIPoolingParam>();
  const PartialShape& data = ctx->in(0);
  if (data.rank_known() && data.ndim() != 4) {
    ctx->Fail(StrCat("data ", data.ToString(), " must be 4-D (N,C,H,W)"));
  }
  PartialShape rois = ctx->in(1);
  if (rois.rank_known() &&
      (rois.ndim() != 2 || (rois[1] >= 0 && rois[1] != 5))) {
    ctx->Fail(StrCat("rois ", rois.ToString(),
                     " must be (R, 5): batch index, x1, y1, x2, y2"));
  }
  if (!rois.rank_known()) rois = PartialShape{-1, 5};
  ctx->AssignIn(1, rois);
  const int64_t channels = data.rank_known() ? data[1] : -1;
  ctx->AssignOut(
      0, PartialShape{rois[0], channels, p.pooled_size[0], p.pooled_size[1]});
}

// Forward: every output cell is the maximum of its bin of the region (0
// for an empty bin), bins as Fast R-CNN's (region corners rounded after
// scaling, bins floor/ceil-bounded and clipped to the map). Backward: each
// cell's gradient goes to the element that was its maximum (the first of
// equal ones), found again from the data.
template <typename T>
class ROIPoolingKernel : public NodeKernel {
 public:
  explicit ROIPoolingKernel(const KernelSetup& s)
      : NodeKernel(s), p_(s.params<ROIPoolingParam>()) {
    const Shape& d = s.in_shapes[0];
    batch_ = d[0];
    channels_ = d[1];
    height_ = d[2];
    width_ = d[3];
    num_rois_ = s.in_shapes[1][0];
  }

  void Forward(const KernelContext&, const ForwardArgs& a) override {
    const T* x = a.inputs[0].ptr<T>();
    T* y = a.outputs[0].ptr<T>();
    const bool add = a.req[0] == OpReq::kAdd;
    if (a.req[0] == OpReq::kNull) return;
    ForEachCell(a.inputs[1].ptr<T>(), x, [&](int64_t out, int64_t at) {
      const T v = at < 0 ? T(0) : x[at];
      y[out] = add ? y[out] + v : v;
    });
  }

  void Backward(const KernelContext&, const BackwardArgs& a) override {
    T* dx = AccumulateInto(a.req[0], a.in_grads[0].ptr_or_null<T>(),
                           a.in_grads[0].Size());
    if (dx == nullptr) return;
    const T* g = a.out_grads[0].ptr<T>();
    ForEachCell(a.inputs[1].ptr<T>(), a.inputs[0].ptr<T>(),
                [&](int64_t out, int64_t at) {
                  if (at >= 0) dx[at] += g[out];
                });
  }

 private:
  // Calls f(output index, index of the bin's maximum in data or -1 when
  // the bin is empty) for every output cell.
  template <typename F>
  void ForEachCell(const T* rois, const T* x, F f) const {
    const int64_t ph_n = p_.pooled_size[0], pw_n = p_.pooled_size[1];
    for (int64_t r = 0; r < num_rois_; ++r) {
      const T* roi = rois + r * 5;
      for (int i = 0; i < 5; ++i) {
        MX_CHECK(std::isfinite(static_cast<double>(roi[i])), where_,
                 ": region ", r, " has a non-finite coordinate ", roi[i]);
      }
      const int64_t b = static_cast<int64_t>(roi[0]);
      MX_CHECK(roi[0] >= 0 && b < batch_ && T(b) == roi[0], where_, ": region ",
               r, " has batch index ", roi[0], "; expected an integer in [0, ",
               batch_, ")");
      const double scale = p_.spatial_scale;
      const int64_t x1 = std::llround(roi[1] * scale);
      const int64_t y1 = std::llround(roi[2] * scale);
      const int64_t x2 = std::llround(roi[3] * scale);
      const int64_t y2 = std::llround(roi[4] * scale);
      const T bin_h = T(std::max<int64_t>(y2 - y1 + 1, 1)) / T(ph_n);
      const T bin_w = T(std::max<int64_t>(x2 - x1 + 1, 1)) / T(pw_n);
      for (int64_t c = 0; c < channels_; ++c) {
        const int64_t plane = (b * channels_ + c) * height_ * width_;
        const int64_t out_base = ((r * channels_) + c) * ph_n * pw_n;
        for (int64_t ph = 0; ph < ph_n; ++ph) {
          const int64_t h0 =
              Clip(int64_t(std::floor(ph * bin_h)) + y1, height_);
          const int64_t h1 =
              Clip(int64_t(std::ceil((ph + 1) * bin_h)) + y1, height_);
          for (int64_t pw = 0; pw < pw_n; ++pw) {
            const int64_t w0 =
                Clip(int64_t(std::floor(pw * bin_w)) + x1, width_);
            const int64_t w1 =
                Clip(int64_t(std::ceil((pw + 1) * bin_w)) + x1, width_);
            int64_t best = -1;
            for (int64_t h = h0; h < h1; ++h) {
              for (int64_t w = w0; w < w1; ++w) {
                const int64_t at = plane + h * width_ + w;
                if (best < 0 || x[at] > x[best]) best = at;
              }
            }
            f(out_base + ph * pw_n + pw, best);
          }
        }
      }
    }
  }

  static int64_t Clip(int64_t v, int64_t extent) {
    return std::min(std::max<int64_t>(v, 0), extent);
  }

  ROIPoolingParam p_;
  int64_t batch_ = 0, channels_ = 0, height_ = 0, width_ = 0, num_rois_ = 0;
};

MX_REGISTER_OP(ROIPooling)
    .Describe(
        "Max-pools every region of interest of NCHW data to pooled_size: "
        "rois (R, 5) rows are (batch index, x1, y1, x2, y2) in image "
        "pixels, scaled by spatial_scale; output (R, C, pooled_h, "
        "pooled_w).")
    .Params<ROIPoolingParam>()
    .Inputs({"data", "rois"})
    .InferShape(InferROIPoolingShape)
    .Backward([](const NodeAttrs&) {
      return BackwardDeps{{0}, {0, 1}, {}};
    })
    .NoGradient({"rois"});

MX_REGISTER_KERNEL(ROIPooling, kCPU, kReference)
    .Types({DType::kFloat32, DType::kFloat64})
    .Factory(TypedFactory<ROIPoolingKernel>());

}  // namespace
}  // namespace ops
}  // namespace mx
