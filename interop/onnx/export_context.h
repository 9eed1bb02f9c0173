// What an mx node's exporter sees (exporter internals): the node's
// parameters (defaults included), its inputs' and outputs' ONNX tensor names
// and inferred shapes, parameter values, and calls that add ONNX nodes and
// initializers. See Note [ONNX export].
#ifndef MX_INTEROP_ONNX_EXPORT_CONTEXT_H_
#define MX_INTEROP_ONNX_EXPORT_CONTEXT_H_

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/symbol/node.h"
#include "interop/onnx/host_tensor.h"
#include "interop/onnx/onnx_proto.h"

namespace mx {
namespace onnx_io {

class GraphExporter;

// An attribute of an ONNX node being written.
struct OnnxAttr {
  std::string name;
  enum Kind { kInt, kInts, kFloat, kString } kind = kInt;
  int64_t i = 0;
  std::vector<int64_t> ints;
  double f = 0;
  std::string s;
};
OnnxAttr IntAttr(const std::string& name, int64_t v);
OnnxAttr IntsAttr(const std::string& name, std::vector<int64_t> v);
OnnxAttr FloatAttr(const std::string& name, double v);
OnnxAttr StringAttr(const std::string& name, std::string v);

class ExportContext {
 public:
  ExportContext(GraphExporter* g, uint32_t node_id);

  const Node& node() const { return node_; }
  const std::string& name() const { return node_.attrs.name; }
  // "Convolution 'conv1'".
  std::string Where() const { return node_.attrs.Where(); }

  // ---- parameters (every field, defaults included, as MXNet prints) ----
  std::string Param(const std::string& p) const;
  int64_t Int(const std::string& p) const;
  double Float(const std::string& p) const;
  bool Bool(const std::string& p) const;
  // A tuple ("(3, 3)", "()", "None": empty).
  std::vector<int64_t> Ints(const std::string& p) const;
  bool IsNone(const std::string& p) const;

  // ---- inputs and outputs ----
  int NumInputs() const;
  // The ONNX tensor of input i (a graph input or initializer for a
  // variable).
  std::string In(int i);
  const Shape& InShape(int i) const;
  DType InType(int i) const;
  // The value of input i when it is a parameter, else nullptr.
  const HostTensor* ParamValue(int i) const;
  std::string Out(int i) const;
  const Shape& OutShape(int i) const;
  // Whether output i is read by another node or is a graph output.
  bool OutputUsed(int i) const;

  // ---- writing ----
  // Adds an ONNX node; returns its first output. Outputs "" get a fresh
  // tensor name.
  std::string Add(const std::string& op_type,
                  const std::vector<std::string>& inputs,
                  std::vector<OnnxAttr> attrs = {},
                  std::vector<std::string> outputs = {""});
  // Adds an initializer named after this node and `suffix`.
  std::string Constant(const HostTensor& t, const std::string& suffix);
  std::string Int64s(const std::vector<int64_t>& v, const std::string& suffix);
  // A 0-d constant of input i's element type.
  std::string Scalar(double v, int like_input, const std::string& suffix);
  // Replaces the initializer of input i (a parameter) with `t`.
  std::string ReplaceParam(int i, const HostTensor& t);

  Error Unsupported(const std::string& what) const;

 private:
  GraphExporter* g_;
  uint32_t id_;
  const Node& node_;
  AttrDict params_;
};

using Exporter = std::function<void(ExportContext&)>;
// The exporters by mx's canonical op name (export_ops.cc).
const std::map<std::string, Exporter>& Exporters();

}  // namespace onnx_io
}  // namespace mx

#endif  // MX_INTEROP_ONNX_EXPORT_CONTEXT_H_
