#include "ops/common/spatial.h"

#include "core/base/error.h"
#include "core/base/strings.h"

namespace mx {
namespace ops {

std::vector<int64_t> SpatialOr(const std::vector<int64_t>& v, size_t n,
                               int64_t fill) {
  return v.empty() ? std::vector<int64_t>(n, fill) : v;
}

std::string CheckSpatialTuples(
    const std::vector<int64_t>& kernel,
    const std::vector<std::pair<const char*, const std::vector<int64_t>*>>&
        tuples) {
  if (kernel.size() > 3) {
    return "kernel " + PythonTuple(kernel) +
           " has more than 3 dims; 1-D, 2-D and 3-D windows are supported";
  }
  for (const auto& [name, tuple] : tuples) {
    if (!tuple->empty() && tuple->size() != kernel.size()) {
      return StrCat(name, " ", PythonTuple(*tuple), " has ", tuple->size(),
                    " dims but kernel ", PythonTuple(kernel), " has ",
                    kernel.size());
    }
  }
  return "";
}

const std::vector<std::string>& LayoutNames() {
  static const std::vector<std::string> names = {"NCW", "NCHW", "NCDHW",
                                                 "NWC", "NHWC", "NDHWC"};
  return names;
}

std::string CheckChannelFirstLayout(const std::optional<std::string>& layout) {
  if (!layout || *layout == "NCW" || *layout == "NCHW" || *layout == "NCDHW") {
    return "";
  }
  return "layout " + *layout +
         " is not supported: mx computes channel-first layouts (NCW, NCHW, "
         "NCDHW); transpose the data instead";
}

bool CheckSpatialRank(InferShapeContext* ctx, const PartialShape& data,
                      size_t spatial) {
  if (!data.rank_known()) return false;
  if (data.ndim() != static_cast<int>(spatial) + 2) {
    static const char* kForms[] = {"", "(N,C,W)", "(N,C,H,W)", "(N,C,D,H,W)"};
    ctx->Fail(StrCat("data must be ", spatial + 2, "-D ", kForms[spatial],
                     " for a ", spatial, "-D kernel, got ", data.ToString()));
  }
  return true;
}

int64_t ConvOutExtent(InferShapeContext* ctx, int axis, int64_t in,
                      int64_t kernel, int64_t stride, int64_t pad,
                      int64_t dilate) {
  if (in < 0) return -1;
  const int64_t window = dilate * (kernel - 1) + 1;
  if (in + 2 * pad < window) {
    ctx->Fail(StrCat("the window (kernel ", kernel, ", dilate ", dilate, ": ",
                     window, ") is larger than the padded input along ",
                     "spatial axis ", axis, " (", in, " + 2*", pad, ")"));
  }
  return (in + 2 * pad - window) / stride + 1;
}

std::vector<std::string> DataWeightBias(bool no_bias) {
  return no_bias ? std::vector<std::string>{"data", "weight"}
                 : std::vector<std::string>{"data", "weight", "bias"};
}

int64_t GroupedChannels(InferShapeContext* ctx, const PartialShape& data,
                        int64_t num_group) {
  const int64_t channels = data[1];
  if (channels >= 0 && channels % num_group != 0) {
    ctx->Fail(StrCat("data has ", channels,
                     " channels, not divisible by num_group ", num_group));
  }
  return channels;
}

int NormalizeAxis(InferShapeContext* ctx, const char* param, int64_t axis,
                  int ndim) {
  if (axis < -ndim || axis >= ndim) {
    ctx->Fail(StrCat(param, "=", axis, " is out of range for ", ndim,
                     "-D data; expected ", -ndim, " <= ", param, " < ", ndim));
  }
  return static_cast<int>(axis < 0 ? axis + ndim : axis);
}

}  // namespace ops
}  // namespace mx
