#include "fit/trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "core/base/strings.h"
#include "core/dist/communicator.h"
#include "core/engine/engine.h"
#include "core/ndarray/finite.h"
#include "core/train/initializer.h"
#include "core/train/train_state.h"
#include "core/train/training_checkpoint.h"

namespace mx {
namespace {

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since)
      .count();
}

// Training-state key of number k of metric m's state.
std::string MetricStateKey(size_t m, size_t k) {
  return StrCat("metric:", m, ":", k);
}

}  // namespace

void CheckClassLabels(const io::DataBatch& batch,
                      const std::vector<int64_t>& classes,
                      const std::string& name,
                      const std::vector<std::string>& label_names) {
  for (size_t i = 0; i < classes.size() && i < batch.label.size(); ++i) {
    if (classes[i] <= 0 || batch.label[i].shape().ndim() != 1) continue;
    const std::vector<float> labels = batch.label[i].ToFloatVector();
    const int64_t rows = static_cast<int64_t>(labels.size()) - batch.pad;
    const int64_t bad = FirstBadClassLabel(labels, rows, classes[i]);
    if (bad < 0) continue;
    const std::string which = label_names.size() > 1 && i < label_names.size()
                                  ? StrCat(" (", label_names[i], ")")
                                  : std::string();
    throw DataError(StrCat(
        name, ": label", which, " ", labels[bad], " of record ",
        bad < static_cast<int64_t>(batch.index.size()) ? batch.index[bad] : bad,
        " is not a class id of the network's ", classes[i], " outputs (0 to ",
        classes[i] - 1, ")"));
  }
}

DataError NoSampleError(const std::string& name, const std::string& when) {
  return DataError(StrCat(name, ": no sample ", when,
                          ": the data set is empty, or holds fewer samples "
                          "than one batch and drops the rest (last_batch "
                          "discard)"));
}

int64_t LabelClasses(
    const std::vector<std::pair<std::string, AttrDict>>& metrics,
    const Shape& output) {
  if (output.ndim() != 2) return 0;
  for (const auto& [name, params] : metrics) {
    if (EvalMetric::Create(name, params)->needs_class_labels()) {
      // One column is a binary classifier's probability of class 1.
      return std::max<int64_t>(output[1], 2);
    }
  }
  return 0;
}

std::vector<HeadMetricSpec> HeadMetrics(const std::vector<LossHead>& heads,
                                        const TrainerOptions& options) {
  size_t labelled = 0;
  for (const LossHead& h : heads) labelled += h.label.empty() ? 0 : 1;
  std::vector<HeadMetricSpec> out;
  const auto add = [&](size_t head, const auto& metrics) {
    for (const auto& [name, params] : metrics) {
      HeadMetricSpec m;
      m.head = head;
      m.name = name;
      m.params = params;
      m.reported = EvalMetric::Create(name, params)->name();  // (or throws)
      if (labelled > 1) m.reported = StrCat(heads[head].name, ".", m.reported);
      out.push_back(std::move(m));
    }
  };
  if (options.head_metrics.empty()) {
    // Each metric measures the heads it fits: class-id metrics no
    // regression, value metrics (mse, mae, rmse) no classifier.
    std::vector<std::vector<std::pair<std::string, AttrDict>>> lists(
        heads.size());
    for (const auto& [name, params] : options.metrics) {
      const bool class_ids =
          EvalMetric::Create(name, params)->needs_class_labels();
      std::vector<std::string> kinds;
      bool used = false;
      for (size_t h = 0; h < heads.size(); ++h) {
        if (heads[h].label.empty()) continue;
        const std::string& task = heads[h].task;
        kinds.push_back(
            StrCat(heads[h].name, ": ", task.empty() ? "other" : task));
        if (labelled > 1 &&
            task == (class_ids ? "regression" : "classification")) {
          continue;
        }
        lists[h].emplace_back(name, params);
        used = true;
      }
      MX_CHECK(
          used || kinds.empty(), "metric '", name,
          "' fits none of the network's heads (", Join(kinds, ", "), "): ",
          class_ids ? "it needs class ids" : "it measures values, not classes");
    }
    for (size_t h = 0; h < heads.size(); ++h) add(h, lists[h]);
    return out;
  }
  std::vector<std::string> names;
  for (const LossHead& h : heads) names.push_back(h.name);
  for (const auto& [head, metrics] : options.head_metrics) {
    const auto it = std::find(names.begin(), names.end(), head);
    MX_CHECK(it != names.end(), "metrics of '", head,
             "': the network has no output layer of that name (its heads: ",
             Join(names, ", "), ")");
    MX_CHECK(!heads[it - names.begin()].label.empty(), "metrics of '", head,
             "': that head reads no label to measure it against");
  }
  // In the network's order of heads.
  for (size_t h = 0; h < heads.size(); ++h) {
    const auto it = options.head_metrics.find(heads[h].name);
    if (it != options.head_metrics.end()) add(h, it->second);
  }
  return out;
}

