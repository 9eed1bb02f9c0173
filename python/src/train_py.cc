// mx.init / mx.optimizer / mx.metric / mx.model: the C++ training library
// (initializers, optimizers, metrics) and fit/'s Trainer (mxtrain's), which
// FeedForward.fit drives. Long calls release the GIL; callbacks into Python
// take it back.
#include <pybind11/functional.h>
#include <pybind11/stl.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/base/error.h"
#include "core/engine/engine.h"
#include "core/train/initializer.h"
#include "core/train/kvstore.h"
#include "core/train/lr_scheduler.h"
#include "core/train/metric.h"
#include "core/train/optimizer.h"
#include "fit/trainer.h"
#include "python/src/module.h"

namespace py = pybind11;

namespace mx {
namespace python {
namespace {

std::vector<Context> Contexts(const py::object& ctx) {
  if (ctx.is_none()) return {Context::CPU()};
  if (py::isinstance<Context>(ctx)) return {ctx.cast<Context>()};
  return ctx.cast<std::vector<Context>>();
}

py::list Pairs(const std::vector<std::pair<std::string, double>>& values) {
  py::list out;
  for (const auto& [name, value] : values)
    out.append(py::make_tuple(name, value));
  return out;
}

py::dict Report(const EpochReport& r) {
  py::dict d;
  d["epoch"] = r.epoch;
  d["train"] = Pairs(r.train);
  d["val"] = Pairs(r.val);
  d["seconds"] = r.seconds;
  d["samples_per_second"] = r.samples_per_second;
  d["learning_rate"] = r.learning_rate;
  d["num_update"] = r.num_update;
  d["batches"] = r.batches;
  d["interrupted"] = r.interrupted;
  return d;
}

// TrainerOptions from FeedForward's settings (a dict of plain values).
TrainerOptions Options(const py::dict& o) {
  TrainerOptions t;
  t.contexts = Contexts(o["ctx"]);
  t.kvstore = o["kvstore"].cast<std::string>();
  t.optimizer = o["optimizer"].cast<std::string>();
  t.optimizer_params = ParamDict(o["optimizer_params"].cast<py::dict>());
  t.lr_schedule = o["lr_schedule"].cast<std::string>();
  t.lr_schedule_params = ParamDict(o["lr_schedule_params"].cast<py::dict>());
  t.metrics.clear();
  for (const py::handle m : o["metrics"]) {
    const auto pair = m.cast<py::tuple>();
    t.metrics.emplace_back(pair[0].cast<std::string>(),
                           ParamDict(pair[1].cast<py::dict>()));
  }
  t.seed = o["seed"].cast<uint64_t>();
  t.initial_args = o["arg_params"].cast<NamedParams>();
  t.initial_aux = o["aux_params"].cast<NamedParams>();
  return t;
}

// Deletes an optimizer once the updates it pushed have run (they call it).
struct DeleteAfterPendingWork {
  void operator()(Optimizer* o) const {
    try {
      py::gil_scoped_release release;
      Engine::Get()->WaitForAll();
    } catch (const std::exception&) {
      // Errors of pushed work belong to whoever waits for that work.
    }
    delete o;
  }
};

// Holds the Trainer (not copyable) for Python.
struct TrainerHandle {
  std::unique_ptr<Trainer> trainer;
};

}  // namespace

void BindTrain(py::module_& m) {
  py::class_<Initializer>(m, "Initializer",
                          "A C++ initializer (mx.init classes wrap it).")
      .def(py::init([](const std::string& name, const py::kwargs& kwargs) {
             return Initializer::Create(name, ParamDict(kwargs));
           }),
           py::arg("name"))
      .def(
          "__call__",
          [](const Initializer& init, const std::string& name, NDArray array,
             const std::string& init_attr) {
            init.Init(name, &array, init_attr);
          },
          py::arg("name"), py::arg("arr"), py::arg("init_attr") = "");
  m.def("initializer_names", &Initializer::Names);

  py::class_<Optimizer, std::unique_ptr<Optimizer, DeleteAfterPendingWork>>(
      m, "Optimizer", "A C++ optimizer (mx.optimizer classes wrap it).")
      .def(py::init([](const std::string& name, const py::kwargs& kwargs) {
             return std::unique_ptr<Optimizer, DeleteAfterPendingWork>(
                 Optimizer::Create(name, ParamDict(kwargs)).release());
           }),
           py::arg("name"))
      .def("create_state", &Optimizer::CreateState, py::arg("weight"))
      .def(
          "update",
          [](const Optimizer& o, const std::string& param, float lr, float wd,
             int64_t t, const NDArray& weight, const NDArray& grad,
             const std::vector<NDArray>& state) {
            UpdateStep step;
            step.lr = lr;
            step.wd = wd;
            step.t = t;
            o.Update(param, step, weight, grad, state);
          },
          py::arg("param"), py::arg("lr"), py::arg("wd"), py::arg("t"),
          py::arg("weight"), py::arg("grad"), py::arg("state"));
  m.def("optimizer_names", &Optimizer::Names);

  py::class_<LRScheduler>(m, "LRScheduler",
                          "A C++ learning-rate schedule (mx.lr_scheduler).")
      .def(py::init([](const std::string& name, double base_lr,
                       const py::kwargs& kwargs) {
             return LRScheduler::Create(name, base_lr, ParamDict(kwargs));
           }),
           py::arg("name"), py::arg("base_lr"))
      .def("__call__", &LRScheduler::LearningRate, py::arg("num_update"));

  py::class_<EvalMetric>(m, "EvalMetric",
                         "A C++ metric (mx.metric classes wrap it).")
      .def(py::init([](const std::string& name, const py::kwargs& kwargs) {
             return EvalMetric::Create(name, ParamDict(kwargs));
           }),
           py::arg("name"))
      .def("update", &EvalMetric::Update, py::arg("labels"), py::arg("preds"),
           py::arg("pad") = 0, py::call_guard<py::gil_scoped_release>())
      .def("reset", &EvalMetric::Reset)
      .def("get", &EvalMetric::Get)
      .def("state", &EvalMetric::State);

  py::class_<KVStore>(m, "KVStore", "A C++ kvstore (mx.kv wraps it).")
      .def(py::init(&KVStore::Create), py::arg("type"))
      .def_property_readonly("type", &KVStore::type)
      .def("init", &KVStore::Init, py::arg("key"), py::arg("value"))
      .def("push", &KVStore::Push, py::arg("key"), py::arg("values"))
      .def(
          "pull",
          [](KVStore& kv, const std::string& key, std::vector<NDArray> outs) {
            kv.Pull(key, &outs);
          },
          py::arg("key"), py::arg("outs"))
      .def(
          "set_updater",
          [](KVStore& kv, const py::function& fn) {
            // Push calls the updater on the calling thread (which holds the
            // GIL).
            kv.SetUpdater([fn](const std::string& key, const NDArray& grad,
                               NDArray* weight) { fn(key, grad, *weight); });
          },
          py::arg("updater"));

  py::class_<TrainerHandle>(m, "Trainer",
                            "The training loop of fit/ (mxtrain's).")
      .def(py::init([](const Symbol& net, const IterHandle& train,
                       const py::dict& options) {
             const TrainerOptions o = Options(options);
             py::gil_scoped_release release;
             return TrainerHandle{
                 std::make_unique<Trainer>(net, *train.iter, o)};
           }),
           py::arg("symbol"), py::arg("train"), py::arg("options"))
      .def(
          "train_epoch",
          [](TrainerHandle& h, IterHandle& train, const py::object& val,
             const py::object& on_batch, int64_t every) {
            io::DataIter* val_iter =
                val.is_none() ? nullptr : val.cast<IterHandle&>().iter.get();
            EpochControl control;
            control.callback_every = every;
            if (!on_batch.is_none()) {
              auto fn = on_batch.cast<py::function>();
              control.on_batch = [fn](const BatchProgress& p) {
                py::gil_scoped_acquire acquire;
                fn(p.epoch, p.batch, p.samples, p.seconds, Pairs(p.metrics));
              };
            }
            EpochReport r;
            {
              py::gil_scoped_release release;
              r = h.trainer->TrainEpoch(train.iter.get(), val_iter, control);
            }
            return Report(r);
          },
          py::arg("train"), py::arg("val"), py::arg("on_batch"),
          py::arg("every"))
      .def(
          "evaluate",
          [](TrainerHandle& h, IterHandle& it) {
            std::vector<std::pair<std::string, double>> values;
            {
              py::gil_scoped_release release;
              values = h.trainer->Evaluate(it.iter.get());
            }
            return Pairs(values);
          },
          py::arg("data"))
      .def("args", [](const TrainerHandle& h) { return h.trainer->args(); })
      .def("aux", [](const TrainerHandle& h) { return h.trainer->aux(); })
      .def("num_update",
           [](const TrainerHandle& h) { return h.trainer->num_update(); });
}

}  // namespace python
}  // namespace mx
