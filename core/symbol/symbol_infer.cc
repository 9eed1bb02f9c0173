// Shape and type inference over a symbol's graph (Symbol::InferShape*,
// Symbol::InferType*).
#include <functional>
#include <set>

#include "core/base/error.h"
#include "core/base/strings.h"
#include "core/symbol/symbol.h"

namespace mx {
namespace {

// Names of the entries feeding each node, for error messages.
std::vector<std::vector<std::string>> InputEntryNames(const IndexedGraph& g) {
  std::vector<std::vector<std::string>> names(g.nodes.size());
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    for (const NodeEntry& e : g.nodes[i]->inputs) {
      names[i].push_back(EntryName(e));
    }
  }
  return names;
}

// Runs `infer_node` on every op node, forward then backward over the graph,
// until no entry changes. Ops only refine values (unknown -> known), so this
// terminates.
template <typename V>
void Propagate(const IndexedGraph& g, std::vector<V>* entries,
               const std::function<void(size_t node, std::vector<V>* in,
                                        std::vector<V>* out)>& infer_node) {
  bool changed = true;
  const auto run = [&](size_t nid) {
    const Node& n = *g.nodes[nid];
    if (n.is_variable()) return;
    std::vector<V> in, out;
    for (uint32_t e : g.input_entries[nid]) in.push_back((*entries)[e]);
    for (uint32_t e = g.entry_begin[nid]; e < g.entry_begin[nid + 1]; ++e) {
      out.push_back((*entries)[e]);
    }
    infer_node(nid, &in, &out);
    for (size_t k = 0; k < in.size(); ++k) {
      V& entry = (*entries)[g.input_entries[nid][k]];
      if (entry != in[k]) {
        entry = in[k];
        changed = true;
      }
    }
    for (size_t k = 0; k < out.size(); ++k) {
      V& entry = (*entries)[g.entry_begin[nid] + k];
      if (entry != out[k]) {
        entry = out[k];
        changed = true;
      }
    }
  };
  while (changed) {
    changed = false;
    for (size_t i = 0; i < g.nodes.size(); ++i) run(i);
    for (size_t i = g.nodes.size(); i-- > 0;) run(i);
  }
}

// Checks that every key of `known` names a variable of `g`.
template <typename M>
void CheckKnownNames(const IndexedGraph& g, const M& known, const char* what) {
  std::set<std::string> variables;
  for (const auto& n : g.nodes) {
    if (n->is_variable()) variables.insert(n->attrs.name);
  }
  const std::vector<std::string> names(variables.begin(), variables.end());
  for (const auto& entry : known) {
    MX_CHECK(variables.count(entry.first), what, ": '", entry.first,
             "' is not an argument or auxiliary state of the symbol",
             DidYouMean(entry.first, names), "; inputs: ", Join(names, ", "));
  }
}

// Splits per-entry values into arguments, outputs and auxiliary states.
template <typename V, typename R>
void Collect(const IndexedGraph& g, const std::vector<V>& entries, R* result) {
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    if (!g.nodes[i]->is_variable()) continue;
    (g.is_aux[i] ? result->aux_states : result->arguments)
        .push_back(entries[g.entry_begin[i]]);
  }
  for (uint32_t e : g.head_entries) result->outputs.push_back(entries[e]);
}

// "what: cannot infer ... of arguments a, b; outputs c" listing the unknowns.
template <typename R, typename F>
void ThrowIncomplete(const Symbol& symbol, const R& partial, F known,
                     const std::string& what, const std::string& hint) {
  std::vector<std::string> parts;
  const auto add = [&](const char* kind, const std::vector<std::string>& names,
                       const auto& values) {
    std::vector<std::string> unknown;
    for (size_t i = 0; i < names.size(); ++i) {
      if (!known(values[i])) unknown.push_back(names[i]);
    }
    if (!unknown.empty()) parts.push_back(kind + Join(unknown, ", "));
  };
  add("arguments ", symbol.ListArguments(), partial.arguments);
  add("auxiliary states ", symbol.ListAuxiliaryStates(), partial.aux_states);
  add("outputs ", symbol.ListOutputs(), partial.outputs);
  MX_THROW("cannot infer the ", what, " of ", Join(parts, "; "), "; ", hint);
}

// A variable's __shape__ hint (0 and -1 extents are unknown).
PartialShape ShapeHint(const Node& n) {
  auto it = n.attrs.dict.find("__shape__");
  if (it == n.attrs.dict.end()) return PartialShape();
  std::vector<int64_t> dims;
  const std::string problem =
      ParamTraits<std::vector<int64_t>>::Parse(it->second, &dims);
  MX_CHECK(problem.empty(), "variable '", n.attrs.name, "': __shape__ = \"",
           it->second, "\": ", problem);
  for (int64_t& d : dims) {
    MX_CHECK(d >= -1, "variable '", n.attrs.name, "': __shape__ = \"",
             it->second, "\" has a negative extent");
    if (d == 0) d = -1;
  }
  return PartialShape(dims);
}

