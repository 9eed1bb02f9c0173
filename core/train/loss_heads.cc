#include "core/train/loss_heads.h"

#include <algorithm>
#include <set>

#include "core/base/strings.h"

namespace mx {

std::string TaskOfOutput(const Symbol& net, size_t i) {
  if (i >= net.outputs().size() || net.outputs()[i].node->is_variable()) {
    return "";
  }
  const std::string op = net.outputs()[i].node->attrs.op->name();
  if (op == "LinearRegressionOutput" || op == "MAERegressionOutput" ||
      op == "LogisticRegressionOutput") {
    return "regression";
  }
  if (op == "SoftmaxOutput" || op == "softmax" || op == "SoftmaxActivation") {
    return "classification";
  }
  return "";
}

std::vector<std::string> LabelArguments(const Symbol& net) {
  std::vector<std::string> out;
  for (const std::string& a : net.ListArguments()) {
    if (EndsWith(a, "_label")) out.push_back(a);
  }
  return out;
}

std::vector<LossHead> LossHeads(const Symbol& net,
                                const std::vector<std::string>& labels) {
  const std::set<std::string> label_set(labels.begin(), labels.end());
  const std::vector<std::string> names = net.ListOutputs();
  std::vector<LossHead> heads;
  for (size_t i = 0; i < net.outputs().size(); ++i) {
    const NodeEntry& entry = net.outputs()[i];
    LossHead h;
    h.output = i;
    h.name = entry.node->attrs.name;
    h.task = TaskOfOutput(net, i);
    for (const NodeEntry& in : entry.node->inputs) {
      if (in.node->is_variable() && label_set.count(in.node->attrs.name)) {
        h.label = in.node->attrs.name;
        break;
      }
    }
    if (h.label.empty()) {
      std::set<std::string> reached;
      PostOrderVisit({entry}, [&](const std::shared_ptr<Node>& n) {
        if (n->is_variable() && label_set.count(n->attrs.name)) {
          reached.insert(n->attrs.name);
        }
      });
      if (reached.size() == 1) h.label = *reached.begin();
    }
    heads.push_back(std::move(h));
  }
  if (heads.size() == 1 && heads[0].label.empty() && labels.size() == 1) {
    heads[0].label = labels[0];
  }
  return heads;
}

int FirstLabelledHead(const std::vector<LossHead>& heads) {
  for (size_t h = 0; h < heads.size(); ++h) {
    if (!heads[h].label.empty()) return static_cast<int>(h);
  }
  return -1;
}

}  // namespace mx
