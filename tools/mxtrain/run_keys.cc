#include "tools/mxtrain/run_keys.h"

#include "core/base/strings.h"

namespace mx {

// Epochs a run may ask for: past this it is a typo (1e18), not a plan.
constexpr double kMaxEpochs = 1000000;

void TopKeys::Declare(ParamDeclarer<TopKeys>* d) {
  d->Field("name", &TopKeys::name)
      .Default(std::nullopt)
      .Doc("names the run (default: the name of the (last) config file)");
  d->Field("epochs", &TopKeys::epochs)
      .Default(10)
      .Range(1, kMaxEpochs)
      .Doc("epochs to train");
  d->Field("seed", &TopKeys::seed)
      .Default(0)
      .Min(0)
      .Doc("seeds initialization and the random generators (dropout)");
  d->Field("devices", &TopKeys::devices)
      .Default({"cpu"})
      .Doc(
          "data parallel over the list (at most 64): each device takes a "
          "slice of every batch; a device is `cpu`, `gpu`, `cpu:N` or `gpu:N` "
          "(`cpu(N)` / `gpu(N)` as logs print them), the grammar of `mxinfer "
          "--device` too; `gpu` needs the CUDA backend (docs/gpu.md)");
  d->Field("kvstore", &TopKeys::kvstore)
      .Default("local")
      .Enum({"local", "device", "dist_sync", "dist_device_sync"})
      .Doc(
          "where gradients are summed and weights updated when there are "
          "several devices: on the first device (its GPU when training on "
          "GPUs); `dist_sync` (or `dist_device_sync`) also sums over the "
          "processes of an MPI job: `mpirun -np 4 mxtrain --config net.yaml "
          "--set kvstore=dist_sync` ([distributed.md](distributed.md)); "
          "refused outside an MPI job");
  d->Field("output", &TopKeys::output)
      .Default(std::nullopt)
      .Doc(
          "the run folder (default: `runs/<name>` in the working "
          "directory)");
  d->Field("on_nonfinite", &TopKeys::on_nonfinite)
      .Default("stop")
      .Enum({"stop", "skip"})
      .Doc("what a NaN/Inf step does");
}

void CheckpointKeys::Declare(ParamDeclarer<CheckpointKeys>* d) {
  d->Field("prefix", &CheckpointKeys::prefix)
      .Default("model")
      .Doc(
          "file-name prefix inside the run folder (letters, digits, `_`, "
          "`-`, `.`; not starting with `.` or `-`), or a URI such as "
          "`s3://bucket/runs/net/model` to keep checkpoints in S3 "
          "([storage.md](storage.md))");
  d->Field("every", &CheckpointKeys::every)
      .Default(1)
      .Min(1)
      .Doc(
          "epochs between checkpoints (the last epoch and interruptions "
          "always save)");
  d->Field("keep_last", &CheckpointKeys::keep_last)
      .Default(0)
      .Min(0)
      .Doc("keep only the newest N checkpoints (0 keeps all)");
  d->Field("keep_best", &CheckpointKeys::keep_best)
      .Default(true)
      .Doc("never delete the best epoch's checkpoint");
  d->Field("best_metric", &CheckpointKeys::best_metric)
      .Default(std::nullopt)
      .Doc(
          "one of `metrics` (default: the first), by any of its names (`ce` "
          "or `cross-entropy`, `acc` or `accuracy`): ranks epochs (validation "
          "values when there is `data.val`); lower is better for ce, mse, "
          "mae, rmse");
  d->Field("pretrained", &CheckpointKeys::pretrained)
      .Default("")
      .Doc(
          "a `.params` file to start from (fine-tuning); names not in the "
          "network are an error");
  d->Field("frozen", &CheckpointKeys::frozen)
      .Default({})
      .Doc("parameters that are not updated");
}

void EarlyStoppingKeys::Declare(ParamDeclarer<EarlyStoppingKeys>* d) {
  d->Field("metric", &EarlyStoppingKeys::metric)
      .Default(std::nullopt)
      .Doc(
          "one of `metrics`, by any of its names (default: "
          "`checkpoint.best_metric`); validation values when there is "
          "`data.val`; better or worse as for the best checkpoint");
  d->Field("patience", &EarlyStoppingKeys::patience)
      .Default(3)
      .Range(1, 1000000)
      .Doc("epochs without improvement that end the run");
  d->Field("min_delta", &EarlyStoppingKeys::min_delta)
      .Default(0.0)
      .Min(0)
      .Doc("an improvement must be larger than this");
}

void LoggingKeys::Declare(ParamDeclarer<LoggingKeys>* d) {
  d->Field("progress", &LoggingKeys::progress)
      .Default("auto")
      .Enum({"auto", "bar", "lines", "none"})
      .Doc("bar on a terminal, lines otherwise");
  d->Field("interval", &LoggingKeys::interval)
      .Default(100)
      .Min(1)
      .Doc("batches between progress lines");
  d->Field("metrics_format", &LoggingKeys::metrics_format)
      .Default("csv")
      .Enum({"csv", "jsonl"})
      .Doc("the per-epoch metrics file");
  d->Field("curve", &LoggingKeys::curve)
      .Default(true)
      .Doc("write `training_curve.png`");
  d->Field("level", &LoggingKeys::level)
      .Default("info")
      .Enum({"debug", "info", "warn", "error"})
      .Doc("log level");
  d->Field("rank_logs", &LoggingKeys::rank_logs)
      .Default(false)
      .Doc(
          "with `kvstore: dist_sync`, processes other than rank 0 log to "
          "`train-rankN.log` in the run folder (docs/distributed.md)");
}

const std::vector<NestedSection>& TopSections() {
  static const auto* const sections = new std::vector<NestedSection>{
      {"data", "mapping", "required", "the iterators, below"},
      {"network", "mapping", "required", "the network, below"},
      {"optimizer", "mapping or name", "`{type: sgd}`", "below"},
      {"schedule", "mapping or name", "`{type: constant}`",
       "the learning-rate schedule, below"},
      {"initializer", "mapping or name", "`{type: xavier}`", "below"},
      {"metrics", "list or mapping", "`[accuracy, ce]`",
       "names, or `{type: top_k_accuracy, top_k: 5}` (top_k below the "
       "network's classes); with accuracy, top-k, ce or f1 every label must "
       "be a class id of the network's outputs (a data error names the "
       "record otherwise); a NaN score or a tie never counts as right. A "
       "list measures every loss head it fits; `{HEAD: list, ...}` each "
       "named head by its own (several losses, below). Default by each "
       "head's kind: `[mse, mae]` for a regression output"},
      {"checkpoint", "mapping", "", "below"},
      {"early_stopping", "mapping", "off",
       "present, training ends when a metric stops improving; below"},
      {"logging", "mapping", "", "below"},
  };
  return *sections;
}

const std::vector<NestedSection>& DataSections() {
  static const auto* const sections = new std::vector<NestedSection>{
      {"train", "iterator", "required", "the training data"},
      {"val", "iterator", "", "the validation data"},
      {"labels", "mapping", "",
       "the network's labels as columns of the iterators' label: `NAME: "
       "COLUMN` or `NAME: [COLUMNS]` (from 0; one column gives (batch,), "
       "several (batch, k)); a network of several loss heads needs one per "
       "head (default: the whole label, as `softmax_label` or the network's "
       "one label)"},
      {"classes", "list or file", "",
       "the names of the network's output classes (a list, or a text file "
       "with one per line), as many as it has; used by the log, `mxtrain "
       "test`'s report and, saved with the checkpoints, by mxinfer"},
  };
  return *sections;
}

std::string ReplaceKeyTables(const std::string& markdown) {
  static const auto top = MakeParamSchema<TopKeys>();
  static const auto checkpoint = MakeParamSchema<CheckpointKeys>();
  static const auto early = MakeParamSchema<EarlyStoppingKeys>();
  static const auto logging = MakeParamSchema<LoggingKeys>();
  const std::vector<std::pair<std::string, std::string>> tables = {
      {"top", KeyTable(*top, TopSections())},
      {"checkpoint", KeyTable(*checkpoint, {})},
      {"early_stopping", KeyTable(*early, {})},
      {"logging", KeyTable(*logging, {})},
  };
  std::string out = markdown;
  for (const auto& [name, table] : tables) {
    const std::string begin = "<!-- keys: " + name + " -->\n";
    const std::string end = "<!-- end keys -->\n";
    const size_t at = out.find(begin);
    MX_CHECK(at != std::string::npos, "docs/mxtrain.md has no '",
             begin.substr(0, begin.size() - 1), "' line");
    const size_t body = at + begin.size();
    const size_t stop = out.find(end, body);
    MX_CHECK(stop != std::string::npos, "docs/mxtrain.md: '",
             begin.substr(0, begin.size() - 1), "' has no '",
             end.substr(0, end.size() - 1), "' after it");
    out.replace(body, stop - body, table);
  }
  return out;
}

}  // namespace mx
