#include "python/src/module.h"

#include "core/base/error.h"

namespace py = pybind11;

namespace {
// Starts the message of a cast_error turned MXNetError (python/mxnet/_errors.py
// recognizes it).
constexpr const char* kWrongTypePrefix = "argument of the wrong type: ";
}  // namespace

PYBIND11_MODULE(_core, m) {
  m.doc() = "mx's C++ core (engine, NDArray, Symbol, executors, ops, io)";
  // mx::Error (user errors and internal bugs alike) reaches Python as
  // mxnet.MXNetError with the full message; so does a Python value of the
  // wrong type met inside a bound function (pybind11's cast_error, which
  // python/mxnet/_errors.py prefixes with the function's name).
  static py::exception<mx::Error> error(m, "MXNetError", PyExc_Exception);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const mx::Error& e) {
      error(e.what());
    } catch (const py::cast_error& e) {
      error((std::string(kWrongTypePrefix) + e.what()).c_str());
    }
  });
  mx::python::BindContext(m);
  mx::python::BindNDArray(m);
  py::module_ sym = m.def_submodule("symbol", "Symbol graphs");
  auto symbol = mx::python::BindSymbol(sym);
  mx::python::BindExecutor(m, symbol);
  py::module_ io = m.def_submodule("io", "Data iterators");
  mx::python::BindIO(io);
  py::module_ train = m.def_submodule("train", "Training");
  mx::python::BindTrain(train);
  py::module_ op = m.def_submodule("operator", "Python-defined operators");
  mx::python::BindOperator(op);
  mx::python::BindRecordIO(m);
  py::module_ onnx = m.def_submodule("onnx", "ONNX import and export");
  mx::python::BindOnnx(onnx, error);
}