std::vector<int64_t> LabelClassesOf(const std::vector<LossHead>& heads,
                                    const std::vector<HeadMetricSpec>& metrics,
                                    const std::vector<Shape>& outputs,
                                    const std::vector<std::string>& labels) {
  std::vector<int64_t> classes(labels.size(), 0);
  for (const HeadMetricSpec& m : metrics) {
    const LossHead& h = heads.at(m.head);
    const auto at = std::find(labels.begin(), labels.end(), h.label);
    if (at == labels.end() || h.output >= outputs.size()) continue;
    int64_t& c = classes[at - labels.begin()];
    if (c == 0) c = LabelClasses({{m.name, m.params}}, outputs[h.output]);
  }
  return classes;
}

Trainer::Trainer(const Symbol& net, const io::DataIter& train,
                 const TrainerOptions& options)
    : net_(net),
      on_nonfinite_(options.on_nonfinite),
      for_training_(options.for_training) {
  const io::DataDesc data = train.ProvideData().at(0);
  const std::vector<io::DataDesc> labels = train.ProvideLabel();
  data_name_ = data.name;
  label_names_ = io::LabelNames(train);
  const std::vector<std::string> args = net.ListArguments();
  std::vector<std::string> inputs = label_names_;
  inputs.insert(inputs.begin(), data_name_);
  for (const std::string& name : inputs) {
    MX_CHECK(std::find(args.begin(), args.end(), name) != args.end(),
             "the network has no input '", name,
             "' for the data iterator's array of that name (network inputs: ",
             Join(args, ", "), ")");
  }
  for (const std::string& name : LabelArguments(net)) {
    MX_CHECK(IsInput(name), "the network's label input '", name,
             "' gets no array from the data iterator, which gives ",
             Join(label_names_, ", "),
             ": name the iterator's label columns after the network's labels "
             "(mxtrain: data.labels)");
  }
  MX_CHECK(!options.contexts.empty(), "training needs at least one device");
  const int64_t batch = data.shape[0];
  const int64_t n = static_cast<int64_t>(options.contexts.size());
  MX_CHECK(batch >= n, "batch size ", batch, " cannot be split over ", n,
           " devices (each needs at least one sample)");
  for (int64_t d = 0; d < n; ++d) {
    Device dev;
    dev.ctx = options.contexts[d];
    // Contiguous slices; the first batch % n devices take one more.
    dev.begin = d * (batch / n) + std::min(d, batch % n);
    dev.end = dev.begin + batch / n + (d < batch % n ? 1 : 0);
    std::map<std::string, Shape> shapes;
    std::map<std::string, GradReq> no_grad;
    for (size_t i = 0; i < inputs.size(); ++i) {
      std::vector<int64_t> dims =
          (i == 0 ? data.shape : labels[i - 1].shape).dims();
      dims[0] = dev.end - dev.begin;
      shapes[inputs[i]] = Shape(dims);
      no_grad[inputs[i]] = GradReq::kNull;
    }
    dev.exec = Executor::SimpleBind(
        net, dev.ctx, shapes,
        options.for_training ? GradReq::kWrite : GradReq::kNull, no_grad);
    dev.data = dev.exec->arg_dict().at(data_name_);
    for (const std::string& l : label_names_) {
      dev.labels.push_back(dev.exec->arg_dict().at(l));
    }
    devices_.push_back(std::move(dev));
  }
  distributed_ = StartsWith(options.kvstore, "dist");
  if (devices_.size() > 1 || distributed_) {
    kvstore_ = KVStore::Create(options.kvstore);
  }
  AttrDict opt_params = options.optimizer_params;
  if (!opt_params.count("rescale_grad")) {
    opt_params["rescale_grad"] = StrCat(1.0 / (batch * num_workers()));
  }
  optimizer_name_ = options.optimizer;
  optimizer_ = Optimizer::Create(options.optimizer, opt_params);
  schedule_ = LRScheduler::Create(options.lr_schedule,
                                  optimizer_->common().learning_rate,
                                  options.lr_schedule_params);
  learning_rate_at_ = options.learning_rate_at;
  const std::vector<LossHead> heads = LossHeads(net, label_names_);
  // (A head's label is one of label_names_: LossHeads picks among them.)
  const auto label_index = [this](const std::string& label) {
    return static_cast<size_t>(
        std::find(label_names_.begin(), label_names_.end(), label) -
        label_names_.begin());
  };
  const std::vector<HeadMetricSpec> specs = HeadMetrics(heads, options);
  for (const HeadMetricSpec& m : specs) {
    const LossHead& h = heads[m.head];
    metrics_.push_back(EvalMetric::Create(m.name, m.params));
    metric_label_.push_back(label_index(h.label));
    metric_output_.push_back(h.output);
    metric_names_.push_back(m.reported);
  }
  if (const int first = FirstLabelledHead(heads); first >= 0) {
    hooked_label_ = static_cast<int>(label_index(heads[first].label));
    hooked_output_ = heads[first].output;
  }
  std::vector<Shape> outputs;
  for (const NDArray& out : devices_[0].exec->outputs()) {
    outputs.push_back(out.shape());
  }
  label_classes_ = LabelClassesOf(heads, specs, outputs, label_names_);
  if (kvstore_ && optimizer_->common().clip_global_norm > 0) {
    // The norm needs every summed gradient before any update.
    kvstore_->SetDeferredUpdate(true);
  }
  if (kvstore_) {
    kvstore_->SetUpdater(
        [this](const std::string& key, const NDArray& grad, NDArray* weight) {
          const Param& p = *param_by_name_.at(key);
          optimizer_->Update(key, pending_step_, *weight, grad, p.state);
        });
  }
  InitParams(options);
  SetMultipliers();
}

