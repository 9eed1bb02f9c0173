// mx.io: the io registry's iterators (MNISTIter, CSVIter, ImageRecordIter)
// and NDArrayIter, as handles the Python DataIter classes drive. Batches
// reach Python as copies, so a kept batch stays valid after the next one.
#include <pybind11/stl.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/base/error.h"
#include "io/iter_registry.h"
#include "io/label_columns.h"
#include "io/ndarray_iter.h"
#include "python/src/module.h"

namespace py = pybind11;

namespace mx {
namespace python {
namespace {

std::vector<NDArray> Copies(const std::vector<NDArray>& arrays) {
  std::vector<NDArray> out;
  for (const NDArray& a : arrays) out.push_back(a.CopyTo(a.context()));
  return out;
}

py::list Descs(const std::vector<io::DataDesc>& descs) {
  py::list out;
  for (const io::DataDesc& d : descs) {
    py::tuple shape(d.shape.ndim());
    for (int i = 0; i < d.shape.ndim(); ++i) shape[i] = d.shape[i];
    out.append(py::make_tuple(d.name, shape));
  }
  return out;
}

IterHandle CreateIter(const std::string& kind_name, const py::kwargs& kwargs) {
  const io::IterKind* kind = io::FindIterKind(kind_name);
  MX_CHECK(kind != nullptr, "unknown data iterator '", kind_name, "'");
  const AttrDict params = ParamDict(kwargs);
  py::gil_scoped_release release;
  return IterHandle{std::shared_ptr<io::DataIter>(kind->create(params))};
}

std::string IterDoc(const std::string& kind_name) {
  const io::IterKind* kind = io::FindIterKind(kind_name);
  MX_CHECK(kind != nullptr, "unknown data iterator '", kind_name, "'");
  return "Parameters\n----------\n" + ParamsDoc(*kind->schema);
}

IterHandle CreateNDArrayIter(
    const NDArray& data, const py::object& label, int64_t batch_size,
    bool shuffle, const std::string& last_batch_handle, int64_t seed,
    const std::string& data_name, const std::string& label_name,
    const std::vector<std::pair<std::string, std::vector<int64_t>>>& columns) {
  io::NDArrayIterOptions o;
  o.batch.batch_size = batch_size;
  o.batch.data_name = data_name;
  o.batch.label_name = label_name;
  // MXNet's names: 'pad', 'discard', 'roll_over'.
  if (last_batch_handle == "roll_over") {
    o.batch.last_batch = io::LastBatch::kRoundBatch;
  } else {
    o.batch.last_batch = io::ParseLastBatch(
        last_batch_handle, "NDArrayIter: last_batch_handle (or roll_over)");
  }
  o.order.shuffle = shuffle;
  o.order.seed = static_cast<uint64_t>(seed);
  const NDArray labels = label.is_none() ? NDArray() : label.cast<NDArray>();
  std::unique_ptr<io::DataIter> it = io::CreateNDArrayIter(data, labels, o);
  // Several named labels: columns of the one label array.
  if (!columns.empty()) {
    std::vector<io::LabelColumns> named;
    for (const auto& [name, c] : columns) named.push_back({name, c});
    it = io::SelectLabels(std::move(it), std::move(named));
  }
  return IterHandle{std::shared_ptr<io::DataIter>(std::move(it))};
}

// A Python DataIter (reset / next -> DataBatch, provide_data /
// provide_label) as a C++ DataIter, so the trainer can read it. Every call
// takes the GIL: the trainer calls it with the GIL released.
class PythonIter : public io::DataIter {
 public:
  explicit PythonIter(py::object it) : it_(std::move(it)) {}
  ~PythonIter() override {
    py::gil_scoped_acquire acquire;
    it_ = py::object();
  }

  void Reset() override {
    py::gil_scoped_acquire acquire;
    it_.attr("reset")();
  }

