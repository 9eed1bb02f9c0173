// The keys of an mxtrain config's plain sections (top level, checkpoint,
// logging), declared once (Note [Config keys]): each field's type, range,
// default and doc check configs, fill --print-config's defaults and make
// the key tables of docs/mxtrain.md (tools/mxtrain:keydoc).
#ifndef MX_TOOLS_MXTRAIN_RUN_KEYS_H_
#define MX_TOOLS_MXTRAIN_RUN_KEYS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/op/param.h"
#include "tools/mxtrain/config_schema.h"

namespace mx {

// The top level's own keys (the sections are TopSections()).
struct TopKeys {
  std::optional<std::string> name;  // None: the config file's stem
  int64_t epochs = 10;
  int64_t seed = 0;
  std::vector<std::string> devices;
  std::string kvstore;
  std::optional<std::string> output;  // None: runs/<name>
  std::string on_nonfinite;
  static void Declare(ParamDeclarer<TopKeys>* d);
};

struct CheckpointKeys {
  std::string prefix;
  int64_t every = 1;
  int64_t keep_last = 0;
  bool keep_best = true;
  std::optional<std::string> best_metric;  // None: the first metric
  std::string pretrained;
  std::vector<std::string> frozen;
  static void Declare(ParamDeclarer<CheckpointKeys>* d);
};

// early_stopping: present, it is on.
struct EarlyStoppingKeys {
  std::optional<std::string> metric;  // None: checkpoint.best_metric
  int64_t patience = 3;
  double min_delta = 0;
  static void Declare(ParamDeclarer<EarlyStoppingKeys>* d);
};

struct LoggingKeys {
  std::string progress;
  int64_t interval = 100;
  std::string metrics_format;
  bool curve = true;
  std::string level;
  bool rank_logs = false;
  static void Declare(ParamDeclarer<LoggingKeys>* d);
};

// data: only its two iterators.
struct DataKeys {
  static void Declare(ParamDeclarer<DataKeys>*) {}
};

// The sections of the top level, as the docs list them.
const std::vector<NestedSection>& TopSections();
// data's iterators.
const std::vector<NestedSection>& DataSections();

// The generated key tables of docs/mxtrain.md: "### Top level" etc., each
// between `<!-- keys: NAME -->` and `<!-- end keys -->` lines.
std::string ReplaceKeyTables(const std::string& markdown);

}  // namespace mx

#endif  // MX_TOOLS_MXTRAIN_RUN_KEYS_H_
