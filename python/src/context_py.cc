// mx.Context: a device type and id, compared and hashed by value.
#include <pybind11/operators.h>

#include "core/base/context.h"
#include "core/base/error.h"
#include "core/gpu/gpu.h"
#include "python/src/module.h"

namespace py = pybind11;

namespace mx {
namespace python {
namespace {

Context MakeContext(const std::string& type, int id) {
  MX_CHECK(id >= 0, "Context: device id ", id, " must be at least 0");
  if (type == "cpu") return Context::CPU(id);
  if (type == "gpu") return Context::GPU(id);
  if (type == "cpu_pinned") return Context::CPUPinned(id);
  MX_THROW("Context: device type '", type,
           "'; expected 'cpu', 'gpu' or 'cpu_pinned'");
}

const char* TypeName(const Context& c) { return DeviceTypeName(c.dev_type); }

}  // namespace

void BindContext(py::module_& m) {
  m.def("num_gpus", &gpu::DeviceCount,
        "Number of usable GPUs: 0 without the CUDA backend or a GPU.");
  py::class_<Context>(m, "Context", "A device: Context('cpu'|'gpu', id).")
      .def(py::init(&MakeContext), py::arg("device_type"),
           py::arg("device_id") = 0)
      .def(py::init([](const Context& c) { return c; }), py::arg("ctx"))
      .def_property_readonly("device_type", &TypeName)
      .def_property_readonly("device_id",
                             [](const Context& c) { return c.dev_id; })
      .def("__repr__", &Context::ToString)
      .def("__str__", &Context::ToString)
      .def(py::self == py::self)
      .def(py::self != py::self)
      .def("__hash__",
           [](const Context& c) {
             return py::hash(
                 py::make_tuple(static_cast<int>(c.dev_type), c.dev_id));
           })
      .def(py::pickle(
          [](const Context& c) {
            return py::make_tuple(TypeName(c), c.dev_id);
          },
          [](const py::tuple& t) {
            return MakeContext(t[0].cast<std::string>(), t[1].cast<int>());
          }));
}

}  // namespace python
}  // namespace mx
