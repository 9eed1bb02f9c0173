// A training checkpoint is one unit (Note [Checkpoint unit]):
// "<prefix>-NNNN.params" and "<prefix>-NNNN.states" are published together,
// and a state is used only with the parameters it was written with.
#ifndef MX_CORE_TRAIN_TRAINING_CHECKPOINT_H_
#define MX_CORE_TRAIN_TRAINING_CHECKPOINT_H_

#include <string>
#include <string_view>
#include <vector>

#include "core/symbol/symbol.h"
#include "core/train/checkpoint.h"
#include "core/train/train_state.h"

namespace mx {

// "<prefix>-NNNN.commit": the record that makes a local save final.
std::string CommitPath(const std::string& prefix, int epoch);

// The digest a state records of its .params file image (CRC-32 and size).
std::string ParamsDigest(std::string_view params_bytes);

// Writes the symbol, the parameters and `state` of `epoch`. Local files:
// both go to temp files, then a commit record, then both are renamed, so a
// killed process leaves the old pair or (after RecoverCheckpoints) the new
// one. Other file systems: .params, then .states; a torn pair is then found
// by LoadTrainingCheckpoint. `state.params_digest` is set here.
void SaveTrainingCheckpoint(const std::string& prefix, int epoch,
                            const Symbol& symbol, const NamedParams& args,
                            const NamedParams& aux, TrainState state);

// Reads the pair of `epoch`; mx::Error naming both files when the state was
// written with other parameters (a torn or mixed checkpoint).
void LoadTrainingCheckpoint(const std::string& prefix, int epoch,
                            NamedParams* args, NamedParams* aux,
                            TrainState* state);

// Why the pair of `epoch` does not belong together ("" when it does, or
// when its state predates digests). Reads both files; mx::Error for an
// unreadable one.
std::string TornCheckpoint(const std::string& prefix, int epoch);

// What RecoverCheckpoints did.
struct CheckpointRecovery {
  std::vector<int> completed;        // epochs whose committed save it finished
  std::vector<std::string> removed;  // stale temp files it deleted
};

// Run by the prefix's only writer before it writes: finishes the saves a
// killed process had committed but not published, and deletes the temp
// files ("<name>.tmp.XXXXXX") that killed writers left of the prefix's
// files. mx::Error naming the record for a commit record it cannot apply.
CheckpointRecovery RecoverCheckpoints(const std::string& prefix);

}  // namespace mx

#endif  // MX_CORE_TRAIN_TRAINING_CHECKPOINT_H_
