// The per-epoch record of a run: the metrics file in the run folder (CSV or
// JSON lines, rewritten atomically after every epoch and read back on
// --resume) and the training-curve PNG (a panel per metric, train and
// validation per epoch, and the learning rate).
#ifndef MX_TOOLS_MXTRAIN_RUN_LOG_H_
#define MX_TOOLS_MXTRAIN_RUN_LOG_H_

#include <string>
#include <utility>
#include <vector>

namespace mx {

struct EpochRecord {
  int epoch = 0;
  double learning_rate = 0;
  double seconds = 0;
  double samples_per_second = 0;
  std::vector<std::pair<std::string, double>> train, val;
};

// "csv" or "jsonl"; the file name is metrics.<format>.
std::string MetricsFileName(const std::string& format);
void WriteMetricsFile(const std::string& path, const std::string& format,
                      const std::vector<EpochRecord>& records);
// The records of a file WriteMetricsFile wrote (empty when it is missing);
// mx::Error naming the file and line when it is malformed.
std::vector<EpochRecord> ReadMetricsFile(const std::string& path,
                                         const std::string& format);
// Writes the curves PNG atomically (nothing when there are no records): a
// panel per metric (train and validation by epoch) and one of the learning
// rate.
void DrawTrainingCurves(const std::string& path,
                        const std::vector<EpochRecord>& records);

}  // namespace mx

#endif  // MX_TOOLS_MXTRAIN_RUN_LOG_H_
