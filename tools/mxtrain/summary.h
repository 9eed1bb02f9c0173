// A network's summary, before training and as `mxtrain summary`: per layer
// the output shape, learnable parameters, forward FLOPs and output memory;
// totals and the executor's memory plan.
#ifndef MX_TOOLS_MXTRAIN_SUMMARY_H_
#define MX_TOOLS_MXTRAIN_SUMMARY_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/base/shape.h"
#include "core/symbol/symbol.h"

namespace mx {

struct LayerSummary {
  std::string name, op;
  Shape output;        // the first output
  int64_t params = 0;  // elements of its learnable inputs
  double flops = 0;    // forward, for the whole batch (multiply-add = 2)
  int64_t output_bytes = 0;
  // Of the inputs that are not learnable (data, other layers' outputs).
  int64_t input_bytes = 0;
  bool products = false;  // its FLOPs are weight products (conv, FC)
  bool data_grad = true;  // false when it reads only the network's inputs
};

struct NetworkSummary {
  std::vector<LayerSummary> layers;
  int64_t params = 0;
  double flops = 0;
  // The training executor's memory plan ("naive X MB -> planned Y MB ...")
  // and the bytes of parameters, gradients and auxiliary states.
  std::string plan;
  int64_t param_bytes = 0;
};

// Summarizes `net` bound to `input_shapes` (data and label) for training.
// mx::Error from shape inference.
NetworkSummary Summarize(const Symbol& net,
                         const std::map<std::string, Shape>& input_shapes);
// The same without binding: the layers and totals, no plan (empty) and no
// parameter bytes.
NetworkSummary SummarizeLayers(
    const Symbol& net, const std::map<std::string, Shape>& input_shapes);
// A table with one row per layer and the totals.
std::string FormatSummary(const NetworkSummary& summary);

}  // namespace mx

#endif  // MX_TOOLS_MXTRAIN_SUMMARY_H_
