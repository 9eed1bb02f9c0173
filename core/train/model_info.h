// What a trained model's input and output mean, saved beside its
// checkpoints as "<prefix>-meta.json" so that inference needs no flags
// repeated by hand: one sample's data shape and the pixel scale training
// used, the task (classification or regression) and the class names.
#ifndef MX_CORE_TRAIN_MODEL_INFO_H_
#define MX_CORE_TRAIN_MODEL_INFO_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/symbol/symbol.h"

namespace mx {

struct ModelInfo {
  std::vector<int64_t> sample_shape;  // the data's shape without the batch
  double scale = 0;                   // inputs were multiplied by it (0: ?)
  std::string task;                   // "classification", "regression", ""
  std::vector<std::string> classes;   // names of the output classes
};

// "<prefix>-meta.json" (prefix: a path or URI, as checkpoints').
std::string ModelInfoPath(const std::string& prefix);
// Writes the file atomically.
void SaveModelInfo(const std::string& prefix, const ModelInfo& info);
// The saved info, or nothing when there is no file. mx::Error naming the
// file and the member when it is malformed (every size checked).
std::optional<ModelInfo> LoadModelInfo(const std::string& prefix);

// The task of a network's first output (TaskOfOutput, loss_heads.h).
std::string TaskOfHead(const Symbol& net);

// Class names from a text file: one per line, blank lines and surrounding
// blanks ignored. mx::Error naming the file when it holds none or repeats
// one (naming the lines).
std::vector<std::string> ReadClassNames(const std::string& path);

}  // namespace mx

#endif  // MX_CORE_TRAIN_MODEL_INFO_H_
