// Trainer: the training loop of one epoch, under mxtrain and the Python
// package (fit/fit.h runs the epochs, checkpoints and resume around it).
// Binds a network to the shapes of a data iterator on one or more devices
// (data parallel: each device takes a slice of every batch, a KVStore sums
// the gradients and updates the weights; with kvstore dist_sync, over the
// processes of an MPI job too, each reading its own part of the data),
// initializes (or loads) its parameters, and runs epochs of forward,
// backward and optimizer updates with a learning-rate schedule,
// per-parameter lr_mult / wd_mult, metrics, validation, checks for
// non-finite values, checkpoints and exact resume.
#ifndef MX_FIT_TRAINER_H_
#define MX_FIT_TRAINER_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/base/error.h"
#include "core/executor/executor.h"
#include "core/op/param.h"
#include "core/symbol/symbol.h"
#include "core/train/checkpoint.h"
#include "core/train/kvstore.h"
#include "core/train/loss_heads.h"
#include "core/train/lr_scheduler.h"
#include "core/train/metric.h"
#include "core/train/optimizer.h"
#include "fit/errors.h"
#include "io/data_iter.h"

namespace mx {

// DataError (named `name`) unless each unpadded value of each label i with
// classes[i] > 0 is a class id in [0, classes[i]), naming the record (and
// the label, when there are several); labels of more than one value per
// sample are not checked.
void CheckClassLabels(const io::DataBatch& batch,
                      const std::vector<int64_t>& classes,
                      const std::string& name,
                      const std::vector<std::string>& label_names = {});

// it->Next(), its data errors as DataError naming the data (`name`).
bool NextDataBatch(io::DataIter* it, const std::string& name);

// The DataError of data (`name`) that yields no sample `when` ("in an
// epoch", "to evaluate").
DataError NoSampleError(const std::string& name, const std::string& when);

// The classes labels must be ids of when one of `metrics` needs class ids,
// for a head whose output has shape `output`; 0 when none does.
int64_t LabelClasses(
    const std::vector<std::pair<std::string, AttrDict>>& metrics,
    const Shape& output);

// What to do when a step produces NaN or Inf.
enum class NonFinitePolicy { kStop, kSkip };

struct TrainerOptions;

// One metric of one loss head.
struct HeadMetricSpec {
  size_t head = 0;  // index in the heads
  std::string name;
  AttrDict params;
  // What its values are reported as: the metric's own name ("accuracy"), or
  // "<head>.<name>" ("aux.accuracy") when the network has several heads
  // that read labels.
  std::string reported;
};

// The metrics of `heads` as `options` sets them (metrics for every head that
// reads a label and that each fits, or head_metrics by head), in order.
// mx::Error naming the head when head_metrics names a layer that is no
// head, or a head without a label; or naming the metric when it is unknown
// or fits no head.
std::vector<HeadMetricSpec> HeadMetrics(const std::vector<LossHead>& heads,
                                        const TrainerOptions& options);

// For each of `labels`: the classes its values must be ids of (a metric of
// a head reading it needs class ids; `outputs` are the heads' output
// shapes in ListOutputs order), or 0.
std::vector<int64_t> LabelClassesOf(const std::vector<LossHead>& heads,
                                    const std::vector<HeadMetricSpec>& metrics,
                                    const std::vector<Shape>& outputs,
                                    const std::vector<std::string>& labels);

struct TrainerOptions {
  // Devices of data-parallel training; each takes a contiguous slice of
  // every batch.
  std::vector<Context> contexts = {Context::CPU()};
  // local, device, or dist_sync / dist_device_sync (every process of the MPI
  // job trains on its own iterator's batches; Note [Distributed training]).
  std::string kvstore = "local";
  std::string optimizer = "sgd";
  // rescale_grad defaults to 1 / global batch size (the batch times the
  // processes of dist_sync), as MXNet's Module.
  AttrDict optimizer_params;
  std::string lr_schedule = "constant";
  AttrDict lr_schedule_params;
  std::string initializer = "xavier";
  AttrDict initializer_params;
  // Metric names with their parameters (top_k_accuracy: top_k), for every
  // loss head that reads a label (LossHeads, core/train/loss_heads.h) and
  // that the metric fits: with several such heads, class-id metrics skip
  // regression heads and mse / mae / rmse skip classifiers.
  std::vector<std::pair<std::string, AttrDict>> metrics = {{"accuracy", {}}};
  // When not empty, instead: the metrics of each head named here (by its
  // layer, "aux"); other heads are not measured.
  std::map<std::string, std::vector<std::pair<std::string, AttrDict>>>
      head_metrics;
  uint64_t seed = 0;
  // Parameters to start from (e.g. a pretrained model); the rest are
  // initialized. Names not in the network are an error.
  NamedParams initial_args, initial_aux;
  // Parameters that are not updated (fine-tuning).
  std::set<std::string> frozen;
  NonFinitePolicy on_nonfinite = NonFinitePolicy::kStop;
  // When set, the learning rate of update n (from 1) instead of the
  // schedule's (the learning-rate range test).
  std::function<double(int64_t update)> learning_rate_at;
  // False binds forward only, without gradient memory or optimizer state:
  // Evaluate works, TrainEpoch is an error (mxtrain test).
  bool for_training = true;
};

// Where an epoch stands, for progress displays.
struct BatchProgress {
  int epoch = 0;            // from 1
  int64_t batch = 0;        // batches done in this epoch (from 1)
  int64_t batches_run = 0;  // of them, trained in this call (a resumed
                            // epoch's first ones were trained before)
  int64_t samples = 0;      // samples trained in this call
  double seconds = 0;       // since the epoch started
  double data_wait_seconds = 0;
  double learning_rate = 0;
  // The last step's global gradient norm (optimizer clip_global_norm; -1
  // without it).
  double grad_norm = -1;
  // Running values of the metrics over this epoch.
  std::vector<std::pair<std::string, double>> metrics;
};

// How TrainEpoch is driven: an optional stop flag (checked between batches;
// a set flag ends the epoch early, interrupted), a callback every
// `callback_every` batches of the epoch, and one after each validation
// batch.
struct EpochControl {
  const std::atomic<bool>* stop = nullptr;
  // Names of the data in errors ("data.train (MNISTIter 'labels.gz')").
  std::string train_name = "the training data";
  std::string val_name = "the validation data";
  std::function<void(const BatchProgress&)> on_batch;
  int64_t callback_every = 1;
  // Validation batches done so far (from 1) after the epoch `epoch`.
  std::function<void(int epoch, int64_t batch)> on_val_batch;
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
  int64_t batches = 0;       // trained in this call
  bool whole = true;         // from its first batch (not a resumed rest)
  int64_t skipped = 0;       // steps skipped for non-finite values
  // With optimizer clip_global_norm: the global gradient norm's mean and
  // largest value over the epoch's steps, and the steps it clipped
  // (grad_norm_mean -1 without it).
  double grad_norm_mean = -1, grad_norm_max = -1;
  int64_t clipped = 0;
  bool interrupted = false;  // stopped by EpochControl::stop
};

class Trainer {
 public:
  // Binds `net` to the shapes `train` provides, on every context. mx::Error
  // naming the argument when the network has no input matching the
  // iterator's data or a label name, or has a label input ("aux_label") the
  // iterator does not give, when the batch does not split over the
  // devices, or for bad optimizer / schedule / initializer / metric
  // settings.
  Trainer(const Symbol& net, const io::DataIter& train,
          const TrainerOptions& options);
  ~Trainer();