  bool Next() override {
    py::gil_scoped_acquire acquire;
    try {
      const py::object batch = it_.attr("next")();
      value_.data = Arrays(batch.attr("data"), "data");
      value_.label = Arrays(batch.attr("label"), "label");
      const py::object pad = batch.attr("pad");
      value_.pad = pad.is_none() ? 0 : pad.cast<int64_t>();
      value_.index.clear();
      const py::object index = batch.attr("index");
      if (!index.is_none()) {
        for (const py::handle i : index) {
          value_.index.push_back(i.cast<int64_t>());
        }
      }
    } catch (py::error_already_set& e) {
      if (e.matches(PyExc_StopIteration)) return false;
      MX_THROW("Python data iterator ",
               py::str(it_.get_type()).cast<std::string>(), ": ", e.what());
    } catch (const py::cast_error& e) {
      MX_THROW("Python data iterator ",
               py::str(it_.get_type()).cast<std::string>(),
               ": a batch field has the wrong type (", e.what(), ")");
    }
    return true;
  }

  const io::DataBatch& Value() const override { return value_; }
  std::vector<io::DataDesc> ProvideData() const override {
    return Descs("provide_data");
  }
  std::vector<io::DataDesc> ProvideLabel() const override {
    return Descs("provide_label");
  }

 private:
  // NDArrays (NumPy arrays are converted) of one DataBatch field.
  std::vector<NDArray> Arrays(const py::object& list, const char* what) {
    std::vector<NDArray> out;
    for (const py::handle a : list) {
      if (py::isinstance<NDArray>(a)) {
        out.push_back(a.cast<NDArray>());
      } else {
        out.push_back(py::module_::import("mxnet.ndarray")
                          .attr("array")(a)
                          .cast<NDArray>());
      }
    }
    MX_CHECK(!out.empty(), "Python data iterator: a batch without ", what);
    return out;
  }

  std::vector<io::DataDesc> Descs(const char* attr) const {
    py::gil_scoped_acquire acquire;
    std::vector<io::DataDesc> out;
    for (const py::handle d : it_.attr(attr)) {
      const auto pair = d.cast<py::tuple>();
      out.push_back({pair[0].cast<std::string>(),
                     Shape(pair[1].cast<std::vector<int64_t>>())});
    }
    return out;
  }

  py::object it_;
  io::DataBatch value_;
};

}  // namespace

void BindIO(py::module_& m) {
  py::class_<IterHandle>(m, "IterHandle",
                         "A C++ data iterator (driven by mx.io classes).")
      .def(
          "reset", [](IterHandle& h) { h.iter->Reset(); },
          py::call_guard<py::gil_scoped_release>())
      .def(
          "next", [](IterHandle& h) { return h.iter->Next(); },
          py::call_guard<py::gil_scoped_release>(),
          "Advances to the next batch; False at the end of the epoch.")
      .def("data", [](IterHandle& h) { return Copies(h.iter->Value().data); })
      .def("label", [](IterHandle& h) { return Copies(h.iter->Value().label); })
      .def("pad", [](IterHandle& h) { return h.iter->Value().pad; })
      .def("index", [](IterHandle& h) { return h.iter->Value().index; })
      .def("provide_data",
           [](IterHandle& h) { return Descs(h.iter->ProvideData()); })
      .def("provide_label",
           [](IterHandle& h) { return Descs(h.iter->ProvideLabel()); })
      .def("batches_per_epoch",
           [](IterHandle& h) { return h.iter->BatchesPerEpoch(); });
  m.def(
      "python_iter",
      [](const py::object& it) {
        return IterHandle{std::make_shared<PythonIter>(it)};
      },
      py::arg("iter"));
  m.def("list_iters", &io::IterKindNames);
  m.def("iter_doc", &IterDoc, py::arg("name"));
  m.def("create_iter", &CreateIter, py::arg("name"));
  m.def("ndarray_iter", &CreateNDArrayIter, py::arg("data"), py::arg("label"),
        py::arg("batch_size"), py::arg("shuffle"), py::arg("last_batch_handle"),
        py::arg("seed"), py::arg("data_name"), py::arg("label_name"),
        py::arg("label_columns"));
}

}  // namespace python
}  // namespace mx
