// What an ONNX node's converter sees (importer internals): the node's
// attributes and inputs, with shapes from ONNX shape inference and constant
// values where they are known at import time, and the calls that make mx
// ops and record the node's outputs. See Note [ONNX import].
#ifndef MX_INTEROP_ONNX_IMPORT_CONTEXT_H_
#define MX_INTEROP_ONNX_IMPORT_CONTEXT_H_

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/symbol/symbol.h"
#include "interop/onnx/host_tensor.h"
#include "interop/onnx/importer.h"
#include "interop/onnx/onnx_proto.h"

namespace mx {
namespace onnx_io {

class GraphImporter;

class NodeContext {
 public:
  NodeContext(GraphImporter* g, const onnx::NodeProto& node, int64_t opset,
              std::string name);

  const onnx::NodeProto& node() const { return node_; }
  const std::string& op_type() const { return node_.op_type(); }
  int64_t opset() const { return opset_; }
  // The mx name of the node's (main) op.
  const std::string& name() const { return name_; }

  // ---- attributes (each read marks it handled; see CheckAttrsHandled) ----
  bool HasAttr(const std::string& a) const;
  int64_t Int(const std::string& a, int64_t fallback);
  std::vector<int64_t> Ints(const std::string& a,
                            std::vector<int64_t> fallback = {});
  double Float(const std::string& a, double fallback);
  std::string String(const std::string& a, const std::string& fallback);
  // A tensor attribute's value; nullopt when absent.
  std::optional<HostTensor> Tensor(const std::string& a);
  // Marks attributes as handled without reading them.
  void Ignore(const std::string& a);
  // UnsupportedError for an attribute present but never read.
  void CheckAttrsHandled() const;

  // ---- inputs (i counts ONNX's inputs; absent optional ones are "") ----
  int NumInputs() const;
  bool HasInput(int i) const;
  // The input's value when known at import time, else nullptr.
  const HostTensor* Constant(int i) const;
  // The value, or an UnsupportedError saying `what` must be a constant.
  const HostTensor& RequireConstant(int i, const std::string& what) const;
  // The input as a symbol; a constant becomes a variable holding it, named
  // "<node>_<role>" when `role` is given and only this node reads it.
  Symbol Input(int i, const std::string& role = "");
  // The same for BatchNorm's moving statistics (auxiliary states).
  Symbol AuxInput(int i, const std::string& role);
  // Extents from shape inference or the constant (-1 unknown); nullopt when
  // even the rank is unknown.
  std::optional<std::vector<int64_t>> Dims(int i) const;
  // Dims(i) that must be known in rank (UnsupportedError otherwise).
  std::vector<int64_t> RequireDims(int i, const std::string& why) const;
  int InputType(int i) const;  // TensorProto data type, 0 when unknown

  // ---- outputs ----
  int NumOutputs() const { return node_.output_size(); }
  // Whether output i is named (and so may be read).
  bool OutputUsed(int i) const;
  void SetOutput(int i, const Symbol& s);
  void SetConstant(int i, HostTensor t);
  // Output i's extents from shape inference (nullopt when unknown rank).
  std::optional<std::vector<int64_t>> OutputDims(int i) const;

  // ---- making ops ----
  // An mx op named name() + suffix (unique), e.g. Op("Pad", {x}, {...},
  // "_pad").
  Symbol Op(const std::string& op, const std::vector<Symbol>& inputs,
            Kwargs kwargs = {}, const std::string& suffix = "");
  // A new variable holding `t` (fixed: lr_mult and wd_mult 0), named
  // name() + suffix.
  Symbol ConstantVariable(const HostTensor& t, const std::string& suffix);
  // A new trainable variable holding `t`, named "<node>_<role>" (a weight
  // the converter rearranged, e.g. transposed).
  Symbol ParamVariable(const HostTensor& t, const std::string& role);

  // An UnsupportedError / mx::Error naming the node, op type and opset.
  UnsupportedError Unsupported(const std::string& what) const;
  Error Invalid(const std::string& what) const;
  // "Conv node 'conv1' (opset 13)".
  std::string Where() const;

 private:
  const onnx::AttributeProto* FindAttr(const std::string& a) const;
  const onnx::AttributeProto& AttrOfType(const std::string& a, int type) const;

  GraphImporter* g_;
  const onnx::NodeProto& node_;
  int64_t opset_;
  std::string name_;
  std::set<std::string> handled_;
};

using Converter = std::function<void(NodeContext&)>;

// The converters by ONNX op type (import_tensor.cc, import_math.cc,
// import_nn.cc).
const std::map<std::string, Converter>& Converters();
void AddTensorConverters(std::map<std::string, Converter>* table);
void AddMathConverters(std::map<std::string, Converter>* table);
void AddNNConverters(std::map<std::string, Converter>* table);

// ---- helpers shared by the converter files ----
// `axis` (negative from the end) as 0..rank-1; UnsupportedError otherwise.
int64_t NormalizeAxis(const NodeContext& c, int64_t axis, int64_t rank);

}  // namespace onnx_io
}  // namespace mx

#endif  // MX_INTEROP_ONNX_IMPORT_CONTEXT_H_
