// `mxtrain compare runs/a runs/b ...`: the runs of a sweep side by side:
// their validation curves (training ones where a run has none) in one PNG,
// a panel per metric, and a table of each run's best value of its ranking
// metric, the epoch it came at, the epochs trained and the throughput.
#ifndef MX_TOOLS_MXTRAIN_COMPARE_H_
#define MX_TOOLS_MXTRAIN_COMPARE_H_

#include <string>
#include <vector>

namespace mx {

// Reads each run folder's metrics file (metrics.csv or metrics.jsonl) and
// config.yaml (its name and checkpoint.best_metric), prints the table and
// writes the curves to `png`. Returns the exit code: 0, or 3 (a data error,
// printed) for a folder that holds no run's metrics.
int CompareRuns(const std::vector<std::string>& folders,
                const std::string& png);

}  // namespace mx

#endif  // MX_TOOLS_MXTRAIN_COMPARE_H_
