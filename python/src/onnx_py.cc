// mx.onnx: ONNX import and export (interop/onnx) for Python.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "interop/onnx/exporter.h"
#include "interop/onnx/importer.h"
#include "python/src/module.h"

namespace py = pybind11;

namespace mx {
namespace python {

void BindOnnx(py::module_& m, py::handle error_base) {
  m.def(
      "import_model",
      [](const std::string& path) {
        onnx_io::ImportedModel model = onnx_io::ImportModel(path);
        std::vector<py::tuple> inputs;
        for (const auto& in : model.inputs) {
          inputs.push_back(py::make_tuple(in.name, in.dims));
        }
        return py::make_tuple(model.symbol, model.args, model.aux, inputs,
                              model.output_names);
      },
      py::arg("path"),
      "(symbol, arg_params, aux_params, [(input name, dims)], output names) "
      "of the ONNX model at path");
  m.def(
      "export_model",
      [](const Symbol& symbol, const std::map<std::string, NDArray>& args,
         const std::map<std::string, NDArray>& aux,
         const std::map<std::string, std::vector<int64_t>>& shapes,
         const std::string& path) {
        std::map<std::string, Shape> input_shapes;
        for (const auto& [name, dims] : shapes)
          input_shapes[name] = Shape(dims);
        onnx_io::ExportModel(symbol, args, aux, input_shapes, path);
      },
      py::arg("symbol"), py::arg("arg_params"), py::arg("aux_params"),
      py::arg("input_shapes"), py::arg("path"),
      "writes symbol with its parameters as an ONNX model (opset 11)");
  m.attr("EXPORT_OPSET") = onnx_io::kExportOpset;
  m.def("supported_import_ops", &onnx_io::SupportedImportOps);
  m.def("supported_export_ops", &onnx_io::SupportedExportOps);
  // A subclass of MXNetError: the model uses what mx does not support.
  py::register_exception<onnx_io::UnsupportedError>(m, "UnsupportedError",
                                                    error_base);
}

}  // namespace python
}  // namespace mx
