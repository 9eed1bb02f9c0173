// mx.sym: Symbol graphs. Ops are created through one entry point, _create
// (the Python module generates a function per registered op from
// list_ops); parameters arrive as Python values and become MXNet's strings.
#include <pybind11/stl.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/base/error.h"
#include "core/base/strings.h"
#include "core/op/op.h"
#include "core/symbol/scopes.h"
#include "core/symbol/symbol.h"
#include "python/src/module.h"

namespace py = pybind11;

namespace mx {
namespace python {
namespace {

Symbol Create(const std::string& op, const py::args& args,
              const py::kwargs& kwargs) {
  std::vector<Symbol> inputs;
  for (const py::handle a : args) {
    MX_CHECK(py::isinstance<Symbol>(a), op,
             ": positional arguments must be Symbols (parameters go by "
             "keyword), got ",
             py::str(a.get_type()).cast<std::string>());
    inputs.push_back(a.cast<Symbol>());
  }
  Kwargs kw;
  for (const auto& [k, v] : kwargs) {
    const std::string key = k.cast<std::string>();
    if (v.is_none()) continue;
    if (key == "attr") {
      // attr={'ctx_group': 'dev1', ...}: node attributes, not parameters
      // (stored as __ctx_group__, as AttrScope's: UserAttrKey).
      MX_CHECK(py::isinstance<py::dict>(v), op,
               ": attr must be a dict of strings, got ",
               py::str(v.get_type()).cast<std::string>());
      for (const auto& [ak, av] : ParamDict(v.cast<py::dict>())) {
        kw.emplace_back(UserAttrKey(ak), Arg(av));
      }
      continue;
    }
    if (py::isinstance<Symbol>(v)) {
      kw.emplace_back(key, Arg(v.cast<Symbol>()));
    } else {
      kw.emplace_back(key, Arg(ParamText(v)));
    }
  }
  return Symbol::Create(op, inputs, kw);
}

// A NumPy-style docstring of op `name`: its description, inputs and
// parameters with types, defaults, bounds and docs.
std::string OpDocstring(const std::string& name) {
  const OpDef& op = OpRegistry::Global().Get(name);
  std::string out = op.doc() + "\n";
  if (!op.aliases().empty())
    out += "\nAlso: " + Join(op.aliases(), ", ") + ".\n";
  out += "\nParameters\n----------\n";
  try {
    const NodeAttrs attrs = MakeNodeAttrs(op, "doc", {});
    for (const std::string& input : op.ListArguments(attrs)) {
      out += input + " : Symbol\n    An input.\n";
    }
  } catch (const Error&) {
    out += "(inputs depend on the required parameters)\n";
  }
  out += ParamsDoc(op.schema());
  out += "name : str, optional\n    The node's name (default: <op>N).\n";
  return out + "\nReturns\n-------\nSymbol\n";
}

py::object ShapeTuples(const std::vector<PartialShape>& shapes) {
  py::list out;
  for (const PartialShape& s : shapes) {
    if (!s.rank_known()) {
      out.append(py::tuple());
      continue;
    }
    py::tuple t(s.ndim());
    // Unknown extents read 0, as MXNet's infer_shape_partial.
    for (int i = 0; i < s.ndim(); ++i) t[i] = s[i] < 0 ? 0 : s[i];
    out.append(t);
  }
  return out;
}

std::map<std::string, PartialShape> KnownShapes(const Symbol& s,
                                                const py::args& args,
                                                const py::kwargs& kwargs) {
  std::map<std::string, PartialShape> known;
  const std::vector<std::string> names = s.ListArguments();
  MX_CHECK(args.size() <= names.size(), "infer_shape: ", args.size(),
           " positional shapes for ", names.size(), " arguments");
  const auto shape_of = [](const py::handle& v) {
    std::vector<int64_t> dims;
    for (const py::handle d : v) dims.push_back(d.cast<int64_t>());
    return PartialShape(dims);
  };
  for (size_t i = 0; i < args.size(); ++i) {
    if (!args[i].is_none()) known[names[i]] = shape_of(args[i]);
  }
  for (const auto& [k, v] : kwargs) known[k.cast<std::string>()] = shape_of(v);
  return known;
}

std::map<std::string, DType> KnownTypes(const Symbol& s, const py::args& args,
                                        const py::kwargs& kwargs) {
  std::map<std::string, DType> known;
  const std::vector<std::string> names = s.ListArguments();
  MX_CHECK(args.size() <= names.size(), "infer_type: ", args.size(),
           " positional types for ", names.size(), " arguments");
  for (size_t i = 0; i < args.size(); ++i) {
    if (!args[i].is_none()) known[names[i]] = DTypeOf(args[i]);
  }
  for (const auto& [k, v] : kwargs) known[k.cast<std::string>()] = DTypeOf(v);
  return known;
}

// NumPy type objects (numpy.float32, ...) for DType codes.
py::list TypeList(const std::vector<int>& codes) {
  py::module_ np = py::module_::import("numpy");
  py::list out;
  for (int c : codes) {
    // Unknown types (partial inference) are None.
    out.append(c == kUnknownType
                   ? py::object(py::none())
                   : py::object(np.attr(DTypeName(static_cast<DType>(c)))));
  }
  return out;
}

// A Python-side `with` scope owning a C++ scope (opened on __enter__).
template <typename Scope>
struct ScopeHolder {
  std::function<std::unique_ptr<Scope>()> open;
  std::unique_ptr<Scope> scope;
};

template <typename Scope>
void BindScope(py::module_& m, const char* name, const char* doc,
               std::function<std::unique_ptr<Scope>(const py::kwargs&)> make) {
  using Holder = ScopeHolder<Scope>;
  py::class_<Holder>(m, name, doc)
      .def(py::init([make](const py::kwargs& kwargs) {
        auto h = std::make_unique<Holder>();
        py::dict copy(kwargs);
        h->open = [make, copy] { return make(py::kwargs(copy)); };
        return h;
      }))
      .def(
          "__enter__",
          [](Holder& h) -> Holder& {
            MX_CHECK(!h.scope, "a scope cannot be entered twice at once");
            h.scope = h.open();
            return h;
          },
          py::return_value_policy::reference)
      .def("__exit__", [](Holder& h, const py::args&) { h.scope.reset(); });
}

}  // namespace

py::class_<Symbol> BindSymbol(py::module_& m) {
  py::class_<Symbol> symbol(m, "Symbol", "A symbolic graph of operations.");
  symbol
      .def_property_readonly("name",
                             [](const Symbol& s) -> py::object {
                               const std::string n = s.name();
                               if (n.empty()) return py::none();
                               return py::str(n);
                             })
      .def("list_arguments", &Symbol::ListArguments)
      .def("list_outputs", &Symbol::ListOutputs)
      .def("list_auxiliary_states", &Symbol::ListAuxiliaryStates)
      .def("list_inputs", &Symbol::ListInputs)
      .def("get_internals", &Symbol::GetInternals)
      .def("get_children", &Symbol::GetChildren)
      .def("__len__", &Symbol::NumOutputs)
      .def("__getitem__",
           [](const Symbol& s, const py::object& key) {
             if (py::isinstance<py::str>(key))
               return s[key.cast<std::string>()];
             return s[key.cast<size_t>()];
           })
      .def("__call__",
           [](const Symbol& s, const py::args& args, const py::kwargs& kwargs) {
             std::vector<Symbol> positional;
             for (const py::handle a : args)
               positional.push_back(a.cast<Symbol>());
             std::map<std::string, Symbol> named;
             std::string name;
             for (const auto& [k, v] : kwargs) {
               const std::string key = k.cast<std::string>();
               if (key == "name") {
                 name = v.cast<std::string>();
               } else {
                 named[key] = v.cast<Symbol>();
               }
             }
             return s(positional, named, name);
           })
      .def("infer_shape",
           [](const Symbol& s, const py::args& args,
              const py::kwargs& kwargs) -> py::tuple {
             const PartialShapes r =
                 s.InferShapePartial(KnownShapes(s, args, kwargs));
             // MXNet returns (None, None, None) when shapes stay unknown.
             if (!r.complete)
               return py::make_tuple(py::none(), py::none(), py::none());
             return py::make_tuple(ShapeTuples(r.arguments),
                                   ShapeTuples(r.outputs),
                                   ShapeTuples(r.aux_states));
           })
      .def("infer_shape_partial",
           [](const Symbol& s, const py::args& args, const py::kwargs& kwargs) {
             const PartialShapes r =
                 s.InferShapePartial(KnownShapes(s, args, kwargs));
             return py::make_tuple(ShapeTuples(r.arguments),
                                   ShapeTuples(r.outputs),
                                   ShapeTuples(r.aux_states));
           })
      .def("infer_type",
           [](const Symbol& s, const py::args& args,
              const py::kwargs& kwargs) -> py::tuple {
             const PartialTypes r =
                 s.InferTypePartial(KnownTypes(s, args, kwargs));
             if (!r.complete)
               return py::make_tuple(py::none(), py::none(), py::none());
             return py::make_tuple(TypeList(r.arguments), TypeList(r.outputs),
                                   TypeList(r.aux_states));
           })
      .def(
          "infer_type_partial",
          [](const Symbol& s, const py::args& args,
             const py::kwargs& kwargs) -> py::tuple {
            const PartialTypes r =
                s.InferTypePartial(KnownTypes(s, args, kwargs));
            return py::make_tuple(TypeList(r.arguments), TypeList(r.outputs),
                                  TypeList(r.aux_states));
          },
          "Like infer_type, with None for the types that stay unknown.")
      .def("attr_dict", &Symbol::AllAttrs)
      .def("list_attr",
           [](const Symbol& s) {
             const auto all = s.AllAttrs();
             const auto it = all.find(s.name());
             return it == all.end() ? AttrDict() : it->second;
           })
      .def("_set_attr",
           [](Symbol& s, const py::kwargs& kwargs) {
             for (const auto& [k, v] : ParamDict(kwargs)) s.SetAttr(k, v);
           })
      .def("__copy__", [](const Symbol& s) { return s.Copy(); })
      .def("__deepcopy__",
           [](const Symbol& s, const py::object&) { return s.Copy(); })
      .def("tojson", &Symbol::ToJSON)
      .def("save", &Symbol::Save, py::arg("fname"))
      .def("attr",
           [](const Symbol& s, const std::string& key) -> py::object {
             const auto v = s.Attr(key);
             if (!v) return py::none();
             return py::str(*v);
           })
      .def("__repr__",
           [](const Symbol& s) {
             const std::string n = s.name();
             return "<Symbol " + (n.empty() ? std::string("group") : n) + ">";
           })
      .def(py::pickle([](const Symbol& s) { return s.ToJSON(); },
                      [](const std::string& json) {
                        return Symbol::FromJSON(json, "pickled Symbol");
                      }));
  m.def(
      "Variable",
      [](const std::string& name, const py::object& attr,
         const py::object& shape, const py::object& lr_mult,
         const py::object& wd_mult, const py::object& dtype,
         const std::string& init, const py::kwargs& kwargs) {
        VariableOptions o;
        if (!shape.is_none()) {
          std::vector<int64_t> dims;
          for (const py::handle d : shape) dims.push_back(d.cast<int64_t>());
          o.shape = PartialShape(dims);
        }
        if (!dtype.is_none()) o.dtype = DTypeOf(dtype);
        o.init = init;
        if (!attr.is_none()) o.attrs = ParamDict(attr.cast<py::dict>());
        // As MXNet: str() of the value ("0" for 0, "0.5" for 0.5).
        if (!lr_mult.is_none()) o.attrs["lr_mult"] = ParamText(lr_mult);
        if (!wd_mult.is_none()) o.attrs["wd_mult"] = ParamText(wd_mult);
        for (const auto& [k, v] : ParamDict(kwargs)) o.attrs[k] = v;
        return Symbol::Variable(name, o);
      },
      py::arg("name"), py::arg("attr") = py::none(),
      py::arg("shape") = py::none(), py::arg("lr_mult") = py::none(),
      py::arg("wd_mult") = py::none(), py::arg("dtype") = py::none(),
      py::arg("init") = "");
  m.def("Group", &Symbol::Group, py::arg("symbols"));
  BindScope<AttrScope>(
      m, "AttrScope",
      "with mx.AttrScope(ctx_group='stage1'): symbols created inside get "
      "these attributes.",
      [](const py::kwargs& kw) {
        return std::make_unique<AttrScope>(ParamDict(kw));
      });
  BindScope<NameScope>(
      m, "Prefix",
      "with mx.name.Prefix('p_'): names of symbols created inside start "
      "with the prefix (a fresh naming scope).",
      [](const py::kwargs& kw) {
        return std::make_unique<NameScope>(
            kw.contains("prefix") ? kw["prefix"].cast<std::string>() : "");
      });
  m.def("load", &Symbol::Load, py::arg("fname"));
  m.def(
      "load_json",
      [](const std::string& json) { return Symbol::FromJSON(json); },
      py::arg("json_str"));
  m.def("_create", &Create);
  m.def("list_ops", [] { return OpRegistry::Global().AllNames(); });
  m.def("op_doc", &OpDocstring, py::arg("op"));
  return symbol;
}

}  // namespace python
}  // namespace mx
