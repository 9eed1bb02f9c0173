// What mxtrain shows and writes of a training run besides its checkpoints:
// the log lines of resume and of each epoch, the progress display, the
// metrics file and the training curve (written by the lead process only);
// as FitEvents for fit/fit.h to call.
#ifndef MX_TOOLS_MXTRAIN_RUN_DISPLAY_H_
#define MX_TOOLS_MXTRAIN_RUN_DISPLAY_H_

#include <string>
#include <vector>

#include "fit/fit.h"
#include "fit/trainer.h"
#include "tools/mxtrain/progress.h"
#include "tools/mxtrain/run_config.h"
#include "tools/mxtrain/run_log.h"

namespace mx {

class RunDisplay {
 public:
  // For the run of `config` whose training data has `batches_per_epoch`
  // batches and whose validation data `val_batches` (0 or less: not known);
  // `lead`: this process writes the run folder and shows progress.
  RunDisplay(const RunConfig& config, bool lead, int64_t batches_per_epoch,
             int64_t val_batches = 0);

  // The batch callback and its period, for Fit's EpochControl.
  void Attach(EpochControl* control);
  // Events that show a run of `trainer` whose checkpoints are at `prefix`;
  // `resume`: the run was asked to resume (its earlier epochs' records are
  // read back). Valid while this display and the trainer live.
  FitEvents Events(const Trainer& trainer, const std::string& prefix,
                   bool resume);
  // Clears the progress bar before a log line.
  void Clear() { progress_.Clear(); }

 private:
  void ShowEpoch(const EpochReport& r);

  const RunConfig& config_;
  bool lead_;
  std::string metrics_path_;
  std::vector<EpochRecord> history_;
  Progress progress_;
  int64_t val_batches_;
};

}  // namespace mx

#endif  // MX_TOOLS_MXTRAIN_RUN_DISPLAY_H_
