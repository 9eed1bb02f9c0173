// Evaluation metrics as MXNet's metric module: accuracy, top_k_accuracy,
// ce (cross-entropy), mse, mae, rmse, f1; updated batch by batch with
// labels and predictions, read as (name, value) pairs.
#ifndef MX_CORE_TRAIN_METRIC_H_
#define MX_CORE_TRAIN_METRIC_H_

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/ndarray/ndarray.h"
#include "core/op/param.h"

namespace mx {

class EvalMetric {
 public:
  virtual ~EvalMetric() = default;

  // "accuracy" (alias "acc"), "top_k_accuracy" (param top_k), "ce",
  // "mse", "mae", "rmse", "f1"; mx::Error naming the metric otherwise.
  static std::unique_ptr<EvalMetric> Create(const std::string& name,
                                            const AttrDict& params = {});
  // The one name of a metric Create knows under several ("acc" and
  // "accuracy" are "accuracy", "cross-entropy" and "ce" are "ce",
  // "top_k_acc" is "top_k_accuracy"); other names as they are.
  static std::string CanonicalName(const std::string& name);

  // Adds one batch. labels: (batch,) class ids or targets; preds: (batch,
  // classes) scores / probabilities, or (batch,) / (batch, k) regression
  // outputs. The first `batch - pad` rows count (padded rows are skipped).
  // mx::Error naming the metric for shapes that do not fit.
  void Update(const NDArray& labels, const NDArray& preds, int64_t pad = 0);
  void Reset();
  // The metric's name and current value (NaN before any update).
  std::pair<std::string, double> Get() const;
  const std::string& name() const { return name_; }
  // Whether labels must be class ids (accuracy, top-k, ce, f1), not targets.
  virtual bool needs_class_labels() const { return false; }
  // Whether a lower value is better (ce, mse, mae, rmse): how epochs rank.
  virtual bool lower_is_better() const { return false; }
  // The accumulated sums, to continue an interrupted epoch (training state
  // files); SetState takes what State returned, mx::Error otherwise.
  virtual std::vector<double> State() const { return {sum_, count_}; }
  virtual void SetState(const std::vector<double>& state);

 protected:
  explicit EvalMetric(std::string name) : name_(std::move(name)) {}
  // Adds rows [0, rows) of host copies; label has `label_width` values per
  // row, pred `pred_width`.
  virtual void Add(const std::vector<float>& label, int64_t label_width,
                   const std::vector<float>& pred, int64_t pred_width,
                   int64_t rows) = 0;
  virtual double Value() const { return sum_ / count_; }
  virtual void Clear() {}

  std::string name_;
  double sum_ = 0;
  double count_ = 0;
};

// Whether `label` is a class id in [0, classes): integral and in range.
bool IsClassId(float label, int64_t classes);

// The first of the first `rows` labels that is not a class id in
// [0, classes), or -1 when all are.
int64_t FirstBadClassLabel(const std::vector<float>& labels, int64_t rows,
                           int64_t classes);

}  // namespace mx

#endif  // MX_CORE_TRAIN_METRIC_H_