bool Trainer::IsInput(const std::string& name) const {
  return name == data_name_ ||
         std::find(label_names_.begin(), label_names_.end(), name) !=
             label_names_.end();
}

Trainer::~Trainer() {
  // The pushed updates use this trainer's optimizer: let them finish. An
  // error they raised was reported to the step that waited for it; a
  // destructor must not throw it again.
  try {
    Engine::Get()->WaitForAll();
  } catch (const std::exception&) {
  }
}

void Trainer::InitParams(const TrainerOptions& options) {
  RandomSeed(options.seed);
  const auto init =
      Initializer::Create(options.initializer, options.initializer_params);
  const auto attrs = net_.AllAttrs();
  const auto init_attr = [&](const std::string& name) -> std::string {
    const auto it = attrs.find(name);
    if (it == attrs.end()) return "";
    const auto found = it->second.find("__init__");
    return found == it->second.end() ? "" : found->second;
  };
  // Starting values by name; every given one must be used.
  const auto place = [&](const NamedParams& given, const std::string& kind,
                         std::map<std::string, NDArray> arrays) {
    for (const auto& [name, value] : given) {
      const auto it = arrays.find(name);
      MX_CHECK(it != arrays.end(), "initial ", kind, " '", name,
               "' is not a parameter of the network");
      MX_CHECK(it->second.shape() == value.shape(), "initial ", kind, " '",
               name, "' has shape ", value.shape(), ", the network needs ",
               it->second.shape());
      NDArray dst = it->second;
      value.CopyTo(&dst);
    }
  };
  // Device 0's arrays are initialized; the others copy them.
  auto arg_arrays = devices_[0].exec->arg_dict();
  for (auto& [name, array] : arg_arrays) {
    if (IsInput(name)) continue;
    if (!options.initial_args.count(name)) {
      init->Init(name, &array, init_attr(name));
    }
  }
  place(options.initial_args, "argument", arg_arrays);
  auto aux_arrays = devices_[0].exec->aux_dict();
  for (auto& [name, array] : aux_arrays) {
    if (!options.initial_aux.count(name))
      init->Init(name, &array, init_attr(name));
  }
  place(options.initial_aux, "auxiliary state", aux_arrays);
  for (const std::string& name : options.frozen) {
    MX_CHECK(arg_arrays.count(name), "frozen parameter '", name,
             "' is not a parameter of the network");
  }
  BroadcastParams();
  if (!options.for_training) return;  // nothing to update
  // In the network's order: gradients are pushed in reverse, as backward
  // produces them.
  for (const std::string& name : net_.ListArguments()) {
    if (IsInput(name)) continue;
    if (options.frozen.count(name)) continue;
    const NDArray& array = arg_arrays.at(name);
    Param p;
    p.name = name;
    for (const Device& dev : devices_) {
      p.weights.push_back(dev.exec->arg_dict().at(name));
      p.grads.push_back(dev.exec->grad_dict().at(name));
    }
    p.state = optimizer_->CreateState(array);
    if (kvstore_) kvstore_->Init(name, array);
    params_.push_back(std::move(p));
  }
  for (Param& p : params_) param_by_name_[p.name] = &p;
}

