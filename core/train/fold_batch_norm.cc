#include "core/train/fold_batch_norm.h"

#include <cmath>
#include <string>
#include <vector>

#include "core/base/error.h"
#include "core/symbol/node.h"

namespace mx {
namespace {

// A field of `n`'s parameters as MXNet prints it, defaults included.
std::string Param(const Node& n, const std::string& key) {
  const AttrDict all = n.attrs.op->schema().Print(n.attrs.parsed);
  const auto it = all.find(key);
  MX_INTERNAL_CHECK(it != all.end(), n.attrs.Where(), " has no parameter ",
                    key);
  return it->second;
}

bool True(const std::string& v) { return v == "True" || v == "1"; }

bool IsOp(const Node& n, const char* op) {
  return !n.is_variable() && n.attrs.op->name() == op;
}

// The float32 array of a variable input in `params`, or nullptr.
const NDArray* Value(const NodeEntry& e, const NamedParams& params) {
  if (!e.node->is_variable()) return nullptr;
  const auto it = params.find(e.node->attrs.name);
  if (it == params.end() || it->second.dtype() != DType::kFloat32) {
    return nullptr;
  }
  return &it->second;
}

}  // namespace

int FoldBatchNorm(Checkpoint* model) {
  const IndexedGraph g(model->symbol.outputs());
  const size_t n = g.nodes.size();
  const std::vector<int> readers = g.CountReaders();
  // Whether only output 0 of node i is read (a BatchNorm's mean and
  // variance outputs are hidden, but a graph may read them).
  const auto only_first_read = [&](size_t i) {
    for (uint32_t e = g.entry_begin[i] + 1; e < g.entry_begin[i + 1]; ++e) {
      if (readers[e] > 0) return false;
    }
    return true;
  };

  // The new graph: node i's outputs become out[i].
  std::vector<std::vector<NodeEntry>> out(n);
  const auto remap = [&](const NodeEntry& e) {
    return out[g.node_ids.at(e.node.get())][e.index];
  };
  int folded = 0;
  for (size_t i = 0; i < n; ++i) {
    const std::shared_ptr<Node>& node = g.nodes[i];
    if (node->is_variable()) {
      out[i] = {NodeEntry{node, 0, 0}};
      continue;
    }
    // BatchNorm inputs: data, gamma, beta, moving_mean, moving_var.
    if (IsOp(*node, "BatchNorm") && node->inputs.size() == 5 &&
        IsOp(*node->inputs[0].node, "Convolution") &&
        readers[g.EntryId(node->inputs[0])] == 1 && only_first_read(i) &&
        std::stoll(Param(*node, "axis")) == 1) {
      const Node& conv = *node->inputs[0].node;
      const bool had_bias = !True(Param(conv, "no_bias"));
      const std::string layout = Param(conv, "layout");
      const NDArray* w = Value(conv.inputs[1], model->args);
      const NDArray* b =
          had_bias ? Value(conv.inputs[2], model->args) : nullptr;
      const NDArray* gamma = Value(node->inputs[1], model->args);
      const NDArray* beta = Value(node->inputs[2], model->args);
      const NDArray* mean = Value(node->inputs[3], model->aux);
      const NDArray* var = Value(node->inputs[4], model->aux);
      const bool weights_alone =
          readers[g.EntryId(conv.inputs[1])] == 1 &&
          (!had_bias || readers[g.EntryId(conv.inputs[2])] == 1);
      if ((layout == "None" || layout == "NCHW" || layout == "NCW") && w &&
          (b || !had_bias) && gamma && beta && mean && var && weights_alone) {
        const bool fix_gamma = True(Param(*node, "fix_gamma"));
        const double eps = std::stod(Param(*node, "eps"));
        const int64_t filters = w->shape()[0];
        const int64_t per_filter = w->shape().Size() / filters;
        std::vector<float> wv = w->ToVector<float>();
        std::vector<float> bv =
            b ? b->ToVector<float>() : std::vector<float>(filters, 0.f);
        const std::vector<float> gv = gamma->ToVector<float>(),
                                 betav = beta->ToVector<float>(),
                                 mv = mean->ToVector<float>(),
                                 vv = var->ToVector<float>();
        for (int64_t f = 0; f < filters; ++f) {
          const double scale =
              (fix_gamma ? 1.0 : gv[f]) / std::sqrt(vv[f] + eps);
          for (int64_t k = 0; k < per_filter; ++k) {
            wv[f * per_filter + k] =
                static_cast<float>(wv[f * per_filter + k] * scale);
          }
          bv[f] = static_cast<float>((bv[f] - mv[f]) * scale + betav[f]);
        }
        const std::string w_name = conv.inputs[1].node->attrs.name;
        const std::string b_name = had_bias ? conv.inputs[2].node->attrs.name
                                            : conv.attrs.name + "_bias";
        MX_CHECK(had_bias || !model->args.count(b_name), "cannot fold ",
                 node->attrs.Where(), " into ", conv.attrs.Where(),
                 ": its bias would be named '", b_name,
                 "', which the model already has");
        model->args[w_name] = NDArray::FromVector(wv, w->shape());
        model->args[b_name] = NDArray::FromVector(bv, Shape({filters}));
        AttrDict dict = conv.attrs.dict;
        dict["no_bias"] = "False";
        auto fused = std::make_shared<Node>();
        fused->attrs = MakeNodeAttrs(*conv.attrs.op, conv.attrs.name, dict);
        fused->inputs = {remap(conv.inputs[0]), remap(conv.inputs[1]),
                         had_bias
                             ? remap(conv.inputs[2])
                             : NodeEntry{Node::MakeVariable(b_name), 0, 0}};
        out[i] =
            std::vector<NodeEntry>(node->num_outputs(), NodeEntry{fused, 0, 0});
        ++folded;
        continue;
      }
    }
    auto copy = std::make_shared<Node>();
    copy->attrs = node->attrs;
    for (const NodeEntry& e : node->inputs) copy->inputs.push_back(remap(e));
    for (uint32_t k = 0; k < node->num_outputs(); ++k) {
      out[i].push_back(NodeEntry{copy, k, 0});
    }
  }
  std::vector<NodeEntry> heads;
  for (const NodeEntry& h : model->symbol.outputs()) heads.push_back(remap(h));
  model->symbol = Symbol(heads);
  return folded;
}

}  // namespace mx
