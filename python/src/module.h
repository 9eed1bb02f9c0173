// The pybind11 extension `mxnet._core`: the C++ core as the Python package
// sees it. One Bind* function per area, each in its own file.
#ifndef MX_PYTHON_SRC_MODULE_H_
#define MX_PYTHON_SRC_MODULE_H_

#include <pybind11/pybind11.h>

#include "core/symbol/symbol.h"

namespace mx {
namespace python {

// Context: mx.Context('cpu' | 'gpu', id).
void BindContext(pybind11::module_& m);
// NDArray and its functions (creation, arithmetic, NumPy views, save/load).
void BindNDArray(pybind11::module_& m);
// Symbol and its functions (Variable, Group, load, _create, list_ops);
// returns the Symbol class for BindExecutor.
pybind11::class_<Symbol> BindSymbol(pybind11::module_& m);
// Executor, and Symbol.bind / simple_bind.
void BindExecutor(pybind11::module_& m, pybind11::class_<Symbol>& symbol);

}  // namespace python
}  // namespace mx

#endif  // MX_PYTHON_SRC_MODULE_H_
