#include "tools/mxtrain/network_config.h"

#include <cctype>
#include <cstdlib>

#include "core/base/strings.h"
#include "core/op/op.h"
#include "core/op/param.h"
#include "interop/onnx/importer.h"

namespace mx {

const std::vector<std::string>& LayerKeys() {
  static const std::vector<std::string> keys = {
      "op",     "block",   "variable", "name",
      "inputs", "lr_mult", "wd_mult",  "ctx_group"};
  return keys;
}

namespace {

constexpr int kMaxBlockDepth = 16;
// Layers a network may expand to: blocks applied inside blocks multiply, and
// a few lines can otherwise ask for 1000^5 layers (Note [Untrusted input]).
constexpr int64_t kMaxLayers = 100000;

// A layer's result; failed layers do not report again downstream.
struct Value {
  Symbol symbol;
  bool ok = false;
};

class NetworkBuilder {
 public:
  NetworkBuilder(const std::string& base_dir, Diagnostics* diag)
      : base_dir_(base_dir), diag_(diag) {}

  BuiltNetwork Build(const ConfigNode& network, const std::string& path);
  void ImportOnnx(const std::string& file);

 private:
  using Args = std::map<std::string, const ConfigNode*>;
  using Scope = std::map<std::string, Value>;

  Value RunLayers(const ConfigNode& layers, const std::string& path,
                  Scope* scope, const Value& input, const std::string& prefix,
                  const Args& args, int depth);
  Value RunOp(const ConfigNode& layer, const std::string& path, Scope* scope,
              const Value& previous, const std::string& prefix, int index,
              const Args& args);
  Value RunBlock(const ConfigNode& layer, const std::string& path, Scope* scope,
                 const Value& previous, const std::string& prefix,
                 const Args& outer_args, int depth);
  // A free variable (a parameter several layers share, e.g. an RNN's
  // weights across time steps); the chain of layers continues from
  // `previous`.
  Value RunVariable(const ConfigNode& layer, const std::string& path,
                    Scope* scope, const Value& previous,
                    const std::string& prefix, const Args& args);
  // The layer's inputs: its `inputs` key, or the previous layer.
  bool Inputs(const ConfigNode& layer, const std::string& path,
              const Scope& scope, const Value& previous,
              std::vector<Symbol>* out);
  bool Lookup(const std::string& ref, const SourceLocation& loc,
              const std::string& path, const Scope& scope, Symbol* out);
  // A parameter value as op text: scalars as written, lists as tuples,
  // "$arg" replaced by a block argument.
  bool ParamText(const ConfigNode& v, const std::string& path, const Args& args,
                 std::string* out);
  bool Name(const ConfigNode& layer, const std::string& path, std::string* out);
  // Claims `name` (a node's or a block application's) for `layer`; false,
  // with an error naming both places, when another layer has it: the name
  // names the weights (fc1_weight), so two layers would share them.
  bool Unique(const std::string& name, const ConfigNode& layer,
              const std::string& path);
  void Error(const SourceLocation& loc, const std::string& path,
             const std::string& message) {
    diag_->Add(loc, path, message);
  }

