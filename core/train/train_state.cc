#include "core/train/train_state.h"

#include <cstdlib>
#include <limits>

#include "core/base/error.h"
#include "core/base/file_util.h"
#include "core/base/strings.h"
#include "core/ndarray/ndarray_io.h"
#include "core/train/checkpoint.h"

namespace mx {
namespace {

constexpr char kMeta[] = "meta:";
constexpr char kUpdates[] = "updates:";
constexpr char kState[] = "state:";
constexpr char kValue[] = "value:";
// Checkpoint names have at most 9 digits of epoch (CheckpointEpochs).
constexpr int64_t kMaxStateEpoch = 999999999;

NDArray TextArray(const std::string& text) {
  std::vector<uint8_t> bytes(text.begin(), text.end());
  return NDArray::FromVector(bytes,
                             Shape({static_cast<int64_t>(bytes.size())}));
}

NDArray Int64Array(int64_t v) {
  return NDArray::FromVector(std::vector<int64_t>{v}, Shape({1}));
}

}  // namespace

std::string StatesPath(const std::string& prefix, int epoch) {
  std::string path = ParamsPath(prefix, epoch);
  return path.substr(0, path.size() - 6) + "states";
}

void SaveTrainState(const std::string& path, const TrainState& s) {
  WriteFileAtomic(path, SerializeTrainState(s));
}

std::string SerializeTrainState(const TrainState& s) {
  std::map<std::string, NDArray> all;
  all[StrCat(kMeta, "format")] = TextArray("mx-train-state-1");
  all[StrCat(kMeta, "epoch")] = Int64Array(s.epoch);
  all[StrCat(kMeta, "batch")] = Int64Array(s.batch);
  all[StrCat(kMeta, "num_update")] = Int64Array(s.num_update);
  all[StrCat(kMeta, "optimizer")] = TextArray(s.optimizer);
  if (!s.params_digest.empty()) {
    all[StrCat(kMeta, "params_digest")] = TextArray(s.params_digest);
  }
  for (size_t d = 0; d < s.rng.size(); ++d) {
    all[StrCat(kMeta, "rng:", d)] = TextArray(s.rng[d]);
  }
  for (const auto& [name, n] : s.updates) all[kUpdates + name] = Int64Array(n);
  for (const auto& [name, states] : s.optimizer_states) {
    for (size_t k = 0; k < states.size(); ++k) {
      all[StrCat(kState, name, ":", k)] = states[k];
    }
  }
  for (const auto& [name, v] : s.values) {
    all[kValue + name] =
        NDArray::FromVector(std::vector<double>{v}, Shape({1}));
  }
  return SerializeNDArrayMap(all);
}

TrainState LoadTrainState(const std::string& path) {
  const std::map<std::string, NDArray> all = LoadNDArrayMap(path);
  const auto get = [&](const std::string& key, DType dtype) -> const NDArray& {
    const auto it = all.find(kMeta + key);
    MX_CHECK(it != all.end(), "'", path,
             "' is not a training-state file: no key 'meta:", key, "'");
    MX_CHECK(it->second.dtype() == dtype, "'", path, "': key 'meta:", key,
             "' is ", it->second.dtype(), ", expected ", dtype);
    return it->second;
  };
  const auto text = [&](const std::string& key) {
    const std::vector<uint8_t> bytes =
        get(key, DType::kUint8).ToVector<uint8_t>();
    return std::string(bytes.begin(), bytes.end());
  };
  const auto scalar = [&](const std::string& key) {
    const NDArray& a = get(key, DType::kInt64);
    MX_CHECK(a.Size() == 1, "'", path, "': key 'meta:", key,
             "' must hold one number, has ", a.shape());
    return a.ToVector<int64_t>()[0];
  };
  MX_CHECK(text("format") == "mx-train-state-1", "'", path,
           "': unknown training-state format '", text("format"),
           "' (expected mx-train-state-1)");
  // Positions and counts are checked before anything uses them: a negative
  // epoch would train epochs -4..4, a huge one wrap or loop for ages.
  const auto count = [&](const std::string& key, int64_t max) {
    const int64_t v = scalar(key);
    MX_CHECK(v >= 0 && v <= max, "'", path, "': key 'meta:", key, "' is ", v,
             ", expected 0 to ", max, " (a corrupt training state)");
    return v;
  };
  TrainState s;
  s.epoch = static_cast<int>(count("epoch", kMaxStateEpoch));
  s.batch = count("batch", std::numeric_limits<int64_t>::max());
  s.num_update = count("num_update", std::numeric_limits<int64_t>::max());
  s.optimizer = text("optimizer");
  if (all.count(StrCat(kMeta, "params_digest"))) {
    s.params_digest = text("params_digest");
  }
  for (size_t d = 0; all.count(StrCat(kMeta, "rng:", d)); ++d) {
    s.rng.push_back(text(StrCat("rng:", d)));
  }
  for (const auto& [key, a] : all) {
    if (StartsWith(key, kMeta)) continue;
    if (StartsWith(key, kUpdates)) {
      MX_CHECK(a.dtype() == DType::kInt64 && a.Size() == 1, "'", path,
               "': key '", key, "' must hold one int64");
      const int64_t updates = a.ToVector<int64_t>()[0];
      MX_CHECK(updates >= 0, "'", path, "': key '", key, "' is ", updates,
               ", expected a count (>= 0)");
      s.updates[key.substr(sizeof kUpdates - 1)] = updates;
    } else if (StartsWith(key, kState)) {
      const std::string rest = key.substr(sizeof kState - 1);
      const size_t colon = rest.rfind(':');
      char* end = nullptr;
      const long k = colon == std::string::npos
                         ? -1
                         : std::strtol(rest.c_str() + colon + 1, &end, 10);
      MX_CHECK(k >= 0 && end != nullptr && *end == '\0', "'", path, "': key '",
               key, "' is not state:<parameter>:<index>");
      // Indexes count the file's arrays: no more states than keys.
      MX_CHECK(k < static_cast<long>(all.size()), "'", path, "': key '", key,
               "' has index ", k, " but the file holds ", all.size(),
               " arrays");
      std::vector<NDArray>& states = s.optimizer_states[rest.substr(0, colon)];
      if (states.size() <= static_cast<size_t>(k)) states.resize(k + 1);
      states[k] = a;
    } else if (StartsWith(key, kValue)) {
      MX_CHECK(a.dtype() == DType::kFloat64 && a.Size() == 1, "'", path,
               "': key '", key, "' must hold one float64");
      s.values[key.substr(sizeof kValue - 1)] = a.ToVector<double>()[0];
    } else {
      MX_THROW("'", path, "': unexpected key '", key,
               "' in a training-state file");
    }
  }
  for (const auto& [name, states] : s.optimizer_states) {
    for (size_t k = 0; k < states.size(); ++k) {
      MX_CHECK(!states[k].is_none(), "'", path, "': optimizer state ", k,
               " of '", name, "' is missing");
    }
  }
  return s;
}

}  // namespace mx
