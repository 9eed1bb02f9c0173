#include "core/train/confusion_matrix.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/base/error.h"
#include "core/base/strings.h"
#include "core/train/metric.h"

namespace mx {
namespace {

std::string Fixed(double v, int digits = 4) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

// `s` padded with spaces to `width` (left-aligned unless `right`).
std::string Pad(const std::string& s, size_t width, bool right) {
  if (s.size() >= width) return s;
  const std::string fill(width - s.size(), ' ');
  return right ? fill + s : s + fill;
}

}  // namespace

ConfusionMatrix::ConfusionMatrix(int64_t classes)
    : k_(std::max<int64_t>(classes, 1)), counts_(k_ * k_, 0) {}

void ConfusionMatrix::Add(const std::vector<float>& labels,
                          const std::vector<float>& scores, int64_t rows) {
  MX_CHECK(static_cast<int64_t>(labels.size()) >= rows &&
               static_cast<int64_t>(scores.size()) >= rows * k_,
           "confusion matrix: ", rows, " rows need ", rows, " labels and ",
           rows * k_, " scores, got ", labels.size(), " and ", scores.size());
  for (int64_t r = 0; r < rows; ++r) {
    MX_CHECK(IsClassId(labels[r], k_), "confusion matrix: label ", labels[r],
             " is not a class id of ", k_, " classes");
    const float* row = scores.data() + r * k_;
    int64_t best = 0;
    for (int64_t c = 1; c < k_; ++c) {
      if (row[c] > row[best] || std::isnan(row[best])) best = c;
    }
    ++counts_[static_cast<int64_t>(labels[r]) * k_ + best];
  }
}

int64_t ConfusionMatrix::total() const {
  int64_t n = 0;
  for (const int64_t c : counts_) n += c;
  return n;
}

ConfusionMatrix::ClassScores ConfusionMatrix::Scores(int64_t c) const {
  int64_t predicted = 0, actual = 0;
  for (int64_t i = 0; i < k_; ++i) {
    predicted += count(i, c);
    actual += count(c, i);
  }
  ClassScores s;
  const double hits = static_cast<double>(count(c, c));
  s.support = actual;
  s.precision = predicted > 0 ? hits / predicted : 0;
  s.recall = actual > 0 ? hits / actual : 0;
  s.f1 = s.precision + s.recall > 0
             ? 2 * s.precision * s.recall / (s.precision + s.recall)
             : 0;
  return s;
}

double ConfusionMatrix::Accuracy() const {
  int64_t hits = 0;
  for (int64_t c = 0; c < k_; ++c) hits += count(c, c);
  const int64_t n = total();
  return n > 0 ? static_cast<double>(hits) / n : 0;
}

std::string ConfusionMatrix::Name(const std::vector<std::string>& names,
                                  int64_t c) const {
  return c < static_cast<int64_t>(names.size()) ? names[c] : StrCat(c);
}

std::string ConfusionMatrix::Report(
    const std::vector<std::string>& names) const {
  size_t width = 12;
  for (int64_t c = 0; c < k_; ++c)
    width = std::max(width, Name(names, c).size());
  width += 2;
  std::string out = Pad("class", width, false) + " precision    recall  " +
                    "f1-score   support\n";
  double macro[3] = {0, 0, 0}, weighted[3] = {0, 0, 0};
  const int64_t n = total();
  for (int64_t c = 0; c < k_; ++c) {
    const ClassScores s = Scores(c);
    const double v[3] = {s.precision, s.recall, s.f1};
    for (int i = 0; i < 3; ++i) {
      macro[i] += v[i] / k_;
      weighted[i] += n > 0 ? v[i] * s.support / n : 0;
    }
    out += Pad(Name(names, c), width, false) +
           Pad(Fixed(s.precision), 10, true) + Pad(Fixed(s.recall), 10, true) +
           Pad(Fixed(s.f1), 10, true) + Pad(StrCat(s.support), 10, true) + "\n";
  }
  out += "\n" + Pad("accuracy", width, false) + std::string(20, ' ') +
         Pad(Fixed(Accuracy()), 10, true) + Pad(StrCat(n), 10, true) + "\n";
  for (const auto& [label, v] :
       {std::pair<const char*, double*>{"macro avg", macro},
        {"weighted avg", weighted}}) {
    out += Pad(label, width, false) + Pad(Fixed(v[0]), 10, true) +
           Pad(Fixed(v[1]), 10, true) + Pad(Fixed(v[2]), 10, true) +
           Pad(StrCat(n), 10, true) + "\n";
  }
  return out;
}

std::string ConfusionMatrix::Text(const std::vector<std::string>& names) const {
  size_t label_width = 4, cell = 5;
  int64_t most = 0;
  for (const int64_t c : counts_) most = std::max(most, c);
  cell = std::max(cell, StrCat(most).size() + 1);
  for (int64_t c = 0; c < k_; ++c) {
    label_width = std::max(label_width, Name(names, c).size());
  }
  std::string out = Pad("true \\ predicted", label_width + 2, false);
  for (int64_t p = 0; p < k_; ++p) out += Pad(StrCat(p), cell, true);
  out += "\n";
  for (int64_t t = 0; t < k_; ++t) {
    out += Pad(Name(names, t), label_width, false) + Pad(StrCat(t), 2, true);
    for (int64_t p = 0; p < k_; ++p) {
      out += Pad(StrCat(count(t, p)), cell, true);
    }
    out += "\n";
  }
  return out;
}

std::string ConfusionMatrix::Csv(const std::vector<std::string>& names) const {
  std::string out = "true\\predicted";
  for (int64_t p = 0; p < k_; ++p) out += "," + CsvField(Name(names, p));
  out += "\n";
  for (int64_t t = 0; t < k_; ++t) {
    out += CsvField(Name(names, t));
    for (int64_t p = 0; p < k_; ++p) out += StrCat(",", count(t, p));
    out += "\n";
  }
  return out;
}

}  // namespace mx
