// Trainer: the training loop behind mxtrain. Binds a network to the shapes
// of a data iterator, initializes (or loads) its parameters, and runs epochs
// of forward, backward and optimizer updates with a learning-rate schedule,
// per-parameter lr_mult / wd_mult, metrics, validation and checkpoints.
#ifndef MX_TOOLS_MXTRAIN_TRAINER_H_
#define MX_TOOLS_MXTRAIN_TRAINER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/executor/executor.h"
#include "core/op/param.h"
#include "core/symbol/symbol.h"
#include "core/train/checkpoint.h"
#include "core/train/lr_scheduler.h"
#include "core/train/metric.h"
#include "core/train/optimizer.h"
#include "io/data_iter.h"

namespace mx {

struct TrainerOptions {
  Context ctx = Context::CPU();
  std::string optimizer = "sgd";
  // rescale_grad defaults to 1 / batch size, as MXNet's Module.
  AttrDict optimizer_params;
  std::string lr_schedule = "constant";
  AttrDict lr_schedule_params;
  std::string initializer = "xavier";
  AttrDict initializer_params;
  std::vector<std::string> metrics = {"accuracy"};
  uint64_t seed = 0;
  // Parameters to start from (e.g. a pretrained model); the rest are
  // initialized. Names not in the network are an error.
  NamedParams initial_args, initial_aux;
  // Parameters that are not updated (fine-tuning).
  std::set<std::string> frozen;
};

// What one epoch did.
struct EpochReport {
  int epoch = 0;  // from 1
  std::vector<std::pair<std::string, double>> train, val;
  double seconds = 0;
  double samples_per_second = 0;
  double data_wait_seconds = 0;
  double learning_rate = 0;  // at the epoch's last update
  int64_t num_update = 0;    // updates so far
};

class Trainer {
 public:
  // Binds `net` to the shapes `train` provides. mx::Error naming the
  // argument when the network has no input matching the iterator's data or
  // label name, or for bad optimizer / schedule / initializer settings.
  Trainer(const Symbol& net, const io::DataIter& train,
          const TrainerOptions& options);
  ~Trainer();

  // One epoch over `train` (reset first unless it is the first use), then
  // `val` when given; returns the report.
  EpochReport TrainEpoch(io::DataIter* train, io::DataIter* val);
  // Metric values over one pass of `it` (inference mode).
  std::vector<std::pair<std::string, double>> Evaluate(io::DataIter* it);
  // Writes the checkpoint of `epoch` (MXNet layout).
  void SaveCheckpoint(const std::string& prefix, int epoch) const;

  // The parameters (weights and biases; auxiliary states).
  NamedParams args() const;
  NamedParams aux() const;
  Executor& executor() { return *exec_; }
  int64_t num_update() const { return num_update_; }

 private:
  struct Param {
    std::string name;
    NDArray weight, grad;
    std::vector<NDArray> state;
    float lr_mult = 1, wd_mult = 0;
    int64_t updates = 0;
  };

  void InitParams(const TrainerOptions& options);
  void SetMultipliers();
  void Feed(const io::DataBatch& batch);

  Symbol net_;
  std::unique_ptr<Executor> exec_;
  std::string data_name_, label_name_;
  NDArray data_, label_;  // the executor's input arrays, fed every batch
  std::unique_ptr<Optimizer> optimizer_;
  std::unique_ptr<LRScheduler> schedule_;
  std::vector<std::unique_ptr<EvalMetric>> metrics_;
  std::vector<Param> params_;
  int64_t num_update_ = 0;
  int epoch_ = 0;
  bool fresh_train_iter_ = true;
};

}  // namespace mx

#endif  // MX_TOOLS_MXTRAIN_TRAINER_H_
