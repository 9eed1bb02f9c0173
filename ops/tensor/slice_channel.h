// SliceChannel: splits an axis into equal parts, one output each (MXNet's
// SliceChannel, alias split).
#ifndef MX_OPS_TENSOR_SLICE_CHANNEL_H_
#define MX_OPS_TENSOR_SLICE_CHANNEL_H_

#include <cstdint>

#include "core/op/param.h"

namespace mx {
namespace ops {

struct SliceChannelParam {
  int64_t num_outputs = 0;
  int64_t axis = 1;
  bool squeeze_axis = false;

  static void Declare(ParamDeclarer<SliceChannelParam>* d) {
    d->Field("num_outputs", &SliceChannelParam::num_outputs)
        .Required()
        .Min(1)
        .Doc("Number of equal parts.");
    d->Field("axis", &SliceChannelParam::axis)
        .Default(1)
        .Doc("Axis to split (negative counts from the end).");
    d->Field("squeeze_axis", &SliceChannelParam::squeeze_axis)
        .Default(false)
        .Doc(
            "Drop the split axis from the outputs (parts must have extent "
            "1).");
  }
};

}  // namespace ops
}  // namespace mx

#endif  // MX_OPS_TENSOR_SLICE_CHANNEL_H_
