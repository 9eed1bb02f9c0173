// Early stopping (Keras' EarlyStopping, Lightning's EarlyStopping callback):
// a run ends when a metric has not improved by more than min_delta for
// `patience` epochs. Better and worse are the best checkpoint's rule (the
// metric says whether lower is better); the counters are the best epoch and
// its value, which a checkpoint keeps, so a resumed run goes on counting.
#ifndef MX_FIT_EARLY_STOPPING_H_
#define MX_FIT_EARLY_STOPPING_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "fit/checkpoint_policy.h"

namespace mx {

struct EarlyStoppingPolicy {
  bool enabled = false;
  // By the name it reports ("cross-entropy"); validation values when there
  // are, else training ones.
  std::string metric = "accuracy";
  bool lower_is_better = false;
  int64_t patience = 3;  // epochs without improvement that end the run
  double min_delta = 0;  // an improvement must be larger than this
};

class EarlyStopping {
 public:
  EarlyStopping() = default;
  explicit EarlyStopping(EarlyStoppingPolicy policy)
      : policy_(std::move(policy)),
        best_(policy_.metric, policy_.lower_is_better, policy_.min_delta) {}

  // Considers epoch `epoch`'s metric values (values without the metric, or
  // a NaN, are no improvement).
  void Observe(int epoch,
               const std::vector<std::pair<std::string, double>>& values);
  // Continues from a saved best (a resumed run).
  void Restore(int epoch, double value) { best_.Restore(epoch, value); }
  // True when, after epoch `epoch`, the run should stop (never before a
  // first value).
  bool ShouldStop(int epoch) const;
  // Why it stops: "val accuracy has not improved by more than 0.001 for 3
  // epochs (best 0.8712 at epoch 4)"; `where` is "val" or "train".
  std::string Reason(int epoch, const std::string& where) const;

  const EarlyStoppingPolicy& policy() const { return policy_; }
  int best_epoch() const { return best_.epoch(); }  // -1 before any
  double best_value() const { return best_.value(); }

 private:
  EarlyStoppingPolicy policy_;
  BestEpoch best_;
};

}  // namespace mx

#endif  // MX_FIT_EARLY_STOPPING_H_
