// A classifier's report as the tools show and save it (mxtrain test,
// mxinfer --labels): per-class precision / recall / F1 and the confusion
// matrix printed, and written as text, CSV and a PNG heat map.
#ifndef MX_TOOLS_COMMON_CLASSIFICATION_REPORT_H_
#define MX_TOOLS_COMMON_CLASSIFICATION_REPORT_H_

#include <string>
#include <vector>

#include "core/train/confusion_matrix.h"

namespace mx {

// The files WriteClassificationReport writes.
constexpr const char* kReportText = "classification_report.txt";
constexpr const char* kConfusionCsv = "confusion_matrix.csv";
constexpr const char* kConfusionPng = "confusion_matrix.png";

// The heat map: a cell per (true, predicted) pair shaded by the share of
// its true class, its count written in it, class names on both axes.
// Writes the heat map to `path` atomically; `title` heads it. mx::Error
// naming the path when it cannot be written.
void WriteConfusionPng(const std::string& path, const ConfusionMatrix& m,
                       const std::vector<std::string>& names,
                       const std::string& title);

// Prints the report of `m` (classes named by `names`) and, for up to 20
// classes, the matrix, to stdout; writes them to `folder` (kReportText,
// kConfusionCsv, kConfusionPng), headed by `what` (the model and data).
void WriteClassificationReport(const ConfusionMatrix& m,
                               const std::vector<std::string>& names,
                               const std::string& folder,
                               const std::string& what);

}  // namespace mx

#endif  // MX_TOOLS_COMMON_CLASSIFICATION_REPORT_H_
