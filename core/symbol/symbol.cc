#include "core/symbol/symbol.h"

#include <algorithm>
#include <cctype>
#include <unordered_map>
#include <unordered_set>

#include "core/base/error.h"
#include "core/base/strings.h"
#include "core/symbol/scopes.h"

namespace mx {

// ---- Arg ----

Arg::Arg(const Symbol& symbol) : symbol_(std::make_shared<Symbol>(symbol)) {}
Arg::Arg(int v) : text_(std::to_string(v)) {}
Arg::Arg(long v) : text_(std::to_string(v)) {}
Arg::Arg(long long v) : text_(std::to_string(v)) {}
Arg::Arg(unsigned v) : text_(std::to_string(v)) {}
Arg::Arg(unsigned long v) : text_(std::to_string(v)) {}
Arg::Arg(double v) : text_(PythonFloatRepr(v)) {}
Arg::Arg(bool v) : text_(v ? "True" : "False") {}
Arg::Arg(const char* v) : text_(v) {}
Arg::Arg(std::string v) : text_(std::move(v)) {}
Arg::Arg(std::initializer_list<int64_t> tuple)
    : text_(PythonTuple(std::vector<int64_t>(tuple))) {}
Arg::Arg(const std::vector<int64_t>& tuple) : text_(PythonTuple(tuple)) {}

// ---- attribute keys ----

namespace {

// The single output of `s`, used as input `input` of `where`.
NodeEntry SingleOutput(const Symbol& s, const std::string& where,
                       const std::string& input) {
  MX_CHECK(s.NumOutputs() == 1, where, ": input '", input, "' must be a ",
           "symbol with one output, but it has ", s.NumOutputs(),
           s.NumOutputs() ? " (pick one with symbol[i])" : "");
  return s.outputs()[0];
}

}  // namespace

const std::vector<std::string>& HiddenAttrNames() {
  static const std::vector<std::string> names = {
      "ctx_group",       "lr_mult",      "wd_mult",
      "force_mirroring", "mirror_stage", "profiler_scope"};
  return names;
}

std::string HiddenAttrKey(const std::string& key) {
  for (const std::string& hidden : HiddenAttrNames()) {
    if (key == hidden) return "__" + key + "__";
  }
  return key;
}

std::string UserAttrKey(const std::string& key) {
  const bool hidden = key.size() > 4 && key.compare(0, 2, "__") == 0 &&
                      key.compare(key.size() - 2, 2, "__") == 0;
  return hidden ? key : "__" + key + "__";
}

// ---- construction ----

Symbol Symbol::Variable(const std::string& name,
                        const VariableOptions& options) {
  MX_CHECK(!name.empty(), "Variable: the name must not be empty");
  mx::AttrDict dict = AttrScope::Current();
  for (const auto& [key, value] : options.attrs) {
    dict[HiddenAttrKey(key)] = value;
  }
  if (options.shape) {
    MX_CHECK(options.shape->rank_known(), "Variable '", name,
             "': a shape hint needs a known number of dimensions");
    // MXNet writes unknown extents as 0.
    std::vector<int64_t> dims = options.shape->dims();
    for (int64_t& d : dims) d = std::max<int64_t>(d, 0);
    dict["__shape__"] = PythonTuple(dims);
  }
  if (options.dtype) {
    dict["__dtype__"] = std::to_string(static_cast<int>(*options.dtype));
  }
  if (options.lr_mult) dict["__lr_mult__"] = PythonFloatRepr(*options.lr_mult);
  if (options.wd_mult) dict["__wd_mult__"] = PythonFloatRepr(*options.wd_mult);
  if (!options.init.empty()) dict["__init__"] = options.init;
  return Symbol({NodeEntry{Node::MakeVariable(name, std::move(dict)), 0, 0}});
}

Symbol Symbol::Create(const std::string& op_name,
                      const std::vector<Symbol>& inputs, const Kwargs& kwargs) {
  const OpDef& op = OpRegistry::Global().Get(op_name);
  std::string name;
  mx::AttrDict dict;
  std::vector<std::pair<std::string, Symbol>> named;
  for (const auto& [key, arg] : kwargs) {
    if (arg.is_symbol()) {
      named.emplace_back(key, arg.symbol());
      continue;
    }
    if (key == "name") {
      name = arg.text();
      continue;
    }
    for (const std::string& hidden : HiddenAttrNames()) {
      MX_CHECK(key == hidden || key.size() <= hidden.size() ||
                   key.compare(key.size() - hidden.size(), hidden.size(),
                               hidden) != 0,
               op_name, ": setting variable attributes with '", key,
               "' is not supported; create the variable with ", hidden,
               " and pass it as the input instead");
    }
    const std::string k = HiddenAttrKey(key);
    MX_CHECK(dict.count(k) == 0, op_name, ": keyword '", key, "' given twice");
    dict[k] = arg.text();
  }
  op.CountInputs(inputs.size() + named.size(), &dict);
  for (const auto& [key, value] : AttrScope::Current())
    dict.emplace(key, value);

  auto node = std::make_shared<Node>();
  node->attrs = MakeNodeAttrs(op, MakeNodeName(name, ToLower(op_name)), dict);
  const NodeAttrs& attrs = node->attrs;
  const std::string where = attrs.Where();
  const std::vector<std::string> input_names = op.ListInputs(attrs);
  const std::vector<std::string> arg_names = op.ListArguments(attrs);
  MX_CHECK(inputs.size() <= arg_names.size(), where, ": takes ",
           arg_names.size(), " input(s) (", Join(arg_names, ", "), ") but ",
           inputs.size(), " were given");
  std::vector<NodeEntry> bound(input_names.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    bound[i] = SingleOutput(inputs[i], where, input_names[i]);
  }
  for (const auto& [key, symbol] : named) {
    auto it = std::find(input_names.begin(), input_names.end(), key);
    MX_CHECK(it != input_names.end(), where, ": unknown input '", key, "'",
             DidYouMean(key, input_names),
             "; inputs: ", Join(input_names, ", "));
    const size_t i = it - input_names.begin();
    MX_CHECK(bound[i].node == nullptr, where, ": input '", key,
             "' given twice (by position and by name)");
    bound[i] = SingleOutput(symbol, where, key);
  }
  for (size_t i = 0; i < bound.size(); ++i) {
    if (bound[i].node) continue;
    // MXNet copies the op's attributes onto the variables it creates.
    bound[i].node =
        Node::MakeVariable(attrs.name + "_" + input_names[i], attrs.dict);
  }
  if (op.on_input_variable()) {
    for (size_t i = 0; i < bound.size(); ++i) {
      if (bound[i].node->is_variable()) {
        op.on_input_variable()(attrs, static_cast<int>(i),
                               &bound[i].node->attrs.dict);
      }
    }
  }
  node->inputs = std::move(bound);
  std::vector<NodeEntry> outputs;
  const int visible = op.NumVisibleOutputs(attrs);
  for (int i = 0; i < visible; ++i) {
    outputs.push_back(NodeEntry{node, static_cast<uint32_t>(i), 0});
  }
  return Symbol(std::move(outputs));
}

Symbol Symbol::Group(const std::vector<Symbol>& symbols) {
  std::vector<NodeEntry> outputs;
  for (const Symbol& s : symbols) {
    outputs.insert(outputs.end(), s.outputs_.begin(), s.outputs_.end());
  }
  return Symbol(std::move(outputs));
}

Symbol Symbol::Copy() const {
  std::unordered_map<const Node*, std::shared_ptr<Node>> copies;
  PostOrderVisit(outputs_, [&copies](const std::shared_ptr<Node>& n) {
    auto copy = std::make_shared<Node>();
    copy->attrs = n->attrs;
    for (const NodeEntry& e : n->inputs) {
      copy->inputs.push_back(
          NodeEntry{copies.at(e.node.get()), e.index, e.version});
    }
    copies[n.get()] = std::move(copy);
  });
  std::vector<NodeEntry> outputs;
  for (const NodeEntry& e : outputs_) {
    outputs.push_back(NodeEntry{copies.at(e.node.get()), e.index, e.version});
  }
  return Symbol(std::move(outputs));
}

Symbol Symbol::operator()(const std::vector<Symbol>& args,
                          const std::map<std::string, Symbol>& kwargs,
                          const std::string& name) const {
  MX_CHECK(!outputs_.empty(), "cannot compose an empty symbol");
  Symbol copy = Copy();
  IndexedGraph g(copy.outputs_);
  std::vector<Node*> free_args;
  std::map<std::string, std::vector<Node*>> vars_by_name;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    Node* n = g.nodes[i].get();
    if (!n->is_variable()) continue;
    vars_by_name[n->attrs.name].push_back(n);
    if (!g.is_aux[i]) free_args.push_back(n);
  }
  const std::string where =
      "composing symbol '" + (name.empty() ? this->name() : name) + "'";
  MX_CHECK(args.size() <= free_args.size(), where, ": ", args.size(),
           " positional arguments given but the symbol has only ",
           free_args.size(), " free variables");
  std::unordered_map<const Node*, NodeEntry> replace;
  for (size_t i = 0; i < args.size(); ++i) {
    replace[free_args[i]] =
        SingleOutput(args[i], where, free_args[i]->attrs.name);
  }
  std::vector<std::string> names;
  for (const auto& entry : vars_by_name) names.push_back(entry.first);
  for (const auto& [key, symbol] : kwargs) {
    auto it = vars_by_name.find(key);
    MX_CHECK(it != vars_by_name.end(), where, ": keyword argument '", key,
             "' is not a variable of the symbol", DidYouMean(key, names),
             "; variables: ", Join(names, ", "));
    MX_CHECK(it->second.size() == 1, where, ": variable name '", key,
             "' occurs ", it->second.size(),
             " times in the symbol; compose by position instead");
    MX_CHECK(replace.count(it->second[0]) == 0, where, ": variable '", key,
             "' given both by position and by name");
    replace[it->second[0]] = SingleOutput(symbol, where, key);
  }
  // Rename the copied head before replacing: a head that is itself a
  // replaced variable must not rename the caller's symbol.
  if (!name.empty()) copy.outputs_[0].node->attrs.name = name;
  for (const auto& n : g.nodes) {
    for (NodeEntry& e : n->inputs) {
      auto it = replace.find(e.node.get());
      if (it != replace.end()) e = it->second;
    }
  }
  for (NodeEntry& e : copy.outputs_) {
    auto it = replace.find(e.node.get());
    if (it != replace.end()) e = it->second;
  }
  return copy;
}

