// Executors from Python: Symbol.bind / simple_bind, forward with inputs by
// keyword, backward, and the bound arrays as lists and dicts.
#include <pybind11/stl.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/base/error.h"
#include "core/base/strings.h"
#include "core/executor/executor.h"
#include "core/symbol/symbol.h"
#include "python/src/module.h"

namespace py = pybind11;

namespace mx {
namespace python {
namespace {

Context ContextArg(const py::object& ctx) {
  return ctx.is_none() ? Context::CPU() : ctx.cast<Context>();
}

// "write" / "add" / "null", or a dict of them by argument name (others
// "write"), or a list in argument order.
std::map<std::string, GradReq> GradReqs(const Symbol& s,
                                        const py::object& req) {
  std::map<std::string, GradReq> out;
  const std::vector<std::string> names = s.ListArguments();
  if (py::isinstance<py::str>(req)) {
    const GradReq r = ParseGradReq(req.cast<std::string>(), "grad_req");
    for (const std::string& n : names) out[n] = r;
  } else if (py::isinstance<py::dict>(req)) {
    for (const auto& [k, v] : req.cast<py::dict>()) {
      out[k.cast<std::string>()] =
          ParseGradReq(v.cast<std::string>(), "grad_req");
    }
  } else {
    const auto list = req.cast<std::vector<std::string>>();
    MX_CHECK(list.size() == names.size(), "grad_req: ", list.size(),
             " requests for ", names.size(), " arguments");
    for (size_t i = 0; i < names.size(); ++i) {
      out[names[i]] = ParseGradReq(list[i], "grad_req");
    }
  }
  return out;
}

// A list (in `names` order) or dict of NDArrays as a dict; None is empty.
std::map<std::string, NDArray> ArraysByName(
    const std::vector<std::string>& names, const py::object& arrays,
    const char* what) {
  std::map<std::string, NDArray> out;
  if (arrays.is_none()) return out;
  if (py::isinstance<py::dict>(arrays)) {
    for (const auto& [k, v] : arrays.cast<py::dict>()) {
      out[k.cast<std::string>()] = v.cast<NDArray>();
    }
    return out;
  }
  const auto list = arrays.cast<std::vector<NDArray>>();
  MX_CHECK(list.size() == names.size(), what, ": ", list.size(),
           " arrays for the ", names.size(), " names ", Join(names, ", "));
  for (size_t i = 0; i < list.size(); ++i) out[names[i]] = list[i];
  return out;
}

py::dict AsDict(const std::map<std::string, NDArray>& arrays) {
  py::dict out;
  for (const auto& [k, v] : arrays) out[py::str(k)] = v;
  return out;
}

// In ListArguments order, with None for arguments without a gradient.
py::list GradArrays(const Executor& e) {
  py::list out;
  for (const NDArray& g : e.grad_arrays()) {
    if (g.is_none()) {
      out.append(py::none());
    } else {
      out.append(g);
    }
  }
  return out;
}

}  // namespace

void BindExecutor(py::module_& m, py::class_<Symbol>& symbol) {
  py::class_<Executor, std::shared_ptr<Executor>>(
      m, "Executor", "A symbol bound to arrays: forward and backward.")
      .def(
          "forward",
          [](Executor& e, bool is_train, const py::kwargs& inputs) {
            const auto args = e.arg_dict();
            for (const auto& [k, v] : inputs) {
              const std::string name = k.cast<std::string>();
              const auto it = args.find(name);
              MX_CHECK(it != args.end(), "forward: '", name,
                       "' is not an argument of the bound symbol");
              NDArray dst = it->second;
              if (py::isinstance<NDArray>(v)) {
                v.cast<NDArray>().CopyTo(&dst);
              } else {
                py::module_::import("mxnet.ndarray")
                    .attr("array")(v, py::none(),
                                   py::str(DTypeName(dst.dtype())))
                    .cast<NDArray>()
                    .CopyTo(&dst);
              }
            }
            e.Forward(is_train);
            return e.outputs();
          },
          py::arg("is_train") = false)
      .def(
          "backward",
          [](Executor& e, const py::object& out_grads) {
            std::vector<NDArray> heads;
            if (py::isinstance<NDArray>(out_grads)) {
              heads.push_back(out_grads.cast<NDArray>());
            } else if (!out_grads.is_none()) {
              heads = out_grads.cast<std::vector<NDArray>>();
            }
            e.Backward(heads);
          },
          py::arg("out_grads") = py::none())
      .def(
          "reshape",
          [](const Executor& e, bool partial_shaping, bool allow_up_sizing,
             const py::kwargs& shapes) {
            return std::shared_ptr<Executor>(
                e.Reshape(ShapesOf(shapes), partial_shaping, allow_up_sizing));
          },
          py::arg("partial_shaping") = false,
          py::arg("allow_up_sizing") = false,
          "A new executor for other input shapes, sharing this one's memory.")
      .def_property_readonly("outputs", &Executor::outputs)
      .def_property_readonly("arg_arrays", &Executor::arg_arrays)
      .def_property_readonly("grad_arrays", &GradArrays)
      .def_property_readonly("aux_arrays", &Executor::aux_arrays)
      .def_property_readonly(
          "arg_dict", [](const Executor& e) { return AsDict(e.arg_dict()); })
      .def_property_readonly(
          "grad_dict", [](const Executor& e) { return AsDict(e.grad_dict()); })
      .def_property_readonly(
          "aux_dict", [](const Executor& e) { return AsDict(e.aux_dict()); })
      .def("debug_str", &Executor::DebugString);
  // group2ctx={'dev1': mx.cpu(0), ...}: where each ctx_group runs.
  const auto group_contexts = [](const py::object& group2ctx) {
    std::map<std::string, Context> out;
    if (group2ctx.is_none()) return out;
    MX_CHECK(py::isinstance<py::dict>(group2ctx),
             "group2ctx must be a dict of group name to Context, got ",
             py::str(group2ctx.get_type()).cast<std::string>());
    for (const auto& [k, v] : group2ctx.cast<py::dict>()) {
      MX_CHECK(py::isinstance<py::str>(k) && py::isinstance<Context>(v),
               "group2ctx: expected group name -> Context, got ",
               py::repr(k).cast<std::string>(), " -> ",
               py::repr(v).cast<std::string>());
      out[k.cast<std::string>()] = v.cast<Context>();
    }
    return out;
  };
  symbol
      .def(
          "simple_bind",
          [group_contexts](
              const Symbol& s, const py::object& ctx,
              const py::object& grad_req, const py::object& type_dict,
              const py::object& group2ctx, const py::kwargs& shapes) {
            // type_dict: element types of some arguments (NumPy types).
            std::map<std::string, DType> types;
            if (!type_dict.is_none()) {
              for (const auto& [k, v] : type_dict.cast<py::dict>()) {
                types[k.cast<std::string>()] = DTypeOf(v);
              }
            }
            return std::shared_ptr<Executor>(Executor::SimpleBind(
                s, ContextArg(ctx), ShapesOf(shapes), GradReq::kWrite,
                GradReqs(s, grad_req), types, group_contexts(group2ctx)));
          },
          py::arg("ctx") = py::none(), py::arg("grad_req") = "write",
          py::arg("type_dict") = py::none(), py::arg("group2ctx") = py::none())
      .def(
          "bind",
          [group_contexts](
              const Symbol& s, const py::object& ctx, const py::object& args,
              const py::object& args_grad, const py::object& grad_req,
              const py::object& aux_states, const py::object& group2ctx) {
            Executor::CheckGroupContexts(ContextArg(ctx),
                                         group_contexts(group2ctx));
            const auto arg_names = s.ListArguments();
            return std::shared_ptr<Executor>(Executor::Bind(
                s, ContextArg(ctx), ArraysByName(arg_names, args, "args"),
                ArraysByName(arg_names, args_grad, "args_grad"),
                GradReqs(s, grad_req),
                ArraysByName(s.ListAuxiliaryStates(), aux_states,
                             "aux_states")));
          },
          py::arg("ctx"), py::arg("args"), py::arg("args_grad") = py::none(),
          py::arg("grad_req") = "write", py::arg("aux_states") = py::none(),
          py::arg("group2ctx") = py::none());
}

}  // namespace python
}  // namespace mx
