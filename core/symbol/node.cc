#include "core/symbol/node.h"

#include <unordered_set>
#include <utility>

#include "core/base/error.h"

namespace mx {

uint32_t Node::num_outputs() const {
  if (is_variable()) return 1;
  return static_cast<uint32_t>(attrs.op->ListOutputs(attrs).size());
}

// Note [Deep graphs]: the inputs this node alone owns move to a work list
// (use_count() == 1: no other owner; nodes have no weak pointers), so each
// is destroyed with no sole-owned inputs left and nothing recurses.
Node::~Node() {
  std::vector<std::shared_ptr<Node>> orphans;
  const auto take_sole_inputs = [&orphans](std::vector<NodeEntry>* inputs) {
    for (NodeEntry& e : *inputs) {
      if (e.node && e.node.use_count() == 1)
        orphans.push_back(std::move(e.node));
    }
  };
  take_sole_inputs(&inputs);
  while (!orphans.empty()) {
    std::shared_ptr<Node> node = std::move(orphans.back());
    orphans.pop_back();
    take_sole_inputs(&node->inputs);
    // `node` is destroyed here with no input left that it alone owns.
  }
}

std::shared_ptr<Node> Node::MakeVariable(const std::string& name,
                                         AttrDict dict) {
  auto node = std::make_shared<Node>();
  node->attrs.name = name;
  node->attrs.dict = std::move(dict);
  return node;
}

std::string EntryName(const NodeEntry& e) {
  const Node& n = *e.node;
  if (n.is_variable()) return n.attrs.name;
  return n.attrs.name + "_" + n.attrs.op->ListOutputs(n.attrs)[e.index];
}

void PostOrderVisit(
    const std::vector<NodeEntry>& heads,
    const std::function<void(const std::shared_ptr<Node>&)>& visit) {
  std::unordered_set<const Node*> visited;
  // (node, index of the next input to descend into)
  std::vector<std::pair<std::shared_ptr<Node>, size_t>> stack;
  for (const NodeEntry& head : heads) {
    if (!head.node || visited.count(head.node.get())) continue;
    visited.insert(head.node.get());
    stack.emplace_back(head.node, 0);
    while (!stack.empty()) {
      auto& [node, next] = stack.back();
      if (next < node->inputs.size()) {
        const std::shared_ptr<Node>& input = node->inputs[next++].node;
        MX_INTERNAL_CHECK(input != nullptr, "node ", node->attrs.name,
                          " has a null input");
        if (visited.insert(input.get()).second) stack.emplace_back(input, 0);
        continue;
      }
      std::shared_ptr<Node> done = node;
      stack.pop_back();
      visit(done);
    }
  }
}

IndexedGraph::IndexedGraph(const std::vector<NodeEntry>& heads) {
  PostOrderVisit(heads, [this](const std::shared_ptr<Node>& n) {
    node_ids[n.get()] = static_cast<uint32_t>(nodes.size());
    nodes.push_back(n);
  });
  entry_begin.push_back(0);
  for (const auto& n : nodes) {
    entry_begin.push_back(entry_begin.back() + n->num_outputs());
  }
  is_aux.assign(nodes.size(), false);
  input_entries.resize(nodes.size());
  for (size_t i = 0; i < nodes.size(); ++i) {
    const Node& n = *nodes[i];
    size_t num_args = 0;
    if (!n.is_variable()) num_args = n.attrs.op->ListArguments(n.attrs).size();
    for (size_t k = 0; k < n.inputs.size(); ++k) {
      input_entries[i].push_back(EntryId(n.inputs[k]));
      if (k >= num_args && !n.is_variable() &&
          n.inputs[k].node->is_variable()) {
        is_aux[node_ids.at(n.inputs[k].node.get())] = true;
      }
    }
  }
  for (const NodeEntry& h : heads) head_entries.push_back(EntryId(h));
}

std::vector<int> IndexedGraph::CountReaders() const {
  std::vector<int> readers(num_entries(), 0);
  for (const std::vector<uint32_t>& inputs : input_entries) {
    for (uint32_t e : inputs) ++readers[e];
  }
  for (uint32_t e : head_entries) ++readers[e];
  return readers;
}

uint32_t IndexedGraph::EntryId(const NodeEntry& e) const {
  auto it = node_ids.find(e.node.get());
  MX_INTERNAL_CHECK(it != node_ids.end(), "entry of a node outside the graph");
  MX_INTERNAL_CHECK(e.index < e.node->num_outputs(), "output ", e.index, " of ",
                    e.node->attrs.name, " out of range");
  return entry_begin[it->second] + e.index;
}

}  // namespace mx
