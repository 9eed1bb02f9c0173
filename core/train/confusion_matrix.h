// A classifier's confusion matrix (true class by predicted class) and the
// report read from it: per-class precision, recall, F1 and support, with
// accuracy and macro / weighted averages, as scikit-learn's
// classification_report; written as text and CSV.
#ifndef MX_CORE_TRAIN_CONFUSION_MATRIX_H_
#define MX_CORE_TRAIN_CONFUSION_MATRIX_H_

#include <cstdint>
#include <string>
#include <vector>

namespace mx {

class ConfusionMatrix {
 public:
  explicit ConfusionMatrix(int64_t classes);

  // Counts rows [0, rows) of a batch: `labels` (class ids; mx::Error for
  // another value) against the arg max of each row of `scores` (`classes`
  // values per row; a NaN never wins, a tie goes to the lower class).
  void Add(const std::vector<float>& labels, const std::vector<float>& scores,
           int64_t rows);
  // Samples of true class `t` predicted as `p`.
  int64_t count(int64_t t, int64_t p) const { return counts_[t * k_ + p]; }
  int64_t classes() const { return k_; }
  int64_t total() const;

  struct ClassScores {
    double precision = 0, recall = 0, f1 = 0;  // 0 where undefined
    int64_t support = 0;                       // samples of the class
  };
  ClassScores Scores(int64_t c) const;
  double Accuracy() const;

  // The report: a row per class (named by `names`, else by id), then
  // accuracy and the macro and weighted averages.
  std::string Report(const std::vector<std::string>& names) const;
  // The matrix as text, rows true and columns predicted.
  std::string Text(const std::vector<std::string>& names) const;
  // The matrix as CSV: a header of predicted classes, a row per true class.
  std::string Csv(const std::vector<std::string>& names) const;

 private:
  std::string Name(const std::vector<std::string>& names, int64_t c) const;

  int64_t k_;
  std::vector<int64_t> counts_;
};

}  // namespace mx

#endif  // MX_CORE_TRAIN_CONFUSION_MATRIX_H_
