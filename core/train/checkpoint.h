// Checkpoints in MXNet's layout: "<prefix>-symbol.json" and
// "<prefix>-NNNN.params" whose keys are "arg:<name>" and "aux:<name>", so
// models move between mx and MXNet (mx.model.load_checkpoint). Both files
// are written atomically.
#ifndef MX_CORE_TRAIN_CHECKPOINT_H_
#define MX_CORE_TRAIN_CHECKPOINT_H_

#include <map>
#include <string>
#include <vector>

#include "core/ndarray/ndarray.h"
#include "core/symbol/symbol.h"

namespace mx {

using NamedParams = std::map<std::string, NDArray>;

struct Checkpoint {
  Symbol symbol;
  NamedParams args;  // arguments (weights, biases, ...)
  NamedParams aux;   // auxiliary states (moving statistics)
};

// "<prefix>-NNNN.params" (epoch printed with at least 4 digits).
std::string ParamsPath(const std::string& prefix, int epoch);
std::string SymbolPath(const std::string& prefix);
// The epochs N with a file "<prefix>-NNNN.<ext>" ("params", "states") in the
// prefix's folder, ascending; empty when there are none.
std::vector<int> CheckpointEpochs(const std::string& prefix,
                                  const std::string& ext);

// The .params file image of `args` and `aux` ("arg:" / "aux:" keys).
std::string SerializeParams(const NamedParams& args, const NamedParams& aux);
// Writes the symbol and the parameters of `epoch`.
void SaveCheckpoint(const std::string& prefix, int epoch, const Symbol& symbol,
                    const NamedParams& args, const NamedParams& aux);
// Reads them back; mx::Error naming the file for a missing file or a key
// without the arg: / aux: prefix.
Checkpoint LoadCheckpoint(const std::string& prefix, int epoch);
// Only the parameters of a .params file, split by prefix (SplitParams).
void LoadParams(const std::string& path, NamedParams* args, NamedParams* aux);
// Splits a checkpoint's arrays by their "arg:" / "aux:" prefix. mx::Error
// naming `source` for another key, or for a NaN or infinite value (a layer
// such as ReLU would hide it from the training's step checks).
void SplitParams(const std::map<std::string, NDArray>& all,
                 const std::string& source, NamedParams* args,
                 NamedParams* aux);

}  // namespace mx

#endif  // MX_CORE_TRAIN_CHECKPOINT_H_
