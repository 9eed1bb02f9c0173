// The operator registry: one declaration per op (Note [One op, one place] in
// docs/design_notes.md) holding its parameters, inputs, auxiliary states,
// outputs, shape and type inference and gradient declaration. Ops register
// themselves statically from their own file:
//
//   MX_REGISTER_OP(FullyConnected)
//       .Describe("out = data * weight^T + bias")
//       .Params<FullyConnectedParam>()
//       .Inputs(FullyConnectedInputs)
//       .InferShape(FullyConnectedShape)
//       .Backward(...);
#ifndef MX_CORE_OP_OP_H_
#define MX_CORE_OP_OP_H_

#include <any>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/base/dtype.h"
#include "core/op/param.h"
#include "core/op/partial_shape.h"

namespace mx {

class OpDef;

// What an op knows of one node: its type, name, string attributes and the
// parameters parsed from them.
struct NodeAttrs {
  const OpDef* op = nullptr;
  std::string name;
  AttrDict dict;
  std::any parsed;

  // The parsed parameter struct (internal error when P is not the op's).
  template <typename P>
  const P& params() const {
    const P* p = std::any_cast<P>(&parsed);
    if (p == nullptr) ThrowWrongParams();
    return *p;
  }
  // "FullyConnected 'fc1'", the prefix of every error about this node.
  std::string Where() const;

 private:
  [[noreturn]] void ThrowWrongParams() const;
};

// Parses `dict` with the op's schema into a NodeAttrs; mx::Error naming the op,
// the node and the parameter when a value is unknown, missing or invalid.
NodeAttrs MakeNodeAttrs(const OpDef& op, const std::string& name,
                        AttrDict dict);

// The view an op's shape inference gets of one node. Inference runs
// repeatedly, forward and backward over the graph, until nothing changes; an
// op fills in whatever it can (outputs from inputs, parameter shapes from
// the data shape, sometimes inputs from outputs) and returns.
class InferShapeContext {
 public:
  InferShapeContext(const NodeAttrs& attrs, std::vector<PartialShape>* in,
                    std::vector<PartialShape>* out,
                    const std::vector<std::string>& in_names);

  const NodeAttrs& attrs() const { return attrs_; }
  template <typename P>
  const P& params() const {
    return attrs_.params<P>();
  }
  int num_inputs() const { return static_cast<int>(in_->size()); }
  int num_outputs() const { return static_cast<int>(out_->size()); }
  const PartialShape& in(int i) const { return (*in_)[i]; }
  const PartialShape& out(int i) const { return (*out_)[i]; }

  // Refines input i (or output i) with `shape`; mx::Error naming the op, the
  // node, the argument and both shapes when they contradict.
  void AssignIn(int i, const PartialShape& shape);
  void AssignOut(int i, const PartialShape& shape);
  // mx::Error "<Op> '<node>': <problem>; inputs: data=(..), weight=(..)".
  [[noreturn]] void Fail(const std::string& problem) const;

 private:
  std::string InputsText() const;

  const NodeAttrs& attrs_;
  std::vector<PartialShape>* in_;
  std::vector<PartialShape>* out_;
  const std::vector<std::string>& in_names_;
};
using InferShapeFn = std::function<void(InferShapeContext*)>;

// Type codes under inference: a DType code, or kUnknownType.
constexpr int kUnknownType = -1;

// The view an op's type inference gets of one node (same protocol as shapes).
class InferTypeContext {
 public:
  InferTypeContext(const NodeAttrs& attrs, std::vector<int>* in,
                   std::vector<int>* out,
                   const std::vector<std::string>& in_names);

  const NodeAttrs& attrs() const { return attrs_; }
  int num_inputs() const { return static_cast<int>(in_->size()); }
  int num_outputs() const { return static_cast<int>(out_->size()); }
  int in(int i) const { return (*in_)[i]; }
  int out(int i) const { return (*out_)[i]; }
  void AssignIn(int i, int type);
  void AssignOut(int i, int type);