  // Trains one epoch over `train` (reset first unless it is fresh or was
  // positioned by Resume), then evaluates `val` when given and the epoch
  // was not interrupted. DataError for unreadable data, an epoch without a
  // batch, or labels that are not class ids of the network's outputs (when
  // a metric needs them), naming the data and the record; NumericalError
  // for non-finite values under NonFinitePolicy::kStop (naming the first
  // layer whose output went non-finite, or the parameter whose gradient
  // did).
  EpochReport TrainEpoch(io::DataIter* train, io::DataIter* val,
                         const EpochControl& control = {});
  // What Evaluate calls, when set: after each batch with the batches done,
  // and with each device's output of the first head that reads a label, and
  // that label (the last `pad` rows padding).
  struct EvalHooks {
    std::function<void(int64_t batch)> on_batch;
    std::function<void(const NDArray& labels, const NDArray& output,
                       int64_t pad)>
        on_outputs;
  };
  // Metric values over one pass of `it` (inference mode); DataError (named
  // `name`) as TrainEpoch's, or when the pass holds no sample.
  std::vector<std::pair<std::string, double>> Evaluate(
      io::DataIter* it, const std::string& name = "the data",
      const EvalHooks& hooks = {});

  // Writes "<prefix>-symbol.json", "<prefix>-NNNN.params" (MXNet layout) and
  // "<prefix>-NNNN.states" (the training state) for `epoch`, the pair as
  // one unit (Note [Checkpoint unit]). `values` are extra numbers kept in
  // the state. NumericalError, writing nothing, when a parameter holds NaN
  // or Inf values.
  void SaveCheckpoint(const std::string& prefix, int epoch,
                      const std::map<std::string, double>& values = {}) const;
  // Loads the checkpoint of `epoch` with its state and positions `train`
  // where that state left off, so training continues exactly. Returns the
  // state's extra values. mx::Error naming the file for a missing or
  // mismatched file (other parameters, shapes or optimizer; a state not
  // written with these parameters).
  std::map<std::string, double> Resume(const std::string& prefix, int epoch,
                                       io::DataIter* train);

