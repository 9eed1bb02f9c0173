// mx.nd: NDArray with NumPy interop. Arrays share memory with the NumPy views
// `numpy` returns (after pending writes finish), as in MXNet's guide.
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/base/error.h"
#include "core/base/strings.h"
#include "core/engine/engine.h"
#include "core/executor/imperative.h"
#include "core/ndarray/ndarray.h"
#include "core/ndarray/ndarray_io.h"
#include "core/ndarray/row_ops.h"
#include "core/op/op.h"
#include "python/src/module.h"

namespace py = pybind11;

namespace mx {
namespace python {
namespace {

Shape ShapeOf(const py::object& shape) {
  if (py::isinstance<py::int_>(shape)) return Shape{shape.cast<int64_t>()};
  std::vector<int64_t> dims;
  for (const py::handle d : shape) {
    const int64_t v = d.cast<int64_t>();
    MX_CHECK(v >= 0, "shape ", py::str(shape).cast<std::string>(),
             ": extents must be at least 0");
    dims.push_back(v);
  }
  return Shape(dims);
}

py::tuple TupleOf(const Shape& s) {
  py::tuple t(s.ndim());
  for (int i = 0; i < s.ndim(); ++i) t[i] = s[i];
  return t;
}

DType DTypeOfObject(const py::object& dtype) {
  return dtype.is_none() ? DType::kFloat32 : DTypeOf(dtype);
}

py::dtype NumpyDType(DType t) { return py::dtype(std::string(DTypeName(t))); }

// `ctx`, or the current context (mx.current_context(), set by `with ctx:`).
Context ContextOf(const py::object& ctx) {
  if (!ctx.is_none()) return ctx.cast<Context>();
  return py::module_::import("mxnet.context")
      .attr("current_context")()
      .cast<Context>();
}

// A random array: written into `out` when given (its shape wins), else new.
NDArray RandomArray(const std::function<NDArray(const Shape&, Context)>& draw,
                    const py::object& shape, const py::object& ctx,
                    const py::object& out) {
  if (out.is_none()) return draw(ShapeOf(shape), ContextOf(ctx));
  NDArray dst = out.cast<NDArray>();
  draw(dst.shape(), dst.context()).CopyTo(&dst);
  return dst;
}

// A NumPy array over `a`'s memory, keeping `a` alive.
py::array NumpyView(const NDArray& a) {
  MX_CHECK(a.context().IsHost(), "numpy view of ", a.Describe(),
           ": only host arrays can be viewed; copy to mx.cpu() first");
  WithoutGil([&] { a.WaitToWrite(); });
  auto* keep = new NDArray(a);
  py::capsule owner(keep, [](void* p) { delete static_cast<NDArray*>(p); });
  std::vector<py::ssize_t> dims(a.shape().dims().begin(),
                                a.shape().dims().end());
  return py::array(NumpyDType(a.dtype()), dims, {}, a.RawData(), owner);
}

// Copies a NumPy-convertible value into `a` (a handle: the copy writes the
// caller's array), broadcasting scalars, same-shape arrays.
void Assign(NDArray a, const py::object& value) {
  if (py::isinstance<NDArray>(value)) {
    value.cast<NDArray>().CopyTo(&a);
    return;
  }
  if (py::isinstance<py::float_>(value) || py::isinstance<py::int_>(value)) {
    a.Fill(value.cast<double>());
    return;
  }
  py::array src = py::array::ensure(value);
  MX_CHECK(src, "cannot assign a ",
           py::str(value.get_type()).cast<std::string>(), " to an NDArray");
  src = py::array(py::module_::import("numpy").attr("ascontiguousarray")(
      src, NumpyDType(a.dtype())));
  Shape s(std::vector<int64_t>(src.shape(), src.shape() + src.ndim()));
  if (src.ndim() == 0) {
    a.Fill(src.attr("item")().cast<double>());
    return;
  }
  MX_CHECK(s == a.shape(), "cannot assign an array of shape ", s,
           " to an NDArray of shape ", a.shape());
  WithoutGil([&] { a.SyncCopyFromHost(src.data(), a.Bytes()); });
}

// a[key] for a slice (axis 0, step 1) or an integer.
NDArray Index(const NDArray& a, const py::object& key) {
  MX_CHECK(a.shape().ndim() >= 1, "cannot index a 0-d NDArray");
  const int64_t n = a.shape()[0];
  if (py::isinstance<py::int_>(key)) {
    int64_t i = key.cast<int64_t>();
    if (i < 0) i += n;
    if (i < 0 || i >= n) throw py::index_error("index out of range");
    return a.At(i);
  }
  MX_CHECK(py::isinstance<py::slice>(key),
           "NDArray indices are integers or slices along the first axis");
  py::ssize_t start, stop, step, length;
  if (!key.cast<py::slice>().compute(n, &start, &stop, &step, &length)) {
    throw py::error_already_set();
  }
  MX_CHECK(step == 1, "NDArray slices take step 1 (got ", step, ")");
  return a.Slice(start, std::max(start, stop));
}

py::object Load(const std::string& path) {
  const NamedArrays loaded = LoadNDArrays(path);
  if (loaded.names.empty()) return py::cast(loaded.arrays);
  py::dict out;
  for (size_t i = 0; i < loaded.arrays.size(); ++i) {
    out[py::str(loaded.names[i])] = loaded.arrays[i];
  }
  return out;
}

void Save(const std::string& path, const py::object& data) {
  if (py::isinstance<py::dict>(data)) {
    std::map<std::string, NDArray> arrays;
    for (const auto& [k, v] : data.cast<py::dict>()) {
      arrays[k.cast<std::string>()] = v.cast<NDArray>();
    }
    WithoutGil([&] { SaveNDArrayMap(path, arrays); });
    return;
  }
  const std::vector<NDArray> arrays =
      py::isinstance<NDArray>(data) ? std::vector<NDArray>{data.cast<NDArray>()}
                                    : data.cast<std::vector<NDArray>>();
  WithoutGil([&] { SaveNDArrays(path, arrays); });
}

// mx.nd.<op>(*args, out=None, name=None, ctx=None, **kwargs): positional
// arrays are the op's inputs in order (all of them for a variadic op); other
// positional values are its parameters in declaration order (MXNet's
// generated signatures); keyword arrays are inputs by name.
py::object Invoke(const std::string& op_name, const py::args& args,
                  const py::kwargs& kwargs) {
  const OpDef& op = OpRegistry::Global().Get(op_name);
  std::vector<NDArray> positional;
  std::vector<py::handle> values;
  for (const py::handle a : args) {
    if (py::isinstance<NDArray>(a) && values.empty()) {
      positional.push_back(a.cast<NDArray>());
    } else {
      values.push_back(a);
    }
  }
  InvokeOptions options;
  AttrDict params;
  std::map<std::string, NDArray> named;
  const auto& fields = op.schema().fields();
  MX_CHECK(values.size() <= fields.size(), op_name, ": takes ", fields.size(),
           " parameters, got ", values.size(), " positional values");
  for (size_t i = 0; i < values.size(); ++i) {
    if (!values[i].is_none()) params[fields[i].name] = ParamText(values[i]);
  }
  for (const auto& [k, v] : kwargs) {
    const std::string key = k.cast<std::string>();
    if (key == "out") {
      if (py::isinstance<NDArray>(v)) {
        options.out = {v.cast<NDArray>()};
      } else if (!v.is_none()) {
        options.out = v.cast<std::vector<NDArray>>();
      }
    } else if (key == "name") {
      if (!v.is_none()) options.name = v.cast<std::string>();
    } else if (key == "ctx") {
      if (!v.is_none()) options.ctx = v.cast<Context>();
    } else if (py::isinstance<NDArray>(v)) {
      named[key] = v.cast<NDArray>();
    } else if (!v.is_none()) {
      params[key] = ParamText(v);
    }
  }
  if (options.ctx == Context::CPU() && !kwargs.contains("ctx") &&
      positional.empty() && named.empty()) {
    options.ctx = ContextOf(py::none());
  }
  std::vector<NDArray> inputs = positional;
  if (!named.empty()) {
    // Arrays by name fill the input slots after the positional ones.
    AttrDict probe = params;
    op.CountInputs(positional.size() + named.size(), &probe);
    const NodeAttrs attrs = MakeNodeAttrs(op, op_name, probe);
    const std::vector<std::string> names = op.ListInputs(attrs);
    for (size_t i = positional.size(); i < names.size(); ++i) {
      auto it = named.find(names[i]);
      MX_CHECK(it != named.end(), attrs.Where(), ": input '", names[i],
               "' is missing");
      inputs.push_back(it->second);
      named.erase(it);
    }
    MX_CHECK(named.empty(), attrs.Where(), ": unknown input '",
             named.begin()->first, "'; inputs: ", Join(names, ", "));
  }
  const std::vector<NDArray> out =
      WithoutGil([&] { return InvokeOp(op_name, inputs, params, options); });
  if (out.size() == 1) return py::cast(out[0]);
  return py::cast(out);
}

}  // namespace

void BindNDArray(py::module_& m) {
  py::class_<NDArray> nd(m, "NDArray", "An n-dimensional array on a device.");
  nd.def_property_readonly("shape",
                           [](const NDArray& a) { return TupleOf(a.shape()); })
      .def_property_readonly("context", &NDArray::context)
      .def_property_readonly("ctx", &NDArray::context)
      .def_property_readonly(
          "dtype",
          // A NumPy scalar type (numpy.float32), as MXNet's.
          [](const NDArray& a) { return NumpyDType(a.dtype()).attr("type"); })
      .def_property_readonly("size", &NDArray::Size)
      .def_property_readonly("ndim",
                             [](const NDArray& a) { return a.shape().ndim(); })
      .def_property_readonly("numpy", &NumpyView,
                             "A NumPy view sharing this array's memory.")
      .def("asnumpy",
           [](const NDArray& a) {
             py::array out(NumpyDType(a.dtype()),
                           std::vector<py::ssize_t>(a.shape().dims().begin(),
                                                    a.shape().dims().end()));
             void* dst = out.mutable_data();
             WithoutGil([&] { a.SyncCopyToHost(dst, a.Bytes()); });
             return out;
           })
      .def("asscalar",
           [](const NDArray& a) {
             MX_CHECK(a.Size() == 1, "asscalar of ", a.Describe(),
                      ": the array must have exactly one element");
             return WithoutGil([&] { return a.ToScalar(); });
           })
      .def("wait_to_read", &NDArray::WaitToRead,
           py::call_guard<py::gil_scoped_release>())
      .def("wait", &NDArray::WaitToRead,
           py::call_guard<py::gil_scoped_release>())
      .def("wait_to_write", &NDArray::WaitToWrite,
           py::call_guard<py::gil_scoped_release>())
      .def(
          "copyto",
          [](const NDArray& a, const py::object& other) -> NDArray {
            if (py::isinstance<Context>(other)) {
              return a.CopyTo(other.cast<Context>());
            }
            NDArray dst = other.cast<NDArray>();
            a.CopyTo(&dst);
            return dst;
          },
          py::arg("other"))
      .def("as_in_context",
           [](const NDArray& a, const Context& c) {
             return a.context() == c ? a : a.CopyTo(c);
           })
      .def("astype",
           [](const NDArray& a, const py::object& t) {
             return a.AsType(DTypeOfObject(t));
           })
      .def("reshape", [](const NDArray& a,
                         const py::object& s) { return a.Reshape(ShapeOf(s)); })
      .def("__len__",
           [](const NDArray& a) {
             return a.shape().ndim() ? a.shape()[0] : int64_t{0};
           })
      .def("__getitem__", &Index)
      .def("__setitem__", [](const NDArray& a, const py::object& key,
                             const py::object& v) { Assign(Index(a, key), v); })
      .def("__repr__",
           [](const NDArray& a) { return "<NDArray " + a.Describe() + ">"; })
      .def("__neg__", [](const NDArray& a) { return -a; });
  // Arithmetic with arrays and scalars, in place too; an operand of another
  // type gives NotImplemented (is_operator), so Python tries the reflected
  // operator and then raises its TypeError.
#define MX_BINARY(name, rname, iname, op, iop)                              \
  nd.def(                                                                   \
        name, [](const NDArray& a, const NDArray& b) { return a op b; },    \
        py::is_operator())                                                  \
      .def(                                                                 \
          name, [](const NDArray& a, double s) { return a op s; },          \
          py::is_operator())                                                \
      .def(                                                                 \
          rname, [](const NDArray& a, double s) { return s op a; },         \
          py::is_operator())                                                \
      .def(                                                                 \
          iname,                                                            \
          [](NDArray& a, const NDArray& b) -> NDArray& { return a iop b; }, \
          py::is_operator())                                                \
      .def(                                                                 \
          iname, [](NDArray& a, double s) -> NDArray& { return a iop s; },  \
          py::is_operator());
  MX_BINARY("__add__", "__radd__", "__iadd__", +, +=)
  MX_BINARY("__sub__", "__rsub__", "__isub__", -, -=)
  MX_BINARY("__mul__", "__rmul__", "__imul__", *, *=)
  MX_BINARY("__truediv__", "__rtruediv__", "__itruediv__", /, /=)
#undef MX_BINARY
  nd.def(py::pickle(
      [](const NDArray& a) {
        const std::string bytes = WithoutGil([&] {
          return SerializeNDArray(
              a.context().IsHost() ? a : a.CopyTo(Context::CPU()));
        });
        return py::bytes(bytes);
      },
      [](const py::bytes& b) {
        return DeserializeNDArray(std::string(b), "pickled NDArray");
      }));

  // empty / zeros / ones(shape, ctx=None, dtype=None).
  const auto def_creator = [&m](const char* name,
                                NDArray (*make)(const Shape&, Context, DType)) {
    m.def(
        name,
        [make](const py::object& shape, const py::object& ctx,
               const py::object& t) {
          return make(ShapeOf(shape), ContextOf(ctx), DTypeOfObject(t));
        },
        py::arg("shape"), py::arg("ctx") = py::none(),
        py::arg("dtype") = py::none());
  };
  def_creator("empty", &NDArray::Empty);
  def_creator("zeros", &NDArray::Zeros);
  def_creator("ones", &NDArray::Ones);
  m.def(
      "full",
      [](const py::object& shape, double v, const py::object& ctx,
         const py::object& t) {
        return NDArray::Full(ShapeOf(shape), v, ContextOf(ctx),
                             DTypeOfObject(t));
      },
      py::arg("shape"), py::arg("val"), py::arg("ctx") = py::none(),
      py::arg("dtype") = py::none());
  m.def(
      "array",
      [](const py::object& source, const py::object& ctx, const py::object& t) {
        DType dtype = DTypeOfObject(t);
        if (t.is_none() && py::isinstance<NDArray>(source)) {
          dtype = source.cast<NDArray>().dtype();
        }
        py::array src = py::module_::import("numpy").attr("ascontiguousarray")(
            source, NumpyDType(dtype));
        NDArray out = NDArray::Empty(
            Shape(std::vector<int64_t>(src.shape(), src.shape() + src.ndim())),
            Context::CPU(), dtype);
        out.SyncCopyFromHost(src.data(), out.Bytes());
        const Context c = ContextOf(ctx);
        return c == Context::CPU() ? out : out.CopyTo(c);
      },
      py::arg("source_array"), py::arg("ctx") = py::none(),
      py::arg("dtype") = py::none());
  m.def(
      "waitall", [] { Engine::Get()->WaitForAll(); },
      py::call_guard<py::gil_scoped_release>());
  m.def(
      "dot",
      [](const NDArray& a, const NDArray& b, bool ta, bool tb) {
        return Dot(a, b, ta, tb);
      },
      py::arg("lhs"), py::arg("rhs"), py::arg("transpose_a") = false,
      py::arg("transpose_b") = false);
  py::module_ random = m.def_submodule("random", "Random arrays");
  random.def(
      "seed", [](uint64_t seed) { RandomSeed(seed, Context::CPU()); },
      py::arg("seed"));
  random.def(
      "uniform",
      [](float low, float high, const py::object& shape, const py::object& ctx,
         const py::object& out) {
        return RandomArray(
            [&](const Shape& s, Context c) {
              return RandomUniform(low, high, s, c);
            },
            shape, ctx, out);
      },
      py::arg("low") = 0.f, py::arg("high") = 1.f, py::arg("shape") = 1,
      py::arg("ctx") = py::none(), py::arg("out") = py::none());
  random.def(
      "normal",
      [](float loc, float scale, const py::object& shape, const py::object& ctx,
         const py::object& out) {
        return RandomArray(
            [&](const Shape& s, Context c) {
              return RandomNormal(loc, scale, s, c);
            },
            shape, ctx, out);
      },
      py::arg("loc") = 0.f, py::arg("scale") = 1.f, py::arg("shape") = 1,
      py::arg("ctx") = py::none(), py::arg("out") = py::none());
  m.def("choose_element_0index", &ChooseElement0Index, py::arg("lhs"),
        py::arg("rhs"));
  m.def("fill_element_0index", &FillElement0Index, py::arg("lhs"),
        py::arg("mhs"), py::arg("rhs"));
  m.def(
      "onehot_encode",
      [](const NDArray& indices, NDArray out) {
        OneHotEncode(indices, &out);
        return out;
      },
      py::arg("indices"), py::arg("out"));
  m.def("clip", &Clip, py::arg("data"), py::arg("a_min"), py::arg("a_max"));
  m.def("_invoke", &Invoke, py::arg("op"));
  m.def("save", &Save, py::arg("fname"), py::arg("data"));
  m.def("load", &Load, py::arg("fname"));
}

}  // namespace python
}  // namespace mx
