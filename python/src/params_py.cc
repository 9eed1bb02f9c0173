// Parameters from Python: keyword values become MXNet's strings, and
// parameter schemas become docstrings.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <map>
#include <string>
#include <vector>

#include "core/op/param.h"
#include "python/src/module.h"

namespace py = pybind11;

namespace mx {
namespace python {

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

AttrDict ParamDict(const py::dict& kwargs) {
  AttrDict out;
  for (const auto& [k, v] : kwargs) {
    if (v.is_none()) continue;
    out[k.cast<std::string>()] = ParamText(v);
  }
  return out;
}

DType DTypeOf(const py::handle& dtype) {
  return DTypeFromName(
      py::dtype::from_args(py::reinterpret_borrow<py::object>(dtype))
          .attr("name")
          .cast<std::string>());
}

std::map<std::string, Shape> ShapesOf(const py::kwargs& kwargs) {
  std::map<std::string, Shape> shapes;
  for (const auto& [k, v] : kwargs) {
    shapes[k.cast<std::string>()] = Shape(v.cast<std::vector<int64_t>>());
  }
  return shapes;
}

std::string ParamsDoc(const ParamSchema& schema) {
  std::string out;
  for (const ParamField& f : schema.fields()) {
    out +=
        f.name + " : " + f.type_name +
        (f.required ? ", required" : ", optional, default " + f.default_text);
    if (!f.constraint.empty()) out += ", " + f.constraint;
    out += "\n    " + f.doc + "\n";
  }
  return out;
}

}  // namespace python
}  // namespace mx