// lr_mult / wd_mult from the variables' attributes; by default only
// weights decay (no decay on biases, gamma or beta).
void Trainer::SetMultipliers() {
  const auto attrs = net_.AllAttrs();
  for (Param& p : params_) {
    p.wd_mult = EndsWith(p.name, "_weight") || p.name == "weight" ? 1.f : 0.f;
    const auto it = attrs.find(p.name);
    if (it == attrs.end()) continue;
    for (const auto& [key, field] :
         {std::pair<std::string, float*>{"__lr_mult__", &p.lr_mult},
          {"__wd_mult__", &p.wd_mult}}) {
      const auto v = it->second.find(key);
      if (v == it->second.end()) continue;
      char* end = nullptr;
      *field = std::strtof(v->second.c_str(), &end);
      MX_CHECK(!v->second.empty() && *end == '\0', "parameter '", p.name,
               "': ", key, " '", v->second, "' is not a number");
    }
  }
}

void Trainer::Feed(const io::DataBatch& batch, const std::string& name) {
  MX_CHECK(!batch.data.empty() && batch.label.size() == label_names_.size(),
           "a data batch with ", batch.data.size(), " data and ",
           batch.label.size(), " label arrays, the network is bound to 1 and ",
           label_names_.size());
  CheckClassLabels(batch, label_classes_, name, label_names_);
  const int64_t batch_size = devices_.back().end;
  const auto check = [&](const NDArray& got, const NDArray& bound,
                         const std::string& what) {
    std::vector<int64_t> dims = bound.shape().dims();
    dims[0] = batch_size;
    MX_CHECK(got.shape() == Shape(dims), "the ", what, " of a batch is ",
             got.shape(), " but the network is bound to ", Shape(dims),
             ": every iterator must give the training iterator's batch size "
             "and sample shape");
  };
  check(batch.data[0], devices_[0].data, "data");
  for (size_t i = 0; i < label_names_.size(); ++i) {
    check(batch.label[i], devices_[0].labels[i],
          label_names_.size() == 1 ? std::string("label")
                                   : StrCat("label '", label_names_[i], "'"));
  }
  for (Device& dev : devices_) {
    const bool whole = devices_.size() == 1;
    (whole ? batch.data[0] : batch.data[0].Slice(dev.begin, dev.end))
        .CopyTo(&dev.data);
    for (size_t i = 0; i < label_names_.size(); ++i) {
      (whole ? batch.label[i] : batch.label[i].Slice(dev.begin, dev.end))
          .CopyTo(&dev.labels[i]);
    }
  }
}

void Trainer::BroadcastParams() {
  // Device 0's values, from rank 0 to every process.
  const auto args = devices_[0].exec->arg_dict();
  const auto aux = devices_[0].exec->aux_dict();
  if (distributed_) {
    dist::Communicator& world = dist::Communicator::World();
    for (const auto* arrays : {&args, &aux}) {
      for (const auto& [name, array] : *arrays) {
        if (IsInput(name)) continue;
        MX_CHECK(array.context().IsHost(), "kvstore ", kvstore_->type(),
                 ": parameter '", name, "' lives on ", array.context(),
                 "; summing GPU arrays across processes needs NCCL, which "
                 "this build does not have yet (train on cpu devices)");
        array.WaitToWrite();
        world.Broadcast(array.RawData(), static_cast<int64_t>(array.Bytes()),
                        0);
      }
    }
  }
  for (size_t d = 1; d < devices_.size(); ++d) {
    for (auto& [name, array] : devices_[d].exec->arg_dict()) {
      if (IsInput(name)) continue;
      args.at(name).CopyTo(&array);
    }
    for (auto& [name, array] : devices_[d].exec->aux_dict()) {
      aux.at(name).CopyTo(&array);
    }
  }
}

void Trainer::PushGradients() {
  for (auto p = params_.rbegin(); p != params_.rend(); ++p) {
    kvstore_->Push(p->name, p->grads);
  }
}

std::vector<bool> Trainer::AnyWorker(std::vector<bool> flags) const {
  if (!distributed_) return flags;
  std::vector<int64_t> values(flags.begin(), flags.end());
  dist::Communicator::World().Run([&values](dist::Collectives& c) {
    c.AllReduceMax(values.data(), static_cast<int64_t>(values.size()));
  });
  for (size_t i = 0; i < flags.size(); ++i) flags[i] = values[i] != 0;
  return flags;
}

std::vector<double> Trainer::SumOverWorkers(std::vector<double> values) const {
  if (distributed_ && !values.empty()) {
    dist::Communicator::World().AllReduceSum(
        values.data(), static_cast<int64_t>(values.size()), DType::kFloat64);
  }
  return values;
}

