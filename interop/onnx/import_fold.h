// Host-side folding shared by the ONNX converters (importer internals):
// NumPy broadcasting and binary ops on constants, the size bound of folded
// values, the axes argument of Squeeze / Unsqueeze / Reduce*.
#ifndef MX_INTEROP_ONNX_IMPORT_FOLD_H_
#define MX_INTEROP_ONNX_IMPORT_FOLD_H_

#include <optional>
#include <vector>

#include "interop/onnx/host_tensor.h"
#include "interop/onnx/import_context.h"

namespace mx {
namespace onnx_io {

// Values folded at import are held on the host as doubles: at most 2^24 of
// them per tensor (128 MiB), so a small file cannot ask for a huge fold.
constexpr int64_t kMaxFolded = int64_t{1} << 24;
// UnsupportedError naming the node when `n` values exceed kMaxFolded.
void CheckFoldSize(const NodeContext& c, int64_t n);
// NumPy's broadcast of two shapes; nullopt when they do not broadcast.
std::optional<std::vector<int64_t>> BroadcastDims(std::vector<int64_t> a,
                                                  std::vector<int64_t> b);
// f(a, b) elementwise with broadcasting, in a's type (integer types
// truncate); mx::Error when the shapes do not broadcast.
HostTensor FoldBinary(const NodeContext& c, const HostTensor& a,
                      const HostTensor& b, double (*f)(double, double));
// The axes of a node: input `input` from opset 13 (when input >= 0), the
// attribute "axes" before; *given says whether there were any.
std::vector<int64_t> AxesArgument(NodeContext& c, int input, bool* given);

}  // namespace onnx_io
}  // namespace mx

#endif  // MX_INTEROP_ONNX_IMPORT_FOLD_H_
