// Graph nodes shared by symbols: an op node or a variable, and the entries
// (node, output index) that connect them. Nodes are immutable once a symbol
// is built, except through Symbol::SetAttr and composition on a copy.
#ifndef MX_CORE_SYMBOL_NODE_H_
#define MX_CORE_SYMBOL_NODE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/op/op.h"

namespace mx {

struct Node;

// One output of a node.
struct NodeEntry {
  std::shared_ptr<Node> node;
  uint32_t index = 0;
  // NNVM's variable version, kept for JSON round trips (0 in practice).
  uint32_t version = 0;
};

struct Node {
  // attrs.op is nullptr for a variable; a variable's dict holds its hidden
  // attributes (__shape__, __lr_mult__, ...) and those copied from the op
  // that created it.
  NodeAttrs attrs;
  std::vector<NodeEntry> inputs;

  Node() = default;
  Node(const Node&) = default;
  Node(Node&&) = default;
  Node& operator=(const Node&) = default;
  Node& operator=(Node&&) = default;
  // Releases the inputs only this node holds without recursing, so a chain
  // of a million nodes is destroyed in constant stack (Note [Deep graphs]).
  ~Node();

  bool is_variable() const { return attrs.op == nullptr; }
  // All outputs (hidden ones included); 1 for a variable.
  uint32_t num_outputs() const;
  // A new variable node.
  static std::shared_ptr<Node> MakeVariable(const std::string& name,
                                            AttrDict dict = {});
};

// The name of an output: "<node>_<output>" ("fc1_output") for ops, the
// node's name for variables.
std::string EntryName(const NodeEntry& e);

// Calls `visit` on every node reachable from `heads` once, inputs before the
// nodes that read them, in MXNet's depth-first post-order (heads in order,
// inputs in order). Iterative, so very deep graphs are fine.
void PostOrderVisit(
    const std::vector<NodeEntry>& heads,
    const std::function<void(const std::shared_ptr<Node>&)>& visit);

// A graph flattened for passes: nodes in post-order with integer ids, and one
// id per node output ("entry"), as in MXNet's JSON node_row_ptr.
struct IndexedGraph {
  std::vector<std::shared_ptr<Node>> nodes;
  std::unordered_map<const Node*, uint32_t> node_ids;
  // entry_begin[i] is the first entry id of node i; size nodes + 1.
  std::vector<uint32_t> entry_begin;
  // For each node, the entry id of each input.
  std::vector<std::vector<uint32_t>> input_entries;
  // Entry ids of the heads.
  std::vector<uint32_t> head_entries;
  // Per node: true for a variable bound to an auxiliary-state input.
  std::vector<bool> is_aux;

  explicit IndexedGraph(const std::vector<NodeEntry>& heads);
  uint32_t EntryId(const NodeEntry& e) const;
  uint32_t num_entries() const { return entry_begin.back(); }
  // How many times each entry is read: by node inputs and as a head.
  std::vector<int> CountReaders() const;
};

}  // namespace mx

#endif  // MX_CORE_SYMBOL_NODE_H_
