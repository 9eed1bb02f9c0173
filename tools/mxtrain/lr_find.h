// The learning-rate range test (Smith 2017; fast.ai's and Lightning's
// lr_find): training from the run's starting point with a rate growing
// exponentially batch by batch, the loss of each batch recorded and
// smoothed, until the last rate or until the loss diverges. The suggested
// rate is where the smoothed loss falls fastest. Nothing of the run is
// touched: no checkpoint is read or written.
#ifndef MX_TOOLS_MXTRAIN_LR_FIND_H_
#define MX_TOOLS_MXTRAIN_LR_FIND_H_

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "fit/trainer.h"
#include "io/data_iter.h"

namespace mx {

struct LrFindOptions {
  double start_lr = 1e-7, end_lr = 10;
  int64_t steps = 100;
  const std::atomic<bool>* stop = nullptr;  // a signal ends the test early
};

struct LrFindResult {
  std::string loss;  // the metric measured ("cross-entropy", "mse")
  std::vector<double> lrs, losses, smoothed;  // per batch
  bool diverged = false;    // stopped by a loss 4x the lowest, or NaN / Inf
  int64_t lowest = -1;      // index of the lowest smoothed loss; -1: none
  double suggested_lr = 0;  // 0: no suggestion (no finite loss)
  std::string how;          // how the suggestion was chosen
};

// The rate of batch i (from 0) of `steps` from start to end, exponentially.
double RangeTestRate(const LrFindOptions& o, int64_t i);

// Runs the test on `net` with `train` (rewound between passes as needed)
// and `options` (its learning rate schedule replaced), whose metrics are
// the loss: "ce" or "mse" of each head, summed over the heads.
// NumericalError from a step ends the test as diverged.
LrFindResult RunLrFind(const Symbol& net, io::DataIter* train,
                       TrainerOptions options, const LrFindOptions& o,
                       const std::string& data_name);

// Index of the steepest fall of `smoothed` against log(lr), skipping the
// first `skip_begin` and last `skip_end` points; -1 when fewer remain
// than 3.
int64_t SteepestDescent(const std::vector<double>& lrs,
                        const std::vector<double>& smoothed, int64_t skip_begin,
                        int64_t skip_end);

}  // namespace mx

#endif  // MX_TOOLS_MXTRAIN_LR_FIND_H_
