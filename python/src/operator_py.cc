// mx.operator: Python-defined operators (NumpyOp). Their callbacks become a
// registered NativeOpInfo (ops/custom/native_op.h); they run on engine
// workers and take the GIL there, which is why every binding that waits for
// the engine releases it (WithoutGil).
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <memory>
#include <string>
#include <vector>

#include "core/base/error.h"
#include "ops/custom/native_op.h"
#include "python/src/module.h"

namespace py = pybind11;

namespace mx {
namespace python {
namespace {

// NumPy arrays over the views' memory (valid during the callback only).
py::list Views(const std::vector<TensorView>& views) {
  py::list out;
  for (const TensorView& v : views) {
    if (v.empty()) {
      out.append(py::none());
      continue;
    }
    std::vector<py::ssize_t> dims(v.shape.dims().begin(), v.shape.dims().end());
    // A base object makes NumPy use the memory instead of copying it.
    out.append(py::array(py::dtype(std::string(DTypeName(v.dtype))), dims, {},
                         v.data, py::none()));
  }
  return out;
}

// Runs a Python callback with the GIL; a Python exception becomes mx::Error
// (the engine reports it at the next wait).
template <typename F>
void CallPython(const char* what, F&& f) {
  py::gil_scoped_acquire acquire;
  try {
    f();
  } catch (py::error_already_set& e) {
    MX_THROW("NumpyOp ", what, " raised: ", e.what());
  }
}

int64_t RegisterNumpyOp(const std::vector<std::string>& arguments,
                        const std::vector<std::string>& outputs,
                        const py::function& infer_shape,
                        const py::function& forward,
                        const py::function& backward, bool need_top_grad) {
  auto info = std::make_shared<ops::NativeOpInfo>();
  info->arguments = arguments;
  info->outputs = outputs;
  info->need_top_grad = need_top_grad;
  // The functions live as long as the registry (the process).
  auto* keep = new py::object[3]{infer_shape, forward, backward};
  info->infer_shape = [keep](std::vector<Shape>* in) {
    std::vector<Shape> out;
    CallPython("infer_shape", [&] {
      py::list shapes;
      for (const Shape& s : *in) shapes.append(py::cast(s.dims()));
      const py::tuple r = keep[0](shapes).cast<py::tuple>();
      MX_CHECK(r.size() == 2,
               "NumpyOp infer_shape must return (in_shapes, out_shapes)");
      in->clear();
      for (const py::handle s : r[0])
        in->emplace_back(s.cast<std::vector<int64_t>>());
      for (const py::handle s : r[1])
        out.emplace_back(s.cast<std::vector<int64_t>>());
    });
    return out;
  };
  info->forward = [keep](const std::vector<TensorView>& in,
                         const std::vector<TensorView>& out) {
    CallPython("forward", [&] { keep[1](Views(in), Views(out)); });
  };
  info->backward = [keep](const std::vector<TensorView>& out_grad,
                          const std::vector<TensorView>& in,
                          const std::vector<TensorView>& out,
                          const std::vector<TensorView>& in_grad) {
    CallPython("backward", [&] {
      keep[2](Views(out_grad), Views(in), Views(out), Views(in_grad));
    });
  };
  return ops::RegisterNativeOp(std::move(info));
}

}  // namespace

void BindOperator(py::module_& m) {
  m.def("register_numpy_op", &RegisterNumpyOp, py::arg("arguments"),
        py::arg("outputs"), py::arg("infer_shape"), py::arg("forward"),
        py::arg("backward"), py::arg("need_top_grad"));
}

}  // namespace python
}  // namespace mx
