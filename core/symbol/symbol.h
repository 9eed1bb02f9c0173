// Symbol: a composable computation graph in MXNet's style. A symbol is a list
// of outputs of graph nodes; nodes are shared between symbols, and
// composition works on a copy.
//
//   Symbol data = Symbol::Variable("data");
//   Symbol fc1 = Symbol::Create("FullyConnected", {data},
//                               {{"name", "fc1"}, {"num_hidden", 128}});
//   Symbol net = Symbol::Create("SoftmaxOutput", {fc1}, {{"name", "sm"}});
//   net.ListArguments();  // data, fc1_weight, fc1_bias, sm_label
#ifndef MX_CORE_SYMBOL_SYMBOL_H_
#define MX_CORE_SYMBOL_SYMBOL_H_

#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/base/dtype.h"
#include "core/base/shape.h"
#include "core/op/partial_shape.h"
#include "core/symbol/node.h"

namespace mx {

class Symbol;

// A keyword argument of Symbol::Create: an input symbol, or a parameter value
// written as Python's str() writes it (128 -> "128", true -> "True",
// 0.5 -> "0.5", {3, 3} -> "(3, 3)"), so that JSON matches MXNet's.
class Arg {
 public:
  Arg(const Symbol& symbol);                  // NOLINT(runtime/explicit)
  Arg(int v);                                 // NOLINT(runtime/explicit)
  Arg(long v);                                // NOLINT
  Arg(long long v);                           // NOLINT
  Arg(unsigned v);                            // NOLINT
  Arg(unsigned long v);                       // NOLINT
  Arg(double v);                              // NOLINT(runtime/explicit)
  Arg(bool v);                                // NOLINT(runtime/explicit)
  Arg(const char* v);                         // NOLINT(runtime/explicit)
  Arg(std::string v);                         // NOLINT(runtime/explicit)
  Arg(std::initializer_list<int64_t> tuple);  // NOLINT(runtime/explicit)
  Arg(const std::vector<int64_t>& tuple);     // NOLINT(runtime/explicit)

  bool is_symbol() const { return symbol_ != nullptr; }
  const Symbol& symbol() const { return *symbol_; }
  const std::string& text() const { return text_; }

 private:
  std::shared_ptr<const Symbol> symbol_;
  std::string text_;
};

using Kwargs = std::vector<std::pair<std::string, Arg>>;

// Options of Symbol::Variable, stored as MXNet's hidden attributes.
struct VariableOptions {
  // __shape__: a shape hint for inference; -1 extents are unknown.
  std::optional<PartialShape> shape;
  std::optional<DType> dtype;
  std::optional<double> lr_mult;
  std::optional<double> wd_mult;
  // __init__: an initializer description, e.g. ["zero", {}].
  std::string init;
  // Further attributes; ctx_group, lr_mult, ... get the "__x__" form.
  AttrDict attrs;
};

// Shapes from inference, in ListArguments / ListOutputs /
// ListAuxiliaryStates order.
struct PartialShapes {
  std::vector<PartialShape> arguments, outputs, aux_states;
  // True when every shape above is fully known.
  bool complete = false;
};
struct Shapes {
  std::vector<Shape> arguments, outputs, aux_states;
};
// Types from inference (DType codes or kUnknownType), same order.
struct PartialTypes {
  std::vector<int> arguments, outputs, aux_states;
  bool complete = false;
};
struct Types {
  std::vector<DType> arguments, outputs, aux_states;
};

class Symbol {
 public:
  // An empty symbol (no outputs).
  Symbol() = default;

  // ---- construction ----
  // A free variable named `name` (mx::Error when empty).
  static Symbol Variable(const std::string& name,
                         const VariableOptions& options = {});
  // An op node. `inputs` bind the op's arguments in order; `kwargs` holds
  // named inputs (symbols), parameters, "name", and attributes such as
  // "lr_mult" or "ctx_group" (stored as "__lr_mult__"). Unnamed nodes get
  // "<op>N" from the NameManager; missing inputs become variables
  // "<name>_<input>". mx::Error names the op, node and argument on bad input.
  static Symbol Create(const std::string& op, const std::vector<Symbol>& inputs,
                       const Kwargs& kwargs = {});
  // All outputs of `symbols`, in order.
  static Symbol Group(const std::vector<Symbol>& symbols);
  // A deep copy: new nodes, same structure and attributes.
  Symbol Copy() const;

  // Composition: a copy of this symbol whose free variables are replaced by
  // `args` (in ListArguments order) and `kwargs` (by variable name), with
  // the head node renamed to `name` when given.
  Symbol operator()(const std::vector<Symbol>& args,
                    const std::map<std::string, Symbol>& kwargs = {},
                    const std::string& name = "") const;

