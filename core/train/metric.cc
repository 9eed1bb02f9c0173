#include "core/train/metric.h"

#include <algorithm>
#include <any>
#include <cmath>
#include <limits>

#include "core/base/error.h"
#include "core/base/strings.h"

namespace mx {
namespace {

// The class id in a label value; mx::Error unless it is in [0, classes).
int64_t ClassOf(float label, int64_t classes, const std::string& metric) {
  MX_CHECK(IsClassId(label, classes), "metric ", metric, ": label ", label,
           " is not a class id in [0, ", classes, ")");
  return static_cast<int64_t>(label);
}

// Metrics of class predictions.
class ClassMetric : public EvalMetric {
 public:
  bool needs_class_labels() const override { return true; }

 protected:
  using EvalMetric::EvalMetric;
};

// How many classes rank at or above class `l` in scores `p`: NaN scores rank
// last, and a tie counts against the label, so neither NaN outputs nor
// saturated (all equal) ones ever make a prediction right. A NaN score of
// the label itself ranks it below all `width` classes.
int64_t ClassesAbove(const float* p, int64_t width, int64_t l) {
  if (std::isnan(p[l])) return width;
  int64_t above = 0;
  for (int64_t c = 0; c < width; ++c) {
    above += c != l && !std::isnan(p[c]) && p[c] >= p[l];
  }
  return above;
}

class Accuracy : public ClassMetric {
 public:
  Accuracy() : ClassMetric("accuracy") {}
  void Add(const std::vector<float>& label, int64_t,
           const std::vector<float>& pred, int64_t width,
           int64_t rows) override {
    for (int64_t r = 0; r < rows; ++r) {
      const float* p = pred.data() + r * width;
      if (width == 1) {
        // A single output column is a probability of class 1 (NaN: wrong).
        const int64_t l = ClassOf(label[r], 2, name_);
        sum_ += l == 1 ? p[0] > 0.5f : p[0] <= 0.5f;
      } else {
        sum_ += ClassesAbove(p, width, ClassOf(label[r], width, name_)) == 0;
      }
      ++count_;
    }
  }
};

struct TopKParam {
  int64_t top_k = 1;
  static void Declare(ParamDeclarer<TopKParam>* d) {
    d->Field("top_k", &TopKParam::top_k)
        .Default(1)
        .Min(1)
        .Doc("A prediction is right when the label is among its top_k scores.");
  }
};

class TopK : public ClassMetric {
 public:
  explicit TopK(int64_t k) : ClassMetric(StrCat("top_k_accuracy_", k)), k_(k) {}
  void Add(const std::vector<float>& label, int64_t,
           const std::vector<float>& pred, int64_t width,
           int64_t rows) override {
    for (int64_t r = 0; r < rows; ++r) {
      const float* p = pred.data() + r * width;
      // The label is in the top k when fewer than k classes rank with it.
      sum_ += ClassesAbove(p, width, ClassOf(label[r], width, name_)) < k_;
      ++count_;
    }
  }

 private:
  int64_t k_;
};

class CrossEntropy : public ClassMetric {
 public:
  CrossEntropy() : ClassMetric("cross-entropy") {}
  bool lower_is_better() const override { return true; }
  void Add(const std::vector<float>& label, int64_t,
           const std::vector<float>& pred, int64_t width,
           int64_t rows) override {
    for (int64_t r = 0; r < rows; ++r) {
      const float prob = pred[r * width + ClassOf(label[r], width, name_)];
      sum_ -= std::log(std::max(static_cast<double>(prob), 1e-12));
      ++count_;
    }
  }
};

// mse, mae, rmse: over every output value; labels (batch,) or (batch, k).
class Regression : public EvalMetric {
 public:
  enum Kind { kMse, kMae, kRmse };
  explicit Regression(Kind kind)
      : EvalMetric(kind == kMse   ? "mse"
                   : kind == kMae ? "mae"
                                  : "rmse"),
        kind_(kind) {}
  bool lower_is_better() const override { return true; }
  void Add(const std::vector<float>& label, int64_t label_width,
           const std::vector<float>& pred, int64_t width,
           int64_t rows) override {
    MX_CHECK(label_width == width, "metric ", name_, ": labels have ",
             label_width, " value(s) per sample but predictions ", width);
    for (int64_t i = 0; i < rows * width; ++i) {
      const double d = static_cast<double>(pred[i]) - label[i];
      sum_ += kind_ == kMae ? std::fabs(d) : d * d;
    }
    count_ += static_cast<double>(rows * width);
  }
  double Value() const override {
    const double mean = sum_ / count_;
    return kind_ == kRmse ? std::sqrt(mean) : mean;
  }

