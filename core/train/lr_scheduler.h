// Learning-rate schedules as MXNet's lr_scheduler: factor, multifactor,
// cosine, poly, each with an optional linear warm-up. The rate is a pure
// function of the update count, so a resumed run continues exactly.
#ifndef MX_CORE_TRAIN_LR_SCHEDULER_H_
#define MX_CORE_TRAIN_LR_SCHEDULER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/op/param.h"

namespace mx {

class LRScheduler {
 public:
  virtual ~LRScheduler() = default;

  // "constant", "factor", "multifactor", "cosine", "poly" with their
  // parameters (step, factor, stop_factor_lr, steps, max_update, final_lr,
  // pwr, warmup_steps, warmup_begin_lr); mx::Error naming the schedule and
  // the parameter.
  static std::unique_ptr<LRScheduler> Create(const std::string& name,
                                             double base_lr,
                                             const AttrDict& params);
  // The parameters of schedule `name`, as Create parses them; mx::Error for
  // an unknown name.
  static const ParamSchema& Schema(const std::string& name);

  // The rate for update number `num_update` (1 for the first update).
  double LearningRate(int64_t num_update) const;

 protected:
  LRScheduler(double base_lr, int64_t warmup_steps, double warmup_begin_lr)
      : base_lr_(base_lr),
        warmup_steps_(warmup_steps),
        warmup_begin_lr_(warmup_begin_lr) {}
  // The rate after the warm-up.
  virtual double AfterWarmup(int64_t num_update) const = 0;

  double base_lr_;
  int64_t warmup_steps_;
  double warmup_begin_lr_;
};

}  // namespace mx

#endif  // MX_CORE_TRAIN_LR_SCHEDULER_H_