void Trainer::SumMetricsOverWorkers() {
  if (!distributed_) return;
  std::vector<double> all;
  for (const auto& m : metrics_) {
    const std::vector<double> state = m->State();
    all.insert(all.end(), state.begin(), state.end());
  }
  all = SumOverWorkers(all);
  size_t at = 0;
  for (auto& m : metrics_) {
    const size_t n = m->State().size();
    m->SetState(std::vector<double>(all.begin() + at, all.begin() + at + n));
    at += n;
  }
}

double Trainer::GlobalGradNorm() {
  const double rescale = optimizer_->common().rescale_grad;
  NDArray total;
  for (const Param& p : params_) {
    const NDArray grad = kvstore_ ? kvstore_->Summed(p.name) : p.grads[0];
    // Rescaled first: squares of raw sums over a batch may overflow float.
    NDArray sum = Sum(Square(grad * rescale));
    total = total.is_none() ? sum : total + sum;
  }
  return total.is_none() ? 0 : std::sqrt(total.ToScalar());
}

double Trainer::UpdateParams(double lr) {
  const OptimizerCommon& common = optimizer_->common();
  const bool clipping = common.clip_global_norm > 0;
  double norm = -1;
  float grad_scale = 1;
  if (clipping) {
    // The kvstore defers the updates (set at construction) until the Pulls.
    if (kvstore_ && !distributed_) {
      for (Param& p : params_) kvstore_->Push(p.name, p.grads);
    }
    norm = GlobalGradNorm();
    if (norm > common.clip_global_norm) {
      grad_scale = static_cast<float>(common.clip_global_norm / norm);
    }
  }
  for (Param& p : params_) {
    UpdateStep step;
    step.lr = static_cast<float>(lr * p.lr_mult);
    step.wd = static_cast<float>(common.wd * p.wd_mult);
    step.t = ++p.updates;
    step.grad_scale = grad_scale;
    if (!kvstore_) {
      optimizer_->Update(p.name, step, p.weights[0], p.grads[0], p.state);
      continue;
    }
    pending_step_ = step;
    // dist_sync's gradients were pushed (PushGradients) before the step was
    // known to be finite; its update happens at the Pull.
    if (!distributed_ && !clipping) kvstore_->Push(p.name, p.grads);
    kvstore_->Pull(p.name, &p.weights);
  }
  return norm;
}

bool Trainer::StepIsFinite() const {
  for (const Device& dev : devices_) {
    for (const NDArray& out : dev.exec->outputs()) {
      if (!IsFinite(out)) return false;
    }
  }
  for (const Param& p : params_) {
    for (const NDArray& g : p.grads) {
      if (!IsFinite(g)) return false;
    }
  }
  return true;
}

std::string Trainer::DiagnoseNonFinite() const {
  // Replays device 0's forward pass on the same batch and weights with every
  // internal output visible; moving statistics are copies.
  const Device& dev = devices_[0];
  const Symbol internals = net_.GetInternals();
  std::map<std::string, NDArray> aux;
  for (const auto& [name, a] : dev.exec->aux_dict()) {
    aux[name] = a.CopyTo(a.context());
  }
  const auto args = dev.exec->arg_dict();
  auto probe = Executor::Bind(internals, dev.ctx, args, {}, {}, aux);
  probe->Forward(true);
  const std::vector<std::string> names = internals.ListOutputs();
  for (size_t i = 0; i < names.size(); ++i) {
    if (IsFinite(probe->outputs()[i])) continue;
    std::string layer = names[i];
    if (EndsWith(layer, "_output")) layer.resize(layer.size() - 7);
    if (args.count(names[i])) {
      return StrCat("parameter or input '", names[i],
                    "' holds NaN or Inf values");
    }
    return StrCat("the output '", names[i], "' of layer '", layer,
                  "' is the first to hold NaN or Inf values");
  }
  for (const Param& p : params_) {
    for (const NDArray& g : p.grads) {
      if (!IsFinite(g)) {
        return StrCat("the gradient of '", p.name,
                      "' holds NaN or Inf values (every forward output is "
                      "finite)");
      }
    }
  }
  return "NaN or Inf values appeared, but not on replaying the step";
}

void Trainer::UpdateMetrics(const io::DataBatch& batch,
                            const EvalHooks* hooks) {
  const int64_t size = batch.label[0].shape()[0];
  for (const Device& dev : devices_) {
    // Padding fills the batch's last `pad` samples.
    const int64_t pad =
        std::max<int64_t>(0, dev.end - std::max(dev.begin, size - batch.pad));
    const std::vector<NDArray>& outputs = dev.exec->outputs();
    for (size_t m = 0; m < metrics_.size(); ++m) {
      metrics_[m]->Update(dev.labels[metric_label_[m]],
                          outputs[metric_output_[m]], pad);
    }
    if (hooks != nullptr && hooks->on_outputs && hooked_label_ >= 0) {
      hooks->on_outputs(dev.labels[hooked_label_], outputs[hooked_output_],
                        pad);
    }
  }
}

