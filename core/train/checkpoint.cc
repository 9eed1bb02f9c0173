#include "core/train/checkpoint.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/base/error.h"
#include "core/base/file_util.h"
#include "core/base/strings.h"
#include "core/ndarray/finite.h"
#include "core/ndarray/ndarray_io.h"

namespace mx {

std::string ParamsPath(const std::string& prefix, int epoch) {
  char number[32];
  std::snprintf(number, sizeof number, "%04d", epoch);
  return prefix + "-" + number + ".params";
}

std::string SymbolPath(const std::string& prefix) {
  return prefix + "-symbol.json";
}

std::vector<int> CheckpointEpochs(const std::string& prefix,
                                  const std::string& ext) {
  const size_t slash = prefix.rfind('/');
  const std::string dir =
      slash == std::string::npos ? "." : prefix.substr(0, slash);
  const std::string base =
      (slash == std::string::npos ? prefix : prefix.substr(slash + 1)) + "-";
  std::vector<int> epochs;
  for (const std::string& name : ListFolder(dir)) {
    // NNNN: at least 4 digits (ParamsPath), at most 9 (an int).
    if (name.size() < base.size() + 5 + ext.size() ||
        name.size() > base.size() + 10 + ext.size() ||
        !StartsWith(name, base) || !EndsWith(name, "." + ext)) {
      continue;
    }
    const std::string digits =
        name.substr(base.size(), name.size() - base.size() - 1 - ext.size());
    if (digits.find_first_not_of("0123456789") != std::string::npos) continue;
    epochs.push_back(std::stoi(digits));
  }
  std::sort(epochs.begin(), epochs.end());
  return epochs;
}

void SaveCheckpoint(const std::string& prefix, int epoch, const Symbol& symbol,
                    const NamedParams& args, const NamedParams& aux) {
  symbol.Save(SymbolPath(prefix));
  WriteFileAtomic(ParamsPath(prefix, epoch), SerializeParams(args, aux));
}

std::string SerializeParams(const NamedParams& args, const NamedParams& aux) {
  std::map<std::string, NDArray> all;
  for (const auto& [name, a] : args) all["arg:" + name] = a;
  for (const auto& [name, a] : aux) all["aux:" + name] = a;
  return SerializeNDArrayMap(all);
}

void LoadParams(const std::string& path, NamedParams* args, NamedParams* aux) {
  SplitParams(LoadNDArrayMap(path), path, args, aux);
}

void SplitParams(const std::map<std::string, NDArray>& all,
                 const std::string& source, NamedParams* args,
                 NamedParams* aux) {
  for (const auto& [key, a] : all) {
    const bool arg = StartsWith(key, "arg:");
    MX_CHECK(arg || StartsWith(key, "aux:"), "'", source, "': key '", key,
             "' has neither the arg: nor the aux: prefix of a checkpoint");
    const int64_t bad = FirstNonFinite(a);
    if (bad >= 0) {
      MX_THROW("'", source, "': '", key, "' holds ",
               std::isnan(a.AsType(DType::kFloat64).ToVector<double>()[bad])
                   ? "NaN"
                   : "an infinite value",
               " (element ", bad, " of ", a.shape(),
               "): the checkpoint is damaged or was saved from a diverged run");
    }
    ((arg ? *args : *aux))[key.substr(4)] = a;
  }
}

Checkpoint LoadCheckpoint(const std::string& prefix, int epoch) {
  Checkpoint c{Symbol::Load(SymbolPath(prefix)), {}, {}};
  LoadParams(ParamsPath(prefix, epoch), &c.args, &c.aux);
  return c;
}

}  // namespace mx
