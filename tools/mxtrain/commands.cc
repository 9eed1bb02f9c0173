#include "tools/mxtrain/commands.h"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>

#include "core/base/error.h"
#include "core/base/file_util.h"
#include "core/base/strings.h"
#include "core/dist/communicator.h"
#include "core/engine/engine.h"
#include "core/train/checkpoint.h"
#include "core/train/confusion_matrix.h"
#include "core/train/loss_heads.h"
#include "core/train/model_info.h"
#include "core/train/train_state.h"
#include "core/train/training_checkpoint.h"
#include "fit/fit.h"
#include "fit/trainer.h"
#include "interop/onnx/exporter.h"
#include "io/iter_registry.h"
#include "io/label_columns.h"
#include "tools/common/classification_report.h"
#include "tools/common/plot.h"
#include "tools/mxtrain/interrupts.h"
#include "tools/mxtrain/lr_find.h"
#include "tools/mxtrain/run_config.h"
#include "tools/mxtrain/run_display.h"
#include "tools/mxtrain/run_log.h"
#include "tools/mxtrain/summary.h"

namespace mx {
namespace {

// A config error at the iterator's batch_size: its batches do not fit.
[[noreturn]] void BatchTooLarge(const IterConfig& it, const std::string& why) {
  const auto batch = it.params.find("batch_size");
  Diagnostics diag;
  diag.Add(it.loc, it.path + ".batch_size",
           StrCat(it.type, ": batches of ",
                  batch == it.params.end() ? "this size" : batch->second,
                  " samples do not fit in memory (", why,
                  "); use a smaller batch_size"));
  diag.ThrowIfAny();
  std::abort();  // ThrowIfAny throws: there is a problem
}

std::unique_ptr<io::DataIter> MakeIter(const IterConfig& it) {
  const io::IterKind* kind = io::FindIterKind(it.type);
  MX_INTERNAL_CHECK(kind != nullptr, "validated iterator ", it.type);
  try {
    return kind->create(it.params);
  } catch (const InternalError&) {
    throw;
  } catch (const std::bad_alloc&) {
    BatchTooLarge(it, "not enough memory");
  } catch (const OutOfMemoryError& e) {
    BatchTooLarge(it, e.what());
  } catch (const Error& e) {
    throw DataError(StrCat(it.path, " (", it.type, "): ", e.what()));
  }
}

// "data.val (MNISTIter '/data/t10k-labels-idx1-ubyte.gz')": the data in
// errors, with the file that holds its labels.
std::string DataName(const IterConfig& it) {
  for (const char* key : {"label", "label_csv", "path_imgrec", "data_csv"}) {
    const auto file = it.params.find(key);
    if (file != it.params.end() && file->second != "NULL") {
      return StrCat(it.path, " (", it.type, " '", file->second, "')");
    }
  }
  return StrCat(it.path, " (", it.type, ")");
}

std::map<std::string, Shape> InputShapes(const io::DataIter& it) {
  std::map<std::string, Shape> shapes = {
      {it.ProvideData().at(0).name, it.ProvideData().at(0).shape}};
  for (const io::DataDesc& l : it.ProvideLabel()) shapes[l.name] = l.shape;
  return shapes;
}

std::string ShapesText(const std::map<std::string, Shape>& shapes) {
  std::vector<std::string> parts;
  for (const auto& [name, s] : shapes) parts.push_back(StrCat(name, " ", s));
  return Join(parts, ", ");
}

// Logs to stderr and `log_file` (when not empty); `prefix` starts every
// console line, and a console at `console_level` shows only that and above.
void SetupLogging(
    const RunConfig& c, const std::string& log_file,
    const std::string& prefix = "",
    spdlog::level::level_enum console_level = spdlog::level::trace) {
  std::vector<spdlog::sink_ptr> sinks;
  auto console = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  console->set_pattern("[%H:%M:%S] " + prefix + "%v");
  console->set_level(console_level);
  sinks.push_back(console);
  if (!log_file.empty()) {
    auto file = std::make_shared<spdlog::sinks::basic_file_sink_mt>(log_file);
    file->set_pattern("[%Y-%m-%d %H:%M:%S.%e] %v");
    sinks.push_back(file);
  }
  auto logger =
      std::make_shared<spdlog::logger>("mxtrain", sinks.begin(), sinks.end());
  logger->set_level(spdlog::level::from_str(c.logging.level));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

// Data iterators and their check against the network.
struct Data {
  std::unique_ptr<io::DataIter> train, val;
};

// MakeIter's iterator with data.labels' labels (when set).
std::unique_ptr<io::DataIter> MakeLabelledIter(const RunConfig& c,
                                               const IterConfig& it) {
  std::unique_ptr<io::DataIter> iter = MakeIter(it);
  if (c.labels.empty()) return iter;
  try {
    return io::SelectLabels(std::move(iter), c.labels);
  } catch (const InternalError&) {
    throw;
  } catch (const Error& e) {
    Diagnostics diag;
    diag.Add(LocationOf(c, "data.labels"), "data.labels",
             StrCat(e.what(), " (", DataName(it), ")"));
    diag.ThrowIfAny();
    throw;
  }
}

Data OpenData(const RunConfig& c, bool need_val) {
  Data d;
  d.train = MakeLabelledIter(c, c.train);
  if (c.val.present) d.val = MakeLabelledIter(c, c.val);
  if (need_val && !d.val) {
    Diagnostics diag;
    diag.Add(LocationOf(c, "data"), "data.val",
             "this command needs a validation iterator (data.val)");
    diag.ThrowIfAny();
  }
  const auto shapes = InputShapes(*d.train);
  CheckNetworkShapes(c, shapes);
  if (d.val && InputShapes(*d.val) != shapes) {
    Diagnostics diag;
    const auto v = InputShapes(*d.val);
    diag.Add(LocationOf(c, "data.val"), "data.val",
             StrCat("validation batches must have the training batches' "
                    "shapes (",
                    ShapesText(shapes), "), got ", ShapesText(v),
                    " (use the same batch_size and layout)"));
    diag.ThrowIfAny();
  }
  return d;
}

// The files an earlier run left in the run folder (and beside an S3
// checkpoint prefix): the names mxtrain writes, nothing else.
std::vector<std::string> EarlierRunFiles(const RunConfig& c) {
  const std::string prefix = CheckpointPrefix(c);
  const size_t slash = prefix.rfind('/');
  const std::string prefix_dir = prefix.substr(0, slash);
  const std::string base = prefix.substr(slash + 1) + "-";
  const auto ours = [&](const std::string& file) {
    // A killed writer's temp file, or a save's commit record, counts too.
    const std::string name =
        TempFileTarget(file).empty() ? file : TempFileTarget(file);
    if (name == "config.yaml" || name == "train.log" ||
        name == "training_curve.png" || name == kConfusionCsv ||
        name == kConfusionPng || name == kReportText ||
        name == MetricsFileName("csv") || name == MetricsFileName("jsonl") ||
        (StartsWith(name, "train-rank") && EndsWith(name, ".log"))) {
      return true;
    }
    return StartsWith(name, base) &&
           (EndsWith(name, ".params") || EndsWith(name, ".states") ||
            EndsWith(name, ".commit") || name == base + "symbol.json" ||
            name == base + "meta.json");
  };
  std::vector<std::string> found;
  for (const std::string& name : ListFolder(c.output)) {
    if (ours(name)) found.push_back(c.output + "/" + name);
  }
  if (prefix_dir != c.output) {  // checkpoints elsewhere (s3://)
    for (const std::string& name : ListFolder(prefix_dir)) {
      if (StartsWith(name, base) && ours(name)) {
        found.push_back(prefix_dir + "/" + name);
      }
    }
  }
  return found;
}

// A new run starts in a run folder of its own: one that holds another run's
// files is refused (a later --resume would pick that run's checkpoints, and
// metrics.csv would mix epochs of both), unless `overwrite` deletes them.
// Returns how many files it deleted.
size_t ClaimRunFolder(const RunConfig& c, bool overwrite) {
  const std::vector<std::string> earlier = EarlierRunFiles(c);
  if (earlier.empty()) return 0;
  if (overwrite) {
    for (const std::string& path : earlier) RemoveFile(path);
    return earlier.size();
  }
  std::vector<std::string> names;
  for (size_t i = 0; i < std::min<size_t>(earlier.size(), 4); ++i) {
    names.push_back(earlier[i].substr(earlier[i].rfind('/') + 1));
  }
  Diagnostics diag;
  diag.Add(LocationOf(c, "output"), "output",
           StrCat("the run folder '", c.output, "' holds another run (",
                  Join(names, ", "), earlier.size() > 4 ? ", ..." : "",
                  "): continue it with --resume, start over with --overwrite "
                  "(deletes its files), or choose another output (--set "
                  "output=...)"));
  diag.ThrowIfAny();
  return 0;
}

// Before a resumed run writes: finishes the save a killed run had committed
// and deletes the temp files killed writers left (Note [Checkpoint unit]).
void TidyRunFolder(const RunConfig& c) {
  const std::string prefix = CheckpointPrefix(c);
  const CheckpointRecovery r = RecoverCheckpoints(prefix);
  for (const int epoch : r.completed) {
    spdlog::warn(
        "finished saving checkpoint {}, which a killed run had "
        "committed",
        ParamsPath(prefix, epoch));
  }
  size_t removed = r.removed.size();
  for (const std::string& path : EarlierRunFiles(c)) {
    if (TempFileTarget(path).empty()) continue;
    RemoveFile(path);
    ++removed;
  }
  if (removed > 0) {
    spdlog::info("removed {} temp files that a killed run left", removed);
  }
}

// Claims the run folder (the lead: refuses another run's unless resuming
// or overwriting; a resume tidies what a killed run left), then logs to it:
// train.log (the lead), train-rankN.log (the others, when asked).
void OpenRunFolder(const RunConfig& c, const CommandOptions& o,
                   dist::Communicator* world) {
  const int rank = world ? world->rank() : 0;
  const bool lead = rank == 0;
  CheckOutputFolder(c);
  const bool resume = o.resume || o.auto_resume;
  const size_t removed = lead && !resume ? ClaimRunFolder(c, o.overwrite) : 0;
  // The others write to the run folder (train-rankN.log) only once the lead
  // has claimed it.
  if (world) world->AllReduceMax(0);
  if (lead) {
    SetupLogging(c, c.output + "/train.log",
                 world && world->size() > 1 ? "rank 0: " : "");
  } else {
    SetupLogging(c,
                 c.logging.rank_logs
                     ? StrCat(c.output, "/train-rank", rank, ".log")
                     : "",
                 StrCat("rank ", rank, ": "), spdlog::level::warn);
  }
  if (removed > 0) {
    spdlog::warn("--overwrite: removed {} files of the earlier run", removed);
  }
  if (lead && resume) {
    try {
      TidyRunFolder(c);
    } catch (const Error& e) {
      throw DataError(StrCat("--resume: ", e.what()));
    }
  }
}

// The first log lines of a run: the processes (dist_sync), the devices, the
// inputs and the network's summary.
void LogRunStart(const RunConfig& c, const io::DataIter& train,
                 dist::Communicator* world) {
  const auto shapes = InputShapes(train);
  if (world != nullptr) {
    const int64_t batch = shapes.at(train.ProvideData().at(0).name)[0];
    char host[256] = "?";
    ::gethostname(host, sizeof host - 1);
    spdlog::info(
        "{}: {}; rank {} (host {}, pid {}); global batch {} ({} per "
        "process), each process reads part {} of {} of the data",
        c.kvstore, world->Describe(), world->rank(), host, ::getpid(),
        batch * world->size(), batch, world->rank() + 1, world->size());
  }
  std::vector<std::string> devices;
  for (const Context& ctx : c.devices) devices.push_back(StrCat(ctx));
  spdlog::info("mxtrain {}: {} epoch{} on {}; run folder {}", c.name, c.epochs,
               c.epochs == 1 ? "" : "s", Join(devices, ", "), c.output);
  spdlog::info("inputs: {}", ShapesText(shapes));
  if (!c.classes.empty()) {
    std::vector<std::string> shown(
        c.classes.begin(),
        c.classes.begin() + std::min<size_t>(c.classes.size(), 12));
    spdlog::info("classes: {} ({}{})", c.classes.size(), Join(shown, ", "),
                 c.classes.size() > shown.size() ? ", ..." : "");
  }
  const NetworkSummary summary = Summarize(c.network.symbol, shapes);
  for (const std::string& line : Split(FormatSummary(summary), '\n')) {
    if (!line.empty()) spdlog::info("{}", line);
  }
}

// What mxinfer needs to know of the run's model: the sample shape and the
// scale of the training data, the task and the class names.
ModelInfo ModelInfoOf(const RunConfig& c, const io::DataIter& train) {
  ModelInfo info;
  info.sample_shape = train.ProvideData().at(0).shape.dims();
  info.sample_shape.erase(info.sample_shape.begin());
  // As written, or the iterator's default (in the resolved config).
  const ConfigNode* data = c.resolved.Find("data");
  const ConfigNode* train_node =
      data != nullptr ? data->Find("train") : nullptr;
  const ConfigNode* scale = train_node != nullptr && train_node->IsMap()
                                ? train_node->Find("scale")
                                : nullptr;
  double s = 0;
  if (scale != nullptr && scale->IsScalar() &&
      ParamTraits<double>::Parse(scale->text(), &s).empty() && s > 0 &&
      std::isfinite(s)) {
    info.scale = s;
  }
  info.task = TaskOfHead(c.network.symbol);
  info.classes = c.classes;
  return info;
}

// The trainer's options with where training starts: the pretrained
// parameters (checkpoint.pretrained) and the frozen ones.
TrainerOptions StartingPoint(const RunConfig& c) {
  TrainerOptions t = c.trainer;
  // network.onnx: the model's weights, unless a checkpoint replaces them.
  for (const auto& [name, v] : c.network.initial_args) t.initial_args[name] = v;
  for (const auto& [name, v] : c.network.initial_aux) t.initial_aux[name] = v;
  if (!c.checkpoint.pretrained.empty()) {
    try {
      LoadParams(c.checkpoint.pretrained, &t.initial_args, &t.initial_aux);
    } catch (const Error& e) {
      throw DataError(StrCat("checkpoint.pretrained: ", e.what()));
    }
    spdlog::info("starting from {} ({} arrays)", c.checkpoint.pretrained,
                 t.initial_args.size() + t.initial_aux.size());
  }
  t.frozen.insert(c.checkpoint.frozen.begin(), c.checkpoint.frozen.end());
  return t;
}

int Train(const RunConfig& config, const CommandOptions& o) {
  RunConfig c = config;
  // dist_sync: every process of the MPI job runs this; rank 0 ("the lead")
  // alone writes the run folder and shows progress (Note [Distributed
  // training]).
  const bool distributed = StartsWith(c.kvstore, "dist");
  dist::Communicator* world =
      distributed ? &dist::Communicator::World() : nullptr;
  const int rank = world ? world->rank() : 0;
  const int workers = world ? world->size() : 1;
  const bool lead = rank == 0;
  // MPI ends with the run, unless the run failed: then its peers may be gone
  // and the launcher ends them (after the trainer, declared later).
  struct Finalizer {
    dist::Communicator* world;
    ~Finalizer() {
      if (world != nullptr && std::uncaught_exceptions() == 0)
        world->Finalize();
    }
  } finalizer{world};
  if (distributed) ShardData(&c, rank, workers);
  OpenRunFolder(c, o, world);
  Data data = OpenData(c, false);
  if (lead) {
    WriteFileAtomic(c.output + "/config.yaml", EmitYaml(c.resolved));
    SaveModelInfo(CheckpointPrefix(c), ModelInfoOf(c, *data.train));
  }
  LogRunStart(c, *data.train, world);
  Trainer trainer(c.network.symbol, *data.train, StartingPoint(c));

  RunDisplay display(c, lead, data.train->BatchesPerEpoch(),
                     data.val ? data.val->BatchesPerEpoch() : 0);
  FitOptions fit;
  fit.epochs = c.epochs;
  fit.checkpoint = c.checkpoint;
  fit.checkpoint.prefix = CheckpointPrefix(c);
  fit.resume = o.resume || o.auto_resume;
  fit.start_if_none = o.auto_resume;
  fit.resume_name = o.auto_resume ? "--auto-resume" : "--resume";
  fit.early_stopping = c.early_stopping;
  fit.world = world;
  fit.control.stop = o.stop;
  fit.control.train_name = DataName(c.train);
  fit.control.val_name = DataName(c.val);
  display.Attach(&fit.control);
  const std::string& prefix = fit.checkpoint.prefix;
  const FitResult result = Fit(&trainer, data.train.get(), data.val.get(), fit,
                               display.Events(trainer, prefix, fit.resume));
  display.Clear();
  switch (result.stop) {
    case FitResult::Stop::kInterruptedInEpoch:
      spdlog::warn(
          "interrupted in epoch {} after batch {}: checkpoint {} "
          "saved; continue with --resume",
          result.epoch, result.batch_in_epoch, result.checkpoint);
      return kExitInterrupted;
    case FitResult::Stop::kInterruptedAfterEpoch:
      spdlog::warn(
          "interrupted after epoch {}: checkpoint {} saved; continue with "
          "--resume",
          result.epoch, result.checkpoint);
      return kExitInterrupted;
    case FitResult::Stop::kEarlyStopped:
      spdlog::info("early stopping after epoch {}: {}", result.epoch,
                   result.stop_reason);
      break;
    case FitResult::Stop::kFinished:
      break;
  }
  struct rusage usage {};
  ::getrusage(RUSAGE_SELF, &usage);
  if (result.best.epoch() >= 0) {
    spdlog::info(
        "done: best {} {} {:.4f} at epoch {}; checkpoints {}-NNNN; "
        "peak RSS {:.1f} MiB",
        data.val ? "val" : "train", result.best.metric(), result.best.value(),
        result.best.epoch(), prefix, usage.ru_maxrss / 1024.0);
  }
  return kExitOk;
}

// `requested`, or the latest epoch saved under `prefix`; DataError when
// there is none (nothing to `verb`).
int CheckpointToUse(const std::string& prefix, int requested,
                    const std::string& verb) {
  if (requested >= 0) return requested;
  const std::vector<int> epochs = CheckpointEpochs(prefix, "params");
  if (epochs.empty()) {
    throw DataError(StrCat("no checkpoint ", prefix, "-NNNN.params to ", verb,
                           " (train first)"));
  }
  return epochs.back();
}

// `mxtrain export`: a checkpoint of the run written as an ONNX model for
// inference (docs/onnx.md); its data input keeps a symbolic batch axis.
int Export(const RunConfig& c, const CommandOptions& o) {
  SetupLogging(c, "");
  if (o.format != "onnx") {
    std::fprintf(stderr,
                 "mxtrain: error: --format '%s': mxtrain exports 'onnx' (the "
                 "checkpoint's -symbol.json and .params are MXNet's format "
                 "already)\n",
                 o.format.c_str());
    return kExitConfig;
  }
  Data data = OpenData(c, false);
  const std::string prefix = CheckpointPrefix(c);
  const int epoch = CheckpointToUse(prefix, o.epoch, "export");
  NamedParams args, aux;
  try {
    LoadParams(ParamsPath(prefix, epoch), &args, &aux);
  } catch (const Error& e) {
    throw DataError(e.what());
  }
  const io::DataDesc desc = data.train->ProvideData().at(0);
  std::vector<int64_t> dims = desc.shape.dims();
  dims[0] = 1;
  try {
    onnx_io::ExportModel(c.network.symbol, args, aux,
                         {{desc.name, Shape(dims)}}, o.output);
  } catch (const InternalError&) {
    throw;
  } catch (const Error& e) {
    throw DataError(
        StrCat("exporting ", ParamsPath(prefix, epoch), ": ", e.what()));
  }
  spdlog::info("wrote {} (ONNX opset {}) from {}", o.output,
               onnx_io::kExportOpset, ParamsPath(prefix, epoch));
  return kExitOk;
}

int Test(const RunConfig& c, const CommandOptions& o) {
  SetupLogging(c, "");
  Data data = OpenData(c, true);
  const std::string prefix = CheckpointPrefix(c);
  const int epoch = CheckpointToUse(prefix, o.epoch, "test");
  TrainerOptions t = c.trainer;
  t.for_training = false;
  t.kvstore = "local";  // one process evaluates everything
  const std::string params = ParamsPath(prefix, epoch);
  try {
    LoadParams(params, &t.initial_args, &t.initial_aux);
  } catch (const Error& e) {
    throw DataError(e.what());
  }
  // Evaluating needs every parameter: none may be initialized at random.
  const auto inputs = InputShapes(*data.train);
  for (const std::string& name : c.network.symbol.ListArguments()) {
    if (inputs.count(name) || t.initial_args.count(name)) continue;
    throw DataError(StrCat("'", params, "' has no argument '", name,
                           "' of the network: it is another network's "
                           "checkpoint, or damaged"));
  }
  for (const std::string& name : c.network.symbol.ListAuxiliaryStates()) {
    if (t.initial_aux.count(name)) continue;
    throw DataError(StrCat("'", params, "' has no auxiliary state '", name,
                           "' of the network: it is another network's "
                           "checkpoint, or damaged"));
  }
  Trainer trainer(c.network.symbol, *data.train, t);
  // A classifier's confusion matrix: (batch, classes) outputs of the first
  // head that reads a label (Trainer::EvalHooks).
  const int head = FirstLabelledHead(c.heads);
  const Shape output = trainer.executor()
                           .outputs()
                           .at(head < 0 ? 0 : c.heads[head].output)
                           .shape();
  std::optional<ConfusionMatrix> confusion;
  Trainer::EvalHooks hooks;
  if (head >= 0 && output.ndim() == 2 && output[1] >= 2 &&
      c.heads[head].task != "regression") {
    confusion.emplace(output[1]);
    hooks.on_outputs = [&confusion](const NDArray& labels, const NDArray& out,
                                    int64_t pad) {
      if (labels.shape().ndim() != 1) return;
      confusion->Add(labels.ToFloatVector(), out.ToFloatVector(),
                     labels.shape()[0] - pad);
    };
  }
  const auto start = std::chrono::steady_clock::now();
  const auto metrics = trainer.Evaluate(data.val.get(), DataName(c.val), hooks);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  spdlog::info("{} on data.val: {} ({:.2f} s)", ParamsPath(prefix, epoch),
               FormatMetrics(metrics), seconds);
  for (const auto& [name, v] : metrics)
    std::printf("%s %.6f\n", name.c_str(), v);
  if (confusion && confusion->total() > 0) {
    const std::string params_file = ParamsPath(prefix, epoch);
    WriteClassificationReport(
        *confusion, c.classes, c.output,
        StrCat(params_file.substr(params_file.rfind('/') + 1), " on data.val"));
  }
  return kExitOk;
}

// `mxtrain lr-find`: the learning-rate range test (tools/mxtrain/lr_find.h)
// from the run's starting point; the curve and values go to the run folder
// as lr_find.png and lr_find.csv, no checkpoint is read or written.
int LrFind(const RunConfig& c, const CommandOptions& o) {
  SetupLogging(c, "");
  if (!(o.start_lr > 0 && o.end_lr > o.start_lr)) {
    std::fprintf(stderr,
                 "mxtrain: error: --start-lr %g and --end-lr %g: expected 0 < "
                 "start < end\n",
                 o.start_lr, o.end_lr);
    return kExitConfig;
  }
  CheckOutputFolder(c);
  Data data = OpenData(c, false);
  TrainerOptions t = StartingPoint(c);
  t.kvstore = "local";  // one process
  // Each head's loss (the sum is the curve).
  t.metrics.clear();
  t.head_metrics.clear();
  std::vector<std::string> losses;
  for (const LossHead& h : c.heads) {
    if (h.label.empty()) continue;
    const std::string loss = h.task == "regression" ? "mse" : "ce";
    t.head_metrics[h.name] = {{loss, {}}};
    losses.push_back(loss == "ce" ? "cross-entropy" : loss);
  }
  LrFindOptions lf;
  lf.start_lr = o.start_lr;
  lf.end_lr = o.end_lr;
  lf.steps = o.steps;
  lf.stop = o.stop;
  spdlog::info(
      "lr-find: {} batches, the learning rate growing exponentially from {:g} "
      "to {:g}; loss: {} of each batch",
      lf.steps, lf.start_lr, lf.end_lr, Join(losses, " + "));
  const LrFindResult r =
      RunLrFind(c.network.symbol, data.train.get(), t, lf, DataName(c.train));
  std::string csv = "step,learning_rate,loss,smoothed_loss\n";
  for (size_t i = 0; i < r.lrs.size(); ++i) {
    csv += StrCat(i + 1, ",", r.lrs[i], ",", r.losses[i], ",", r.smoothed[i],
                  "\n");
  }
  const std::string csv_path = c.output + "/lr_find.csv";
  const std::string png_path = c.output + "/lr_find.png";
  WriteFileAtomic(csv_path, csv);
  PlotPanel panel;
  panel.title = StrCat("learning-rate range test: ", c.name);
  panel.x_title = "learning rate";
  panel.y_title = r.loss;
  panel.log_x = true;
  PlotSeries raw{"loss of the batch", r.lrs, r.losses, 7, false};
  PlotSeries smooth{"smoothed", r.lrs, r.smoothed, 0, false};
  // Past divergence the raw losses would flatten the curve: cut them at 4x
  // the lowest smoothed loss.
  if (r.lowest >= 0) {
    const double cap = 4 * std::abs(r.smoothed[r.lowest]) + 1e-12;
    for (PlotSeries* series : {&raw, &smooth}) {
      for (double& v : series->y) {
        if (v > cap) v = NAN;
      }
    }
  }
  panel.series = {raw, smooth};
  if (r.suggested_lr > 0) {
    panel.marks_x = {r.suggested_lr};
    char mark[48];
    std::snprintf(mark, sizeof mark, "suggested %.3g", r.suggested_lr);
    panel.mark_label = mark;
  }
  WritePlotPng(png_path, {panel}, 1);
  std::printf("%-14s %-12s %s\n", "learning rate", "loss", "smoothed");
  const size_t every = std::max<size_t>(1, r.lrs.size() / 12);
  for (size_t i = 0; i < r.lrs.size(); i += every) {
    std::printf("%-14.4g %-12.5g %.5g\n", r.lrs[i], r.losses[i], r.smoothed[i]);
  }
  std::printf("%zu batches%s\n", r.lrs.size(),
              r.diverged ? "; stopped when the loss diverged" : "");
  if (r.suggested_lr <= 0) {
    std::printf("no suggestion: no batch gave a finite loss\n");
  } else {
    std::printf(
        "lowest smoothed loss %.5g at learning rate %.4g\n"
        "suggested learning rate: %.4g (%s); try --set "
        "optimizer.learning_rate=%.3g\n",
        r.smoothed[r.lowest], r.lrs[r.lowest], r.suggested_lr, r.how.c_str(),
        r.suggested_lr);
  }
  std::printf("wrote %s and %s\n", png_path.c_str(), csv_path.c_str());
  return kExitOk;
}

int Time(const RunConfig& c, const CommandOptions& o) {
  SetupLogging(c, "");
  std::fputs(FormatNetworkTimes(TimeNetwork(c, o.iterations)).c_str(), stdout);
  return kExitOk;
}

// Reads every batch of `it` as training would (each record parsed, label i
// checked against classes[i] when > 0); returns the samples read. DataError
// naming `name` for data that does not read, or for no sample at all.
int64_t ReadEveryBatch(io::DataIter* it, const std::vector<int64_t>& classes,
                       const std::string& name) {
  const std::vector<std::string> labels = io::LabelNames(*it);
  int64_t samples = 0;
  it->Reset();
  while (NextDataBatch(it, name)) {
    const io::DataBatch& batch = it->Value();
    CheckClassLabels(batch, classes, name, labels);
    samples += batch.label.at(0).shape()[0] - batch.pad;
  }
  if (samples == 0) throw NoSampleError(name, "in an epoch");
  return samples;
}

int Check(const RunConfig& c) {
  CheckOutputFolder(c);
  if (!EarlierRunFiles(c).empty()) {
    std::fprintf(stderr,
                 "mxtrain: note: the run folder '%s' holds another run: "
                 "training needs --resume or --overwrite\n",
                 c.output.c_str());
  }
  Data data = OpenData(c, false);
  const auto shapes = InputShapes(*data.train);
  std::map<std::string, PartialShape> known;
  for (const auto& [name, shape] : shapes) known[name] = PartialShape(shape);
  const std::vector<int64_t> classes = LabelClassesOf(
      c.heads, HeadMetrics(c.heads, c.trainer),
      c.network.symbol.InferShape(known).outputs, io::LabelNames(*data.train));
  // The data is read whole, as an epoch of training would read it.
  const int64_t train_samples =
      ReadEveryBatch(data.train.get(), classes, DataName(c.train));
  const int64_t val_samples =
      data.val ? ReadEveryBatch(data.val.get(), classes, DataName(c.val)) : 0;
  const NetworkSummary s = Summarize(c.network.symbol, shapes);
  std::printf(
      "%s: OK: %zu layers, %lld parameters; train %s%s; read %lld training%s "
      "samples; run folder %s\n",
      c.file.c_str(), s.layers.size(), static_cast<long long>(s.params),
      ShapesText(shapes).c_str(),
      data.val ? StrCat("; val ", ShapesText(InputShapes(*data.val))).c_str()
               : "",
      static_cast<long long>(train_samples),
      data.val ? StrCat(" and ", val_samples, " validation").c_str() : "",
      c.output.c_str());
  return kExitOk;
}

int Summary(const RunConfig& c) {
  Data data = OpenData(c, false);
  std::printf(
      "%s", FormatSummary(Summarize(c.network.symbol, InputShapes(*data.train)))
                .c_str());
  return kExitOk;
}

int ReportConfigError(const ConfigError& e) {
  std::fprintf(stderr, "mxtrain: %zu problem%s in the config:\n%s\n", e.count(),
               e.count() == 1 ? "" : "s", e.what());
  return kExitConfig;
}

}  // namespace

NetworkTimes TimeNetwork(const RunConfig& c, int iterations) {
  Data data = OpenData(c, false);
  // The network's own starting point (network.onnx's weights, whose names
  // need no initializer rule), as training would start.
  TrainerOptions t = StartingPoint(c);
  t.kvstore = "local";  // times one process
  Trainer trainer(c.network.symbol, *data.train, t);
  Executor& exec = trainer.executor();
  MX_CHECK(data.train->Next(), "data.train yields no batch");
  const io::DataBatch& batch = data.train->Value();
  const std::vector<io::DataDesc> labels = data.train->ProvideLabel();
  batch.data[0].CopyTo(&exec.arg_dict().at("data"));
  for (size_t i = 0; i < labels.size(); ++i) {
    batch.label.at(i).CopyTo(&exec.arg_dict().at(labels[i].name));
  }
  NetworkTimes times;
  times.batch = batch.data[0].shape()[0];
  times.summary = SummarizeLayers(c.network.symbol, InputShapes(*data.train));
  for (int i = 0; i < 2; ++i) {  // warm up
    exec.Forward(true);
    exec.Backward();
  }
  Engine::Get()->WaitForAll();
  std::mutex mu;
  std::map<std::string, double> total;
  std::vector<std::string> order;
  exec.SetStepTimer([&](const std::string& step, double s) {
    std::lock_guard<std::mutex> lock(mu);
    if (!total.count(step)) order.push_back(step);
    total[step] += s;
  });
  double fwd_wall = 0, bwd_wall = 0;
  for (int i = 0; i < iterations; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    exec.Forward(true);
    Engine::Get()->WaitForAll();
    auto t1 = std::chrono::steady_clock::now();
    exec.Backward();
    Engine::Get()->WaitForAll();
    auto t2 = std::chrono::steady_clock::now();
    fwd_wall += std::chrono::duration<double>(t1 - t0).count();
    bwd_wall += std::chrono::duration<double>(t2 - t1).count();
  }
  exec.SetStepTimer(nullptr);
  const double n = iterations;
  for (const std::string& step : order) {
    if (EndsWith(step, " (backward)")) continue;
    LayerTime l{step, 1e3 * total[step] / n, -1};
    const auto b = total.find(step + " (backward)");
    if (b != total.end()) l.backward_ms = 1e3 * b->second / n;
    if (step == "gradient sum" || step == "zero gradient") {
      l.backward_ms = l.forward_ms;
      l.forward_ms = -1;
    }
    times.layers.push_back(l);
  }
  times.iterations = iterations;
  times.forward_ms = 1e3 * fwd_wall / n;
  times.backward_ms = 1e3 * bwd_wall / n;
  return times;
}

namespace {

// "12.345" or "-" for a negative time.
std::string Millis(double ms) {
  if (ms < 0) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", ms);
  return buf;
}

// "123.4 GF" / "12.3 GB" per second, with " (56%)" of `peak` when > 0.
std::string Rate(double units, double ms, const char* unit, double peak) {
  if (ms <= 0 || units <= 0) return "";
  const double rate = units / (ms * 1e-3) / 1e9;
  char buf[48];
  if (peak > 0) {
    std::snprintf(buf, sizeof buf, "%.1f %s (%.0f%%)", rate, unit,
                  100 * rate / peak);
  } else {
    std::snprintf(buf, sizeof buf, "%.1f %s", rate, unit);
  }
  return buf;
}

}  // namespace

namespace {

// The summary of the layer a timed step ran: its own, or for the node the
// executor fused of layers "a+b" (Note [Op fusion]) one made of theirs: the
// ops joined by '+', the first's inputs, the others' inputs but the one
// the layer before wrote, the last's output. Nothing when a layer is
// unknown.
std::optional<LayerSummary> StepSummary(
    const std::string& step,
    const std::map<std::string, const LayerSummary*>& summary_of) {
  const auto whole = summary_of.find(step);
  if (whole != summary_of.end()) return *whole->second;
  std::optional<LayerSummary> fused;
  size_t begin = 0;
  while (begin <= step.size()) {
    const size_t end = std::min(step.find('+', begin), step.size());
    const auto part = summary_of.find(step.substr(begin, end - begin));
    if (part == summary_of.end()) return std::nullopt;
    const LayerSummary& m = *part->second;
    if (!fused) {
      fused = m;
      fused->name = step;
    } else {
      fused->op += "+" + m.op;
      fused->input_bytes += m.input_bytes - fused->output_bytes;
      fused->output = m.output;
      fused->output_bytes = m.output_bytes;
      fused->params += m.params;
      fused->flops += m.flops;
      fused->data_grad = fused->data_grad || m.data_grad;
    }
    begin = end + 1;
  }
  return fused;
}

}  // namespace

std::string FormatNetworkTimes(const NetworkTimes& t, double peak_gflops,
                               double peak_gbs) {
  std::map<std::string, const LayerSummary*> summary_of;
  for (const LayerSummary& l : t.summary.layers) summary_of[l.name] = &l;
  std::string out;
  char line[256];
  std::snprintf(line, sizeof line, "%-24s %-23s %11s %11s %18s %18s\n", "layer",
                "op", "forward ms", "backward ms", "forward rate",
                "backward rate");
  out += line;
  for (const LayerTime& l : t.layers) {
    const std::optional<LayerSummary> s = StepSummary(l.name, summary_of);
    std::string op, fwd, bwd;
    if (s) {
      const LayerSummary& m = *s;
      op = m.op;
      if (m.products) {
        // Backward: the weight gradient, and the data gradient unless the
        // layer reads only the network's inputs.
        fwd = Rate(m.flops, l.forward_ms, "GFLOP/s", peak_gflops);
        bwd = Rate(m.flops * (m.data_grad ? 2 : 1), l.backward_ms, "GFLOP/s",
                   peak_gflops);
      } else {
        // Forward reads the inputs and writes the output; backward reads
        // the output gradient and the inputs, writes the input gradients.
        const double in = static_cast<double>(m.input_bytes);
        const double outb = static_cast<double>(m.output_bytes);
        fwd = Rate(in + outb, l.forward_ms, "GB/s", peak_gbs);
        if (m.data_grad)
          bwd = Rate(2 * in + outb, l.backward_ms, "GB/s", peak_gbs);
      }
    }
    std::snprintf(line, sizeof line, "%-24s %-23s %11s %11s %18s %18s\n",
                  l.name.c_str(), op.c_str(), Millis(l.forward_ms).c_str(),
                  Millis(l.backward_ms).c_str(), fwd.c_str(), bwd.c_str());
    out += line;
  }
  const double step = t.forward_ms + t.backward_ms;
  out += StrCat("average forward pass: ", Millis(t.forward_ms),
                " ms; backward pass: ", Millis(t.backward_ms),
                " ms; forward-backward: ", Millis(step), " ms (", t.iterations,
                " iterations, batch ", t.batch, ", ",
                static_cast<int64_t>(std::lround(t.batch / (step * 1e-3))),
                " samples/s)\n");
  return out;
}

int RunCommand(const std::string& command, const CommandOptions& o) {
  RunConfig c;
  try {
    c = LoadRunConfig(o.configs, o.overrides);
  } catch (const ConfigError& e) {
    return ReportConfigError(e);
  } catch (const InternalError&) {
    throw;
  } catch (const Error& e) {
    std::fprintf(stderr, "mxtrain: error: %s\n", e.what());
    return kExitConfig;
  }
  if (o.print_sources) {
    std::printf("%s", EmitYamlWithSources(c.resolved, c.written).c_str());
    return kExitOk;
  }
  if (o.print_config) {
    std::printf("%s", EmitYaml(c.resolved).c_str());
    return kExitOk;
  }
  try {
    if (command == "train") return Train(c, o);
    if (command == "test") return Test(c, o);
    if (command == "time") return Time(c, o);
    if (command == "lr-find") return LrFind(c, o);
    if (command == "check") return Check(c);
    if (command == "summary") return Summary(c);
    if (command == "export") return Export(c, o);
    MX_INTERNAL_CHECK(false, "unknown command ", command);
  } catch (const ConfigError& e) {
    return ReportConfigError(e);
  } catch (const DataError& e) {
    std::fprintf(stderr, "mxtrain: data error: %s\n", e.what());
    return kExitData;
  } catch (const NumericalError& e) {
    std::fprintf(stderr, "mxtrain: numerical failure: %s\n", e.what());
    return kExitNumerical;
  } catch (const InternalError&) {
    throw;
  } catch (const Error& e) {
    std::fprintf(stderr, "mxtrain: error: %s\n", e.what());
    return kExitOther;
  }
  return kExitOther;
}

}  // namespace mx
