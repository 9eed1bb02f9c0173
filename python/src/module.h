// The pybind11 extension `mxnet._core`: the C++ core as the Python package
// sees it. One Bind* function per area, each in its own file.
#ifndef MX_PYTHON_SRC_MODULE_H_
#define MX_PYTHON_SRC_MODULE_H_

#include <pybind11/pybind11.h>

#include <map>
#include <memory>
#include <string>

#include "core/base/dtype.h"
#include "core/base/shape.h"
#include "core/op/param.h"
#include "core/symbol/symbol.h"
#include "io/data_iter.h"

namespace mx {
namespace python {

// A C++ data iterator as Python holds it (shared with the trainer).
struct IterHandle {
  std::shared_ptr<io::DataIter> iter;
};

// Runs `f` without the GIL: every call that may wait for the engine does
// so, since an engine worker may need the GIL to run a Python-defined op
// (NumpyOp) that the wait depends on (Note [Python and the GIL]).
template <typename F>
auto WithoutGil(F&& f) {
  pybind11::gil_scoped_release release;
  return f();
}

// A keyword value as MXNet's parameter string: True/False, numbers, tuples
// "(2, 2)", strings as they are.
std::string ParamText(const pybind11::handle& v);
// Keyword arguments as parameter strings (None values are left out).
AttrDict ParamDict(const pybind11::dict& kwargs);
// The element type of a NumPy dtype-like value (numpy.float32, 'float64',
// np.dtype(...)); mx::Error for types mx does not have.
DType DTypeOf(const pybind11::handle& dtype);
// Shapes given as keyword arguments (data=(100, 784)), by name.
std::map<std::string, Shape> ShapesOf(const pybind11::kwargs& kwargs);
// The "name : type, default\n    doc" lines of every field of `schema`.
std::string ParamsDoc(const ParamSchema& schema);

// Context: mx.Context('cpu' | 'gpu', id).
void BindContext(pybind11::module_& m);
// NDArray and its functions (creation, arithmetic, NumPy views, save/load).
void BindNDArray(pybind11::module_& m);
// Symbol and its functions (Variable, Group, load, _create, list_ops);
// returns the Symbol class for BindExecutor.
pybind11::class_<Symbol> BindSymbol(pybind11::module_& m);
// Executor, and Symbol.bind / simple_bind.
void BindExecutor(pybind11::module_& m, pybind11::class_<Symbol>& symbol);
// Data iterators (the io registry's kinds and NDArrayIter).
void BindIO(pybind11::module_& m);
// Initializers, optimizers, metrics and the Trainer behind FeedForward.
void BindTrain(pybind11::module_& m);
// Python-defined operators (NumpyOp) on the _Native op.
void BindOperator(pybind11::module_& m);
// RecordIO readers / writers and image codecs (submodule `recordio`).
void BindRecordIO(pybind11::module_& m);
// mx.onnx's core: import_model, export_model (errors derive from
// `error_base`, MXNetError).
void BindOnnx(pybind11::module_& m, pybind11::handle error_base);

}  // namespace python
}  // namespace mx

#endif  // MX_PYTHON_SRC_MODULE_H_
