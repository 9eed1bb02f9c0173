#include "core/base/strings.h"
#include "interop/onnx/graph_importer.h"
#include "interop/onnx/import_context.h"

namespace mx {
namespace onnx_io {

using onnx::AttributeProto;

NodeContext::NodeContext(GraphImporter* g, const onnx::NodeProto& node,
                         int64_t opset, std::string name)
    : g_(g), node_(node), opset_(opset), name_(std::move(name)) {}

std::string NodeContext::Where() const {
  return StrCat(node_.op_type(), " node '",
                node_.name().empty() ? name_ : node_.name(), "' (opset ",
                opset_, ")");
}

UnsupportedError NodeContext::Unsupported(const std::string& what) const {
  return UnsupportedError(StrCat(Where(), ": ", what));
}

Error NodeContext::Invalid(const std::string& what) const {
  return Error(StrCat(Where(), ": ", what));
}

const AttributeProto* NodeContext::FindAttr(const std::string& a) const {
  for (const auto& attr : node_.attribute()) {
    if (attr.name() == a) return &attr;
  }
  return nullptr;
}

const AttributeProto& NodeContext::AttrOfType(const std::string& a,
                                              int type) const {
  const AttributeProto* attr = FindAttr(a);
  if (attr->type() != type) {
    throw Invalid(
        StrCat("attribute '", a, "' has type ",
               AttributeProto::AttributeType_Name(
                   static_cast<AttributeProto::AttributeType>(attr->type())),
               ", expected ",
               AttributeProto::AttributeType_Name(
                   static_cast<AttributeProto::AttributeType>(type))));
  }
  return *attr;
}

bool NodeContext::HasAttr(const std::string& a) const {
  return FindAttr(a) != nullptr;
}

void NodeContext::Ignore(const std::string& a) { handled_.insert(a); }

int64_t NodeContext::Int(const std::string& a, int64_t fallback) {
  handled_.insert(a);
  if (!HasAttr(a)) return fallback;
  return AttrOfType(a, AttributeProto::INT).i();
}

std::vector<int64_t> NodeContext::Ints(const std::string& a,
                                       std::vector<int64_t> fallback) {
  handled_.insert(a);
  if (!HasAttr(a)) return fallback;
  const auto& attr = AttrOfType(a, AttributeProto::INTS);
  return std::vector<int64_t>(attr.ints().begin(), attr.ints().end());
}

double NodeContext::Float(const std::string& a, double fallback) {
  handled_.insert(a);
  if (!HasAttr(a)) return fallback;
  return AttrOfType(a, AttributeProto::FLOAT).f();
}

std::string NodeContext::String(const std::string& a,
                                const std::string& fallback) {
  handled_.insert(a);
  if (!HasAttr(a)) return fallback;
  return AttrOfType(a, AttributeProto::STRING).s();
}

std::optional<HostTensor> NodeContext::Tensor(const std::string& a) {
  handled_.insert(a);
  if (!HasAttr(a)) return std::nullopt;
  return FromProto(AttrOfType(a, AttributeProto::TENSOR).t(), "",
                   StrCat(Where(), ": attribute '", a, "'"));
}

void NodeContext::CheckAttrsHandled() const {
  for (const auto& attr : node_.attribute()) {
    if (!handled_.count(attr.name())) {
      throw Unsupported(
          StrCat("attribute '", attr.name(), "' is not supported"));
    }
  }
}

int NodeContext::NumInputs() const {
  int n = node_.input_size();
  while (n > 0 && node_.input(n - 1).empty()) --n;
  return n;
}

bool NodeContext::HasInput(int i) const {
  return i < node_.input_size() && !node_.input(i).empty();
}

const HostTensor* NodeContext::Constant(int i) const {
  if (!HasInput(i)) return nullptr;
  const Value* v = g_->Find(node_.input(i));
  MX_INTERNAL_CHECK(v != nullptr, Where(), ": input '", node_.input(i),
                    "' has no value");
  return v->constant ? &*v->constant : nullptr;
}

const HostTensor& NodeContext::RequireConstant(int i,
                                               const std::string& what) const {
  const HostTensor* t = Constant(i);
  if (t == nullptr) {
    throw Unsupported(StrCat(what, " (input ", i, ", '",
                             HasInput(i) ? node_.input(i) : "", "') must be ",
                             "known at import time (a constant or computed "
                             "from constants and static shapes)"));
  }
  return *t;
}

Symbol NodeContext::Input(int i, const std::string& role) {
  MX_INTERNAL_CHECK(HasInput(i), Where(), ": input ", i, " is absent");
  return g_->Materialize(node_.input(i),
                         role.empty() ? "" : StrCat(name_, "_", role), false);
}

Symbol NodeContext::AuxInput(int i, const std::string& role) {
  MX_INTERNAL_CHECK(HasInput(i), Where(), ": input ", i, " is absent");
  return g_->Materialize(node_.input(i), StrCat(name_, "_", role), true);
}

std::optional<std::vector<int64_t>> NodeContext::Dims(int i) const {
  if (!HasInput(i)) return std::nullopt;
  return g_->Dims(node_.input(i));
}

std::vector<int64_t> NodeContext::RequireDims(int i,
                                              const std::string& why) const {
  auto d = Dims(i);
  if (!d) {
    throw Unsupported(StrCat("the rank of input '", node_.input(i),
                             "' is unknown (ONNX shape inference gave none); ",
                             why, " needs it"));
  }
  return *d;
}

int NodeContext::InputType(int i) const {
  return HasInput(i) ? g_->Type(node_.input(i)) : 0;
}

bool NodeContext::OutputUsed(int i) const {
  return i < node_.output_size() && !node_.output(i).empty() &&
         g_->Uses(node_.output(i)) > 0;
}

void NodeContext::SetOutput(int i, const Symbol& s) {
  if (i < node_.output_size()) g_->SetSymbol(node_.output(i), s);
}

void NodeContext::SetConstant(int i, HostTensor t) {
  if (i < node_.output_size()) g_->SetConstant(node_.output(i), std::move(t));
}

std::optional<std::vector<int64_t>> NodeContext::OutputDims(int i) const {
  if (i >= node_.output_size() || node_.output(i).empty()) return std::nullopt;
  return g_->Dims(node_.output(i));
}

Symbol NodeContext::Op(const std::string& op, const std::vector<Symbol>& inputs,
                       Kwargs kwargs, const std::string& suffix) {
  const std::string name =
      suffix.empty() ? name_ : g_->UniqueName(name_ + suffix);
  kwargs.emplace_back("name", name);
  g_->NoteOrigin(name, Where());
  return Symbol::Create(op, inputs, kwargs);
}

Symbol NodeContext::ConstantVariable(const HostTensor& t,
                                     const std::string& suffix) {
  return g_->NewVariable(g_->UniqueName(name_ + suffix), t, false, true);
}

Symbol NodeContext::ParamVariable(const HostTensor& t,
                                  const std::string& role) {
  return g_->NewVariable(g_->UniqueName(StrCat(name_, "_", role)), t, false,
                         false);
}

const std::map<std::string, Converter>& Converters() {
  static const std::map<std::string, Converter> table = [] {
    std::map<std::string, Converter> t;
    AddTensorConverters(&t);
    AddMathConverters(&t);
    AddNNConverters(&t);
    return t;
  }();
  return table;
}

int64_t NormalizeAxis(const NodeContext& c, int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank) {
    throw c.Invalid(StrCat("axis ", axis, " is out of range for rank ", rank));
  }
  return axis < 0 ? axis + rank : axis;
}

}  // namespace onnx_io
}  // namespace mx
