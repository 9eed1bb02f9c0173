// The commands of mxtrain (train, test, time, check, summary) on a loaded
// config, with the exit codes that tell their failures apart.
#ifndef MX_TOOLS_MXTRAIN_COMMANDS_H_
#define MX_TOOLS_MXTRAIN_COMMANDS_H_

#include <atomic>
#include <string>
#include <vector>

namespace mx {

constexpr int kExitOk = 0;
constexpr int kExitOther = 1;      // internal error, unexpected failure
constexpr int kExitConfig = 2;     // bad flags or config
constexpr int kExitData = 3;       // unreadable or inconsistent data
constexpr int kExitNumerical = 4;  // NaN / Inf
constexpr int kExitAborted = 5;    // a second Ctrl-C: stopped without saving
constexpr int kExitInterrupted = 130;  // SIGINT / SIGTERM, checkpoint saved

struct CommandOptions {
  std::string config;
  std::vector<std::string> overrides;  // --set
  bool print_config = false;
  bool resume = false;
  bool overwrite = false;  // train: delete an earlier run's files first
  int epoch = -1;          // test: the checkpoint (-1: the latest)
  int iterations = 20;     // time
  const std::atomic<bool>* stop = nullptr;  // set by signals
};

// Runs `command`; returns the exit code, having printed what went wrong.
int RunCommand(const std::string& command, const CommandOptions& options);

}  // namespace mx

#endif  // MX_TOOLS_MXTRAIN_COMMANDS_H_