// A variable's __dtype__ hint.
int TypeHint(const Node& n) {
  auto it = n.attrs.dict.find("__dtype__");
  if (it == n.attrs.dict.end()) return kUnknownType;
  int64_t code = 0;
  const std::string problem = ParamTraits<int64_t>::Parse(it->second, &code);
  MX_CHECK(problem.empty() && IsValidDTypeCode(code), "variable '",
           n.attrs.name, "': __dtype__ = \"", it->second,
           "\" is not a type code (0 float32, 1 float64, 2 float16, 3 uint8, "
           "4 int32, 5 int8, 6 int64)");
  return static_cast<int>(code);
}

}  // namespace

std::vector<PartialShape> InferEntryShapes(
    const IndexedGraph& g, const std::map<std::string, PartialShape>& known) {
  CheckKnownNames(g, known, "InferShape");
  std::vector<PartialShape> entries(g.num_entries());
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = *g.nodes[i];
    if (!n.is_variable()) continue;
    auto it = known.find(n.attrs.name);
    entries[g.entry_begin[i]] = it != known.end() ? it->second : ShapeHint(n);
  }
  const auto names = InputEntryNames(g);
  Propagate<PartialShape>(g, &entries,
                          [&](size_t nid, std::vector<PartialShape>* in,
                              std::vector<PartialShape>* out) {
                            const NodeAttrs& attrs = g.nodes[nid]->attrs;
                            if (!attrs.op->infer_shape()) return;
                            InferShapeContext ctx(attrs, in, out, names[nid]);
                            attrs.op->infer_shape()(&ctx);
                          });
  return entries;
}

PartialShapes Symbol::InferShapePartial(
    const std::map<std::string, PartialShape>& known) const {
  IndexedGraph g(outputs_);
  const std::vector<PartialShape> entries = InferEntryShapes(g, known);
  PartialShapes result;
  Collect(g, entries, &result);
  result.complete = true;
  for (const auto* list :
       {&result.arguments, &result.outputs, &result.aux_states}) {
    for (const PartialShape& s : *list) result.complete &= s.IsKnown();
  }
  return result;
}

Shapes Symbol::InferShape(
    const std::map<std::string, PartialShape>& known) const {
  PartialShapes partial = InferShapePartial(known);
  if (!partial.complete) {
    std::vector<std::string> given;
    for (const auto& [name, shape] : known) {
      given.push_back(name + "=" + shape.ToString());
    }
    ThrowIncomplete(
        *this, partial, [](const PartialShape& s) { return s.IsKnown(); },
        "shapes",
        "give their shapes (known: " +
            (given.empty() ? std::string("none") : Join(given, ", ")) + ")");
  }
  Shapes shapes;
  for (const PartialShape& s : partial.arguments)
    shapes.arguments.push_back(s.ToShape());
  for (const PartialShape& s : partial.outputs)
    shapes.outputs.push_back(s.ToShape());
  for (const PartialShape& s : partial.aux_states)
    shapes.aux_states.push_back(s.ToShape());
  return shapes;
}

std::vector<int> InferEntryTypes(const IndexedGraph& g,
                                 const std::map<std::string, DType>& known) {
  CheckKnownNames(g, known, "InferType");
  std::vector<int> entries(g.num_entries(), kUnknownType);
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = *g.nodes[i];
    if (!n.is_variable()) continue;
    auto it = known.find(n.attrs.name);
    entries[g.entry_begin[i]] =
        it != known.end() ? static_cast<int>(it->second) : TypeHint(n);
  }
  const auto names = InputEntryNames(g);
  Propagate<int>(g, &entries,
                 [&](size_t nid, std::vector<int>* in, std::vector<int>* out) {
                   const NodeAttrs& attrs = g.nodes[nid]->attrs;
                   InferTypeContext ctx(attrs, in, out, names[nid]);
                   attrs.op->infer_type()(&ctx);
                 });
  return entries;
}

PartialTypes Symbol::InferTypePartial(
    const std::map<std::string, DType>& known) const {
  IndexedGraph g(outputs_);
  const std::vector<int> entries = InferEntryTypes(g, known);
  PartialTypes result;
  Collect(g, entries, &result);
  result.complete = true;
  for (const auto* list :
       {&result.arguments, &result.outputs, &result.aux_states}) {
    for (int t : *list) result.complete &= t != kUnknownType;
  }
  return result;
}

Types Symbol::InferType(const std::map<std::string, DType>& known) const {
  PartialTypes partial = InferTypePartial(known);
  if (!partial.complete) {
    ThrowIncomplete(
        *this, partial, [](int t) { return t != kUnknownType; }, "types",
        "give their types");
  }
  Types types;
  for (int t : partial.arguments) types.arguments.push_back(DTypeFromCode(t));
  for (int t : partial.outputs) types.outputs.push_back(DTypeFromCode(t));
  for (int t : partial.aux_states) types.aux_states.push_back(DTypeFromCode(t));
  return types;
}

}  // namespace mx
