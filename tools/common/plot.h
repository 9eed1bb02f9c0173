// Line charts as PNG files for the tools' reports (training curves, the
// learning-rate range test, run comparisons): panels in a grid, each with
// round tick values (a linear or logarithmic axis), axis titles, a legend
// and optional vertical markers, in a font legible at 100%.
#ifndef MX_TOOLS_COMMON_PLOT_H_
#define MX_TOOLS_COMMON_PLOT_H_

#include <string>
#include <vector>

namespace mx {

struct PlotSeries {
  std::string label;         // in the legend ("" for none)
  std::vector<double> x, y;  // equal sizes; non-finite points are skipped
  int color = -1;            // an index into the palette; -1: the series' index
  bool markers = false;      // a dot at each point
};

struct PlotPanel {
  std::string title, x_title, y_title;
  bool log_x = false, log_y = false;
  bool integer_x = false;  // ticks on whole numbers only (epochs)
  std::vector<PlotSeries> series;
  std::vector<double> marks_x;  // dashed vertical lines
  std::string mark_label;       // written beside the first mark
};

// Round tick values covering [lo, hi], about `target` of them: steps of 1,
// 2 or 5 times a power of ten (whole numbers at least when `integer`).
std::vector<double> NiceTicks(double lo, double hi, int target, bool integer);

// "0.25", "1e-05", "12k": a tick label, short and exact for round values.
std::string TickLabel(double v);

// Writes the panels, `columns` to a row, as one PNG (atomically). Panels
// without any finite point are drawn empty. mx::Error naming `path` when it
// cannot be written.
void WritePlotPng(const std::string& path, const std::vector<PlotPanel>& panels,
                  int columns);

}  // namespace mx

#endif  // MX_TOOLS_COMMON_PLOT_H_
