#include "tools/mxtrain/compare.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include "core/base/error.h"
#include "core/base/file_util.h"
#include "core/base/strings.h"
#include "core/train/metric.h"
#include "tools/common/plot.h"
#include "tools/mxtrain/config_node.h"
#include "tools/mxtrain/run_log.h"

namespace mx {
namespace {

struct Run {
  std::string folder, name, metric;
  std::string folder_name;  // the folder's last part
  bool lower_is_better = false;
  std::vector<EpochRecord> records;
};

// The values of `metric` by epoch: validation ones where the run has them.
std::vector<std::pair<double, double>> Curve(const Run& run,
                                             const std::string& metric,
                                             bool* validation) {
  std::vector<std::pair<double, double>> points;
  *validation = !run.records.empty() && !run.records[0].val.empty();
  for (const EpochRecord& r : run.records) {
    for (const auto& [name, v] : *validation ? r.val : r.train) {
      if (name == metric) points.emplace_back(r.epoch, v);
    }
  }
  return points;
}

Run ReadRun(const std::string& folder) {
  Run run;
  run.folder = folder;
  std::string trimmed = folder;
  while (trimmed.size() > 1 && trimmed.back() == '/') trimmed.pop_back();
  run.folder_name = trimmed.substr(trimmed.rfind('/') + 1);
  run.name = run.folder_name;
  for (const char* format : {"csv", "jsonl"}) {
    const std::string path = folder + "/" + MetricsFileName(format);
    if (FileExists(path)) {
      run.records = ReadMetricsFile(path, format);
      break;
    }
  }
  MX_CHECK(!run.records.empty(), "'", folder,
           "' holds no run's metrics (metrics.csv or metrics.jsonl with at "
           "least one epoch)");
  // The run's ranking metric, from its saved config (else its first).
  run.metric =
      run.records[0].train.empty() ? "" : run.records[0].train[0].first;
  const std::string config = folder + "/config.yaml";
  if (FileExists(config)) {
    const ConfigNode root = LoadYamlFile(config);
    const ConfigNode* name = root.IsMap() ? root.Find("name") : nullptr;
    if (name != nullptr && name->IsScalar()) run.name = name->text();
    const ConfigNode* checkpoint =
        root.IsMap() ? root.Find("checkpoint") : nullptr;
    const ConfigNode* best = checkpoint != nullptr && checkpoint->IsMap()
                                 ? checkpoint->Find("best_metric")
                                 : nullptr;
    if (best != nullptr && best->IsScalar()) run.metric = best->text();
  }
  try {
    // (A head's metric is named "box.mse".)
    run.lower_is_better =
        EvalMetric::Create(run.metric.substr(run.metric.rfind('.') + 1))
            ->lower_is_better();
  } catch (const Error&) {
    run.lower_is_better = false;  // a metric the registry does not know
  }
  return run;
}

}  // namespace

int CompareRuns(const std::vector<std::string>& folders,
                const std::string& png) {
  std::vector<Run> runs;
  try {
    for (const std::string& f : folders) runs.push_back(ReadRun(f));
  } catch (const Error& e) {
    std::fprintf(stderr, "mxtrain: data error: %s\n", e.what());
    return 3;
  }
  // Runs of one config share its name: the folders tell them apart.
  for (const Run& run : runs) {
    const auto same =
        std::count_if(runs.begin(), runs.end(),
                      [&](const Run& r) { return r.name == run.name; });
    if (same > 1) {
      for (Run& r : runs) r.name = r.folder_name;
      break;
    }
  }
  // A panel per metric any run reports, in the order first seen.
  std::vector<std::string> metrics;
  for (const Run& run : runs) {
    for (const auto& [name, v] : run.records[0].train) {
      if (std::find(metrics.begin(), metrics.end(), name) == metrics.end()) {
        metrics.push_back(name);
      }
    }
  }
  std::vector<PlotPanel> panels;
  for (const std::string& metric : metrics) {
    PlotPanel panel;
    panel.x_title = "epoch";
    panel.y_title = metric;
    panel.integer_x = true;
    bool any_train = false;
    for (size_t i = 0; i < runs.size(); ++i) {
      bool validation = false;
      PlotSeries s;
      s.label = runs[i].name;
      s.color = static_cast<int>(i);
      s.markers = true;
      for (const auto& [epoch, v] : Curve(runs[i], metric, &validation)) {
        s.x.push_back(epoch);
        s.y.push_back(v);
      }
      if (!validation) {
        any_train = true;
        s.label += " (train)";
      }
      panel.series.push_back(std::move(s));
    }
    panel.title = StrCat(any_train ? "" : "validation ", metric);
    panels.push_back(std::move(panel));
  }
  std::printf("%-24s %-16s %10s %6s %7s %12s %9s\n", "run", "metric", "best",
              "epoch", "epochs", "samples/s", "minutes");
  for (const Run& run : runs) {
    bool validation = false;
    const auto curve = Curve(run, run.metric, &validation);
    double best = NAN;
    int best_epoch = -1;
    for (const auto& [epoch, v] : curve) {
      if (!std::isfinite(v)) continue;
      if (best_epoch < 0 || (run.lower_is_better ? v < best : v > best)) {
        best = v;
        best_epoch = static_cast<int>(epoch);
      }
    }
    double seconds = 0, rate = 0;
    for (const EpochRecord& r : run.records) {
      seconds += r.seconds;
      rate += r.samples_per_second;
    }
    rate /= static_cast<double>(run.records.size());
    std::printf("%-24s %-16s %10.4f %6d %7d %12.0f %9.2f\n", run.name.c_str(),
                ((validation ? "val " : "train ") + run.metric).c_str(), best,
                best_epoch, run.records.back().epoch, rate, seconds / 60);
  }
  try {
    WritePlotPng(png, panels, panels.size() <= 1 ? 1 : 2);
  } catch (const Error& e) {
    std::fprintf(stderr, "mxtrain: error: %s\n", e.what());
    return 1;
  }
  std::printf("wrote %s\n", png.c_str());
  return 0;
}

}  // namespace mx