// ---- outputs ----

Symbol Symbol::operator[](size_t i) const {
  MX_CHECK(i < outputs_.size(), "output index ", i, " out of range: the ",
           "symbol has ", outputs_.size(), " output(s)");
  return Symbol({outputs_[i]});
}

Symbol Symbol::operator[](const std::string& name) const {
  const std::vector<std::string> names = ListOutputs();
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == name) return Symbol({outputs_[i]});
  }
  MX_THROW("no output named '", name, "'", DidYouMean(name, names),
           "; outputs: ", Join(names, ", "));
}

Symbol Symbol::GetInternals() const {
  std::vector<NodeEntry> outputs;
  PostOrderVisit(outputs_, [&outputs](const std::shared_ptr<Node>& n) {
    if (n->is_variable()) {
      outputs.push_back(NodeEntry{n, 0, 0});
      return;
    }
    const int visible = n->attrs.op->NumVisibleOutputs(n->attrs);
    for (int i = 0; i < visible; ++i) {
      outputs.push_back(NodeEntry{n, static_cast<uint32_t>(i), 0});
    }
  });
  return Symbol(std::move(outputs));
}

Symbol Symbol::GetChildren() const {
  MX_CHECK(outputs_.size() == 1, "GetChildren needs a symbol with one ",
           "output, not ", outputs_.size());
  return Symbol(outputs_[0].node->inputs);
}

