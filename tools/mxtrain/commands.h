// The commands of mxtrain (train, test, time, check, summary, export) on a
// loaded config, with the exit codes that tell their failures apart.
#ifndef MX_TOOLS_MXTRAIN_COMMANDS_H_
#define MX_TOOLS_MXTRAIN_COMMANDS_H_

#include <atomic>
#include <string>
#include <vector>

#include "tools/mxtrain/run_config.h"
#include "tools/mxtrain/summary.h"

namespace mx {

constexpr int kExitOk = 0;
constexpr int kExitOther = 1;      // internal error, unexpected failure
constexpr int kExitConfig = 2;     // bad flags or config
constexpr int kExitData = 3;       // unreadable or inconsistent data
constexpr int kExitNumerical = 4;  // NaN / Inf
constexpr int kExitAborted = 5;    // a second Ctrl-C: stopped without saving
constexpr int kExitInterrupted = 130;  // SIGINT / SIGTERM, checkpoint saved

struct CommandOptions {
  // The configs, merged in order (tools/mxtrain/config_compose.h).
  std::vector<std::string> configs;
  std::vector<std::string> overrides;  // --set
  bool print_config = false;
  bool print_sources = false;  // --print-config with each value's source
  bool resume = false;
  // train: resume when there is a checkpoint, else start fresh (a job that
  // may be restarted); --resume alone refuses a run folder without one.
  bool auto_resume = false;
  bool overwrite = false;       // train: delete an earlier run's files first
  int epoch = -1;               // test, export: the checkpoint (-1: the latest)
  std::string format = "onnx";  // export
  std::string output;           // export: the file written
  int iterations = 20;          // time
  double start_lr = 1e-7, end_lr = 10;      // lr-find
  int64_t steps = 100;                      // lr-find
  const std::atomic<bool>* stop = nullptr;  // set by signals
};

// One step of a timed network: a layer (or "gradient sum", "zero
// gradient") and its average milliseconds; -1 where it has no such pass.
struct LayerTime {
  std::string name;
  double forward_ms = -1, backward_ms = -1;
};

struct NetworkTimes {
  std::vector<LayerTime> layers;           // in the order they first ran
  NetworkSummary summary;                  // shapes and FLOPs of the layers
  double forward_ms = 0, backward_ms = 0;  // whole passes, waited for
  int64_t batch = 0;
  int iterations = 0;
};

// Times forward and backward of the config's network on its first training
// batch, per layer, over `iterations` steps after two of warm-up (`mxtrain
// time`). mx::Error (DataError, ConfigError) as training would raise.
NetworkTimes TimeNetwork(const RunConfig& config, int iterations);

// The table of `mxtrain time`: per layer milliseconds and rates (GFLOP/s of
// weight products, GB/s of the traffic of other layers) with their share of
// `peak_gflops` / `peak_gbs` when those are positive; then the whole step.
std::string FormatNetworkTimes(const NetworkTimes& times,
                               double peak_gflops = 0, double peak_gbs = 0);

// Runs `command`; returns the exit code, having printed what went wrong.
int RunCommand(const std::string& command, const CommandOptions& options);

}  // namespace mx

#endif  // MX_TOOLS_MXTRAIN_COMMANDS_H_