  // ---- outputs ----
  size_t NumOutputs() const { return outputs_.size(); }
  // Output i as a symbol; mx::Error when out of range.
  Symbol operator[](size_t i) const;
  // The output named `name` ("fc1_output"); mx::Error listing the outputs
  // otherwise.
  Symbol operator[](const std::string& name) const;
  // Every output of every node (visible ones), e.g. "fc1_output".
  Symbol GetInternals() const;
  // The nodes feeding the head node, as a group (MXNet's get_children); an
  // empty symbol for a variable.
  Symbol GetChildren() const;

  // ---- listing (depth-first post-order from the heads) ----
  std::vector<std::string> ListArguments() const;
  std::vector<std::string> ListOutputs() const;
  std::vector<std::string> ListAuxiliaryStates() const;
  // Arguments and auxiliary states together, in graph order.
  std::vector<std::string> ListInputs() const;
  // The head node's name, "" for a group.
  std::string name() const;

  // ---- attributes ----
  // Attribute `key` of the head node ("lr_mult" finds "__lr_mult__").
  std::optional<std::string> Attr(const std::string& key) const;
  // Sets an attribute of the head node (hidden keys get "__x__"); mx::Error
  // for groups.
  void SetAttr(const std::string& key, const std::string& value);
  // Attributes of every node by node name (nodes without any are left out).
  std::map<std::string, mx::AttrDict> AllAttrs() const;

  // ---- inference ----
  // Partial shape inference from the known shapes of some arguments or
  // auxiliary states (by name) and the variables' __shape__ hints.
  // mx::Error for unknown names and contradictions (naming node, op,
  // argument and both shapes).
  PartialShapes InferShapePartial(
      const std::map<std::string, PartialShape>& known) const;
  // Complete inference; mx::Error listing what stays unknown.
  Shapes InferShape(const std::map<std::string, PartialShape>& known) const;
  PartialTypes InferTypePartial(
      const std::map<std::string, DType>& known) const;
  Types InferType(const std::map<std::string, DType>& known) const;

  // ---- serialization (MXNet's NNVM JSON) ----
  std::string ToJSON() const;
  // Reads NNVM JSON (0.9 to 1.x) or legacy JSON (0.8 and before, upgraded as
  // MXNet does); `source` names the text in errors.
  static Symbol FromJSON(const std::string& json,
                         const std::string& source = "<json>");
  // Writes ToJSON() to `path` atomically.
  void Save(const std::string& path) const;
  static Symbol Load(const std::string& path);

  // ---- graph access for passes ----
  const std::vector<NodeEntry>& outputs() const { return outputs_; }
  explicit Symbol(std::vector<NodeEntry> outputs)
      : outputs_(std::move(outputs)) {}

 private:
  std::vector<NodeEntry> outputs_;
};

// Elementwise arithmetic (MXNet's _Plus, _Minus, _Mul, _Div and the scalar
// forms _PlusScalar, _RMinusScalar, ...).
Symbol operator+(const Symbol& a, const Symbol& b);
Symbol operator-(const Symbol& a, const Symbol& b);
Symbol operator*(const Symbol& a, const Symbol& b);
Symbol operator/(const Symbol& a, const Symbol& b);
Symbol operator+(const Symbol& a, double b);
Symbol operator-(const Symbol& a, double b);
Symbol operator*(const Symbol& a, double b);
Symbol operator/(const Symbol& a, double b);
Symbol operator+(double a, const Symbol& b);
Symbol operator-(double a, const Symbol& b);
Symbol operator*(double a, const Symbol& b);
Symbol operator/(double a, const Symbol& b);

// Shapes (types) of every entry of `g` by entry id, from the known shapes
// (types) of some variables by name and the variables' hints; what cannot be
// inferred stays unknown. mx::Error for unknown names and contradictions.
std::vector<PartialShape> InferEntryShapes(
    const IndexedGraph& g, const std::map<std::string, PartialShape>& known);
std::vector<int> InferEntryTypes(const IndexedGraph& g,
                                 const std::map<std::string, DType>& known);

// The attributes MXNet stores as hidden keys "__x__": ctx_group, lr_mult,
// wd_mult, force_mirroring, mirror_stage, profiler_scope.
const std::vector<std::string>& HiddenAttrNames();
// "lr_mult" -> "__lr_mult__" for those names; other keys unchanged.
std::string HiddenAttrKey(const std::string& key);
// Where a user attribute (AttrScope, attr={...}) is kept: "group" ->
// "__group__" (unchanged when already of that form), so it is never read as
// an op parameter (MXNet 1.x's form).
std::string UserAttrKey(const std::string& key);

}  // namespace mx

#endif  // MX_CORE_SYMBOL_SYMBOL_H_