std::vector<std::pair<std::string, double>> Trainer::MetricValues() const {
  std::vector<std::pair<std::string, double>> out;
  for (size_t m = 0; m < metrics_.size(); ++m) {
    out.emplace_back(metric_names_[m], metrics_[m]->Get().second);
  }
  return out;
}

bool NextDataBatch(io::DataIter* it, const std::string& name) {
  try {
    return it->Next();
  } catch (const DataError&) {
    throw;
  } catch (const InternalError&) {
    throw;
  } catch (const Error& e) {
    throw DataError(StrCat(name, ": ", e.what()));
  }
}

EpochReport Trainer::TrainEpoch(io::DataIter* train, io::DataIter* val,
                                const EpochControl& control) {
  MX_CHECK(for_training_,
           "TrainEpoch: the trainer was built for evaluation only "
           "(for_training false)");
  EpochReport r;
  r.learning_rate = LearningRate(std::max<int64_t>(1, num_update_));
  const bool whole_epoch = batch_in_epoch_ == 0;
  r.whole = whole_epoch;
  if (batch_in_epoch_ == 0) {
    ++epoch_;
    if (!fresh_train_iter_) train->Reset();
  }
  fresh_train_iter_ = false;
  r.epoch = epoch_;
  for (auto& m : metrics_) m->Reset();
  // A resumed epoch goes on from the metrics saved with it.
  for (size_t m = 0; m < resumed_metrics_.size(); ++m) {
    if (!resumed_metrics_[m].empty()) {
      metrics_[m]->SetState(resumed_metrics_[m]);
    }
  }
  resumed_metrics_.clear();
  const double wait_before = train->WaitSeconds();
  const auto start = std::chrono::steady_clock::now();
  int64_t samples = 0;
  bool finished = true;
  double norm_sum = 0;
  int64_t norms = 0;
  while (true) {
    bool stop = control.stop != nullptr && control.stop->load();
    bool more = !stop && NextDataBatch(train, control.train_name);
    if (distributed_) {
      // Every process stops when one is asked to, or has no batch left.
      const std::vector<bool> any = AnyWorker({stop, !more});
      stop = any[0];
      more = !any[0] && !any[1];
    }
    if (stop) {
      finished = false;
      break;
    }
    if (!more) break;
    const io::DataBatch& batch = train->Value();
    Feed(batch, control.train_name);
    for (Device& dev : devices_) {
      dev.exec->Forward(true);
      dev.exec->Backward();
    }
    if (distributed_) PushGradients();
    ++batch_in_epoch_;
    ++r.batches;
    bool finite = StepIsFinite();
    if (distributed_) finite = !AnyWorker({!finite})[0];
    if (!finite) {
      if (on_nonfinite_ == NonFinitePolicy::kStop) {
        throw NumericalError(StrCat("epoch ", epoch_, ", batch ",
                                    batch_in_epoch_, ": ",
                                    DiagnoseNonFinite()));
      }
      ++r.skipped;
      continue;
    }
    ++num_update_;
    const double lr = LearningRate(num_update_);
    r.learning_rate = lr;
    const double norm = UpdateParams(lr);
    if (norm >= 0) {
      norm_sum += norm;
      ++norms;
      r.grad_norm_max = std::max(r.grad_norm_max, norm);
      if (norm > optimizer_->common().clip_global_norm) ++r.clipped;
    }
    UpdateMetrics(batch);
    samples += batch.label[0].shape()[0] - batch.pad;
    if (control.on_batch && batch_in_epoch_ % control.callback_every == 0) {
      BatchProgress p;
      p.epoch = epoch_;
      p.batch = batch_in_epoch_;
      p.batches_run = r.batches;
      p.samples = samples;
      p.seconds = Seconds(start);
      p.data_wait_seconds = train->WaitSeconds() - wait_before;
      p.learning_rate = lr;
      p.grad_norm = norm;
      p.metrics = MetricValues();
      control.on_batch(p);
    }
  }
  Engine::Get()->WaitForAll();
  r.seconds = Seconds(start);
  SumMetricsOverWorkers();
  samples = static_cast<int64_t>(SumOverWorkers({double(samples)})[0]);
  r.samples_per_second = r.seconds > 0 ? samples / r.seconds : 0;
  r.data_wait_seconds = train->WaitSeconds() - wait_before;
  r.num_update = num_update_;
  if (norms > 0) r.grad_norm_mean = norm_sum / norms;
  r.train = MetricValues();
  r.interrupted = !finished;
  if (!finished && batch_in_epoch_ == 0) {
    // Stopped before the epoch's first batch: it has not begun (the
    // iterator stays positioned at its start).
    --epoch_;
    fresh_train_iter_ = true;
    r.epoch = epoch_;
  }
  if (finished && whole_epoch && r.batches == 0) {
    throw NoSampleError(control.train_name, "in an epoch");
  }
  if (finished) {
    batch_in_epoch_ = 0;
    if (val != nullptr) {
      const int epoch = epoch_;
      EvalHooks hooks;
      if (control.on_val_batch) {
        hooks.on_batch = [&control, epoch](int64_t b) {
          control.on_val_batch(epoch, b);
        };
      }
      r.val = Evaluate(val, control.val_name, hooks);
    }
  }
  return r;
}