 private:
  Kind kind_;
};

// Binary F1 of class 1 (MXNet's f1): predictions are argmax of 2 scores.
class F1 : public ClassMetric {
 public:
  F1() : ClassMetric("f1") {}
  void Add(const std::vector<float>& label, int64_t,
           const std::vector<float>& pred, int64_t width,
           int64_t rows) override {
    MX_CHECK(width == 2,
             "metric f1 is binary: predictions need 2 columns, "
             "got ",
             width);
    for (int64_t r = 0; r < rows; ++r) {
      const bool guess = pred[r * 2 + 1] > pred[r * 2];
      const bool truth = ClassOf(label[r], 2, name_) == 1;
      tp_ += guess && truth;
      fp_ += guess && !truth;
      fn_ += !guess && truth;
    }
    count_ += static_cast<double>(rows);
  }
  double Value() const override {
    if (count_ == 0) return std::numeric_limits<double>::quiet_NaN();
    const double precision = tp_ + fp_ > 0 ? tp_ / (tp_ + fp_) : 0;
    const double recall = tp_ + fn_ > 0 ? tp_ / (tp_ + fn_) : 0;
    return precision + recall > 0
               ? 2 * precision * recall / (precision + recall)
               : 0;
  }
  void Clear() override { tp_ = fp_ = fn_ = 0; }
  std::vector<double> State() const override {
    return {sum_, count_, tp_, fp_, fn_};
  }
  void SetState(const std::vector<double>& s) override {
    MX_CHECK(s.size() == 5, "metric f1: a state of ", s.size(),
             " numbers, expected 5");
    sum_ = s[0], count_ = s[1], tp_ = s[2], fp_ = s[3], fn_ = s[4];
  }

 private:
  double tp_ = 0, fp_ = 0, fn_ = 0;
};

}  // namespace

bool IsClassId(float label, int64_t classes) {
  // Compared as floats first: a NaN or a huge value must not be cast.
  return label >= 0 && label < static_cast<float>(classes) &&
         static_cast<float>(static_cast<int64_t>(label)) == label;
}

int64_t FirstBadClassLabel(const std::vector<float>& labels, int64_t rows,
                           int64_t classes) {
  for (int64_t r = 0; r < rows && r < static_cast<int64_t>(labels.size());
       ++r) {
    if (!IsClassId(labels[r], classes)) return r;
  }
  return -1;
}

void EvalMetric::SetState(const std::vector<double>& state) {
  MX_CHECK(state.size() == 2, "metric ", name_, ": a state of ", state.size(),
           " numbers, expected 2");
  sum_ = state[0];
  count_ = state[1];
}

std::string EvalMetric::CanonicalName(const std::string& name) {
  if (name == "acc") return "accuracy";
  if (name == "top_k_acc") return "top_k_accuracy";
  if (name == "cross-entropy") return "ce";
  return name;
}

std::unique_ptr<EvalMetric> EvalMetric::Create(const std::string& name,
                                               const AttrDict& params) {
  const auto no_params = [&] {
    MX_CHECK(params.empty(), "metric ", name, " takes no parameters");
  };
  const std::string kind = CanonicalName(name);
  if (kind == "accuracy") {
    no_params();
    return std::make_unique<Accuracy>();
  }
  if (kind == "top_k_accuracy") {
    static const auto schema = MakeParamSchema<TopKParam>();
    const auto p = std::any_cast<TopKParam>(
        schema->Parse(params, "metric top_k_accuracy"));
    return std::make_unique<TopK>(p.top_k);
  }
  no_params();
  if (kind == "ce") return std::make_unique<CrossEntropy>();
  if (kind == "mse") return std::make_unique<Regression>(Regression::kMse);
  if (kind == "mae") return std::make_unique<Regression>(Regression::kMae);
  if (kind == "rmse") return std::make_unique<Regression>(Regression::kRmse);
  if (kind == "f1") return std::make_unique<F1>();
  MX_THROW("unknown metric '", name, "'",
           DidYouMean(name, {"accuracy", "top_k_accuracy", "ce", "mse", "mae",
                             "rmse", "f1"}),
           " (known: accuracy, top_k_accuracy, ce, mse, mae, rmse, f1)");
}

void EvalMetric::Update(const NDArray& labels, const NDArray& preds,
                        int64_t pad) {
  const Shape& ls = labels.shape();
  const Shape& ps = preds.shape();
  MX_CHECK(ls.ndim() >= 1 && ps.ndim() >= 1 && ls[0] == ps[0], "metric ", name_,
           ": labels ", ls, " and predictions ", ps,
           " have different batch sizes");
  const int64_t batch = ls[0];
  MX_CHECK(pad >= 0 && pad <= batch, "metric ", name_, ": pad ", pad,
           " is outside [0, ", batch, "]");
  const std::vector<float> label = labels.ToFloatVector();
  const std::vector<float> pred = preds.ToFloatVector();
  Add(label, ls.Size() / batch, pred, ps.Size() / batch, batch - pad);
}

void EvalMetric::Reset() {
  sum_ = 0;
  count_ = 0;
  Clear();
}

std::pair<std::string, double> EvalMetric::Get() const {
  if (count_ == 0) return {name_, std::numeric_limits<double>::quiet_NaN()};
  return {name_, Value()};
}

}  // namespace mx
