// ONNX export: an mx Symbol with its parameters as an ONNX model (opset 11,
// which the runtimes users deploy on read: OpenCV 4.6's DNN module among them),
// checked by ONNX's checker before it is written.
//
//   onnx_io::ExportModel(symbol, args, aux, {{"data", Shape({1, 1, 28, 28})}},
//                        "lenet.onnx");
//
// The model computes the symbol's inference outputs: loss layers become
// their predictions (SoftmaxOutput -> Softmax) and their label inputs are
// left out. The batch axis stays symbolic ("N") wherever the graph allows.
// An op, parameter or layout ONNX cannot express (or mx does not export yet)
// is an mx::Error naming the node and op.
#ifndef MX_INTEROP_ONNX_EXPORTER_H_
#define MX_INTEROP_ONNX_EXPORTER_H_

#include <map>
#include <string>
#include <vector>

#include "core/base/shape.h"
#include "core/ndarray/ndarray.h"
#include "core/symbol/symbol.h"

namespace mx {
namespace onnx_io {

// The opset exported models declare.
constexpr int64_t kExportOpset = 11;

// The serialized ModelProto of `symbol` with `args` / `aux` as
// initializers; `input_shapes` gives every data input's shape (batch
// first). mx::Error for unknown inputs, missing parameters, ops that do not
// export, or a model ONNX's checker refuses.
std::string ExportModelBytes(const Symbol& symbol,
                             const std::map<std::string, NDArray>& args,
                             const std::map<std::string, NDArray>& aux,
                             const std::map<std::string, Shape>& input_shapes);
// Writes the same to `path` atomically.
void ExportModel(const Symbol& symbol,
                 const std::map<std::string, NDArray>& args,
                 const std::map<std::string, NDArray>& aux,
                 const std::map<std::string, Shape>& input_shapes,
                 const std::string& path);

// The mx ops the exporter writes, sorted.
std::vector<std::string> SupportedExportOps();

}  // namespace onnx_io
}  // namespace mx

#endif  // MX_INTEROP_ONNX_EXPORTER_H_