std::vector<std::pair<std::string, double>> Trainer::Evaluate(
    io::DataIter* it, const std::string& name, const EvalHooks& hooks) {
  it->Reset();
  for (auto& m : metrics_) m->Reset();
  int64_t samples = 0, batches = 0;
  while (NextDataBatch(it, name)) {
    const io::DataBatch& batch = it->Value();
    Feed(batch, name);
    for (Device& dev : devices_) dev.exec->Forward(false);
    UpdateMetrics(batch, &hooks);
    samples += batch.label[0].shape()[0] - batch.pad;
    if (hooks.on_batch) hooks.on_batch(++batches);
  }
  // Every process of dist_sync sees its part; the whole may not be empty.
  if (SumOverWorkers({static_cast<double>(samples)})[0] == 0) {
    throw NoSampleError(name, "to evaluate");
  }
  SumMetricsOverWorkers();
  return MetricValues();
}

NamedParams Trainer::args() const {
  NamedParams out;
  for (const auto& [name, a] : devices_[0].exec->arg_dict()) {
    if (!IsInput(name)) out[name] = a;
  }
  return out;
}

NamedParams Trainer::aux() const { return devices_[0].exec->aux_dict(); }

void Trainer::SaveCheckpoint(
    const std::string& prefix, int epoch,
    const std::map<std::string, double>& values) const {
  Engine::Get()->WaitForAll();
  TrainState s;
  s.epoch = batch_in_epoch_ == 0 ? epoch_ : epoch_ - 1;
  s.batch = batch_in_epoch_;
  s.num_update = num_update_;
  s.optimizer = optimizer_name_;
  for (const Device& dev : devices_) s.rng.push_back(RandomState(dev.ctx));
  for (const Param& p : params_) {
    s.updates[p.name] = p.updates;
    if (!p.state.empty()) s.optimizer_states[p.name] = p.state;
  }
  s.values = values;
  if (distributed_) s.values["world_size"] = num_workers();
  if (batch_in_epoch_ > 0) {
    // The metrics of the epoch so far, so a resumed epoch reports them all.
    for (size_t m = 0; m < metrics_.size(); ++m) {
      const std::vector<double> state = metrics_[m]->State();
      for (size_t k = 0; k < state.size(); ++k) {
        s.values[MetricStateKey(m, k)] = state[k];
      }
    }
  }
  const NamedParams weights = args(), statistics = aux();
  // Weights that went NaN where no step check saw it (a ReLU hides a NaN
  // from the outputs) are not worth a checkpoint.
  for (const NamedParams* params : {&weights, &statistics}) {
    for (const auto& [name, array] : *params) {
      if (!IsFinite(array)) {
        throw NumericalError(StrCat(
            "parameter '", name, "' holds NaN or Inf values at epoch ", epoch,
            ": no checkpoint written (lower the learning rate, or look for "
            "a damaged checkpoint.pretrained)"));
      }
    }
  }
  SaveTrainingCheckpoint(prefix, epoch, net_, weights, statistics, s);
}

