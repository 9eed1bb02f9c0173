// ONNX import: an ONNX model file as an mx Symbol with its parameters.
//
//   onnx_io::ImportedModel m = onnx_io::ImportModel("net.onnx");
//   // m.symbol reads the graph inputs (m.inputs, by their ONNX names);
//   // m.args / m.aux hold the initializers under mx's names.
//
// Every ONNX node becomes mx ops with the same results: an operator,
// attribute, data type or opset mx does not support is an UnsupportedError
// naming the node, op type, attribute and opset (never an approximation).
// Shapes, constants and the values computed from them (Shape -> Gather ->
// Concat -> Reshape chains) are folded at import time.
#ifndef MX_INTEROP_ONNX_IMPORTER_H_
#define MX_INTEROP_ONNX_IMPORTER_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/base/error.h"
#include "core/ndarray/ndarray.h"
#include "core/symbol/symbol.h"

namespace mx {
namespace onnx_io {

// The model is valid ONNX but uses something mx does not support (an
// operator, an attribute value, a data type, an opset).
class UnsupportedError : public Error {
 public:
  explicit UnsupportedError(const std::string& message) : Error(message) {}
};

// A graph input that is data (not an initializer).
struct GraphInput {
  std::string name;
  std::vector<int64_t> dims;  // -1 for an extent that is symbolic or unknown
  int onnx_type = 1;          // TensorProto data type (1: float32)
};

struct ImportedModel {
  Symbol symbol;                        // outputs in the graph's output order
  std::map<std::string, NDArray> args;  // initial values of arguments
  std::map<std::string, NDArray> aux;   // moving statistics
  std::vector<GraphInput> inputs;
  std::vector<std::string> output_names;  // the ONNX names of the outputs
  int64_t opset = 0;                      // of the default domain
  std::string producer;                   // "pytorch 1.13.1", ...
};

// The opsets of the default domain mx imports.
constexpr int64_t kMinImportOpset = 7;
constexpr int64_t kMaxImportOpset = 17;

// Reads, checks (ONNX's checker) and converts the model at `path`.
// mx::Error naming the file for unreadable, truncated or invalid models
// (a cycle, a missing external-data file, ...); UnsupportedError as above.
ImportedModel ImportModel(const std::string& path);
// The same from the bytes of a model; `source` names it in errors and
// `base_dir` resolves external data.
ImportedModel ImportModelFromBytes(const std::string& bytes,
                                   const std::string& source,
                                   const std::string& base_dir);

// The model's symbol with its one data input named `data_name` ("data", as
// mx's iterators feed it); mx::Error when the model has several data inputs
// or outputs (mxinfer and mxtrain run single-input, single-output models).
Symbol SingleInputAs(const ImportedModel& m, const std::string& data_name);

// The ONNX operator types the importer converts, sorted.
std::vector<std::string> SupportedImportOps();

}  // namespace onnx_io
}  // namespace mx

#endif  // MX_INTEROP_ONNX_IMPORTER_H_
