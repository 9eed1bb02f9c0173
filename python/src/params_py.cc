// Parameters from Python: keyword values become MXNet's strings, and
// parameter schemas become docstrings.
#include <pybind11/pybind11.h>

#include <string>

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
