// mx.sym: Symbol graphs. Ops are created through one entry point, _create
// (the Python module generates a function per registered op from
// list_ops); parameters arrive as Python values and become MXNet's strings.
#include <pybind11/stl.h>

#include <map>
#include <string>
#include <vector>

#include "core/base/error.h"
#include "core/base/strings.h"
#include "core/op/op.h"
#include "core/symbol/symbol.h"
#include "python/src/module.h"

namespace py = pybind11;

namespace mx {
namespace python {
namespace {

// A parameter value as MXNet's string form: True/False, numbers, tuples
// "(2, 2)", strings as they are.
std::string ParamText(const py::handle& v) {
  if (py::isinstance<py::bool_>(v)) return v.cast<bool>() ? "True" : "False";
  if (py::isinstance<py::tuple>(v) || py::isinstance<py::list>(v)) {
    std::string out = "(";
    const py::sequence seq = v.cast<py::sequence>();
    for (size_t i = 0; i < seq.size(); ++i) {
      out += (i ? ", " : "") + py::str(seq[i]).cast<std::string>();
    }
    return out + (seq.size() == 1 ? ",)" : ")");
  }
  return py::str(v).cast<std::string>();
}

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
  for (const ParamField& f : op.schema().fields()) {
    out +=
        f.name + " : " + f.type_name +
        (f.required ? ", required" : ", optional, default " + f.default_text);
    if (!f.constraint.empty()) out += ", " + f.constraint;
    out += "\n    " + f.doc + "\n";
  }
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
      [](const std::string& name, const py::object& shape) {
        VariableOptions o;
        if (!shape.is_none()) {
          std::vector<int64_t> dims;
          for (const py::handle d : shape) dims.push_back(d.cast<int64_t>());
          o.shape = PartialShape(dims);
        }
        return Symbol::Variable(name, o);
      },
      py::arg("name"), py::arg("shape") = py::none());
  m.def("Group", &Symbol::Group, py::arg("symbols"));
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
