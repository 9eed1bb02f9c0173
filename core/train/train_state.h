// The training state beside a checkpoint ("<prefix>-NNNN.states"): what
// resuming needs besides the parameters so that it continues exactly as an
// uninterrupted run: optimizer states and per-parameter update counts, the
// epoch and batch position, the schedule position (num_update) and the
// random generator. Stored as an NDArray dict (our .params format), written
// atomically.
#ifndef MX_CORE_TRAIN_TRAIN_STATE_H_
#define MX_CORE_TRAIN_TRAIN_STATE_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/ndarray/ndarray.h"

namespace mx {

struct TrainState {
  int epoch = 0;      // epochs finished
  int64_t batch = 0;  // batches of epoch + 1 already trained (interrupted)
  int64_t num_update = 0;
  std::string optimizer;  // its name: resuming with another one is an error
  // RandomState of each device's generator, in the trainer's device order.
  std::vector<std::string> rng;
  std::map<std::string, int64_t> updates;  // per parameter
  std::map<std::string, std::vector<NDArray>> optimizer_states;
  // Further numbers the trainer keeps (best validation value, ...).
  std::map<std::string, double> values;
  // ParamsDigest of the .params written with this state (empty in files
  // of earlier versions): a state pairs only with those parameters.
  std::string params_digest;
};

// "<prefix>-NNNN.states", numbered like ParamsPath.
std::string StatesPath(const std::string& prefix, int epoch);

// Writes `state` to `path` atomically.
void SaveTrainState(const std::string& path, const TrainState& state);
// The file image SaveTrainState writes.
std::string SerializeTrainState(const TrainState& state);
// Reads a file written by SaveTrainState; mx::Error naming the file and the
// key for anything else.
TrainState LoadTrainState(const std::string& path);

}  // namespace mx

#endif  // MX_CORE_TRAIN_TRAIN_STATE_H_
