#include "tools/mxtrain/lr_find.h"

#include <cmath>

#include "core/base/strings.h"
#include "fit/errors.h"

namespace mx {

double RangeTestRate(const LrFindOptions& o, int64_t i) {
  if (o.steps <= 1) return o.start_lr;
  return o.start_lr * std::pow(o.end_lr / o.start_lr,
                               static_cast<double>(i) / (o.steps - 1));
}

int64_t SteepestDescent(const std::vector<double>& lrs,
                        const std::vector<double>& smoothed, int64_t skip_begin,
                        int64_t skip_end) {
  const int64_t n = static_cast<int64_t>(smoothed.size());
  const int64_t begin = skip_begin, end = n - skip_end;
  if (end - begin < 3) return -1;
  int64_t best = -1;
  double steepest = 0;
  for (int64_t i = begin; i + 1 < end; ++i) {
    const double dx = std::log10(lrs[i + 1]) - std::log10(lrs[i]);
    if (dx <= 0) continue;
    const double slope = (smoothed[i + 1] - smoothed[i]) / dx;
    if (std::isfinite(slope) && (best < 0 || slope < steepest)) {
      steepest = slope;
      best = i;
    }
  }
  return steepest < 0 ? best : -1;
}

LrFindResult RunLrFind(const Symbol& net, io::DataIter* train,
                       TrainerOptions options, const LrFindOptions& o,
                       const std::string& data_name) {
  options.on_nonfinite = NonFinitePolicy::kStop;
  options.learning_rate_at = [o](int64_t update) {
    return RangeTestRate(o, std::min(update, o.steps) - 1);
  };
  Trainer trainer(net, *train, options);
  LrFindResult r;
  std::atomic<bool> stop{false};
  // The batch's loss from the running mean: sums differ by one batch.
  double sum_before = 0, samples_before = 0, average = 0, lowest = INFINITY;
  const double beta = 0.98;  // fast.ai's smoothing
  EpochControl control;
  control.stop = &stop;
  control.train_name = data_name;
  control.on_batch = [&](const BatchProgress& p) {
    if (p.batches_run == 1) sum_before = samples_before = 0;
    double sum = 0;  // of the heads' losses
    std::vector<std::string> names;
    for (const auto& [name, value] : p.metrics) {
      sum += value * p.samples;
      names.push_back(name);
    }
    const double batch = p.samples > samples_before
                             ? (sum - sum_before) / (p.samples - samples_before)
                             : NAN;
    r.loss = Join(names, " + ");
    sum_before = sum;
    samples_before = static_cast<double>(p.samples);
    const int64_t i = static_cast<int64_t>(r.losses.size());
    average = beta * average + (1 - beta) * batch;
    const double smooth = average / (1 - std::pow(beta, i + 1));
    r.lrs.push_back(p.learning_rate);
    r.losses.push_back(batch);
    r.smoothed.push_back(smooth);
    lowest = std::min(lowest, smooth);
    if (!std::isfinite(smooth) || (i >= 10 && smooth > 4 * lowest)) {
      r.diverged = true;
    }
    if (r.diverged || i + 1 >= o.steps || (o.stop && o.stop->load())) {
      stop = true;
    }
  };
  try {
    while (!stop) {
      const EpochReport e = trainer.TrainEpoch(train, nullptr, control);
      if (e.batches == 0) break;
    }
  } catch (const NumericalError&) {
    r.diverged = true;
  }
  // The lowest smoothed loss, and the steepest fall before it.
  for (size_t i = 0; i < r.smoothed.size(); ++i) {
    if (std::isfinite(r.smoothed[i]) &&
        (r.lowest < 0 || r.smoothed[i] < r.smoothed[r.lowest])) {
      r.lowest = static_cast<int64_t>(i);
    }
  }
  const int64_t n = static_cast<int64_t>(r.smoothed.size());
  if (r.lowest < 0) return r;
  const int64_t steepest = SteepestDescent(
      r.lrs, r.smoothed, 10, std::max<int64_t>(0, n - r.lowest - 1));
  if (steepest >= 0) {
    r.suggested_lr = r.lrs[steepest];
    r.how = "the steepest fall of the smoothed loss, before its lowest point";
  } else {
    r.suggested_lr = r.lrs[r.lowest] / 10;
    r.how = "a tenth of the rate of the lowest smoothed loss";
  }
  return r;
}

}  // namespace mx
