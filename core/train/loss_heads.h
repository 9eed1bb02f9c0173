// The heads of a network with one or more outputs (a Group of loss layers,
// MXNet's multi-task networks): which label each output's loss reads, and
// what the output is (a classifier or a regression), so that metrics,
// reports and inference treat every head by its kind.
#ifndef MX_CORE_TRAIN_LOSS_HEADS_H_
#define MX_CORE_TRAIN_LOSS_HEADS_H_

#include <cstddef>
#include <string>
#include <vector>

#include "core/symbol/symbol.h"

namespace mx {

// One output of a network.
struct LossHead {
  std::string name;   // the output's layer ("softmax" for softmax_output)
  size_t output = 0;  // its index in ListOutputs
  std::string label;  // the label input its loss reads; "" for none
  std::string task;   // as TaskOfOutput
};

// The task output `i` of `net` says: "regression" for LinearRegressionOutput,
// MAERegressionOutput and LogisticRegressionOutput, "classification" for
// SoftmaxOutput, softmax and SoftmaxActivation, "" otherwise.
std::string TaskOfOutput(const Symbol& net, size_t i);

// The arguments of `net` that are labels: named "<layer>_label", as MXNet
// names the label input of a loss layer.
std::vector<std::string> LabelArguments(const Symbol& net);

// Every output of `net` with the label (one of `labels`) its loss reads: a
// label input of the output's layer, else the one label among everything
// the output depends on; a network of one output and one label pairs them.
std::vector<LossHead> LossHeads(const Symbol& net,
                                const std::vector<std::string>& labels);

// The index of the first of `heads` that reads a label (the one data.classes,
// confusion matrices and a model's task describe); -1 when none does.
int FirstLabelledHead(const std::vector<LossHead>& heads);

}  // namespace mx

#endif  // MX_CORE_TRAIN_LOSS_HEADS_H_
