#include "fit/early_stopping.h"

#include <cmath>
#include <cstdio>

#include "core/base/error.h"
#include "core/base/strings.h"

namespace mx {

void EarlyStopping::Observe(
    int epoch, const std::vector<std::pair<std::string, double>>& values) {
  for (const auto& [name, v] : values) {
    if (name == policy_.metric && std::isnan(v)) return;
  }
  best_.Observe(epoch, values);
}

bool EarlyStopping::ShouldStop(int epoch) const {
  return policy_.enabled && best_.epoch() >= 0 &&
         epoch - best_.epoch() >= policy_.patience;
}

std::string EarlyStopping::Reason(int epoch, const std::string& where) const {
  char delta[32], best[32];
  std::snprintf(delta, sizeof delta, "%g", policy_.min_delta);
  std::snprintf(best, sizeof best, "%.4f", best_.value());
  const int epochs = epoch - best_.epoch();
  return StrCat(where, " ", policy_.metric, " has not improved",
                policy_.min_delta > 0 ? StrCat(" by more than ", delta) : "",
                " for ", epochs, " epoch", epochs == 1 ? "" : "s", " (best ",
                best, " at epoch ", best_.epoch(), "; patience ",
                policy_.patience, ")");
}

}  // namespace mx
