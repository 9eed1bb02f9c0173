#include "tools/mxtrain/run_log.h"

#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <sstream>

#include "core/base/error.h"
#include "core/base/file_util.h"
#include "core/base/json.h"
#include "core/base/strings.h"

namespace mx {
namespace {

std::string Number(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

}  // namespace

std::string MetricsFileName(const std::string& format) {
  return "metrics." + format;
}

void WriteMetricsFile(const std::string& path, const std::string& format,
                      const std::vector<EpochRecord>& records) {
  std::string out;
  if (format == "csv") {
    out = "epoch,learning_rate,seconds,samples_per_second";
    if (!records.empty()) {
      for (const auto& [name, v] : records[0].train) out += ",train_" + name;
      for (const auto& [name, v] : records[0].val) out += ",val_" + name;
    }
    out += "\n";
    for (const EpochRecord& r : records) {
      out += StrCat(r.epoch, ",", Number(r.learning_rate), ",",
                    Number(r.seconds), ",", Number(r.samples_per_second));
      for (const auto& [name, v] : r.train) out += "," + Number(v);
      for (const auto& [name, v] : r.val) out += "," + Number(v);
      out += "\n";
    }
  } else {
    for (const EpochRecord& r : records) {
      out += StrCat("{\"epoch\": ", r.epoch,
                    ", \"learning_rate\": ", Number(r.learning_rate),
                    ", \"seconds\": ", Number(r.seconds),
                    ", \"samples_per_second\": ", Number(r.samples_per_second));
      for (const auto* part : {&r.train, &r.val}) {
        out += part == &r.train ? ", \"train\": {" : ", \"val\": {";
        for (size_t i = 0; i < part->size(); ++i) {
          out += StrCat(i ? ", " : "", "\"", (*part)[i].first,
                        "\": ", Number((*part)[i].second));
        }
        out += "}";
      }
      out += "}\n";
    }
  }
  WriteFileAtomic(path, out);
}

std::vector<EpochRecord> ReadMetricsFile(const std::string& path,
                                         const std::string& format) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return {};
  std::istringstream in(ReadFile(path));
  std::string line;
  std::vector<EpochRecord> records;
  int line_no = 0;
  std::vector<std::string> header;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty()) continue;
    if (format == "csv") {
      const std::vector<std::string> cells = Split(line, ',');
      if (header.empty()) {
        header = cells;
        MX_CHECK(header.size() >= 4 && header[0] == "epoch", "'", path,
                 "' line 1: not an mxtrain metrics file");
        continue;
      }
      MX_CHECK(cells.size() == header.size(), "'", path, "' line ", line_no,
               ": ", cells.size(), " cells, the header has ", header.size());
      EpochRecord r;
      std::vector<double> v;
      for (const std::string& c : cells) {
        char* end = nullptr;
        v.push_back(std::strtod(c.c_str(), &end));
        MX_CHECK(!c.empty() && *end == '\0', "'", path, "' line ", line_no,
                 ": '", c, "' is not a number");
      }
      r.epoch = static_cast<int>(v[0]);
      r.learning_rate = v[1];
      r.seconds = v[2];
      r.samples_per_second = v[3];
      for (size_t i = 4; i < header.size(); ++i) {
        if (StartsWith(header[i], "train_")) {
          r.train.emplace_back(header[i].substr(6), v[i]);
        } else {
          r.val.emplace_back(header[i].substr(4), v[i]);
        }
      }
      records.push_back(r);
    } else {
      const JsonValue j = ParseJson(line, StrCat(path, " line ", line_no));
      const auto number = [&](const char* key) {
        const JsonValue* v = j.Find(key);
        MX_CHECK(v != nullptr && v->IsNumber(), "'", path, "' line ", line_no,
                 ": no number '", key, "'");
        return v->number();
      };
      EpochRecord r;
      r.epoch = static_cast<int>(number("epoch"));
      r.learning_rate = number("learning_rate");
      r.seconds = number("seconds");
      r.samples_per_second = number("samples_per_second");
      for (const char* part : {"train", "val"}) {
        const JsonValue* obj = j.Find(part);
        if (obj == nullptr || !obj->IsObject()) continue;
        for (const auto& [k, v] : obj->members()) {
          (part[0] == 't' ? r.train : r.val).emplace_back(k, v.number());
        }
      }
      records.push_back(r);
    }
  }
  return records;
}