  // The parameters (weights and biases; auxiliary states) of the first
  // device.
  NamedParams args() const;
  NamedParams aux() const;
  Executor& executor() { return *devices_[0].exec; }
  int64_t num_update() const { return num_update_; }
  // Epochs begun (an interrupted epoch counts).
  int epoch() const { return epoch_; }
  // Batches of the current epoch trained so far (0 after a full epoch).
  int64_t batch_in_epoch() const { return batch_in_epoch_; }
  // This process's rank in dist_sync training and the number of processes
  // (0 and 1 otherwise).
  int rank() const { return kvstore_ ? kvstore_->rank() : 0; }
  int num_workers() const { return kvstore_ ? kvstore_->num_workers() : 1; }

 private:
  struct Param {
    std::string name;
    std::vector<NDArray> weights, grads;  // per device
    std::vector<NDArray> state;           // optimizer state
    float lr_mult = 1, wd_mult = 0;
    int64_t updates = 0;
  };
  struct Device {
    Context ctx;
    std::unique_ptr<Executor> exec;
    NDArray data;                 // the executor's input arrays
    std::vector<NDArray> labels;  // in label_names_ order
    int64_t begin = 0, end = 0;   // its slice of the batch
  };

  void InitParams(const TrainerOptions& options);
  // The learning rate of update `n` (from 1).
  double LearningRate(int64_t n) const {
    return learning_rate_at_ ? learning_rate_at_(n)
                             : schedule_->LearningRate(n);
  }
  void SetMultipliers();
  // Copies the batch to the devices; `name` names the data in errors.
  void Feed(const io::DataBatch& batch, const std::string& name);
  // Updates every parameter with rate `lr`; with clip_global_norm, scales
  // the gradients first and returns their global norm (else -1).
  double UpdateParams(double lr);
  // The L2 norm of every rescaled gradient together (summed over devices and
  // processes); waits for them.
  double GlobalGradNorm();
  // Starts summing the gradients over the processes (dist_sync), last
  // layer first, as backward produces them.
  void PushGradients();
  // The logical OR of `flags` over every process (dist_sync; else `flags`).
  std::vector<bool> AnyWorker(std::vector<bool> flags) const;
  // Sums `values` over every process (dist_sync; else unchanged).
  std::vector<double> SumOverWorkers(std::vector<double> values) const;
  // Replaces the metrics' states by their sums over every process.
  void SumMetricsOverWorkers();
  // Sets every process's parameters to rank 0's (dist_sync).
  void BroadcastParams();
  // True when every output and gradient is finite (waits for them).
  bool StepIsFinite() const;
  // "the output of layer 'fc2' (FullyConnected) ..." for the first
  // non-finite forward output on the current batch, or the first parameter
  // with a non-finite gradient.
  std::string DiagnoseNonFinite() const;
  // Adds the batch to the metrics (and to `on_outputs`, when set).
  void UpdateMetrics(const io::DataBatch& batch,
                     const EvalHooks* hooks = nullptr);
  std::vector<std::pair<std::string, double>> MetricValues() const;

  Symbol net_;
  std::vector<Device> devices_;
  // Whether `name` is an input of the network (the data or a label), not a
  // parameter.
  bool IsInput(const std::string& name) const;

  std::string data_name_;
  std::vector<std::string> label_names_;  // the iterator's, in order
  // The label index and output index each of metrics_ reads, and the name
  // it reports.
  std::vector<size_t> metric_label_, metric_output_;
  std::vector<std::string> metric_names_;
  // The label and output EvalHooks::on_outputs sees: the first head that
  // reads a label (-1: none does).
  int hooked_label_ = -1;
  size_t hooked_output_ = 0;
  // Per label: classes its values must be ids of when a metric needs
  // class-id labels (then checked on the host before each batch); else 0.
  std::vector<int64_t> label_classes_;
  std::string optimizer_name_;
  std::unique_ptr<Optimizer> optimizer_;
  std::unique_ptr<LRScheduler> schedule_;
  std::function<double(int64_t)> learning_rate_at_;  // replaces schedule_
  // With several devices, or dist_sync (kvstore_->num_workers() processes).
  std::unique_ptr<KVStore> kvstore_;
  bool distributed_ = false;  // dist_sync
  std::vector<std::unique_ptr<EvalMetric>> metrics_;
  std::vector<Param> params_;
  std::map<std::string, Param*> param_by_name_;
  UpdateStep pending_step_;  // for the kvstore updater
  // Metric states of the interrupted epoch Resume continues (empty when
  // none was saved), applied by the next TrainEpoch.
  std::vector<std::vector<double>> resumed_metrics_;
  NonFinitePolicy on_nonfinite_;
  bool for_training_;
  int64_t num_update_ = 0;
  int epoch_ = 0;
  int64_t batch_in_epoch_ = 0;
  bool fresh_train_iter_ = true;
};

}  // namespace mx

#endif  // MX_FIT_TRAINER_H_
