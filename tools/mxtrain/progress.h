// Training progress for people: a live bar (samples/s, metrics, ETA, data
// wait) when stderr is a terminal, plain log lines every N batches when it
// is not (or when asked), nothing with "none".
#ifndef MX_TOOLS_MXTRAIN_PROGRESS_H_
#define MX_TOOLS_MXTRAIN_PROGRESS_H_

#include <cstdint>
#include <string>

#include "fit/trainer.h"

namespace mx {

class Progress {
 public:
  // `mode`: auto | bar | lines | none; `interval`: batches between lines.
  Progress(const std::string& mode, int64_t interval, int epochs);

  // How often the trainer should call Update.
  int64_t callback_every() const { return bar_ ? 1 : interval_; }
  // Batches per epoch, once known (for the ETA).
  void set_batches_per_epoch(int64_t n) { batches_per_epoch_ = n; }
  void Update(const BatchProgress& p);
  // Clears the bar before a log line.
  void Clear();

 private:
  bool bar_ = false, lines_ = false;
  int64_t interval_;
  int epochs_;
  int64_t batches_per_epoch_ = 0;
  double last_draw_ = -1;
  bool drawn_ = false;
};

// "accuracy=0.8531 ce=0.4120".
std::string FormatMetrics(
    const std::vector<std::pair<std::string, double>>& metrics);

}  // namespace mx

#endif  // MX_TOOLS_MXTRAIN_PROGRESS_H_
