#include "tools/mxtrain/run_log.h"

#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include "core/base/error.h"
#include "core/base/file_util.h"
#include "core/base/json.h"
#include "core/base/strings.h"
#include "tools/common/plot.h"

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
  std::vector<PlotPanel> panels;
  std::vector<double> epochs;
  for (const EpochRecord& r : records) epochs.push_back(r.epoch);
  for (size_t m = 0; m < records[0].train.size(); ++m) {
    const std::string& metric = records[0].train[m].first;
    PlotPanel panel;
    panel.title = metric;
    panel.x_title = "epoch";
    panel.y_title = metric;
    panel.integer_x = true;
    for (const bool val : {false, true}) {
      PlotSeries s;
      s.label = val ? "validation" : "train";
      s.color = val ? 1 : 0;
      s.markers = true;
      for (const EpochRecord& r : records) {
        const auto& part = val ? r.val : r.train;
        double v = NAN;
        for (const auto& [name, value] : part) {
          if (name == metric) v = value;
        }
        s.x.push_back(r.epoch);
        s.y.push_back(v);
      }
      if (std::any_of(s.y.begin(), s.y.end(),
                      [](double v) { return std::isfinite(v); })) {
        panel.series.push_back(std::move(s));
      }
    }
    panels.push_back(std::move(panel));
  }
  PlotPanel lr;
  lr.title = "learning rate (at the epoch's end)";
  lr.x_title = "epoch";
  lr.y_title = "learning rate";
  lr.integer_x = true;
  PlotSeries s;
  s.x = epochs;
  s.color = 2;
  s.markers = true;
  double lo = INFINITY, hi = 0;
  for (const EpochRecord& r : records) {
    s.y.push_back(r.learning_rate);
    if (r.learning_rate > 0) {
      lo = std::min(lo, r.learning_rate);
      hi = std::max(hi, r.learning_rate);
    }
  }
  // A schedule spanning decades reads best on a log axis.
  lr.log_y = hi > 0 && hi / lo >= 20;
  lr.series.push_back(std::move(s));
  panels.push_back(std::move(lr));
  WritePlotPng(path, panels, panels.size() <= 4 ? 2 : 3);
}

}  // namespace mx