// ---- listing ----

std::vector<std::string> Symbol::ListArguments() const {
  IndexedGraph g(outputs_);
  std::vector<std::string> names;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    if (g.nodes[i]->is_variable() && !g.is_aux[i]) {
      names.push_back(g.nodes[i]->attrs.name);
    }
  }
  return names;
}

std::vector<std::string> Symbol::ListAuxiliaryStates() const {
  IndexedGraph g(outputs_);
  std::vector<std::string> names;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    if (g.is_aux[i]) names.push_back(g.nodes[i]->attrs.name);
  }
  return names;
}

std::vector<std::string> Symbol::ListInputs() const {
  std::vector<std::string> names;
  PostOrderVisit(outputs_, [&names](const std::shared_ptr<Node>& n) {
    if (n->is_variable()) names.push_back(n->attrs.name);
  });
  return names;
}

std::vector<std::string> Symbol::ListOutputs() const {
  std::vector<std::string> names;
  for (const NodeEntry& e : outputs_) names.push_back(EntryName(e));
  return names;
}

std::string Symbol::name() const {
  return outputs_.size() == 1 ? outputs_[0].node->attrs.name : "";
}

// ---- attributes ----

std::optional<std::string> Symbol::Attr(const std::string& key) const {
  MX_CHECK(outputs_.size() == 1, "Attr needs a symbol with one output, not ",
           outputs_.size());
  const mx::AttrDict& dict = outputs_[0].node->attrs.dict;
  // As given (a variable's attr={...}), then as a user attribute.
  for (const std::string& k : {HiddenAttrKey(key), UserAttrKey(key)}) {
    auto it = dict.find(k);
    if (it != dict.end()) return it->second;
  }
  return std::nullopt;
}

