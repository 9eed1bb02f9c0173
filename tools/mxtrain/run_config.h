// An mxtrain run as its config file describes it (docs/mxtrain.md lists
// every key): validated in full before any work starts, every problem
// reported at once with file:line:column and key path, defaults filled in
// for --print-config and the run folder's copy.
#ifndef MX_TOOLS_MXTRAIN_RUN_CONFIG_H_
#define MX_TOOLS_MXTRAIN_RUN_CONFIG_H_

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/base/context.h"
#include "core/op/param.h"
#include "core/symbol/symbol.h"
#include "fit/checkpoint_policy.h"
#include "fit/early_stopping.h"
#include "fit/trainer.h"
#include "io/label_columns.h"
#include "tools/mxtrain/config_node.h"
#include "tools/mxtrain/network_config.h"
#include "tools/mxtrain/run_keys.h"

namespace mx {

// data.train / data.val: an iterator by MXNet name with its parameters
// (paths already resolved against the config's folder).
struct IterConfig {
  bool present = false;
  std::string type;
  AttrDict params;
  SourceLocation loc;
  std::string path;  // "data.train"
};

// The checkpoint section: the policy (its prefix as written: a name in the
// run folder, or a URI; CheckpointPrefix gives the path) and where training
// starts from.
struct CheckpointConfig : CheckpointPolicy {
  std::string pretrained;  // .params to start from
  std::vector<std::string> frozen;
};

struct RunConfig {
  std::string file;  // the config file
  std::string name;
  int64_t epochs = 10;
  uint64_t seed = 0;
  std::vector<Context> devices;
  std::string kvstore = "local";  // local | device | dist_sync | ...
  std::string output;             // the run folder
  IterConfig train, val;
  std::vector<std::string> classes;  // data.classes: the class names
  // data.labels: the network's labels as columns of the iterators' label
  // (empty: the iterator's label as it is, named softmax_label).
  std::vector<io::LabelColumns> labels;
  std::vector<LossHead> heads;  // the network's outputs and their labels
  BuiltNetwork network;
  TrainerOptions trainer;  // optimizer, schedule, initializer, metrics, ...
  CheckpointConfig checkpoint;
  EarlyStoppingPolicy early_stopping;  // enabled by an early_stopping section
  LoggingKeys logging;                 // as declared (tools/mxtrain/run_keys.h)
  ConfigNode resolved;  // the config with defaults, for --print-config
  ConfigNode written;   // as the files and --set flags wrote it
};

// Reads, overrides (--set key.path=value, in order) and validates the config
// at `path`. ConfigError listing every problem; mx::Error for an unreadable
// file.
RunConfig LoadRunConfig(const std::string& path,
                        const std::vector<std::string>& overrides);
// The same for the configs at `paths` merged in order, each over the files
// its `base:` key names (tools/mxtrain/config_compose.h); the last one names
// the run by default.
RunConfig LoadRunConfig(const std::vector<std::string>& paths,
                        const std::vector<std::string>& overrides);
// The same for a config already parsed from the file at `path` (relative
// paths in it are the folder's of the file that wrote them).
RunConfig ResolveRunConfig(ConfigNode root, const std::string& path,
                           const std::vector<std::string>& overrides);

// Where checkpoints go: "<output>/<checkpoint.prefix>", or the prefix itself
// when it is a URI (s3://bucket/runs/net/model).
std::string CheckpointPrefix(const RunConfig& config);

// Checks that `config.output` exists or can be created and is writable
// (ConfigError at the `output` key otherwise).
void CheckOutputFolder(const RunConfig& config);

// Infers every shape of the network for the given input shapes; a failure
// is a ConfigError at the layer the message names.
void CheckNetworkShapes(const RunConfig& config,
                        const std::map<std::string, Shape>& input_shapes);

// Where a key path's value was written in `config.resolved` (the file when
// the key was not written).
SourceLocation LocationOf(const RunConfig& config, const std::string& path);

// Makes the training and validation iterators read part `part` of `parts`
// (num_parts / part_index), for the process of rank `part` in dist_sync
// training. Config diagnostics when an iterator sets those itself or cannot
// be split.
void ShardData(RunConfig* config, int part, int parts);

}  // namespace mx

#endif  // MX_TOOLS_MXTRAIN_RUN_CONFIG_H_
