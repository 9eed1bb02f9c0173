// Configs made of several files: `mxtrain --config base.yaml --config
// lr.yaml` merges them in order, and a file may name the ones it extends
// (`base: other.yaml`, or a list, paths relative to the file), so a sweep
// varies one small file. Mappings merge key by key, the later file winning;
// lists and scalars are replaced whole; a key set to null is removed. Every
// value keeps its place (file:line:column), so errors and --print-sources
// name the file that wrote it.
#ifndef MX_TOOLS_MXTRAIN_CONFIG_COMPOSE_H_
#define MX_TOOLS_MXTRAIN_CONFIG_COMPOSE_H_

#include <string>
#include <vector>

#include "tools/mxtrain/config_node.h"

namespace mx {

// Files a chain of `base:` keys may pass through.
constexpr int kMaxConfigBases = 16;

// Merges `over` into `*into` (both the top level of a config, or values at
// the same key path).
void MergeConfig(ConfigNode* into, const ConfigNode& over);

// Reads `paths` in order, each with the files its `base:` key names merged
// under it first (the key itself removed). ConfigError at the `base:` key
// for a file that extends itself (a cycle), a chain deeper than
// kMaxConfigBases, or a value that is not a path or a list of paths;
// mx::Error naming the file for an unreadable one.
ConfigNode LoadComposedConfig(const std::vector<std::string>& paths);

}  // namespace mx

#endif  // MX_TOOLS_MXTRAIN_CONFIG_COMPOSE_H_
