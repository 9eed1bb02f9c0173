// mxtrain: trains, tests, times and checks networks described by a YAML
// config (docs/mxtrain.md), in the spirit of `caffe train|test|time`.
//   mxtrain --config net.yaml              train (same as `mxtrain train`)
//   mxtrain train --config net.yaml --resume
//   mxtrain test|time|check|summary --config net.yaml
// Exit codes: 0 success, 2 usage or config error, 3 data error, 4 numerical
// failure (NaN/Inf), 5 interrupted twice (no checkpoint of the epoch), 130
// interrupted (checkpoint saved), 1 anything else.
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "core/base/error.h"
#include "core/base/file_util.h"
#include "core/base/strings.h"
#include "core/base/tool_main.h"
#include "core/engine/engine.h"
#include "io/iter_registry.h"
#include "tools/common/cli.h"
#include "tools/mxtrain/commands.h"
#include "tools/mxtrain/compare.h"
#include "tools/mxtrain/interrupts.h"

namespace mx {
namespace {

int Main(int argc, char** argv) {
  CLI::App app{
      "mxtrain: train, test and time networks described by a YAML config "
      "(docs/mxtrain.md)."};
  app.fallthrough();
  app.require_subcommand(0, 1);
  CommandOptions o;
  app.add_option("-c,--config", o.configs,
                 "the run's YAML config; several are merged in order, the "
                 "later winning (repeatable)")
      ->type_size(1)
      ->allow_extra_args(false);
  app.add_option("--set", o.overrides,
                 "override a config key: --set optimizer.learning_rate=0.05 "
                 "(repeatable)");
  app.add_flag("--print-config", o.print_config,
               "print the resolved config (defaults filled in) and exit");
  app.add_flag("--print-sources", o.print_sources,
               "print the resolved config with each value's source (file:line, "
               "--set or default) as a comment, and exit");
  // --resume and --overwrite are train's; they are the top level's too, for
  // `mxtrain --config F --resume` (train being the default command).
  auto* train = app.add_subcommand("train", "train (the default command)");
  for (CLI::App* a : {&app, train}) {
    a->add_flag("--resume", o.resume,
                "train: continue from the latest checkpoint in the run folder");
    a->add_flag("--auto-resume", o.auto_resume,
                "train: continue from the latest checkpoint when there is "
                "one, else start (a job that may be restarted)");
    a->add_flag("--overwrite", o.overwrite,
                "train: start over in a run folder that holds another run, "
                "deleting that run's files");
  }
  auto* test = app.add_subcommand(
      "test", "evaluate a checkpoint of the run on data.val");
  test->add_option("--epoch", o.epoch,
                   "the checkpoint's epoch (default: the latest)");
  auto* time = app.add_subcommand(
      "time", "per-layer forward/backward milliseconds (like caffe time)");
  time->add_option("--iterations", o.iterations, "timed iterations")
      ->check(CLI::PositiveNumber);
  auto* exp = app.add_subcommand(
      "export", "write a checkpoint as an ONNX model (docs/onnx.md)");
  exp->add_option("--epoch", o.epoch,
                  "the checkpoint's epoch (default: the latest)");
  exp->add_option("--format", o.format, "onnx (the only format)");
  exp->add_option("-o,--output", o.output, "the model file written")
      ->required();
  auto* lr_find = app.add_subcommand(
      "lr-find",
      "learning-rate range test: a rate growing exponentially over a few "
      "hundred batches, the loss curve (lr_find.png) and a suggested rate; "
      "no checkpoint is touched");
  lr_find->add_option("--start-lr", o.start_lr, "the first rate (1e-7)")
      ->check(CLI::PositiveNumber);
  lr_find->add_option("--end-lr", o.end_lr, "the last rate (10)")
      ->check(CLI::PositiveNumber);
  lr_find->add_option("--steps", o.steps, "batches (100)")
      ->check(CLI::Range(int64_t{2}, int64_t{100000}));
  std::vector<std::string> compare_runs;
  std::string compare_png = "compare.png";
  auto* compare = app.add_subcommand(
      "compare",
      "the runs of a sweep side by side: validation curves in one PNG and a "
      "table of best metrics, epochs and throughput (no --config)");
  compare->add_option("runs", compare_runs, "run folders")
      ->required()
      ->expected(1, -1);
  compare->add_option("-o,--output", compare_png,
                      "the PNG written (compare.png)");
  app.add_subcommand("check",
                     "validate the config, read the data, infer shapes");
  app.add_subcommand("summary",
                     "per-layer shapes, parameters, FLOPs and memory");
  for (CLI::App* sub : app.get_subcommands({})) {
    sub->footer(
        "The options of mxtrain itself apply too: -c,--config FILE (the run's "
        "YAML config; repeatable), --set KEY=VALUE (repeatable), "
        "--print-config, --print-sources; "
        "mxtrain --help.");
  }
  if (const std::optional<int> done =
          ParseCommandLine("mxtrain", app, argc, argv, kExitConfig)) {
    return *done;
  }
  if (app.got_subcommand("compare"))
    return CompareRuns(compare_runs, compare_png);
  if (o.configs.empty()) {
    std::fprintf(
        stderr, "mxtrain: error: --config FILE is required (mxtrain --help)\n");
    return kExitConfig;
  }
  std::string command = "train";
  for (const char* name :
       {"test", "time", "check", "summary", "export", "lr-find"}) {
    if (app.got_subcommand(name)) command = name;
  }
  if (command == "train" || command == "lr-find") InstallInterruptHandlers();
  o.stop = &StopRequested();
  return RunCommand(command, o);
}

}  // namespace
}  // namespace mx

int main(int argc, char** argv) {
  return mx::RunTool("mxtrain", mx::Main, argc, argv);
}
