// Helpers shared by the ops with spatial windows (Convolution, Deconvolution,
// Pooling): 1-D, 2-D and 3-D, channel-first layouts (NCW, NCHW, NCDHW).
#ifndef MX_OPS_COMMON_SPATIAL_H_
#define MX_OPS_COMMON_SPATIAL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/op/op.h"

namespace mx {
namespace ops {

// `v`, or `n` copies of `fill` when `v` is empty (MXNet's "()" defaults).
std::vector<int64_t> SpatialOr(const std::vector<int64_t>& v, size_t n,
                               int64_t fill);

// "" when every named tuple is empty or as long as `kernel` (1 to 3 dims),
// otherwise the problem, e.g. "stride (1, 1, 1) has 3 dims but kernel (3, 3)
// has 2".
std::string CheckSpatialTuples(
    const std::vector<int64_t>& kernel,
    const std::vector<std::pair<const char*, const std::vector<int64_t>*>>&
        tuples);

// "" for no layout or a channel-first one matching nothing else; mx computes
// channel-first layouts only.
std::string CheckChannelFirstLayout(const std::optional<std::string>& layout);

// The layouts MXNet accepts for the `layout` parameter.
const std::vector<std::string>& LayoutNames();

// Fails unless data has rank `spatial + 2`; returns false when the rank is
// still unknown.
bool CheckSpatialRank(InferShapeContext* ctx, const PartialShape& data,
                      size_t spatial);

// floor((in + 2 pad - dilate (kernel - 1) - 1) / stride) + 1, the output
// extent of a convolution window; -1 when `in` is unknown. Fails when the
// dilated kernel is larger than the padded input.
int64_t ConvOutExtent(InferShapeContext* ctx, int axis, int64_t in,
                      int64_t kernel, int64_t stride, int64_t pad,
                      int64_t dilate);

// Inputs of ops with an optional bias: data, weight[, bias].
std::vector<std::string> DataWeightBias(bool no_bias);

// The channel count (axis 1) of `data`, -1 when unknown; fails unless it is
// divisible by `num_group`.
int64_t GroupedChannels(InferShapeContext* ctx, const PartialShape& data,
                        int64_t num_group);

// An axis in [-ndim, ndim) made non-negative; fails naming `param` otherwise.
int NormalizeAxis(InferShapeContext* ctx, const char* param, int64_t axis,
                  int ndim);

}  // namespace ops
}  // namespace mx

#endif  // MX_OPS_COMMON_SPATIAL_H_