void DrawTrainingCurves(const std::string& path,
                        const std::vector<EpochRecord>& records) {
  if (records.empty()) return;
  std::vector<std::string> metrics;
  for (const auto& [name, v] : records[0].train) metrics.push_back(name);
  if (metrics.empty()) return;
  const int panel_w = 420, panel_h = 300, margin = 50;
  cv::Mat img(panel_h, panel_w * static_cast<int>(metrics.size()), CV_8UC3,
              cv::Scalar(255, 255, 255));
  const cv::Scalar train_color(200, 90, 30), val_color(30, 120, 230);
  const cv::Scalar axis(60, 60, 60), grid(225, 225, 225);
  const int first = records.front().epoch, last = records.back().epoch;
  for (size_t m = 0; m < metrics.size(); ++m) {
    const int x0 = static_cast<int>(m) * panel_w + margin;
    const int x1 = static_cast<int>(m + 1) * panel_w - 15;
    const int y0 = 30, y1 = panel_h - 40;
    double lo = INFINITY, hi = -INFINITY;
    const auto value = [&](const EpochRecord& r, bool val, double* out) {
      const auto& part = val ? r.val : r.train;
      for (const auto& [name, v] : part) {
        if (name == metrics[m] && std::isfinite(v)) {
          *out = v;
          return true;
        }
      }
      return false;
    };
    for (const EpochRecord& r : records) {
      double v;
      for (bool val : {false, true}) {
        if (value(r, val, &v)) {
          lo = std::min(lo, v);
          hi = std::max(hi, v);
        }
      }
    }
    if (!(lo <= hi)) continue;
    if (hi - lo < 1e-9) {
      lo -= 0.5;
      hi += 0.5;
    }
    const double pad = (hi - lo) * 0.05;
    lo -= pad;
    hi += pad;
    const auto px = [&](int epoch) {
      return last == first ? (x0 + x1) / 2
                           : x0 + (x1 - x0) * (epoch - first) / (last - first);
    };
    const auto py = [&](double v) {
      return static_cast<int>(y1 - (y1 - y0) * (v - lo) / (hi - lo));
    };
    for (int k = 0; k <= 4; ++k) {
      const double v = lo + (hi - lo) * k / 4;
      cv::line(img, {x0, py(v)}, {x1, py(v)}, grid, 1);
      char label[32];
      std::snprintf(label, sizeof label, "%.3g", v);
      cv::putText(img, label, {x0 - 45, py(v) + 4}, cv::FONT_HERSHEY_SIMPLEX,
                  0.35, axis, 1, cv::LINE_AA);
    }
    cv::rectangle(img, {x0, y0}, {x1, y1}, axis, 1);
    cv::putText(img, metrics[m], {x0, y0 - 10}, cv::FONT_HERSHEY_SIMPLEX, 0.5,
                axis, 1, cv::LINE_AA);
    cv::putText(img, StrCat("epoch ", first, "-", last), {x0, y1 + 25},
                cv::FONT_HERSHEY_SIMPLEX, 0.4, axis, 1, cv::LINE_AA);
    for (bool val : {false, true}) {
      const cv::Scalar color = val ? val_color : train_color;
      std::vector<cv::Point> pts;
      for (const EpochRecord& r : records) {
        double v;
        if (value(r, val, &v)) pts.push_back({px(r.epoch), py(v)});
      }
      if (pts.size() > 1) cv::polylines(img, pts, false, color, 2, cv::LINE_AA);
      for (const cv::Point& p : pts)
        cv::circle(img, p, 3, color, -1, cv::LINE_AA);
    }
    cv::putText(img, "train", {x1 - 90, y0 - 10}, cv::FONT_HERSHEY_SIMPLEX, 0.4,
                train_color, 1, cv::LINE_AA);
    cv::putText(img, "val", {x1 - 35, y0 - 10}, cv::FONT_HERSHEY_SIMPLEX, 0.4,
                val_color, 1, cv::LINE_AA);
  }
  std::vector<uchar> png;
  MX_CHECK(cv::imencode(".png", img, png), "cannot encode the curves PNG");
  WriteFileAtomic(path, std::string(png.begin(), png.end()));
}

}  // namespace mx