  std::string base_dir_;
  Diagnostics* diag_;
  std::map<std::string, const ConfigNode*> blocks_;
  std::map<std::string, std::string> block_paths_;
  std::map<std::string, int> block_uses_;
  std::map<std::string, SourceLocation> names_;  // Unique's claims
  int64_t layers_ = 0;  // expanded so far, up to kMaxLayers
  bool too_large_ = false;
  BuiltNetwork out_;
};

BuiltNetwork NetworkBuilder::Build(const ConfigNode& network,
                                   const std::string& path) {
  if (!network.IsMap()) {
    Error(network.loc(), path,
          StrCat("expected a mapping with 'layers' (and optionally 'blocks', "
                 "'input', 'outputs') or 'symbol', got ",
                 network.KindName()));
    return out_;
  }
  static const std::vector<std::string> kKeys = {"layers", "blocks", "symbol",
                                                 "onnx",   "input",  "outputs"};
  for (const auto& m : network.members()) {
    if (std::find(kKeys.begin(), kKeys.end(), m.key) == kKeys.end()) {
      Error(m.key_loc, path + "." + m.key,
            StrCat("unknown key '", m.key, "'", DidYouMean(m.key, kKeys),
                   "; network takes ", Join(kKeys, ", ")));
    }
  }
  const ConfigNode* symbol = network.Find("symbol");
  const ConfigNode* layers = network.Find("layers");
  if (const ConfigNode* onnx = network.Find("onnx")) {
    if (layers != nullptr || symbol != nullptr) {
      Error(onnx->loc(), path + ".onnx",
            "give one of 'onnx', 'symbol' and 'layers'");
      return out_;
    }
    if (!onnx->IsScalar() || onnx->text().empty()) {
      Error(onnx->loc(), path + ".onnx", "expected the path of an .onnx file");
      return out_;
    }
    std::string file = onnx->text();
    if (file[0] != '/' && !base_dir_.empty()) file = base_dir_ + "/" + file;
    try {
      ImportOnnx(file);
    } catch (const mx::Error& e) {
      Error(onnx->loc(), path + ".onnx", e.what());
    }
    return out_;
  }
  if (symbol != nullptr) {
    if (layers != nullptr) {
      Error(
          symbol->loc(), path + ".symbol",
          "give either 'symbol' (an MXNet symbol JSON) or 'layers', not both");
      return out_;
    }
    if (!symbol->IsScalar()) {
      Error(symbol->loc(), path + ".symbol",
            "expected the path of a symbol JSON file");
      return out_;
    }
    std::string file = symbol->text();
    if (!file.empty() && file[0] != '/' && !base_dir_.empty()) {
      file = base_dir_ + "/" + file;
    }
    try {
      out_.symbol = Symbol::Load(file);
    } catch (const mx::Error& e) {
      Error(symbol->loc(), path + ".symbol", e.what());
    }
    return out_;
  }
  if (layers == nullptr) {
    Error(network.loc(), path,
          "missing 'layers' (a list of layers) or 'symbol' (an MXNet symbol "
          "JSON file)");
    return out_;
  }
  if (const ConfigNode* blocks = network.Find("blocks")) {
    if (!blocks->IsMap()) {
      Error(blocks->loc(), path + ".blocks",
            "expected a mapping of block name to {args, layers}");
    } else {
      for (const auto& m : blocks->members()) {
        const std::string bpath = path + ".blocks." + m.key;
        if (!m.value.IsMap() || m.value.Find("layers") == nullptr) {
          Error(m.value.loc(), bpath,
                "a block is a mapping with 'layers' (and optionally 'args')");
          continue;
        }
        for (const auto& k : m.value.members()) {
          if (k.key != "layers" && k.key != "args") {
            Error(k.key_loc, bpath + "." + k.key,
                  StrCat("unknown key '", k.key, "'",
                         DidYouMean(k.key, {"layers", "args"}),
                         "; a block takes layers and args"));
          }
        }
        const ConfigNode* args = m.value.Find("args");
        if (args != nullptr && !args->IsMap()) {
          Error(args->loc(), bpath + ".args",
                "expected a mapping of argument name to default value (null "
                "for none)");
          continue;
        }
        blocks_[m.key] = &m.value;
        block_paths_[m.key] = bpath;
      }
    }
  }
  std::string input_name = "data";
  if (const ConfigNode* input = network.Find("input")) {
    if (input->IsScalar() && !input->text().empty()) {
      input_name = input->text();
    } else {
      Error(input->loc(), path + ".input",
            "expected the name of the network's input variable");
    }
  }
  Scope scope;
  Value data{Symbol::Variable(input_name), true};
  scope[input_name] = data;
  Value last = RunLayers(*layers, path + ".layers", &scope, data, "", {}, 0);
  Symbol result = last.symbol;
  bool ok = last.ok;
  if (const ConfigNode* outputs = network.Find("outputs")) {
    std::vector<Symbol> heads;
    if (!outputs->IsList() || outputs->items().empty()) {
      Error(outputs->loc(), path + ".outputs",
            "expected a list of layer names whose outputs the network returns");
      ok = false;
    } else {
      for (size_t i = 0; i < outputs->items().size(); ++i) {
        const ConfigNode& o = outputs->items()[i];
        Symbol s;
        if (!o.IsScalar()) {
          Error(o.loc(), StrCat(path, ".outputs[", i, "]"),
                "expected a layer name");
          ok = false;
        } else if (Lookup(o.text(), o.loc(), StrCat(path, ".outputs[", i, "]"),
                          scope, &s)) {
          heads.push_back(s);
        } else {
          ok = false;
        }
      }
      if (ok) result = Symbol::Group(heads);
    }
  }
  if (ok && diag_->empty()) out_.symbol = result;
  return out_;
}

// An ONNX classifier for training: its one input becomes `data`, and its
// output (the input of its final Softmax, if it has one) feeds a
// SoftmaxOutput named `softmax`, as mxtrain's networks end.
void NetworkBuilder::ImportOnnx(const std::string& file) {
  onnx_io::ImportedModel m = onnx_io::ImportModel(file);
  Symbol net = onnx_io::SingleInputAs(m, "data");
  const NodeEntry& head = net.outputs()[0];
  const std::string head_op = head.node->attrs.op->name();
  if (head_op == "softmax" || head_op == "SoftmaxOutput") {
    net = Symbol({head.node->inputs.at(0)});
  }
  out_.symbol = Symbol::Create("SoftmaxOutput", {net}, {{"name", "softmax"}});
  out_.initial_args = std::move(m.args);
  out_.initial_aux = std::move(m.aux);
}

Value NetworkBuilder::RunLayers(const ConfigNode& layers,
                                const std::string& path, Scope* scope,
                                const Value& input, const std::string& prefix,
                                const Args& args, int depth) {
  if (!layers.IsList() || layers.items().empty()) {
    Error(
        layers.loc(), path,
        StrCat("expected a non-empty list of layers, got ", layers.KindName()));
    return {};
  }
  Value previous = input;
  for (size_t i = 0; i < layers.items().size() && !too_large_; ++i) {
    const ConfigNode& layer = layers.items()[i];
    const std::string lpath = StrCat(path, "[", i, "]");
    if (++layers_ > kMaxLayers) {
      Error(layer.loc(), lpath,
            StrCat("the network expands to more than ", kMaxLayers,
                   " layers (blocks applied inside blocks multiply)"));
      too_large_ = true;
      return {};
    }
    if (!layer.IsMap()) {
      Error(layer.loc(), lpath,
            StrCat("a layer is a mapping such as {op: FullyConnected, "
                   "num_hidden: 10} or {block: NAME, ...}, got ",
                   layer.KindName()));
      previous = {};
      continue;
    }
    const bool is_block = layer.Find("block") != nullptr;
    const bool is_variable = layer.Find("variable") != nullptr;
    if (is_block + is_variable + (layer.Find("op") != nullptr) > 1) {
      Error(layer.loc(), lpath,
            "a layer has one of 'op', 'block' and 'variable', not several");
      previous = {};
      continue;
    }
    if (is_variable) {
      previous = RunVariable(layer, lpath, scope, previous, prefix, args);
      continue;
    }
    previous =
        is_block ? RunBlock(layer, lpath, scope, previous, prefix, args, depth)
                 : RunOp(layer, lpath, scope, previous, prefix,
                         static_cast<int>(i), args);
  }
  return previous;
}

bool NetworkBuilder::Name(const ConfigNode& layer, const std::string& path,
                          std::string* out) {
  const ConfigNode* name = layer.Find("name");
  if (name == nullptr) return true;
  if (!name->IsScalar() || name->text().empty()) {
    Error(name->loc(), path + ".name", "expected a non-empty layer name");
    return false;
  }
  *out = name->text();
  return true;
}

bool NetworkBuilder::Unique(const std::string& name, const ConfigNode& layer,
                            const std::string& path) {
  const auto [it, fresh] = names_.emplace(name, layer.loc());
  if (fresh) return true;
  const ConfigNode* given = layer.Find("name");
  Error(given != nullptr ? given->loc() : layer.loc(),
        given != nullptr ? path + ".name" : path,
        StrCat("the name '", name, "' is already used by the layer at ",
               it->second.ToString(),
               ": layer names must be unique (they name the weights: ",
               layer.Find("block") != nullptr
                   ? StrCat("the block's start with ", name, "_")
                   : StrCat(name, "_weight, ..."),
               ")"));
  return false;
}

bool NetworkBuilder::Lookup(const std::string& ref, const SourceLocation& loc,
                            const std::string& path, const Scope& scope,
                            Symbol* out) {
  std::string name = ref;
  long index = -1;
  const size_t bracket = ref.find('[');
  if (bracket != std::string::npos && ref.back() == ']') {
    name = ref.substr(0, bracket);
    char* end = nullptr;
    const std::string digits =
        ref.substr(bracket + 1, ref.size() - bracket - 2);
    index = std::strtol(digits.c_str(), &end, 10);
    if (digits.empty() || *end != '\0' || index < 0) {
      Error(loc, path,
            StrCat("bad input reference '", ref,
                   "' (expected NAME or NAME[INDEX])"));
      return false;
    }
  }
  const auto it = scope.find(name);
  if (it == scope.end()) {
    std::vector<std::string> names;
    for (const auto& [n, v] : scope) names.push_back(n);
    Error(loc, path,
          StrCat("unknown input '", name, "'", DidYouMean(name, names),
                 "; known here: ", Join(names, ", ")));
    return false;
  }
  if (!it->second.ok) return false;
  *out = it->second.symbol;
  if (index >= 0) {
    if (static_cast<size_t>(index) >= out->NumOutputs()) {
      Error(loc, path,
            StrCat("'", name, "' has ", out->NumOutputs(), " outputs, no [",
                   index, "]"));
      return false;
    }
    *out = (*out)[index];
  }
  return true;
}

bool NetworkBuilder::Inputs(const ConfigNode& layer, const std::string& path,
                            const Scope& scope, const Value& previous,
                            std::vector<Symbol>* out) {
  const ConfigNode* inputs = layer.Find("inputs");
  if (inputs == nullptr) {
    if (!previous.ok) return false;
    out->push_back(previous.symbol);
    return true;
  }
  const std::vector<const ConfigNode*> refs = ScalarOrItems(*inputs);
  if (refs.empty()) {
    Error(inputs->loc(), path + ".inputs",
          "expected a layer name or a list of layer names");
    return false;
  }
  bool ok = true;
  for (size_t k = 0; k < refs.size(); ++k) {
    Symbol s;
    const std::string ipath =
        inputs->IsList() ? StrCat(path, ".inputs[", k, "]") : path + ".inputs";
    if (!refs[k]->IsScalar()) {
      Error(refs[k]->loc(), ipath, "expected a layer name");
      ok = false;
    } else if (Lookup(refs[k]->text(), refs[k]->loc(), ipath, scope, &s)) {
      out->push_back(s);
    } else {
      ok = false;
    }
  }
  return ok;
}

bool NetworkBuilder::ParamText(const ConfigNode& v, const std::string& path,
                               const Args& args, std::string* out) {
  if (v.IsScalar() && !v.quoted() && !v.text().empty() && v.text()[0] == '$') {
    std::string name = v.text().substr(1);
    if (name.size() > 2 && name.front() == '{' && name.back() == '}') {
      name = name.substr(1, name.size() - 2);
    }
    const auto it = args.find(name);
    if (it == args.end()) {
      std::vector<std::string> names;
      for (const auto& [n, a] : args) names.push_back(n);
      Error(v.loc(), path,
            StrCat(
                "unknown block argument '$", name, "'", DidYouMean(name, names),
                names.empty() ? std::string(" (not inside a block with args)")
                              : "; arguments: " + Join(names, ", ")));
      return false;
    }
    return ParamText(*it->second, path, {}, out);
  }
  if (v.IsScalar()) {
    *out = v.text();
    return true;
  }
  if (v.IsList()) {
    std::vector<std::string> parts;
    for (size_t i = 0; i < v.items().size(); ++i) {
      std::string part;
      if (!v.items()[i].IsScalar() && !v.items()[i].IsList()) {
        Error(v.items()[i].loc(), StrCat(path, "[", i, "]"),
              "expected a number");
        return false;
      }
      if (!ParamText(v.items()[i], StrCat(path, "[", i, "]"), args, &part)) {
        return false;
      }
      parts.push_back(part);
    }
    *out = PythonTupleOf(parts);
    return true;
  }
  Error(v.loc(), path,
        StrCat("expected a value (number, text or list), got ", v.KindName()));
  return false;
}

Value NetworkBuilder::RunOp(const ConfigNode& layer, const std::string& path,
                            Scope* scope, const Value& previous,
                            const std::string& prefix, int index,
                            const Args& args) {
  const ConfigNode* op_node = layer.Find("op");
  if (op_node == nullptr) {
    Error(layer.loc(), path,
          "missing 'op' (the operator, e.g. op: Convolution) or 'block'");
    return {};
  }
  const OpDef* op = op_node->IsScalar()
                        ? OpRegistry::Global().Find(op_node->text())
                        : nullptr;
  if (op == nullptr) {
    const std::string given = op_node->IsScalar() ? op_node->text() : "";
    Error(op_node->loc(), path + ".op",
          StrCat("unknown operator '", given, "'",
                 DidYouMean(given, OpRegistry::Global().AllNames()),
                 " (docs/ops.md lists them)"));
    return {};
  }
  // Layers see each other by their local names; inside a block the node
  // names carry the block's prefix ("res1_conv1").
  std::string local;
  bool ok = Name(layer, path, &local);
  if (!prefix.empty() && local.empty()) {
    local = StrCat(ToLower(op->name()), index);
  }
  std::string name = prefix.empty() ? local : prefix + "_" + local;
  if (!name.empty() && !Unique(name, layer, path)) ok = false;
  const std::string where =
      name.empty() ? op->name() : StrCat(op->name(), " '", name, "'");
  AttrDict attrs;
  Kwargs kwargs;
  for (const auto& m : layer.members()) {
    if (m.key == "op" || m.key == "name" || m.key == "inputs") continue;
    std::string text;
    if (!ParamText(m.value, path + "." + m.key, args, &text)) {
      ok = false;
      continue;
    }
    attrs[HiddenAttrKey(m.key)] = text;
    kwargs.emplace_back(m.key, text);
  }
  std::vector<Symbol> inputs;
  const bool inputs_ok = Inputs(layer, path, *scope, previous, &inputs);
  // A variadic op counts its inputs itself (as Symbol::Create does).
  op->CountInputs(inputs_ok ? inputs.size() : 1, &attrs);
  if (ok) {
    try {
      // An op without inputs (sampling) starts a chain of its own.
      const NodeAttrs node = MakeNodeAttrs(*op, where, attrs);
      if (op->ListInputs(node).empty() && layer.Find("inputs") == nullptr) {
        inputs.clear();
      }
    } catch (const ParamError& e) {
      diag_->AddParamError(e, layer, path, where + ": ");
      ok = false;
    }
  }
  if (!inputs_ok) ok = false;
  if (!ok) {
    if (!local.empty()) (*scope)[local] = {};
    return {};
  }
  if (!name.empty()) kwargs.emplace_back("name", name);
  Value v;
  try {
    v.symbol = Symbol::Create(op->name(), inputs, kwargs);
    v.ok = true;
  } catch (const mx::Error& e) {
    Error(layer.loc(), path, e.what());
  }
  // A generated name may meet a given one ("fullyconnected0").
  if (v.ok && name.empty() && !Unique(v.symbol.name(), layer, path)) v = {};
  if (v.ok) {
    out_.node_locs[v.symbol.name()] = layer.loc();
    out_.node_paths[v.symbol.name()] = path;
    if (local.empty()) local = v.symbol.name();
  }
  if (!local.empty()) (*scope)[local] = v;
  return v;
}

Value NetworkBuilder::RunBlock(const ConfigNode& layer, const std::string& path,
                               Scope* scope, const Value& previous,
                               const std::string& prefix,
                               const Args& outer_args, int depth) {
  const ConfigNode& block_node = *layer.Find("block");
  const std::string block =
      block_node.IsScalar() ? block_node.text() : std::string();
  const auto found = blocks_.find(block);
  if (found == blocks_.end()) {
    std::vector<std::string> names;
    for (const auto& [n, b] : blocks_) names.push_back(n);
    Error(block_node.loc(), path + ".block",
          StrCat("unknown block '", block, "'", DidYouMean(block, names),
                 names.empty() ? std::string(" (network.blocks defines none)")
                               : "; blocks: " + Join(names, ", ")));
    return {};
  }
  if (depth >= kMaxBlockDepth) {
    Error(layer.loc(), path,
          StrCat("blocks nest deeper than ", kMaxBlockDepth,
                 " levels (does block '", block, "' apply itself?)"));
    return {};
  }
  const ConfigNode& def = *found->second;
  std::string local;
  bool ok = Name(layer, path, &local);
  if (local.empty()) local = StrCat(block, block_uses_[block]++);
  const std::string name = prefix.empty() ? local : prefix + "_" + local;
  if (!Unique(name, layer, path)) ok = false;
  // Arguments: defaults, then the layer's values.
  Args args;
  std::vector<std::string> arg_names;
  if (const ConfigNode* defaults = def.Find("args")) {
    for (const auto& m : defaults->members()) {
      arg_names.push_back(m.key);
      if (!m.value.IsNull()) args[m.key] = &m.value;
    }
  }
  for (const auto& m : layer.members()) {
    if (m.key == "block" || m.key == "name" || m.key == "inputs") continue;
    if (std::find(arg_names.begin(), arg_names.end(), m.key) ==
        arg_names.end()) {
      Error(
          m.key_loc, path + "." + m.key,
          StrCat("block '", block, "' has no argument '", m.key, "'",
                 DidYouMean(m.key, arg_names),
                 arg_names.empty() ? std::string(" (it takes none)")
                                   : "; arguments: " + Join(arg_names, ", ")));
      ok = false;
      continue;
    }
    // A value may itself name an argument of the enclosing block.
    const ConfigNode* value = &m.value;
    if (value->IsScalar() && !value->quoted() && !value->text().empty() &&
        value->text()[0] == '$') {
      const auto outer = outer_args.find(value->text().substr(1));
      if (outer == outer_args.end()) {
        std::string ignored;
        ParamText(*value, path + "." + m.key, outer_args, &ignored);
        ok = false;
        continue;
      }
      value = outer->second;
    }
    args[m.key] = value;
  }
  for (const std::string& a : arg_names) {
    if (!args.count(a)) {
      Error(layer.loc(), path,
            StrCat("block '", block, "' needs argument '", a, "'"));
      ok = false;
    }
  }
  std::vector<Symbol> inputs;
  if (!Inputs(layer, path, *scope, previous, &inputs)) ok = false;
  if (!ok) {
    (*scope)[local] = {};
    return {};
  }
  // Inside: `input` is the first input; with several, input0, input1, ...
  Scope inner;
  const Value input{inputs[0], true};
  inner["input"] = input;
  if (inputs.size() > 1) {
    for (size_t k = 0; k < inputs.size(); ++k) {
      inner[StrCat("input", k)] = Value{inputs[k], true};
    }
  }
  const Value v =
      RunLayers(*def.Find("layers"), block_paths_[block] + ".layers", &inner,
                input, name, args, depth + 1);
  (*scope)[local] = v;
  return v;
}

Value NetworkBuilder::RunVariable(const ConfigNode& layer,
                                  const std::string& path, Scope* scope,
                                  const Value& previous,
                                  const std::string& prefix, const Args& args) {
  const ConfigNode& var = *layer.Find("variable");
  if (!var.IsScalar() || var.text().empty()) {
    Error(var.loc(), path + ".variable",
          "expected the variable's name (e.g. variable: rnn_i2h_weight)");
    return previous;
  }
  const std::string& local = var.text();
  const std::string name = prefix.empty() ? local : prefix + "_" + local;
  bool ok = Unique(name, layer, path);
  VariableOptions options;
  for (const auto& m : layer.members()) {
    const std::string mpath = path + "." + m.key;
    if (m.key == "variable") continue;
    std::string text;
    if (m.key == "init") {
      // A type name or {type: NAME, PARAM: VALUE}: MXNet's __init__ JSON.
      const ConfigNode* type =
          m.value.IsMap() ? m.value.Find("type") : &m.value;
      if (type == nullptr || !type->IsScalar()) {
        Error(m.value.loc(), mpath,
              "expected an initializer: a name or {type: NAME, PARAM: VALUE}");
        ok = false;
        continue;
      }
      std::vector<std::string> params;
      if (m.value.IsMap()) {
        for (const auto& p : m.value.members()) {
          if (p.key == "type") continue;
          if (!ParamText(p.value, mpath + "." + p.key, args, &text)) {
            ok = false;
            continue;
          }
          char* end = nullptr;
          std::strtod(text.c_str(), &end);
          const bool number = !text.empty() && *end == '\0';
          params.push_back(
              StrCat("\"", p.key, "\": ", number ? text : "\"" + text + "\""));
        }
      }
      options.init =
          StrCat("[\"", type->text(), "\", {", Join(params, ", "), "}]");
      continue;
    }
    if (m.key != "shape" && m.key != "lr_mult" && m.key != "wd_mult") {
      Error(m.key_loc, mpath,
            StrCat("a variable takes shape, init, lr_mult and wd_mult, not '",
                   m.key, "'"));
      ok = false;
      continue;
    }
    if (!ParamText(m.value, mpath, args, &text)) {
      ok = false;
      continue;
    }
    if (m.key == "shape") {
      std::vector<int64_t> dims;
      const std::string problem =
          ParamTraits<std::vector<int64_t>>::Parse(text, &dims);
      if (!problem.empty() || dims.empty()) {
        Error(m.value.loc(), mpath,
              "expected a shape such as [1, 28, 64] (0 or -1: inferred)");
        ok = false;
        continue;
      }
      for (int64_t& d : dims) {
        if (d <= 0) d = -1;
      }
      options.shape = PartialShape(dims);
    } else {
      double v = 0;
      if (!ParamTraits<double>::Parse(text, &v).empty() || v < 0) {
        Error(m.value.loc(), mpath, "expected a number >= 0");
        ok = false;
        continue;
      }
      (m.key == "lr_mult" ? options.lr_mult : options.wd_mult) = v;
    }
  }
  Value v;
  if (ok) {
    try {
      v.symbol = Symbol::Variable(name, options);
      v.ok = true;
    } catch (const mx::Error& e) {
      Error(layer.loc(), path, e.what());
    }
  }
  (*scope)[local] = v;
  return previous;
}

}  // namespace

BuiltNetwork BuildNetwork(const ConfigNode& network, const std::string& path,
                          const std::string& base_dir, Diagnostics* diag) {
  NetworkBuilder builder(base_dir, diag);
  return builder.Build(network, path);
}

}  // namespace mx
