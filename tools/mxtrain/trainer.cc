#include "tools/mxtrain/trainer.h"

#include <chrono>

#include "core/base/error.h"
#include "core/base/strings.h"
#include "core/engine/engine.h"
#include "core/train/initializer.h"

namespace mx {
namespace {

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since)
      .count();
}

}  // namespace

Trainer::Trainer(const Symbol& net, const io::DataIter& train,
                 const TrainerOptions& options)
    : net_(net) {
  const io::DataDesc data = train.ProvideData().at(0);
  const io::DataDesc label = train.ProvideLabel().at(0);
  data_name_ = data.name;
  label_name_ = label.name;
  const std::vector<std::string> args = net.ListArguments();
  for (const std::string& name : {data_name_, label_name_}) {
    MX_CHECK(std::find(args.begin(), args.end(), name) != args.end(),
             "the network has no input '", name,
             "' for the data iterator's array of that name (network inputs: ",
             Join(args, ", "), ")");
  }
  exec_ = Executor::SimpleBind(
      net, options.ctx, {{data_name_, data.shape}, {label_name_, label.shape}},
      GradReq::kWrite,
      {{data_name_, GradReq::kNull}, {label_name_, GradReq::kNull}});
  data_ = exec_->arg_dict().at(data_name_);
  label_ = exec_->arg_dict().at(label_name_);
  AttrDict opt_params = options.optimizer_params;
  if (!opt_params.count("rescale_grad")) {
    opt_params["rescale_grad"] = StrCat(1.0 / data.shape[0]);
  }
  optimizer_ = Optimizer::Create(options.optimizer, opt_params);
  schedule_ = LRScheduler::Create(options.lr_schedule,
                                  optimizer_->common().learning_rate,
                                  options.lr_schedule_params);
  for (const std::string& m : options.metrics) {
    metrics_.push_back(EvalMetric::Create(m));
  }
  InitParams(options);
  SetMultipliers();
}

Trainer::~Trainer() { Engine::Get()->WaitForAll(); }

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
  auto arg_arrays = exec_->arg_dict();
  auto grad_arrays = exec_->grad_dict();
  for (auto& [name, array] : arg_arrays) {
    if (name == data_name_ || name == label_name_) continue;
    if (!options.initial_args.count(name)) {
      init->Init(name, &array, init_attr(name));
    }
    if (options.frozen.count(name)) continue;
    Param p;
    p.name = name;
    p.weight = array;
    p.grad = grad_arrays.at(name);
    p.state = optimizer_->CreateState(array);
    params_.push_back(std::move(p));
  }
  place(options.initial_args, "argument", arg_arrays);
  for (auto& [name, array] : exec_->aux_dict()) {
    if (!options.initial_aux.count(name))
      init->Init(name, &array, init_attr(name));
  }
  place(options.initial_aux, "auxiliary state", exec_->aux_dict());
  for (const std::string& name : options.frozen) {
    MX_CHECK(arg_arrays.count(name), "frozen parameter '", name,
             "' is not a parameter of the network");
  }
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

void Trainer::Feed(const io::DataBatch& batch) {
  batch.data.at(0).CopyTo(&data_);
  batch.label.at(0).CopyTo(&label_);
}

EpochReport Trainer::TrainEpoch(io::DataIter* train, io::DataIter* val) {
  EpochReport r;
  r.epoch = ++epoch_;
  if (!fresh_train_iter_) train->Reset();
  fresh_train_iter_ = false;
  for (auto& m : metrics_) m->Reset();
  const double wait_before = train->WaitSeconds();
  const auto start = std::chrono::steady_clock::now();
  int64_t samples = 0;
  const double wd = optimizer_->common().wd;
  while (train->Next()) {
    const io::DataBatch& batch = train->Value();
    Feed(batch);
    exec_->Forward(true);
    exec_->Backward();
    ++num_update_;
    const double lr = schedule_->LearningRate(num_update_);
    r.learning_rate = lr;
    for (Param& p : params_) {
      UpdateStep step;
      step.lr = static_cast<float>(lr * p.lr_mult);
      step.wd = static_cast<float>(wd * p.wd_mult);
      step.t = ++p.updates;
      optimizer_->Update(p.name, step, p.weight, p.grad, p.state);
    }
    for (auto& m : metrics_) {
      m->Update(batch.label[0], exec_->outputs()[0], batch.pad);
    }
    samples += batch.label[0].shape()[0] - batch.pad;
  }
  Engine::Get()->WaitForAll();
  r.seconds = Seconds(start);
  r.samples_per_second = samples / r.seconds;
  r.data_wait_seconds = train->WaitSeconds() - wait_before;
  r.num_update = num_update_;
  for (auto& m : metrics_) r.train.push_back(m->Get());
  if (val != nullptr) r.val = Evaluate(val);
  return r;
}

std::vector<std::pair<std::string, double>> Trainer::Evaluate(
    io::DataIter* it) {
  it->Reset();
  for (auto& m : metrics_) m->Reset();
  while (it->Next()) {
    const io::DataBatch& batch = it->Value();
    Feed(batch);
    exec_->Forward(false);
    for (auto& m : metrics_) {
      m->Update(batch.label[0], exec_->outputs()[0], batch.pad);
    }
  }
  std::vector<std::pair<std::string, double>> out;
  for (auto& m : metrics_) out.push_back(m->Get());
  return out;
}

NamedParams Trainer::args() const {
  NamedParams out;
  for (const auto& [name, a] : exec_->arg_dict()) {
    if (name != data_name_ && name != label_name_) out[name] = a;
  }
  return out;
}

NamedParams Trainer::aux() const { return exec_->aux_dict(); }

void Trainer::SaveCheckpoint(const std::string& prefix, int epoch) const {
  Engine::Get()->WaitForAll();
  mx::SaveCheckpoint(prefix, epoch, net_, args(), aux());
}

}  // namespace mx
