// Fit: a whole training run on a Trainer, as Caffe's Solver::Solve: epochs,
// resume from the latest checkpoint, checkpoints every N epochs and at a
// stop, the best epoch by a metric, pruning of old checkpoints, and the stop
// requests every process of a distributed run agrees on. What is shown
// (logs, progress, metric files) is the caller's, through FitEvents.
#ifndef MX_FIT_FIT_H_
#define MX_FIT_FIT_H_

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "core/dist/communicator.h"
#include "fit/checkpoint_policy.h"
#include "fit/early_stopping.h"
#include "fit/trainer.h"
#include "io/data_iter.h"

namespace mx {

struct FitOptions {
  int64_t epochs = 10;
  CheckpointPolicy checkpoint;
  // Continue from the latest checkpoint with a training state under
  // checkpoint.prefix: a DataError when there is none, unless
  // `start_if_none` (then a fresh start).
  bool resume = false;
  bool start_if_none = false;
  // How resuming is named in errors ("--resume" for mxtrain).
  std::string resume_name = "resume";
  // The processes of a dist_sync run (nullptr: this one alone). Rank 0
  // chooses the checkpoint to resume from and alone writes checkpoints; a
  // stop asked of any process stops them all after the same epoch.
  dist::Communicator* world = nullptr;
  // The stop flag, the data's names in errors and the batch callback.
  EpochControl control;
  // Ends the run early when a metric stops improving (disabled by default).
  EarlyStoppingPolicy early_stopping;
};

// A checkpoint was found to resume from, or not.
struct ResumePoint {
  int checkpoint = -1;         // its epoch; -1: none, a fresh start
  int epochs_done = 0;         // whole epochs trained before
  int64_t batch_in_epoch = 0;  // batches of the next epoch trained before
};

// What the caller is told as the run goes; every member may be empty.
struct FitEvents {
  // A checkpoint skipped by resume (a torn pair) and why.
  std::function<void(int epoch, const std::string& why)> on_skipped;
  // Where training starts (after resume looked for a checkpoint).
  std::function<void(const ResumePoint&)> on_start;
  // Each whole epoch, before its checkpoint is written.
  std::function<void(const EpochReport&)> on_epoch;
  // Runs `save` (writing one checkpoint): mxtrain holds off signals.
  std::function<void(const std::function<void()>& save)> around_save;
};

struct FitResult {
  enum class Stop {
    kFinished,               // every epoch trained
    kInterruptedInEpoch,     // stopped between batches; checkpoint saved
    kInterruptedAfterEpoch,  // stopped after `epoch`; checkpoint saved
    kEarlyStopped,           // early stopping ended it after `epoch`
  };
  Stop stop = Stop::kFinished;
  int epoch = 0;               // the last epoch trained (or begun)
  int64_t batch_in_epoch = 0;  // batches of it, when interrupted in it
  std::string checkpoint;      // the .params of the last save ("" if none)
  BestEpoch best;              // by checkpoint.best_metric
  std::string stop_reason;     // kEarlyStopped: why
};

// Trains `trainer` for options.epochs epochs (all of them counting the ones
// a resumed checkpoint had done) on `train`, evaluating `val` (may be null)
// after each. DataError for a checkpoint that cannot be resumed from (naming
// options.resume_name and the file) or none to resume from (unless
// options.start_if_none), and as Trainer::TrainEpoch;
// NumericalError as TrainEpoch.
FitResult Fit(Trainer* trainer, io::DataIter* train, io::DataIter* val,
              const FitOptions& options, const FitEvents& events = {});

}  // namespace mx

#endif  // MX_FIT_FIT_H_
