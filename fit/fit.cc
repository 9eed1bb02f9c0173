#include "fit/fit.h"

#include <cstdint>
#include <map>

#include "core/base/strings.h"
#include "core/train/checkpoint.h"

namespace mx {
namespace {

// Checkpoint values that keep the early-stopping counters.
constexpr const char* kEarlyBestEpoch = "early_stopping_best_epoch";
constexpr const char* kEarlyBestValue = "early_stopping_best_value";
constexpr const char* kEarlyMetric = "early_stopping_metric";

// The metric's name as a number a checkpoint keeps (32-bit FNV-1a, exact
// in a double): counters of another metric are not restored.
double MetricTag(const std::string& name) {
  uint32_t h = 2166136261u;
  for (const unsigned char c : name) h = (h ^ c) * 16777619u;
  return h;
}

// Resumes `trainer` from the latest checkpoint under the policy's prefix
// (rank 0's choice, for every process) and restores the best epoch and the
// early-stopping counters saved with it. Errors as DataError naming
// options.resume_name.
ResumePoint Resume(Trainer* trainer, io::DataIter* train, const FitOptions& o,
                   const FitEvents& events, BestEpoch* best,
                   EarlyStopping* early) {
  const bool lead = o.world == nullptr || o.world->rank() == 0;
  ResumePoint point;
  try {
    point.checkpoint = LatestResumable(o.checkpoint.prefix, events.on_skipped);
  } catch (const Error& e) {
    throw DataError(StrCat(o.resume_name, ": ", e.what()));
  }
  // Every process resumes from the lead's choice (a run folder every
  // process sees, e.g. on a shared file system).
  if (o.world) {
    point.checkpoint =
        static_cast<int>(o.world->AllReduceMax(lead ? point.checkpoint : -1));
  }
  if (point.checkpoint < 0) {
    if (o.start_if_none) return point;
    throw DataError(StrCat(
        o.resume_name, ": no checkpoint with a training state (",
        o.checkpoint.prefix,
        "-NNNN.states) to continue from: start without it, or let a missing "
        "checkpoint mean a fresh start (mxtrain --auto-resume)"));
  }
  std::map<std::string, double> values;
  try {
    values = trainer->Resume(o.checkpoint.prefix, point.checkpoint, train);
  } catch (const DataError&) {
    throw;
  } catch (const Error& e) {
    throw DataError(StrCat(o.resume_name, ": ", e.what()));
  }
  if (values.count("best_epoch")) {
    best->Restore(static_cast<int>(values["best_epoch"]), values["best_value"]);
  }
  if (values.count(kEarlyBestEpoch) &&
      values[kEarlyMetric] == MetricTag(o.early_stopping.metric)) {
    early->Restore(static_cast<int>(values[kEarlyBestEpoch]),
                   values[kEarlyBestValue]);
  }
  point.batch_in_epoch = trainer->batch_in_epoch();
  point.epochs_done =
      point.batch_in_epoch > 0 ? trainer->epoch() - 1 : trainer->epoch();
  return point;
}

}  // namespace

FitResult Fit(Trainer* trainer, io::DataIter* train, io::DataIter* val,
              const FitOptions& o, const FitEvents& events) {
  const bool lead = o.world == nullptr || o.world->rank() == 0;
  const std::string& prefix = o.checkpoint.prefix;
  FitResult result;
  result.best =
      BestEpoch(o.checkpoint.best_metric, o.checkpoint.lower_is_better);
  EarlyStopping early(o.early_stopping);
  const ResumePoint start =
      o.resume ? Resume(trainer, train, o, events, &result.best, &early)
               : ResumePoint{};
  if (events.on_start) events.on_start(start);
  const std::string ranked_by = val != nullptr ? "val" : "train";

  const auto save = [&](int epoch) {
    result.checkpoint = ParamsPath(prefix, epoch);
    if (!lead) return;
    const auto write = [&] {
      std::map<std::string, double> values = {
          {"best_epoch", result.best.epoch()},
          {"best_value", result.best.value()}};
      if (o.early_stopping.enabled) {
        values[kEarlyMetric] = MetricTag(o.early_stopping.metric);
        values[kEarlyBestEpoch] = early.best_epoch();
        values[kEarlyBestValue] = early.best_value();
      }
      trainer->SaveCheckpoint(prefix, epoch, values);
    };
    if (events.around_save) {
      events.around_save(write);
    } else {
      write();
    }
  };
  // A stop asked of any process stops them all at the same epoch.
  const auto stop_requested = [&] {
    bool stop = o.control.stop != nullptr && o.control.stop->load();
    if (o.world) stop = o.world->AllReduceMax(stop ? 1 : 0) != 0;
    return stop;
  };
  // A run resumed after early stopping ended it stays ended (unless the
  // policy changed).
  if (start.batch_in_epoch == 0 && trainer->epoch() < o.epochs &&
      early.ShouldStop(trainer->epoch())) {
    result.epoch = trainer->epoch();
    result.stop = FitResult::Stop::kEarlyStopped;
    result.stop_reason = early.Reason(trainer->epoch(), ranked_by);
    return result;
  }
  while (trainer->epoch() < o.epochs || trainer->batch_in_epoch() > 0) {
    const EpochReport r = trainer->TrainEpoch(train, val, o.control);
    result.epoch = r.epoch;
    if (r.interrupted) {
      save(r.epoch);
      result.stop = FitResult::Stop::kInterruptedInEpoch;
      result.batch_in_epoch = trainer->batch_in_epoch();
      return result;
    }
    if (events.on_epoch) events.on_epoch(r);
    // Ranked by validation values when there are.
    result.best.Observe(r.epoch, r.val.empty() ? r.train : r.val);
    early.Observe(r.epoch, r.val.empty() ? r.train : r.val);
    const bool early_stop = r.epoch < o.epochs && early.ShouldStop(r.epoch);
    const bool last = r.epoch >= o.epochs || early_stop;
    const bool stopping = stop_requested();
    if (r.epoch % o.checkpoint.every == 0 || last || stopping) {
      save(r.epoch);
      if (lead) {
        PruneCheckpoints(prefix, o.checkpoint.keep_last,
                         o.checkpoint.keep_best ? result.best.epoch() : -1);
      }
    }
    if (early_stop) {
      result.stop = FitResult::Stop::kEarlyStopped;
      result.stop_reason = early.Reason(r.epoch, ranked_by);
      return result;
    }
    if (stopping && !last) {
      result.stop = FitResult::Stop::kInterruptedAfterEpoch;
      return result;
    }
  }
  return result;
}

}  // namespace mx
