#include "tools/common/classification_report.h"

#include <algorithm>
#include <cstdio>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/base/error.h"
#include "core/base/file_util.h"
#include "core/base/strings.h"

namespace mx {

void WriteConfusionPng(const std::string& path, const ConfusionMatrix& m,
                       const std::vector<std::string>& names,
                       const std::string& title) {
  const int k = static_cast<int>(m.classes());
  // Cells shrink for many classes; past 60 the numbers are left out.
  const int cell = std::clamp(600 / std::max(k, 1), 8, 56);
  const bool numbers = cell >= 28;
  const double font = 0.45;
  const auto name = [&](int c) {
    std::string s = c < static_cast<int>(names.size()) ? names[c] : StrCat(c);
    return s.size() > 18 ? s.substr(0, 17) + "~" : s;
  };
  int label_w = 0;
  for (int c = 0; c < k; ++c) {
    int base = 0;
    label_w = std::max(
        label_w,
        cv::getTextSize(name(c), cv::FONT_HERSHEY_SIMPLEX, font, 1, &base)
            .width);
  }
  const int left = label_w + 20, top = 60 + (cell >= 20 ? label_w : 0);
  const int width = left + k * cell + 40, height = top + k * cell + 50;
  cv::Mat img(height, std::max(width, 360), CV_8UC3, cv::Scalar(255, 255, 255));
  const cv::Scalar ink(40, 40, 40);
  cv::putText(img, title, {10, 25}, cv::FONT_HERSHEY_SIMPLEX, 0.6, ink, 1,
              cv::LINE_AA);
  for (int t = 0; t < k; ++t) {
    int64_t row_total = 0;
    for (int p = 0; p < k; ++p) row_total += m.count(t, p);
    for (int p = 0; p < k; ++p) {
      const double share =
          row_total > 0 ? static_cast<double>(m.count(t, p)) / row_total : 0;
      // White to a deep blue (BGR) with the share of the true class.
      const cv::Scalar color(255 - 80 * share, 255 - 200 * share,
                             255 - 230 * share);
      const cv::Point a(left + p * cell, top + t * cell);
      cv::rectangle(img, a, a + cv::Point(cell, cell), color, cv::FILLED);
      cv::rectangle(img, a, a + cv::Point(cell, cell),
                    cv::Scalar(220, 220, 220), 1);
      if (numbers) {
        const std::string text = StrCat(m.count(t, p));
        int base = 0;
        const cv::Size size =
            cv::getTextSize(text, cv::FONT_HERSHEY_SIMPLEX, 0.4, 1, &base);
        cv::putText(
            img, text,
            a + cv::Point((cell - size.width) / 2, (cell + size.height) / 2),
            cv::FONT_HERSHEY_SIMPLEX, 0.4,
            share > 0.5 ? cv::Scalar(255, 255, 255) : ink, 1, cv::LINE_AA);
      }
    }
    if (cell >= 12) {
      cv::putText(img, name(t), {8, top + t * cell + cell / 2 + 5},
                  cv::FONT_HERSHEY_SIMPLEX, font, ink, 1, cv::LINE_AA);
    }
  }
  // Predicted classes: names written upwards above the columns.
  if (cell >= 20) {
    cv::Mat column(cell, label_w + 10, CV_8UC3, cv::Scalar(255, 255, 255));
    for (int p = 0; p < k; ++p) {
      column.setTo(cv::Scalar(255, 255, 255));
      cv::putText(column, name(p), {2, cell / 2 + 5}, cv::FONT_HERSHEY_SIMPLEX,
                  font, ink, 1, cv::LINE_AA);
      cv::Mat up;
      cv::rotate(column, up, cv::ROTATE_90_COUNTERCLOCKWISE);
      up.copyTo(
          img(cv::Rect(left + p * cell, top - up.rows - 4, up.cols, up.rows)));
    }
  }
  cv::putText(img, "predicted", {left, height - 30}, cv::FONT_HERSHEY_SIMPLEX,
              0.5, ink, 1, cv::LINE_AA);
  cv::putText(img, "rows: true class", {left, height - 10},
              cv::FONT_HERSHEY_SIMPLEX, 0.5, ink, 1, cv::LINE_AA);
  std::vector<uchar> png;
  MX_CHECK(cv::imencode(".png", img, png), "'", path,
           "': cannot encode the confusion matrix PNG");
  WriteFileAtomic(path, std::string(png.begin(), png.end()));
}

void WriteClassificationReport(const ConfusionMatrix& m,
                               const std::vector<std::string>& names,
                               const std::string& folder,
                               const std::string& what) {
  const std::string report = m.Report(names);
  std::printf("\n%s\n", report.c_str());
  if (m.classes() <= 20) {
    std::printf("confusion matrix (rows: true class, columns: predicted)\n%s",
                m.Text(names).c_str());
  }
  WriteFileAtomic(folder + "/" + kReportText,
                  StrCat(what, "\n\n", report, "\n", m.Text(names)));
  WriteFileAtomic(folder + "/" + kConfusionCsv, m.Csv(names));
  WriteConfusionPng(folder + "/" + kConfusionPng, m, names, what);
  std::printf("\nwrote %s/%s, %s and %s\n", folder.c_str(), kReportText,
              kConfusionCsv, kConfusionPng);
}

}  // namespace mx