 private:
  const NodeAttrs& attrs_;
  std::vector<int>* in_;
  std::vector<int>* out_;
  const std::vector<std::string>& in_names_;
};
using InferTypeFn = std::function<void(InferTypeContext*)>;

// The default type inference: every input and output has one type.
void InferSameType(InferTypeContext* ctx);

// What an op's backward kernel reads besides the output gradients it lists
// (Note [Backward dependencies]): the fewer, the earlier the memory planner
// can release forward buffers.
struct BackwardDeps {
  // Indices of outputs whose gradients are read.
  std::vector<int> out_grads;
  // Indices of inputs read (auxiliary states count as inputs).
  std::vector<int> inputs;
  // Indices of outputs read (hidden outputs included).
  std::vector<int> outputs;
};
using BackwardDepsFn = std::function<BackwardDeps(const NodeAttrs&)>;

using NamesFn = std::function<std::vector<std::string>(const NodeAttrs&)>;

// A following node an op's node may absorb (Note [Op fusion]): a node of
// this op whose output 0 is read only by input 0 of a node of op `next`,
// when `accepts(this node, next node)`, runs with it as one node of op
// `fused`: this node's parameters, its inputs then the next node's others,
// its outputs with output 0 now the next node's.
struct OpFusion {
  std::string next;
  std::string fused;
  std::function<bool(const NodeAttrs& self, const NodeAttrs& next)> accepts;
  // The next nodes accepted, for docs/ops.md ("a ReLU Activation").
  std::string doc;
};

class OpDef {
 public:
  explicit OpDef(std::string name);

  // ---- declaration (chained at registration) ----
  OpDef& Describe(std::string doc);
  // Another name that resolves to this op (MXNet's older or newer names).
  OpDef& Alias(const std::string& alias);
  template <typename P>
  OpDef& Params() {
    schema_ = MakeParamSchema<P>();
    return *this;
  }
  // Argument names, fixed or depending on the parameters (no_bias, num_args).
  OpDef& Inputs(std::vector<std::string> names);
  OpDef& Inputs(NamesFn fn);
  // Auxiliary states: inputs the op updates itself, not arguments.
  OpDef& AuxStates(std::vector<std::string> names);
  // All outputs, hidden ones included; default {"output"}.
  OpDef& Outputs(std::vector<std::string> names);
  OpDef& Outputs(NamesFn fn);
  // How many outputs, from the first, the user sees (default all).
  OpDef& VisibleOutputs(std::function<int(const NodeAttrs&)> fn);
  // The parameter counting the inputs of a variadic op ("num_args"): symbol
  // creation sets it from the number of inputs given.
  OpDef& VariadicInputs(std::string count_key);
  OpDef& InferShape(InferShapeFn fn);
  OpDef& InferType(InferTypeFn fn);
  // The gradient declaration: what backward reads.
  OpDef& Backward(BackwardDepsFn fn);
  // Inputs that receive no gradient (labels, indices).
  OpDef& NoGradient(std::vector<std::string> input_names);
  // A loss head: backward needs no head gradient (SoftmaxOutput).
  OpDef& Loss(std::function<bool(const NodeAttrs&)> fn = nullptr);
  // (input, output) pairs that may share memory in forward, and
  // (output gradient, input gradient) pairs in backward.
  OpDef& InplaceForward(std::vector<std::pair<int, int>> pairs);
  OpDef& InplaceBackward(std::vector<std::pair<int, int>> pairs);
  // Called for every variable bound to input `index` when the node is
  // created (BatchNorm marks moving_mean with __init__ "zero").
  using VarAttrsFn =
      std::function<void(const NodeAttrs&, int index, AttrDict* var_attrs)>;
  OpDef& OnInputVariable(VarAttrsFn fn);
  // Declares a fusion with a following node (see OpFusion).
  OpDef& FusesWith(OpFusion fusion);

