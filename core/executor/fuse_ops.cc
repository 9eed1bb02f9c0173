#include "core/executor/fuse_ops.h"

#include <memory>
#include <string>
#include <vector>

#include "core/base/env.h"
#include "core/base/error.h"
#include "core/op/kernel.h"
#include "core/symbol/node.h"

namespace mx {

bool FusionEnabled() { return EnvInt("MX_FUSION", 1, 0, 1) == 1; }

namespace {

// The fusion op `first` declares with op `next` that `device` has kernels
// for, or nullptr.
const OpFusion* FindFusion(const Node& first, const Node& next,
                           DeviceType device) {
  for (const OpFusion& f : first.attrs.op->fusions()) {
    if (f.next != next.attrs.op->name()) continue;
    if (KernelRegistry::Global().Variants(f.fused, device).empty()) continue;
    if (f.accepts(first.attrs, next.attrs)) return &f;
  }
  return nullptr;
}

}  // namespace

Symbol FuseOps(const Symbol& symbol, DeviceType device, int* count) {
  const IndexedGraph g(symbol.outputs());
  const size_t n = g.nodes.size();
  const std::vector<int> readers = g.CountReaders();

  // Pairs: absorbed[first] = true and fusion[next] = the rule.
  std::vector<bool> absorbed(n, false), fuses(n, false);
  std::vector<const OpFusion*> fusion(n, nullptr);
  std::vector<uint32_t> first_of(n, 0);
  for (size_t j = 0; j < n; ++j) {
    const Node& next = *g.nodes[j];
    if (next.is_variable() || g.input_entries[j].empty() ||
        next.num_outputs() != 1) {
      continue;
    }
    const uint32_t e = g.input_entries[j][0];
    const uint32_t p = g.node_ids.at(next.inputs[0].node.get());
    const Node& first = *g.nodes[p];
    if (first.is_variable() || e != g.entry_begin[p] || readers[e] != 1 ||
        fuses[p] || absorbed[p]) {
      continue;
    }
    bool others_read = false;
    for (uint32_t o = g.entry_begin[p] + 1; o < g.entry_begin[p + 1]; ++o) {
      others_read |= readers[o] > 0;
    }
    if (others_read) continue;
    fusion[j] = FindFusion(first, next, device);
    if (fusion[j] == nullptr) continue;
    absorbed[p] = true;
    fuses[j] = true;
    first_of[j] = p;
  }

  // The new graph: node i's outputs become out[i].
  std::vector<std::vector<NodeEntry>> out(n);
  const auto remap = [&](const NodeEntry& e) {
    return out[g.node_ids.at(e.node.get())][e.index];
  };
  int fused = 0;
  for (size_t i = 0; i < n; ++i) {
    const std::shared_ptr<Node>& node = g.nodes[i];
    if (node->is_variable()) {
      out[i] = {NodeEntry{node, 0, 0}};
      continue;
    }
    if (absorbed[i]) continue;  // nothing but its pair reads it
    auto copy = std::make_shared<Node>();
    if (fuses[i]) {
      const Node& first = *g.nodes[first_of[i]];
      copy->attrs = MakeNodeAttrs(OpRegistry::Global().Get(fusion[i]->fused),
                                  first.attrs.name + "+" + node->attrs.name,
                                  first.attrs.dict);
      for (const NodeEntry& e : first.inputs) copy->inputs.push_back(remap(e));
      for (size_t k = 1; k < node->inputs.size(); ++k) {
        copy->inputs.push_back(remap(node->inputs[k]));
      }
      ++fused;
    } else {
      copy->attrs = node->attrs;
      for (const NodeEntry& e : node->inputs) copy->inputs.push_back(remap(e));
    }
    for (uint32_t k = 0; k < node->num_outputs(); ++k) {
      out[i].push_back(NodeEntry{copy, k, 0});
    }
  }
  if (count != nullptr) *count = fused;
  if (fused == 0) return symbol;
  std::vector<NodeEntry> heads;
  for (const NodeEntry& h : symbol.outputs()) heads.push_back(remap(h));
  return Symbol(heads);
}

ExecGraph BuildFusedExecGraph(const Symbol& symbol, Context ctx,
                              const std::map<std::string, PartialShape>& shapes,
                              const std::map<std::string, DType>& types,
                              const std::vector<GradReq>& grad_req,
                              int* count) {
  int fused_pairs = 0;
  const Symbol fused =
      FusionEnabled() ? FuseOps(symbol, ctx.dev_type, &fused_pairs) : symbol;
  if (count != nullptr) *count = fused_pairs;
  if (fused_pairs == 0) {
    return BuildExecGraph(symbol, ctx, shapes, types, grad_req);
  }
  try {
    return BuildExecGraph(fused, ctx, shapes, types, grad_req);
  } catch (const InternalError&) {
    throw;
  } catch (const Error& fused_error) {
    // The user's graph fails the same way; its error names their nodes.
    BuildExecGraph(symbol, ctx, shapes, types, grad_req);
    MX_INTERNAL_CHECK(false,
                      "the fused graph fails where the unfused one "
                      "builds: ",
                      fused_error.what());
  }
}

}  // namespace mx
