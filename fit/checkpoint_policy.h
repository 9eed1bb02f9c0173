// Which checkpoints a training run writes and keeps: every N epochs, the
// newest K, the best epoch by a metric (higher or lower better, as the
// metric says), and which one a resumed run continues from.
#ifndef MX_FIT_CHECKPOINT_POLICY_H_
#define MX_FIT_CHECKPOINT_POLICY_H_

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace mx {

struct CheckpointPolicy {
  // "<run folder>/model", or a URI (s3://bucket/runs/net/model).
  std::string prefix = "model";
  int64_t every = 1;      // epochs between checkpoints (the last and a stop
                          // always save)
  int64_t keep_last = 0;  // the newest ones kept; 0 keeps all
  bool keep_best = true;  // pruning never deletes the best epoch's
  // The metric ranking epochs, by the name it reports ("cross-entropy");
  // validation values when there are, else training ones.
  std::string best_metric = "accuracy";
  bool lower_is_better = false;  // as EvalMetric::lower_is_better
};

// The best epoch so far by one metric: the best checkpoint's rule, which
// early stopping shares (fit/early_stopping.h).
class BestEpoch {
 public:
  BestEpoch() = default;
  // An epoch is better when its value beats the best by more than
  // `min_delta` (lower or higher, as the metric says).
  BestEpoch(std::string metric, bool lower_is_better, double min_delta = 0)
      : metric_(std::move(metric)),
        lower_is_better_(lower_is_better),
        min_delta_(min_delta) {}

  // Considers epoch `epoch`'s metric values; true when it is the new best
  // (values without the metric change nothing).
  bool Observe(int epoch,
               const std::vector<std::pair<std::string, double>>& values);
  // Continues from a saved best (a resumed run).
  void Restore(int epoch, double value) { epoch_ = epoch, value_ = value; }

  const std::string& metric() const { return metric_; }
  int epoch() const { return epoch_; }  // -1 before any
  double value() const { return value_; }

 private:
  std::string metric_;
  bool lower_is_better_ = false;
  double min_delta_ = 0;
  int epoch_ = -1;
  double value_ = 0;
};

// The latest epoch under `prefix` with both .params and .states that
// belong together; a torn pair (possible on S3) is skipped and reported to
// `on_skipped` with why. -1 when none.
int LatestResumable(
    const std::string& prefix,
    const std::function<void(int epoch, const std::string& why)>& on_skipped);

// Deletes the checkpoints under `prefix` beyond the newest `keep_last`
// (none when keep_last <= 0), never epoch `keep` (-1: none).
void PruneCheckpoints(const std::string& prefix, int64_t keep_last, int keep);

}  // namespace mx

#endif  // MX_FIT_CHECKPOINT_POLICY_H_
