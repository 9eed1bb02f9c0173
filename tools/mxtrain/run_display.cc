#include "tools/mxtrain/run_display.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "core/base/strings.h"
#include "core/train/checkpoint.h"
#include "tools/mxtrain/interrupts.h"

namespace mx {

RunDisplay::RunDisplay(const RunConfig& config, bool lead,
                       int64_t batches_per_epoch, int64_t val_batches)
    : config_(config),
      lead_(lead),
      metrics_path_(config.output + "/" +
                    MetricsFileName(config.logging.metrics_format)),
      progress_(lead ? config.logging.progress : "none",
                config.logging.interval, static_cast<int>(config.epochs)),
      val_batches_(std::max<int64_t>(0, val_batches)) {
  progress_.set_batches_per_epoch(std::max<int64_t>(0, batches_per_epoch));
}

void RunDisplay::Attach(EpochControl* control) {
  control->callback_every = progress_.callback_every();
  control->on_batch = [this](const BatchProgress& p) { progress_.Update(p); };
  control->on_val_batch = [this](int epoch, int64_t batch) {
    progress_.UpdateValidation(epoch, batch, val_batches_);
  };
}

FitEvents RunDisplay::Events(const Trainer& trainer, const std::string& prefix,
                             bool resume) {
  FitEvents events;
  events.on_skipped = [](int epoch, const std::string& why) {
    spdlog::warn("--resume: skipping checkpoint {}: {}", epoch, why);
  };
  events.on_start = [this, &trainer, prefix, resume](const ResumePoint& p) {
    if (!resume) return;
    if (p.checkpoint < 0) {  // --auto-resume
      spdlog::info(
          "--auto-resume: no checkpoint with a training state ({}-NNNN."
          "states) yet; starting from scratch",
          prefix);
      return;
    }
    for (const EpochRecord& r :
         ReadMetricsFile(metrics_path_, config_.logging.metrics_format)) {
      if (r.epoch <= p.epochs_done) history_.push_back(r);
    }
    spdlog::info(
        "resumed from {} (epoch {}{}, {} updates)",
        ParamsPath(prefix, p.checkpoint), p.epochs_done,
        p.batch_in_epoch > 0 ? StrCat(" + ", p.batch_in_epoch, " batches") : "",
        trainer.num_update());
  };
  events.on_epoch = [this](const EpochReport& r) { ShowEpoch(r); };
  events.around_save = [](const std::function<void()>& save) {
    const SavingCheckpoint saving;
    save();
  };
  return events;
}

void RunDisplay::ShowEpoch(const EpochReport& r) {
  progress_.Clear();
  // Measured by the first whole epoch where the data set did not say.
  if (r.whole) progress_.set_batches_per_epoch(r.batches);
  spdlog::info(
      "epoch {}/{}: train {}{}; lr {:.4g}; {:.1f} s, {:.0f} "
      "samples/s, data wait {:.1f}%{}{}",
      r.epoch, config_.epochs, FormatMetrics(r.train),
      r.val.empty() ? "" : "; val " + FormatMetrics(r.val), r.learning_rate,
      r.seconds, r.samples_per_second,
      r.seconds > 0 ? 100 * r.data_wait_seconds / r.seconds : 0.0,
      r.grad_norm_mean < 0
          ? ""
          : fmt::format("; gradient norm mean {:.4g}, max {:.4g}, clipped in "
                        "{} of {} steps",
                        r.grad_norm_mean, r.grad_norm_max, r.clipped,
                        r.batches - r.skipped),
      r.skipped ? StrCat("; ", r.skipped, " steps skipped (NaN/Inf)") : "");
  history_.push_back({r.epoch, r.learning_rate, r.seconds, r.samples_per_second,
                      r.train, r.val});
  if (!lead_) return;
  WriteMetricsFile(metrics_path_, config_.logging.metrics_format, history_);
  if (config_.logging.curve) {
    DrawTrainingCurves(config_.output + "/training_curve.png", history_);
  }
}

}  // namespace mx
