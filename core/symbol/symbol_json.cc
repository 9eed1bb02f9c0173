// MXNet-compatible symbol JSON: NNVM format (0.9 to 1.x) written and read,
// legacy format (0.8 and before) read and upgraded as MXNet's
// src/nnvm/legacy_json_util.cc does. See Note [Symbol JSON layout].
#include <algorithm>
#include <unordered_map>

#include "core/base/error.h"
#include "core/base/file_util.h"
#include "core/base/json.h"
#include "core/base/strings.h"
#include "core/symbol/symbol.h"

namespace mx {
namespace {

// The MXNet version our files claim (1.9.0): our op names and parameters are
// those of MXNet 1.x.
constexpr int64_t kMXNetVersion = 10900;
// Files without a version are MXNet 0.8 or older (legacy format).
constexpr int64_t kLegacyVersion = 800;
// Bounds on a symbol file (Note [Untrusted input]): the largest real MXNet
// graphs have thousands of nodes and a few megabytes of JSON.
constexpr size_t kMaxNodes = 1000000;
constexpr int64_t kMaxFileBytes = 256 << 20;

void WriteEntry(JsonWriter* w, uint32_t node_id, uint32_t index,
                uint32_t version) {
  w->BeginArray(false);
  w->NextItem();
  w->Int(node_id);
  w->NextItem();
  w->Int(index);
  w->NextItem();
  w->Int(version);
  w->EndArray();
}

void WriteIntArray(JsonWriter* w, const std::vector<uint32_t>& values) {
  // dmlc writes arrays of plain values on one line up to 10 items.
  w->BeginArray(values.size() > 10);
  for (uint32_t v : values) {
    w->NextItem();
    w->Int(v);
  }
  w->EndArray();
}

void WriteDict(JsonWriter* w, const AttrDict& dict) {
  w->BeginObject(dict.size() > 1);
  for (const auto& [key, value] : dict) {
    w->Key(key);
    w->String(value);
  }
  w->EndObject();
}

// ---- reading ----

// Errors while reading name the source, the line and what was expected.
class Reader {
 public:
  explicit Reader(const std::string& source) : source_(source) {}

  [[noreturn]] void Fail(const JsonValue& at,
                         const std::string& problem) const {
    MX_THROW(source_, ":", at.line(), ":", at.column(), ": ", problem);
  }
  const JsonValue& Expect(const JsonValue& v, JsonValue::Kind kind,
                          const std::string& what) const {
    if (v.kind() != kind) {
      Fail(v, what + " must be " + KindText(kind) + ", not " + v.KindName());
    }
    return v;
  }
  const JsonValue& Member(const JsonValue& obj, const std::string& key,
                          const std::string& what) const {
    const JsonValue* v = obj.Find(key);
    if (v == nullptr) Fail(obj, what + " has no \"" + key + "\"");
    return *v;
  }
  int64_t Int(const JsonValue& v, const std::string& what) const {
    Expect(v, JsonValue::Kind::kNumber, what);
    const double d = v.number();
    // Range first: casting a double past int64 (1e30) is undefined.
    if (!(d >= -9.2e18 && d <= 9.2e18) ||
        d != static_cast<double>(static_cast<int64_t>(d)) ||
        v.number_text().find_first_of(".eE") != std::string::npos) {
      Fail(v, what + " must be an integer, not " + v.number_text());
    }
    return static_cast<int64_t>(d);
  }
  void CheckKeys(const JsonValue& obj, const std::vector<std::string>& allowed,
                 const std::string& what) const {
    for (const auto& member : obj.members()) {
      if (std::find(allowed.begin(), allowed.end(), member.first) ==
          allowed.end()) {
        Fail(obj, what + ": unknown key \"" + member.first + "\"" +
                      DidYouMean(member.first, allowed) +
                      "; expected keys: " + Join(allowed, ", "));
      }
    }
  }
  const std::string& source() const { return source_; }

