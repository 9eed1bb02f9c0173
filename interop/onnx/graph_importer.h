// The walk over an ONNX graph that builds the mx symbol (importer
// internals): values by ONNX tensor name, shapes from ONNX shape inference,
// parameter naming, and the converters' bookkeeping.
#ifndef MX_INTEROP_ONNX_GRAPH_IMPORTER_H_
#define MX_INTEROP_ONNX_GRAPH_IMPORTER_H_

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "interop/onnx/host_tensor.h"
#include "interop/onnx/importer.h"
#include "interop/onnx/onnx_proto.h"

namespace mx {
namespace onnx_io {

// One ONNX tensor during import: computed by the graph (a symbol), known at
// import time (a constant), or both once a constant has been materialized.
struct Value {
  std::optional<Symbol> symbol;
  std::optional<HostTensor> constant;
  bool initializer = false;  // a trainable initializer (not a Constant node)
};

class GraphImporter {
 public:
  GraphImporter(const onnx::ModelProto& model, std::string base_dir);
  ImportedModel Run();

  // For NodeContext.
  const Value* Find(const std::string& tensor) const;
  Symbol Materialize(const std::string& tensor, const std::string& role_name,
                     bool aux);
  void SetSymbol(const std::string& tensor, const Symbol& s);
  void SetConstant(const std::string& tensor, HostTensor t);
  std::optional<std::vector<int64_t>> Dims(const std::string& tensor) const;
  int Type(const std::string& tensor) const;
  // A unique mx node name from `wanted`.
  std::string UniqueName(const std::string& wanted);
  Symbol NewVariable(const std::string& name, const HostTensor& t, bool aux,
                     bool fixed);
  int Uses(const std::string& tensor) const;
  // Records the ONNX node an mx node came from, for errors.
  void NoteOrigin(const std::string& mx_node, const std::string& where);

 private:
  void ReadTypes(const onnx::ValueInfoProto& v);
  void ConvertNode(const onnx::NodeProto& node);
  std::string NodeName(const onnx::NodeProto& node);
  void CheckKernelTypes() const;

  const onnx::ModelProto& model_;
  std::string base_dir_;
  int64_t opset_ = 0;
  std::map<std::string, Value> values_;
  std::map<std::string, std::vector<int64_t>> dims_;  // -1: unknown extent
  std::map<std::string, int> types_;
  std::map<std::string, int> uses_;
  std::set<std::string> names_;  // mx names taken (nodes and variables)
  std::map<std::string, int> op_counts_;
  std::map<std::string, std::string> origins_;  // mx node -> ONNX Where()
  ImportedModel out_;
};

// Node and variable names: ONNX names with characters other than letters,
// digits, '_' and '.' replaced by '_' ("/layer1/conv/Conv" ->
// "layer1_conv_Conv").
std::string SanitizeName(const std::string& name);

}  // namespace onnx_io
}  // namespace mx

#endif  // MX_INTEROP_ONNX_GRAPH_IMPORTER_H_
