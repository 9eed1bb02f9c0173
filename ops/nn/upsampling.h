// UpSampling (MXNet's): nearest-neighbour upsampling of several inputs,
// concatenated or summed, or bilinear upsampling of one by a learned
// per-channel kernel.
#ifndef MX_OPS_NN_UPSAMPLING_H_
#define MX_OPS_NN_UPSAMPLING_H_

#include <cstdint>
#include <string>

#include "core/op/param.h"

namespace mx {
namespace ops {

struct UpSamplingParam {
  int64_t scale = 1;
  int64_t num_filter = 0;
  std::string sample_type;
  std::string multi_input_mode = "concat";
  int64_t num_args = 1;
  int64_t workspace = 512;

  static void Declare(ParamDeclarer<UpSamplingParam>* d) {
    d->Field("scale", &UpSamplingParam::scale)
        .Required()
        .Min(1)
        .Doc("Upsampling factor of the first input.");
    d->Field("num_filter", &UpSamplingParam::num_filter)
        .Default(0)
        .Min(0)
        .Doc("bilinear: the channels of data (and of the weight).");
    d->Field("sample_type", &UpSamplingParam::sample_type)
        .Required()
        .Enum({"nearest", "bilinear"})
        .Doc(
            "nearest repeats each pixel of every input; bilinear is a "
            "per-channel Deconvolution of data by the input weight "
            "(num_filter, 1, 2 scale - scale % 2, same), stride scale, "
            "which mx.init.Bilinear makes bilinear interpolation.");
    d->Field("multi_input_mode", &UpSamplingParam::multi_input_mode)
        .Default("concat")
        .Enum({"concat", "sum"})
        .Doc(
            "How the upsampled inputs combine: along the channels, or summed.");
    d->Field("num_args", &UpSamplingParam::num_args)
        .Required()
        .Min(1)
        .Doc("Number of inputs (set from the inputs given).");
    d->Field("workspace", &UpSamplingParam::workspace)
        .Default(512)
        .Min(0)
        .Doc("Accepted for compatibility (a hint for cuDNN).");
    d->Check([](const UpSamplingParam& p) -> std::string {
      if (p.sample_type == "bilinear" && p.num_filter < 1) {
        return "sample_type 'bilinear' needs num_filter, the channels of "
               "data";
      }
      return "";
    });
  }
};

// The bilinear kernel's side and padding for `scale` (pad = ceil((s-1)/2)).
inline int64_t BilinearKernelSize(int64_t scale) {
  return 2 * scale - scale % 2;
}
inline int64_t BilinearPad(int64_t scale) { return scale / 2; }

}  // namespace ops
}  // namespace mx

#endif  // MX_OPS_NN_UPSAMPLING_H_