  // ---- queries ----
  const std::string& name() const { return name_; }
  const std::string& doc() const { return doc_; }
  const std::vector<std::string>& aliases() const { return aliases_; }
  const ParamSchema& schema() const { return *schema_; }
  const std::string& variadic_key() const { return variadic_key_; }
  // For a variadic op, sets its count parameter to `num_inputs` unless
  // `dict` gives it (symbol creation, imperative calls and configs count
  // inputs alike); nothing for other ops.
  void CountInputs(size_t num_inputs, AttrDict* dict) const;
  std::vector<std::string> ListArguments(const NodeAttrs& attrs) const;
  const std::vector<std::string>& ListAuxStates() const { return aux_; }
  // Arguments followed by auxiliary states: the node's inputs in order.
  std::vector<std::string> ListInputs(const NodeAttrs& attrs) const;
  std::vector<std::string> ListOutputs(const NodeAttrs& attrs) const;
  int NumVisibleOutputs(const NodeAttrs& attrs) const;
  const InferShapeFn& infer_shape() const { return infer_shape_; }
  const InferTypeFn& infer_type() const { return infer_type_; }
  bool has_backward() const { return static_cast<bool>(backward_); }
  BackwardDeps GetBackwardDeps(const NodeAttrs& attrs) const;
  const std::vector<std::string>& no_gradient() const { return no_gradient_; }
  bool IsLoss(const NodeAttrs& attrs) const;
  const std::vector<std::pair<int, int>>& inplace_forward() const {
    return inplace_forward_;
  }
  const std::vector<std::pair<int, int>>& inplace_backward() const {
    return inplace_backward_;
  }
  const VarAttrsFn& on_input_variable() const { return on_input_variable_; }
  const std::vector<OpFusion>& fusions() const { return fusions_; }

 private:
  std::string name_;
  std::string doc_;
  std::vector<std::string> aliases_;
  std::shared_ptr<const ParamSchema> schema_;
  NamesFn inputs_;
  std::vector<std::string> aux_;
  NamesFn outputs_;
  std::function<int(const NodeAttrs&)> visible_outputs_;
  std::string variadic_key_;
  InferShapeFn infer_shape_;
  InferTypeFn infer_type_ = InferSameType;
  BackwardDepsFn backward_;
  std::vector<std::string> no_gradient_;
  std::function<bool(const NodeAttrs&)> is_loss_;
  std::vector<std::pair<int, int>> inplace_forward_, inplace_backward_;
  VarAttrsFn on_input_variable_;
  std::vector<OpFusion> fusions_;
};

// All registered ops, by name and alias.
class OpRegistry {
 public:
  static OpRegistry& Global();

  // Adds an op; internal error when the name is taken.
  OpDef& Register(const std::string& name);
  // The op named `name` (or aliased so), or nullptr.
  const OpDef* Find(const std::string& name) const;
  // Like Find, but mx::Error "unknown operator 'X' (did you mean ...)".
  const OpDef& Get(const std::string& name) const;
  // Canonical names, sorted.
  std::vector<std::string> Names() const;
  // Canonical names and aliases, sorted.
  std::vector<std::string> AllNames() const;
  // Makes `alias` resolve to `op` (OpDef::Alias calls it); internal error
  // when the name is taken.
  void AddAlias(const std::string& alias, const OpDef* op);

 private:
  std::map<std::string, std::unique_ptr<OpDef>> ops_;
  std::map<std::string, const OpDef*> by_name_;
};

}  // namespace mx

#define MX_OP_CONCAT_INNER(a, b) a##b
#define MX_OP_CONCAT(a, b) MX_OP_CONCAT_INNER(a, b)
// Registers an op at static initialization; chain its declaration.
#define MX_REGISTER_OP(Name)                                               \
  [[maybe_unused]] static ::mx::OpDef& MX_OP_CONCAT(mx_op_, __COUNTER__) = \
      ::mx::OpRegistry::Global().Register(#Name)

#endif  // MX_CORE_OP_OP_H_
