#include "core/train/checkpoint.h"

#include <cstdio>

#include "core/base/error.h"
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

void SaveCheckpoint(const std::string& prefix, int epoch, const Symbol& symbol,
                    const NamedParams& args, const NamedParams& aux) {
  symbol.Save(SymbolPath(prefix));
  std::map<std::string, NDArray> all;
  for (const auto& [name, a] : args) all["arg:" + name] = a;
  for (const auto& [name, a] : aux) all["aux:" + name] = a;
  SaveNDArrayMap(ParamsPath(prefix, epoch), all);
}

void LoadParams(const std::string& path, NamedParams* args, NamedParams* aux) {
  for (const auto& [key, a] : LoadNDArrayMap(path)) {
    if (key.rfind("arg:", 0) == 0) {
      (*args)[key.substr(4)] = a;
    } else if (key.rfind("aux:", 0) == 0) {
      (*aux)[key.substr(4)] = a;
    } else {
      MX_THROW("'", path, "': key '", key,
               "' has neither the arg: nor the aux: prefix of a checkpoint");
    }
  }
}

Checkpoint LoadCheckpoint(const std::string& prefix, int epoch) {
  Checkpoint c{Symbol::Load(SymbolPath(prefix)), {}, {}};
  LoadParams(ParamsPath(prefix, epoch), &c.args, &c.aux);
  return c;
}

}  // namespace mx