void Symbol::SetAttr(const std::string& key, const std::string& value) {
  MX_CHECK(outputs_.size() == 1, "SetAttr needs a symbol with one output, ",
           "not ", outputs_.size());
  Node& node = *outputs_[0].node;
  mx::AttrDict dict = node.attrs.dict;
  dict[HiddenAttrKey(key)] = value;
  if (node.is_variable()) {
    node.attrs.dict = std::move(dict);
    return;
  }
  // A parameter changes the op: parse again, keeping the node intact on error.
  node.attrs = MakeNodeAttrs(*node.attrs.op, node.attrs.name, std::move(dict));
}

std::map<std::string, mx::AttrDict> Symbol::AllAttrs() const {
  std::map<std::string, mx::AttrDict> all;
  PostOrderVisit(outputs_, [&all](const std::shared_ptr<Node>& n) {
    if (!n->attrs.dict.empty()) all[n->attrs.name] = n->attrs.dict;
  });
  return all;
}

// ---- arithmetic ----

Symbol operator+(const Symbol& a, const Symbol& b) {
  return Symbol::Create("_Plus", {a, b});
}
Symbol operator-(const Symbol& a, const Symbol& b) {
  return Symbol::Create("_Minus", {a, b});
}
Symbol operator*(const Symbol& a, const Symbol& b) {
  return Symbol::Create("_Mul", {a, b});
}
Symbol operator/(const Symbol& a, const Symbol& b) {
  return Symbol::Create("_Div", {a, b});
}
Symbol operator+(const Symbol& a, double b) {
  return Symbol::Create("_PlusScalar", {a}, {{"scalar", b}});
}
Symbol operator-(const Symbol& a, double b) {
  return Symbol::Create("_MinusScalar", {a}, {{"scalar", b}});
}
Symbol operator*(const Symbol& a, double b) {
  return Symbol::Create("_MulScalar", {a}, {{"scalar", b}});
}
Symbol operator/(const Symbol& a, double b) {
  return Symbol::Create("_DivScalar", {a}, {{"scalar", b}});
}
Symbol operator+(double a, const Symbol& b) { return b + a; }
Symbol operator-(double a, const Symbol& b) {
  return Symbol::Create("_RMinusScalar", {b}, {{"scalar", a}});
}
Symbol operator*(double a, const Symbol& b) { return b * a; }
Symbol operator/(double a, const Symbol& b) {
  return Symbol::Create("_RDivScalar", {b}, {{"scalar", a}});
}

}  // namespace mx
