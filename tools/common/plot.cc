#include "tools/common/plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/base/error.h"
#include "core/base/file_util.h"

namespace mx {
namespace {

// Distinct colors (BGR), the first ones for train / validation.
const cv::Scalar kPalette[] = {{180, 119, 31},  {14, 127, 255},  {44, 160, 44},
                               {40, 39, 214},   {189, 103, 148}, {75, 86, 140},
                               {194, 119, 227}, {127, 127, 127}, {34, 189, 188},
                               {207, 190, 23}};
constexpr int kPaletteSize = sizeof(kPalette) / sizeof(kPalette[0]);

constexpr int kPanelWidth = 560, kPanelHeight = 380;
constexpr int kLeft = 72, kRight = 20, kTop = 48, kBottom = 58;
constexpr double kFont = 0.5, kSmallFont = 0.45;
const cv::Scalar kInk(40, 40, 40), kGrid(228, 228, 228);

int TextWidth(const std::string& s, double scale) {
  int base = 0;
  return cv::getTextSize(s, cv::FONT_HERSHEY_SIMPLEX, scale, 1, &base).width;
}

void Text(cv::Mat* img, const std::string& s, cv::Point at, double scale,
          const cv::Scalar& color = kInk) {
  cv::putText(*img, s, at, cv::FONT_HERSHEY_SIMPLEX, scale, color, 1,
              cv::LINE_AA);
}

struct Axis {
  double lo = 0, hi = 1;
  bool log = false;
  double Map(double v) const {  // to [0, 1]
    const double t = log ? std::log10(v) : v;
    return (t - lo) / (hi - lo);
  }
};

// The range of `values` (log10 of them on a log axis), padded.
Axis MakeAxis(const std::vector<double>& values, bool log, double pad) {
  Axis a;
  a.log = log;
  double lo = INFINITY, hi = -INFINITY;
  for (const double v : values) {
    if (!std::isfinite(v) || (log && v <= 0)) continue;
    const double t = log ? std::log10(v) : v;
    lo = std::min(lo, t);
    hi = std::max(hi, t);
  }
  if (!(lo <= hi)) return a;
  if (hi - lo < 1e-12) {
    const double w = log ? 0.5 : std::max(std::abs(lo) * 0.05, 0.5);
    lo -= w;
    hi += w;
  }
  const double p = (hi - lo) * pad;
  a.lo = lo - p;
  a.hi = hi + p;
  return a;
}

void DrawPanel(cv::Mat* img, const PlotPanel& panel, cv::Point origin) {
  const int x0 = origin.x + kLeft, x1 = origin.x + kPanelWidth - kRight;
  const int y0 = origin.y + kTop, y1 = origin.y + kPanelHeight - kBottom;
  Text(img, panel.title, {x0, origin.y + 22}, 0.6);
  std::vector<double> xs, ys;
  for (const PlotSeries& s : panel.series) {
    for (size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) {
      if (std::isfinite(s.x[i]) && std::isfinite(s.y[i])) {
        xs.push_back(s.x[i]);
        ys.push_back(s.y[i]);
      }
    }
  }
  cv::rectangle(*img, {x0, y0}, {x1, y1}, kInk, 1);
  if (xs.empty()) {
    Text(img, "no data", {(x0 + x1) / 2 - 30, (y0 + y1) / 2}, kFont);
    return;
  }
  const Axis ax = MakeAxis(xs, panel.log_x, panel.integer_x ? 0.02 : 0.0);
  const Axis ay = MakeAxis(ys, panel.log_y, 0.06);
  const auto px = [&](double v) {
    return x0 + static_cast<int>(std::lround((x1 - x0) * ax.Map(v)));
  };
  const auto py = [&](double v) {
    return y1 - static_cast<int>(std::lround((y1 - y0) * ay.Map(v)));
  };
  const auto ticks = [](const Axis& a, bool integer) {
    std::vector<double> t;
    if (a.log) {
      for (double e = std::ceil(a.lo); e <= a.hi + 1e-9; ++e) {
        t.push_back(std::pow(10.0, e));
      }
      if (t.size() < 2) {  // less than a decade: linear ticks inside it
        t = NiceTicks(std::pow(10.0, a.lo), std::pow(10.0, a.hi), 5, false);
      }
      return t;
    }
    return NiceTicks(a.lo, a.hi, integer ? 8 : 6, integer);
  };
  for (const double v : ticks(ay, false)) {
    const int y = py(v);
    if (y < y0 || y > y1) continue;
    cv::line(*img, {x0 + 1, y}, {x1 - 1, y}, kGrid, 1);
    const std::string label = TickLabel(v);
    Text(img, label, {x0 - 6 - TextWidth(label, kSmallFont), y + 5},
         kSmallFont);
  }
  for (const double v : ticks(ax, panel.integer_x)) {
    const int x = px(v);
    if (x < x0 || x > x1) continue;
    cv::line(*img, {x, y0 + 1}, {x, y1 - 1}, kGrid, 1);
    cv::line(*img, {x, y1}, {x, y1 + 4}, kInk, 1);
    const std::string label = TickLabel(v);
    Text(img, label, {x - TextWidth(label, kSmallFont) / 2, y1 + 20},
         kSmallFont);
  }
  cv::rectangle(*img, {x0, y0}, {x1, y1}, kInk, 1);
  Text(img, panel.x_title,
       {(x0 + x1) / 2 - TextWidth(panel.x_title, kFont) / 2, y1 + 44}, kFont);
  if (!panel.y_title.empty()) {
    // Written upwards beside the axis.
    const int w = TextWidth(panel.y_title, kFont) + 4;
    cv::Mat label(20, w, CV_8UC3, cv::Scalar(255, 255, 255));
    Text(&label, panel.y_title, {2, 15}, kFont);
    cv::Mat up;
    cv::rotate(label, up, cv::ROTATE_90_COUNTERCLOCKWISE);
    const int top = std::max(origin.y, (y0 + y1) / 2 - up.rows / 2);
    const int rows = std::min(up.rows, origin.y + kPanelHeight - top);
    up(cv::Rect(0, 0, up.cols, rows))
        .copyTo((*img)(cv::Rect(origin.x + 4, top, up.cols, rows)));
  }
  for (size_t m = 0; m < panel.marks_x.size(); ++m) {
    const int x = px(panel.marks_x[m]);
    if (x < x0 || x > x1) continue;
    for (int y = y0; y < y1; y += 8) {
      cv::line(*img, {x, y}, {x, std::min(y + 4, y1)}, kPalette[3], 1);
    }
    if (m == 0 && !panel.mark_label.empty()) {
      const int w = TextWidth(panel.mark_label, kSmallFont);
      Text(img, panel.mark_label, {x + 4 + w > x1 ? x - 4 - w : x + 4, y0 + 16},
           kSmallFont, kPalette[3]);
    }
  }
  cv::Mat clip = (*img)(cv::Rect(x0, y0, x1 - x0 + 1, y1 - y0 + 1));
  // The legend: one row above the frame, right-aligned.
  int legend_x = x1;
  for (const PlotSeries& s : panel.series) {
    if (!s.label.empty()) legend_x -= TextWidth(s.label, kSmallFont) + 40;
  }
  const int legend_y = y0 - 10;
  for (size_t i = 0; i < panel.series.size(); ++i) {
    const PlotSeries& s = panel.series[i];
    const cv::Scalar color =
        kPalette[(s.color >= 0 ? s.color : static_cast<int>(i)) % kPaletteSize];
    std::vector<cv::Point> points;
    for (size_t k = 0; k < s.x.size() && k < s.y.size(); ++k) {
      if (!std::isfinite(s.x[k]) || !std::isfinite(s.y[k])) continue;
      if ((panel.log_x && s.x[k] <= 0) || (panel.log_y && s.y[k] <= 0)) {
        continue;
      }
      points.push_back({px(s.x[k]) - x0, py(s.y[k]) - y0});
    }
    if (points.size() > 1) {
      cv::polylines(clip, points, false, color, 2, cv::LINE_AA);
    }
    if (s.markers || points.size() == 1) {
      for (const cv::Point& p : points) {
        cv::circle(clip, p, 3, color, cv::FILLED, cv::LINE_AA);
      }
    }
    if (!s.label.empty()) {
      cv::line(*img, {legend_x + 6, legend_y - 5},
               {legend_x + 26, legend_y - 5}, color, 2, cv::LINE_AA);
      Text(img, s.label, {legend_x + 32, legend_y}, kSmallFont);
      legend_x += TextWidth(s.label, kSmallFont) + 40;
    }
  }
}

}  // namespace

std::vector<double> NiceTicks(double lo, double hi, int target, bool integer) {
  if (!(lo < hi) || target < 2) return {lo};
  const double raw = (hi - lo) / (target - 1);
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  double step = magnitude;
  for (const double m : {1.0, 2.0, 5.0, 10.0}) {
    step = m * magnitude;
    if (step >= raw) break;
  }
  if (integer) step = std::max(1.0, std::round(step));
  std::vector<double> out;
  for (double v = std::ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9;
       v += step) {
    out.push_back(std::abs(v) < step * 1e-9 ? 0.0 : v);
    if (out.size() > 100) break;
  }
  return out;
}

std::string TickLabel(double v) {
  char buf[32];
  const double a = std::abs(v);
  if (a != 0 && (a < 1e-3 || a >= 1e6)) {
    std::snprintf(buf, sizeof buf, "%.0e", v);
    // "1e-05" -> "1e-5"
    std::string s = buf;
    const size_t e = s.find("e-0");
    if (e != std::string::npos) s.erase(e + 2, 1);
    const size_t p = s.find("e+0");
    if (p != std::string::npos) s.replace(p, 3, "e");
    return s;
  }
  if (a >= 10000) {
    std::snprintf(buf, sizeof buf, "%gk", v / 1000);
    return buf;
  }
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

void WritePlotPng(const std::string& path, const std::vector<PlotPanel>& panels,
                  int columns) {
  const int n = std::max<int>(1, static_cast<int>(panels.size()));
  columns = std::clamp(columns, 1, n);
  const int rows = (n + columns - 1) / columns;
  cv::Mat img(rows * kPanelHeight, columns * kPanelWidth, CV_8UC3,
              cv::Scalar(255, 255, 255));
  for (size_t i = 0; i < panels.size(); ++i) {
    DrawPanel(&img, panels[i],
              {static_cast<int>(i % columns) * kPanelWidth,
               static_cast<int>(i / columns) * kPanelHeight});
  }
  std::vector<uchar> png;
  MX_CHECK(cv::imencode(".png", img, png), "'", path,
           "': cannot encode the PNG");
  WriteFileAtomic(path, std::string(png.begin(), png.end()));
}

}  // namespace mx
