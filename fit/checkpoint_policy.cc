#include "fit/checkpoint_policy.h"

#include "core/base/file_util.h"
#include "core/train/checkpoint.h"
#include "core/train/train_state.h"
#include "core/train/training_checkpoint.h"

namespace mx {

bool BestEpoch::Observe(
    int epoch, const std::vector<std::pair<std::string, double>>& values) {
  for (const auto& [name, v] : values) {
    if (name != metric_) continue;
    const bool better =
        epoch_ < 0 ||
        (lower_is_better_ ? v < value_ - min_delta_ : v > value_ + min_delta_);
    if (better) {
      value_ = v;
      epoch_ = epoch;
    }
    return better;
  }
  return false;
}

int LatestResumable(
    const std::string& prefix,
    const std::function<void(int epoch, const std::string& why)>& on_skipped) {
  std::vector<int> epochs = CheckpointEpochs(prefix, "states");
  for (auto it = epochs.rbegin(); it != epochs.rend(); ++it) {
    if (!FileExists(ParamsPath(prefix, *it))) continue;
    const std::string torn = TornCheckpoint(prefix, *it);
    if (torn.empty()) return *it;
    if (on_skipped) on_skipped(*it, torn);
  }
  return -1;
}

void PruneCheckpoints(const std::string& prefix, int64_t keep_last, int keep) {
  if (keep_last <= 0) return;
  std::vector<int> epochs = CheckpointEpochs(prefix, "params");
  if (static_cast<int64_t>(epochs.size()) <= keep_last) return;
  for (size_t i = 0; i + keep_last < epochs.size(); ++i) {
    if (epochs[i] == keep) continue;
    RemoveFile(ParamsPath(prefix, epochs[i]));
    RemoveFile(StatesPath(prefix, epochs[i]));
  }
}

}  // namespace mx
