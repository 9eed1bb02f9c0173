// Pooling: max, average or sum over 1-D, 2-D or 3-D windows, or over the
// whole spatial extent (global_pool) (MXNet's Pooling).
#ifndef MX_OPS_NN_POOLING_H_
#define MX_OPS_NN_POOLING_H_

#include <cstdint>
#include <string>
#include <vector>

#include "core/base/strings.h"
#include "core/op/kernel.h"
#include "core/op/param.h"
#include "ops/common/spatial.h"
#include "ops/common/window.h"

namespace mx {
namespace ops {

struct PoolingParam {
  std::vector<int64_t> kernel, stride, pad;
  std::string pool_type = "max";
  bool global_pool = false;
  std::string pooling_convention = "valid";
  bool cudnn_off = false;

  static void Declare(ParamDeclarer<PoolingParam>* d) {
    d->Field("kernel", &PoolingParam::kernel)
        .Default({})
        .Min(1)
        .Doc(
            "Window size: (w,), (h, w) or (d, h, w); ignored with "
            "global_pool.");
    d->Field("pool_type", &PoolingParam::pool_type)
        .Default("max")
        .Enum({"max", "avg", "sum"})
        .Doc(
            "Reduction over each window; avg divides by the full window "
            "area, padding included.");
    d->Field("global_pool", &PoolingParam::global_pool)
        .Default(false)
        .Doc("Pool over all spatial positions (output 1 per axis).");
    d->Field("pooling_convention", &PoolingParam::pooling_convention)
        .Default("valid")
        .Enum({"valid", "full"})
        .Doc(
            "Output extent: valid floor((x + 2 pad - k) / s) + 1, full "
            "ceil((x + 2 pad - k) / s) + 1.");
    d->Field("stride", &PoolingParam::stride)
        .Default({})
        .Min(1)
        .Doc("Window step per spatial axis; () means 1.");
    d->Field("pad", &PoolingParam::pad)
        .Default({})
        .Min(0)
        .Doc("Padding per spatial axis, on both sides; () means 0.");
    d->Field("cudnn_off", &PoolingParam::cudnn_off)
        .Default(false)
        .Doc("Do not use cuDNN (GPU only).");
    d->Check([](const PoolingParam& p) -> std::string {
      if (p.global_pool) return "";
      if (p.kernel.empty()) return "kernel is required unless global_pool";
      return CheckSpatialTuples(p.kernel,
                                {{"stride", &p.stride}, {"pad", &p.pad}});
    });
  }
};

enum class PoolType { kMax, kAvg, kSum };

// The PoolType of a pool_type value.
PoolType PoolTypeOf(const std::string& pool_type);

// The window of a Pooling node (the whole spatial extent with global_pool).
Window PoolingWindow(const KernelSetup& s);

}  // namespace ops
}  // namespace mx

#endif  // MX_OPS_NN_POOLING_H_
