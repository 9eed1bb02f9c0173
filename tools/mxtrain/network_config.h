// The `network` section of an mxtrain config as a Symbol: a list of layers
// that chain by default, named inputs for DAGs, reusable blocks defined once
// and applied many times (the YAML form of symbol composition), or the path
// of an MXNet symbol JSON, or an ONNX model (graph and weights). Every problem
// is reported with its place.
#ifndef MX_TOOLS_MXTRAIN_NETWORK_CONFIG_H_
#define MX_TOOLS_MXTRAIN_NETWORK_CONFIG_H_

#include <map>
#include <string>

#include "core/ndarray/ndarray.h"
#include "core/symbol/symbol.h"
#include "tools/mxtrain/config_node.h"

namespace mx {

struct BuiltNetwork {
  Symbol symbol;  // empty when the section had errors
  // Where each op node's layer was written, by node name.
  std::map<std::string, SourceLocation> node_locs;
  std::map<std::string, std::string> node_paths;  // key paths
  // network.onnx: the model's weights and moving statistics, where training
  // starts.
  std::map<std::string, NDArray> initial_args, initial_aux;
};

// Builds `network` (found at key path `path`); relative symbol paths are
// resolved against `base_dir`. Problems are added to `diag`.
BuiltNetwork BuildNetwork(const ConfigNode& network, const std::string& path,
                          const std::string& base_dir, Diagnostics* diag);

// The keys a layer takes besides its op's parameters.
const std::vector<std::string>& LayerKeys();

}  // namespace mx

#endif  // MX_TOOLS_MXTRAIN_NETWORK_CONFIG_H_