 private:
  static std::string KindText(JsonValue::Kind kind) {
    switch (kind) {
      case JsonValue::Kind::kArray:
        return "an array";
      case JsonValue::Kind::kObject:
        return "an object";
      case JsonValue::Kind::kString:
        return "a string";
      case JsonValue::Kind::kNumber:
        return "a number";
      default:
        return "a value";
    }
  }
  const std::string& source_;
};

// A node's string attributes from "attrs", "attr" and legacy "param".
AttrDict ReadDict(const Reader& r, const JsonValue& node,
                  const std::string& what) {
  AttrDict dict;
  for (const char* key : {"param", "attr", "attrs"}) {
    const JsonValue* obj = node.Find(key);
    if (obj == nullptr) continue;
    r.Expect(*obj, JsonValue::Kind::kObject, what + " \"" + key + "\"");
    for (const auto& [k, v] : obj->members()) {
      r.Expect(v, JsonValue::Kind::kString, what + " attribute \"" + k + "\"");
      dict[k] = v.str();
    }
  }
  return dict;
}

// An attribute of an op node meant for one of its input variables:
// "weight_lr_mult" sets __lr_mult__ on the variable bound to "weight".
struct InputVarAttr {
  std::string input, key, value;
};

// MXNet's UpgradeJSON_FixParsing: ctx_group, lr_mult, ... become hidden keys
// "__x__"; on op nodes "<input>_<key>" moves to the input's variable
// (returned in *moved); variables keep such keys as they are.
void HideAttrKeys(AttrDict* dict, bool is_variable,
                  std::vector<InputVarAttr>* moved) {
  AttrDict fixed;
  for (const auto& [key, value] : *dict) {
    std::string new_key = key;
    for (const std::string& h : HiddenAttrNames()) {
      if (key == h) {
        new_key = "__" + key + "__";
        break;
      }
      const size_t pos = key.rfind(h);
      if (pos != std::string::npos && pos > 1 && pos == key.size() - h.size() &&
          key[pos - 1] == '_' && !is_variable) {
        moved->push_back({key.substr(0, pos - 1), h, value});
        new_key.clear();
        break;
      }
    }
    if (!new_key.empty()) fixed[new_key] = value;
  }
  *dict = std::move(fixed);
}

// Legacy scalar ops carried scalar_on_left; 1.x has separate ops instead.
void UpgradeScalarOp(std::string* op, AttrDict* dict) {
  auto it = dict->find("scalar_on_left");
  if (it == dict->end()) return;
  bool on_left = false;
  const std::string problem = ParamTraits<bool>::Parse(it->second, &on_left);
  dict->erase(it);
  if (!problem.empty() || !on_left) return;
  if (*op == "_MinusScalar") *op = "_RMinusScalar";
  if (*op == "_DivScalar") *op = "_RDivScalar";
  if (*op == "_PowerScalar") *op = "_RPowerScalar";
}

int64_t ReadVersion(const Reader& r, const JsonValue& root) {
  const JsonValue* attrs = root.Find("attrs");
  if (attrs == nullptr) return kLegacyVersion;
  r.Expect(*attrs, JsonValue::Kind::kObject, "graph \"attrs\"");
  const JsonValue* version = attrs->Find("mxnet_version");
  if (version == nullptr) return kLegacyVersion;
  if (!version->IsArray() || version->items().size() != 2 ||
      !version->items()[0].IsString()) {
    r.Fail(*version, "\"mxnet_version\" must be [\"int\", <version>]");
  }
  return r.Int(version->items()[1], "\"mxnet_version\"");
}

Symbol ReadGraph(const JsonValue& root, const std::string& source) {
  Reader r(source);
  r.Expect(root, JsonValue::Kind::kObject, "a symbol file");
  r.CheckKeys(root, {"nodes", "arg_nodes", "node_row_ptr", "heads", "attrs"},
              "symbol file");
  const int64_t version = ReadVersion(r, root);
  const bool legacy = version < 900;
  const JsonValue& nodes = r.Expect(r.Member(root, "nodes", "symbol file"),
                                    JsonValue::Kind::kArray, "\"nodes\"");
  if (nodes.items().size() > kMaxNodes) {
    r.Fail(nodes, StrCat("the graph has ", nodes.items().size(),
                         " nodes; a symbol file may have at most ", kMaxNodes));
  }
  std::vector<std::shared_ptr<Node>> built;
  for (size_t i = 0; i < nodes.items().size(); ++i) {
    const JsonValue& jn = nodes.items()[i];
    const std::string what = "node " + std::to_string(i);
    r.Expect(jn, JsonValue::Kind::kObject, what);
    r.CheckKeys(jn,
                {"op", "name", "inputs", "attrs", "attr", "param",
                 "backward_source_id", "control_deps"},
                what);
    const JsonValue& jop = r.Expect(r.Member(jn, "op", what),
                                    JsonValue::Kind::kString, what + " \"op\"");
    const JsonValue& jname =
        r.Expect(r.Member(jn, "name", what), JsonValue::Kind::kString,
                 what + " \"name\"");
    const std::string where = what + " '" + jname.str() + "'";
    if (const JsonValue* bsid = jn.Find("backward_source_id")) {
      if (r.Int(*bsid, where + " backward_source_id") != -1) {
        r.Fail(*bsid, where +
                          " is a backward node; only forward graphs can "
                          "be loaded");
      }
    }
    AttrDict dict = ReadDict(r, jn, where);
    std::string op_name = jop.str();
    std::vector<InputVarAttr> moved;
    HideAttrKeys(&dict, op_name == "null", &moved);
    if (legacy) UpgradeScalarOp(&op_name, &dict);

    auto node = std::make_shared<Node>();
    if (op_name == "null") {
      node->attrs.name = jname.str();
      node->attrs.dict = std::move(dict);
    } else {
      const OpDef* op = OpRegistry::Global().Find(op_name);
      if (op == nullptr) {
        const auto names = OpRegistry::Global().AllNames();
        r.Fail(jop, where + ": unknown operator '" + op_name + "'" +
                        DidYouMean(op_name, names));
      }
      try {
        node->attrs = MakeNodeAttrs(*op, jname.str(), std::move(dict));
      } catch (const Error& e) {
        r.Fail(jn, std::string(e.what()));
      }
    }
    const JsonValue& inputs =
        r.Expect(r.Member(jn, "inputs", where), JsonValue::Kind::kArray,
                 where + " \"inputs\"");
    for (const JsonValue& jin : inputs.items()) {
      if (!jin.IsArray() || jin.items().size() < 2 || jin.items().size() > 3) {
        r.Fail(jin, where +
                        ": an input must be [node_id, output_index] or "
                        "[node_id, output_index, version]");
      }
      const int64_t src = r.Int(jin.items()[0], where + " input node id");
      const int64_t index = r.Int(jin.items()[1], where + " input index");
      const int64_t ver = jin.items().size() == 3
                              ? r.Int(jin.items()[2], where + " version")
                              : 0;
      if (src < 0 || src >= static_cast<int64_t>(i)) {
        r.Fail(jin,
               StrCat(where, ": input references node ", src,
                      ", which is not one of the ", i, " nodes before it"));
      }
      const uint32_t nout = built[src]->num_outputs();
      if (index < 0 || index >= nout || ver < 0) {
        r.Fail(jin, StrCat(where, ": input references output ", index,
                           " of node ", src, " '", built[src]->attrs.name,
                           "', which has ", nout, " output(s)"));
      }
      node->inputs.push_back(NodeEntry{built[src], static_cast<uint32_t>(index),
                                       static_cast<uint32_t>(ver)});
    }
    if (!node->is_variable()) {
      const OpDef& op = *node->attrs.op;
      const std::vector<std::string> expected = op.ListInputs(node->attrs);
      const size_t num_args = op.ListArguments(node->attrs).size();
      // MXNet 0.8 did not store auxiliary states as nodes: add them as
      // variables "<node>_<aux>" (UpgradeJSON_000800_000900).
      if (legacy && node->inputs.size() == num_args) {
        for (size_t k = num_args; k < expected.size(); ++k) {
          node->inputs.push_back(
              NodeEntry{Node::MakeVariable(node->attrs.name + "_" + expected[k],
                                           node->attrs.dict),
                        0, 0});
        }
      }
      if (node->inputs.size() != expected.size()) {
        r.Fail(jn, StrCat(where, ": ", op.name(), " takes ", expected.size(),
                          " inputs (", Join(expected, ", "),
                          ") but the file "
                          "gives ",
                          node->inputs.size()));
      }
      for (const InputVarAttr& m : moved) {
        auto it = std::find(expected.begin(), expected.end(), m.input);
        Node* target = it == expected.end()
                           ? nullptr
                           : node->inputs[it - expected.begin()].node.get();
        if (target == nullptr || !target->is_variable()) {
          // No such variable input: keep it on the node, hidden.
          node->attrs.dict["__" + m.input + "_" + m.key + "__"] = m.value;
          continue;
        }
        target->attrs.dict["__" + m.key + "__"] = m.value;
      }
      if (op.on_input_variable()) {
        for (size_t k = 0; k < node->inputs.size(); ++k) {
          if (node->inputs[k].node->is_variable()) {
            op.on_input_variable()(node->attrs, static_cast<int>(k),
                                   &node->inputs[k].node->attrs.dict);
          }
        }
      }
    }
    built.push_back(std::move(node));
  }

  if (const JsonValue* args = root.Find("arg_nodes")) {
    r.Expect(*args, JsonValue::Kind::kArray, "\"arg_nodes\"");
    for (const JsonValue& a : args->items()) {
      const int64_t id = r.Int(a, "an arg_nodes entry");
      if (id < 0 || id >= static_cast<int64_t>(built.size()) ||
          !built[id]->is_variable()) {
        r.Fail(a, StrCat("arg_nodes entry ", id,
                         " is not the index of a variable node"));
      }
    }
  }
  const JsonValue& heads = r.Expect(r.Member(root, "heads", "symbol file"),
                                    JsonValue::Kind::kArray, "\"heads\"");
  std::vector<NodeEntry> outputs;
  for (const JsonValue& h : heads.items()) {
    if (!h.IsArray() || h.items().size() < 2 || h.items().size() > 3) {
      r.Fail(h, "a head must be [node_id, output_index(, version)]");
    }
    const int64_t id = r.Int(h.items()[0], "head node id");
    const int64_t index = r.Int(h.items()[1], "head output index");
    if (id < 0 || id >= static_cast<int64_t>(built.size()) || index < 0 ||
        index >= built[id]->num_outputs()) {
      r.Fail(h,
             StrCat("head [", id, ", ", index, "] references a missing ",
                    "node or output (the file has ", built.size(), " nodes)"));
    }
    const int64_t ver = h.items().size() == 3 ? r.Int(h.items()[2], "head") : 0;
    outputs.push_back(NodeEntry{built[id], static_cast<uint32_t>(index),
                                static_cast<uint32_t>(ver)});
  }
  return Symbol(std::move(outputs));
}

}  // namespace

std::string Symbol::ToJSON() const {
  IndexedGraph g(outputs_);
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  w.Key("nodes");
  w.BeginArray();
  std::vector<uint32_t> arg_nodes;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = *g.nodes[i];
    if (n.is_variable()) arg_nodes.push_back(static_cast<uint32_t>(i));
    w.NextItem();
    w.BeginObject();
    w.Key("op");
    w.String(n.is_variable() ? "null" : n.attrs.op->name());
    w.Key("name");
    w.String(n.attrs.name);
    if (!n.attrs.dict.empty()) {
      w.Key("attrs");
      WriteDict(&w, n.attrs.dict);
    }
    w.Key("inputs");
    w.BeginArray(n.inputs.size() > 10);
    for (const NodeEntry& e : n.inputs) {
      w.NextItem();
      WriteEntry(&w, g.node_ids.at(e.node.get()), e.index, e.version);
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.Key("arg_nodes");
  WriteIntArray(&w, arg_nodes);
  w.Key("node_row_ptr");
  WriteIntArray(&w, g.entry_begin);
  w.Key("heads");
  w.BeginArray(outputs_.size() > 10);
  for (const NodeEntry& e : outputs_) {
    w.NextItem();
    WriteEntry(&w, g.node_ids.at(e.node.get()), e.index, e.version);
  }
  w.EndArray();
  w.Key("attrs");
  w.BeginObject(false);
  w.Key("mxnet_version");
  w.BeginArray(false);
  w.NextItem();
  w.String("int");
  w.NextItem();
  w.Int(kMXNetVersion);
  w.EndArray();
  w.EndObject();
  w.EndObject();
  return out;
}

Symbol Symbol::FromJSON(const std::string& json, const std::string& source) {
  return ReadGraph(ParseJson(json, source), source);
}

void Symbol::Save(const std::string& path) const {
  WriteFileAtomic(path, ToJSON());
}

Symbol Symbol::Load(const std::string& path) {
  return FromJSON(ReadFile(path, kMaxFileBytes), path);
}

}  // namespace mx
