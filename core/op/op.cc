#include "core/op/op.h"

#include "core/base/error.h"
#include "core/base/strings.h"

namespace mx {

std::string NodeAttrs::Where() const {
  return StrCat(op ? op->name() : std::string("Variable"), " '", name, "'");
}

void NodeAttrs::ThrowWrongParams() const {
  detail::ThrowInternal(__FILE__, __LINE__, "params<P>()",
                        Where() + ": parameters of another type requested");
}

NodeAttrs MakeNodeAttrs(const OpDef& op, const std::string& name,
                        AttrDict dict) {
  NodeAttrs attrs;
  attrs.op = &op;
  attrs.name = name;
  attrs.parsed = op.schema().Parse(dict, attrs.Where());
  attrs.dict = std::move(dict);
  return attrs;
}

// ---- inference contexts ----

InferShapeContext::InferShapeContext(const NodeAttrs& attrs,
                                     std::vector<PartialShape>* in,
                                     std::vector<PartialShape>* out,
                                     const std::vector<std::string>& in_names)
    : attrs_(attrs), in_(in), out_(out), in_names_(in_names) {}

std::string InferShapeContext::InputsText() const {
  const std::vector<std::string> args = attrs_.op->ListInputs(attrs_);
  std::vector<std::string> parts;
  for (size_t i = 0; i < in_->size(); ++i) {
    parts.push_back((i < args.size() ? args[i] : std::to_string(i)) + "=" +
                    (*in_)[i].ToString());
  }
  return Join(parts, ", ");
}

void InferShapeContext::Fail(const std::string& problem) const {
  MX_THROW(attrs_.Where(), ": ", problem, "; inputs: ", InputsText());
}

void InferShapeContext::AssignIn(int i, const PartialShape& shape) {
  PartialShape& current = (*in_)[i];
  if (current.Merge(shape)) return;
  const std::vector<std::string> args = attrs_.op->ListInputs(attrs_);
  MX_THROW(attrs_.Where(), ": ", args[i], " '", in_names_[i], "' has shape ",
           current.ToString(), " but the op expects ", shape.ToString(),
           " from its parameters and other inputs; inputs: ", InputsText());
}

void InferShapeContext::AssignOut(int i, const PartialShape& shape) {
  PartialShape& current = (*out_)[i];
  if (current.Merge(shape)) return;
  const std::vector<std::string> outs = attrs_.op->ListOutputs(attrs_);
  MX_THROW(attrs_.Where(), ": output ", outs[i], " has shape ",
           current.ToString(), " (required by its consumers) but the op ",
           "computes ", shape.ToString(), "; inputs: ", InputsText());
}

InferTypeContext::InferTypeContext(const NodeAttrs& attrs, std::vector<int>* in,
                                   std::vector<int>* out,
                                   const std::vector<std::string>& in_names)
    : attrs_(attrs), in_(in), out_(out), in_names_(in_names) {}

namespace {
std::string TypeText(int type) {
  return type == kUnknownType ? std::string("unknown")
                              : DTypeName(DTypeFromCode(type));
}
}  // namespace

void InferTypeContext::AssignIn(int i, int type) {
  int& current = (*in_)[i];
  if (type == kUnknownType || current == type) return;
  if (current == kUnknownType) {
    current = type;
    return;
  }
  const std::vector<std::string> args = attrs_.op->ListInputs(attrs_);
  MX_THROW(attrs_.Where(), ": ", args[i], " '", in_names_[i], "' has type ",
           TypeText(current), " but the op expects ", TypeText(type));
}

void InferTypeContext::AssignOut(int i, int type) {
  int& current = (*out_)[i];
  if (type == kUnknownType || current == type) return;
  if (current == kUnknownType) {
    current = type;
    return;
  }
  MX_THROW(attrs_.Where(), ": output ", i, " has type ", TypeText(current),
           " (required by its consumers) but the op computes ", TypeText(type));
}

void InferSameType(InferTypeContext* ctx) {
  int type = kUnknownType;
  for (int i = 0; i < ctx->num_inputs() && type == kUnknownType; ++i)
    type = ctx->in(i);
  for (int i = 0; i < ctx->num_outputs() && type == kUnknownType; ++i)
    type = ctx->out(i);
  if (type == kUnknownType) return;
  for (int i = 0; i < ctx->num_inputs(); ++i) ctx->AssignIn(i, type);
  for (int i = 0; i < ctx->num_outputs(); ++i) ctx->AssignOut(i, type);
}

// ---- OpDef ----

namespace {
// The parameters of an op that declares none.
struct NoParams {
  static void Declare(ParamDeclarer<NoParams>*) {}
};
}  // namespace

OpDef::OpDef(std::string name)
    : name_(std::move(name)), schema_(MakeParamSchema<NoParams>()) {}

OpDef& OpDef::Describe(std::string doc) {
  doc_ = std::move(doc);
  return *this;
}

OpDef& OpDef::Alias(const std::string& alias) {
  aliases_.push_back(alias);
  OpRegistry::Global().AddAlias(alias, this);
  return *this;
}

OpDef& OpDef::Inputs(std::vector<std::string> names) {
  inputs_ = [names](const NodeAttrs&) { return names; };
  return *this;
}

OpDef& OpDef::Inputs(NamesFn fn) {
  inputs_ = std::move(fn);
  return *this;
}

OpDef& OpDef::AuxStates(std::vector<std::string> names) {
  aux_ = std::move(names);
  return *this;
}

OpDef& OpDef::Outputs(std::vector<std::string> names) {
  outputs_ = [names](const NodeAttrs&) { return names; };
  return *this;
}

OpDef& OpDef::Outputs(NamesFn fn) {
  outputs_ = std::move(fn);
  return *this;
}

OpDef& OpDef::VisibleOutputs(std::function<int(const NodeAttrs&)> fn) {
  visible_outputs_ = std::move(fn);
  return *this;
}

OpDef& OpDef::VariadicInputs(std::string count_key) {
  variadic_key_ = std::move(count_key);
  return *this;
}

OpDef& OpDef::InferShape(InferShapeFn fn) {
  infer_shape_ = std::move(fn);
  return *this;
}

OpDef& OpDef::InferType(InferTypeFn fn) {
  infer_type_ = std::move(fn);
  return *this;
}

OpDef& OpDef::Backward(BackwardDepsFn fn) {
  backward_ = std::move(fn);
  return *this;
}

OpDef& OpDef::NoGradient(std::vector<std::string> input_names) {
  no_gradient_ = std::move(input_names);
  return *this;
}

OpDef& OpDef::Loss(std::function<bool(const NodeAttrs&)> fn) {
  is_loss_ = fn ? std::move(fn) : [](const NodeAttrs&) { return true; };
  return *this;
}

OpDef& OpDef::InplaceForward(std::vector<std::pair<int, int>> pairs) {
  inplace_forward_ = std::move(pairs);
  return *this;
}

OpDef& OpDef::InplaceBackward(std::vector<std::pair<int, int>> pairs) {
  inplace_backward_ = std::move(pairs);
  return *this;
}

OpDef& OpDef::OnInputVariable(VarAttrsFn fn) {
  on_input_variable_ = std::move(fn);
  return *this;
}

OpDef& OpDef::FusesWith(OpFusion fusion) {
  fusions_.push_back(std::move(fusion));
  return *this;
}

void OpDef::CountInputs(size_t num_inputs, AttrDict* dict) const {
  if (!variadic_key_.empty() && dict->count(variadic_key_) == 0) {
    (*dict)[variadic_key_] = std::to_string(num_inputs);
  }
}

std::vector<std::string> OpDef::ListArguments(const NodeAttrs& attrs) const {
  return inputs_ ? inputs_(attrs) : std::vector<std::string>{"data"};
}

std::vector<std::string> OpDef::ListInputs(const NodeAttrs& attrs) const {
  std::vector<std::string> names = ListArguments(attrs);
  names.insert(names.end(), aux_.begin(), aux_.end());
  return names;
}

std::vector<std::string> OpDef::ListOutputs(const NodeAttrs& attrs) const {
  return outputs_ ? outputs_(attrs) : std::vector<std::string>{"output"};
}

int OpDef::NumVisibleOutputs(const NodeAttrs& attrs) const {
  return visible_outputs_ ? visible_outputs_(attrs)
                          : static_cast<int>(ListOutputs(attrs).size());
}

BackwardDeps OpDef::GetBackwardDeps(const NodeAttrs& attrs) const {
  MX_CHECK(backward_, attrs.Where(), ": op ", name_, " has no gradient");
  return backward_(attrs);
}

bool OpDef::IsLoss(const NodeAttrs& attrs) const {
  return is_loss_ && is_loss_(attrs);
}

// ---- registry ----

OpRegistry& OpRegistry::Global() {
  static OpRegistry* registry = new OpRegistry();
  return *registry;
}

OpDef& OpRegistry::Register(const std::string& name) {
  MX_INTERNAL_CHECK(by_name_.count(name) == 0, "operator ", name,
                    " registered twice");
  auto op = std::make_unique<OpDef>(name);
  OpDef* raw = op.get();
  ops_[name] = std::move(op);
  by_name_[name] = raw;
  return *raw;
}

void OpRegistry::AddAlias(const std::string& alias, const OpDef* op) {
  MX_INTERNAL_CHECK(by_name_.count(alias) == 0, "operator name ", alias,
                    " registered twice");
  by_name_[alias] = op;
}

const OpDef* OpRegistry::Find(const std::string& name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : it->second;
}

const OpDef& OpRegistry::Get(const std::string& name) const {
  const OpDef* op = Find(name);
  if (op == nullptr) {
    const std::vector<std::string> names = AllNames();
    MX_THROW("unknown operator '", name, "'", DidYouMean(name, names),
             names.empty() ? std::string("; no operators are linked in (link "
                                         "//ops:ops)")
                           : "; registered operators: " + Join(Names(), ", "));
  }
  return *op;
}

std::vector<std::string> OpRegistry::Names() const {
  std::vector<std::string> names;
  for (const auto& entry : ops_) names.push_back(entry.first);
  return names;
}

std::vector<std::string> OpRegistry::AllNames() const {
  std::vector<std::string> names;
  for (const auto& entry : by_name_) names.push_back(entry.first);
  return names;
}

}  // namespace mx
