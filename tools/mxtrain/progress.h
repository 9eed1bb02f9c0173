// Training progress for people: a live bar (samples/s, metrics, ETA, data
// wait; then the validation pass) when stderr is a terminal, fitted to its
// width, plain log lines every N batches when it is not (or when asked),
// nothing with "none".
#ifndef MX_TOOLS_MXTRAIN_PROGRESS_H_
#define MX_TOOLS_MXTRAIN_PROGRESS_H_

#include <cstdint>
#include <string>
#include <vector>

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
  // Validation batch `batch` of `batches` (0: not known) after epoch
  // `epoch` (the bar only).
  void UpdateValidation(int epoch, int64_t batch, int64_t batches);
  // Clears the bar before a log line.
  void Clear();

 private:
  // Draws `parts` (most important first) on one line of the terminal's
  // width, leaving out the last ones that do not fit; at most ten redraws
  // a second (`seconds`: a clock of the epoch) unless `force`.
  void Draw(const std::vector<std::string>& parts, double seconds, bool force);

  bool bar_ = false, lines_ = false;
  int64_t interval_;
  int epochs_;
  int64_t batches_per_epoch_ = 0;
  double last_draw_ = -1;
  bool drawn_ = false;
};

// The columns of the terminal on `fd` (COLUMNS when it does not say; 80
// when neither does).
int TerminalColumns(int fd);

// "[#####.....] " of `width` characters inside, `done` of `total` filled.
std::string ProgressBar(int64_t done, int64_t total, int width);

// "accuracy=0.8531 ce=0.4120".
std::string FormatMetrics(
    const std::vector<std::pair<std::string, double>>& metrics);

}  // namespace mx

#endif  // MX_TOOLS_MXTRAIN_PROGRESS_H_