std::map<std::string, double> Trainer::Resume(const std::string& prefix,
                                              int epoch, io::DataIter* train) {
  const std::string params_path = ParamsPath(prefix, epoch);
  const std::string states_path = StatesPath(prefix, epoch);
  NamedParams args, aux;
  TrainState s;
  LoadTrainingCheckpoint(prefix, epoch, &args, &aux, &s);
  // A mid-epoch state of epoch N says N - 1 epochs and some batches.
  MX_CHECK(s.batch > 0 ? s.epoch + 1 == epoch : s.epoch == epoch, "'",
           states_path, "' holds the state after epoch ", s.epoch,
           s.batch > 0 ? StrCat(" and ", s.batch, " batches") : std::string(),
           ", but its name says epoch ", epoch,
           ": it is not this checkpoint's state");
  // batch == batches: stopped after an epoch's last batch, before its end
  // (validation, checkpoint); the resumed run finishes that epoch.
  const int64_t batches = train->BatchesPerEpoch();
  MX_CHECK(batches < 0 || s.batch <= batches, "'", states_path,
           "' resumes at batch ", s.batch, " of epoch ", s.epoch + 1,
           ", but an epoch of the training data has ", batches, " batches");
  MX_CHECK(s.optimizer == optimizer_name_, "'", states_path,
           "' was written with optimizer '", s.optimizer, "', this run uses '",
           optimizer_name_, "'");
  const auto load = [&](const NamedParams& from,
                        std::map<std::string, NDArray> (Executor::*dict)()
                            const,
                        const char* kind) {
    for (Device& dev : devices_) {
      auto arrays = ((*dev.exec).*dict)();
      for (auto& [name, array] : arrays) {
        if (IsInput(name)) continue;
        const auto it = from.find(name);
        MX_CHECK(it != from.end(), "'", params_path, "' has no ", kind, " '",
                 name, "' of the network");
        MX_CHECK(it->second.shape() == array.shape(), "'", params_path,
                 "': ", kind, " '", name, "' has shape ", it->second.shape(),
                 ", the network needs ", array.shape());
        it->second.CopyTo(&array);
      }
    }
  };
  const int saved_workers = s.values.count("world_size")
                                ? static_cast<int>(s.values.at("world_size"))
                                : 1;
  MX_CHECK(saved_workers == num_workers(), "'", states_path,
           "' was written by a run of ", saved_workers, " process",
           saved_workers == 1 ? "" : "es", ", this run has ", num_workers(),
           ": resume with the same number of processes (mpirun -np ",
           saved_workers, "), or start a new run from '", params_path,
           "' with checkpoint.pretrained");
  load(args, &Executor::arg_dict, "argument");
  load(aux, &Executor::aux_dict, "auxiliary state");
  BroadcastParams();
  for (Param& p : params_) {
    const auto u = s.updates.find(p.name);
    MX_CHECK(u != s.updates.end(), "'", states_path,
             "' has no update count for parameter '", p.name, "'");
    p.updates = u->second;
    const auto st = s.optimizer_states.find(p.name);
    const size_t have = st == s.optimizer_states.end() ? 0 : st->second.size();
    MX_CHECK(have == p.state.size(), "'", states_path, "' has ", have,
             " optimizer states for '", p.name, "', optimizer '",
             optimizer_name_, "' needs ", p.state.size());
    for (size_t k = 0; k < p.state.size(); ++k) {
      MX_CHECK(st->second[k].shape() == p.state[k].shape(), "'", states_path,
               "': optimizer state ", k, " of '", p.name, "' has shape ",
               st->second[k].shape(), ", expected ", p.state[k].shape());
      st->second[k].CopyTo(&p.state[k]);
    }
    if (kvstore_) {
      NDArray stored = kvstore_->Value(p.name);
      p.weights[0].CopyTo(&stored);
    }
  }
  MX_CHECK(s.rng.size() == devices_.size(), "'", states_path,
           "' holds the random state of ", s.rng.size(),
           " devices, this run has ", devices_.size());
  for (size_t d = 0; d < devices_.size(); ++d) {
    SetRandomState(s.rng[d], devices_[d].ctx);
  }
  num_update_ = s.num_update;
  resumed_metrics_.clear();
  // The saved metrics are sums over every process: the others start again
  // from zero, so the epoch's sum counts them once.
  for (size_t m = 0; s.batch > 0 && rank() == 0 && m < metrics_.size(); ++m) {
    std::vector<double> state;
    for (size_t k = 0; s.values.count(MetricStateKey(m, k)); ++k) {
      state.push_back(s.values.at(MetricStateKey(m, k)));
    }
    resumed_metrics_.push_back(std::move(state));
  }
  // Positions the iterator: epoch e (0-based) is the one after e Resets,
  // then the batches already trained are skipped.
  epoch_ = s.epoch;
  batch_in_epoch_ = s.batch;
  train->SkipEpochs(s.epoch);
  for (int64_t b = 0; b < s.batch; ++b) {
    MX_CHECK(NextDataBatch(train, "the training data"), "'", states_path,
             "' resumes at batch ", s.batch, " of epoch ", s.epoch + 1,
             ", but the training data has fewer batches");
  }
  if (s.batch > 0) epoch_ = s.epoch + 1;
  fresh_train_iter_ = true;
  Engine::Get()->WaitForAll();
  return s.values;
}

}  // namespace mx
