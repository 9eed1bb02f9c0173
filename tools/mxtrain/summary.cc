#include "tools/mxtrain/summary.h"

#include <algorithm>
#include <cstdio>
#include <set>

#include "core/base/strings.h"
#include "core/executor/executor.h"
#include "core/executor/plan_memory.h"
#include "core/op/param.h"
#include "core/symbol/node.h"

namespace mx {
namespace {

std::string Human(double v, const char* unit) {
  const char* prefixes[] = {"", "K", "M", "G", "T"};
  int p = 0;
  while (v >= 1000 && p < 4) {
    v /= 1000;
    ++p;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, p == 0 ? "%.0f %s%s" : "%.2f %s%s", v,
                prefixes[p], unit);
  return buf;
}

std::string Bytes(double b) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f MiB", b / (1024.0 * 1024.0));
  return buf;
}

}  // namespace

NetworkSummary SummarizeLayers(
    const Symbol& net, const std::map<std::string, Shape>& input_shapes) {
  NetworkSummary s;
  std::map<std::string, PartialShape> known;
  for (const auto& [name, shape] : input_shapes) known[name] = shape;
  const Symbol internals = net.GetInternals();
  const Shapes shapes = internals.InferShape(known);
  const std::vector<std::string> names = internals.ListOutputs();
  std::map<std::string, Shape> shape_of;
  for (size_t i = 0; i < names.size(); ++i)
    shape_of[names[i]] = shapes.outputs[i];
  const Shapes net_shapes = net.InferShape(known);
  const std::vector<std::string> args = net.ListArguments();
  std::map<std::string, Shape> arg_shape;
  for (size_t i = 0; i < args.size(); ++i)
    arg_shape[args[i]] = net_shapes.arguments[i];
  const std::set<std::string> learnable(args.begin(), args.end());
  // A parameter shared by several layers (an RNN's weights across steps)
  // counts once, at its first reader.
  std::set<std::string> counted;

  PostOrderVisit(net.outputs(), [&](const std::shared_ptr<Node>& n) {
    if (n->is_variable()) return;
    LayerSummary l;
    l.name = n->attrs.name;
    l.op = n->attrs.op->name();
    const auto out = shape_of.find(EntryName({n, 0, 0}));
    if (out != shape_of.end()) l.output = out->second;
    const double out_elems = static_cast<double>(l.output.Size());
    l.output_bytes = l.output.Size() * 4;
    Shape weight;
    l.data_grad = false;
    for (const NodeEntry& in : n->inputs) {
      const auto in_shape = shape_of.find(EntryName(in));
      const bool data = !in.node->is_variable() ||
                        input_shapes.count(in.node->attrs.name) > 0;
      if (data && in_shape != shape_of.end()) {
        l.input_bytes += in_shape->second.Size() * 4;
      }
      if (!in.node->is_variable()) l.data_grad = true;
      if (!in.node->is_variable()) continue;
      const std::string& v = in.node->attrs.name;
      if (input_shapes.count(v) || !learnable.count(v)) continue;
      if (counted.insert(v).second) l.params += arg_shape.at(v).Size();
      if (EndsWith(v, "_weight")) {
        weight = arg_shape.at(v);
      }
    }
    if (weight.ndim() >= 2 && l.op == "Deconvolution") {
      // Every input element meets weight.Size() / C_in taps.
      const Shape in = shape_of.count(EntryName(n->inputs[0]))
                           ? shape_of.at(EntryName(n->inputs[0]))
                           : Shape();
      l.flops = 2.0 * static_cast<double>(in.Size()) *
                (static_cast<double>(weight.Size()) / weight[0]);
      l.products = true;
    } else if ((l.op == "dot" || l.op == "batch_dot") &&
               shape_of.count(EntryName(n->inputs[0]))) {
      // 2 multiply-adds per output element and summed index.
      const Shape lhs = shape_of.at(EntryName(n->inputs[0]));
      bool ta = false;
      const auto t = n->attrs.dict.find("transpose_a");
      if (t != n->attrs.dict.end()) ParamTraits<bool>::Parse(t->second, &ta);
      const int64_t k =
          ta ? (l.op == "dot" ? lhs[0] : lhs[1]) : lhs[lhs.ndim() - 1];
      l.flops = 2.0 * out_elems * static_cast<double>(k);
      l.products = true;
    } else if (weight.ndim() >= 2 && l.op != "Embedding") {
      l.flops =
          2.0 * out_elems * (static_cast<double>(weight.Size()) / weight[0]);
      l.products = true;
    } else if (l.op == "Flatten" || l.op == "Reshape" || l.op == "Concat" ||
               l.op == "SliceChannel" || l.op == "Embedding") {
      l.flops = 0;  // views, copies and gathers: no arithmetic
    } else {
      l.flops = out_elems;
    }
    s.params += l.params;
    s.flops += l.flops;
    s.layers.push_back(l);
  });
  return s;
}

NetworkSummary Summarize(const Symbol& net,
                         const std::map<std::string, Shape>& input_shapes) {
  NetworkSummary s = SummarizeLayers(net, input_shapes);
  auto exec = Executor::SimpleBind(
      net, Context::CPU(), input_shapes, GradReq::kWrite, [&] {
        std::map<std::string, GradReq> r;
        for (const auto& [name, shape] : input_shapes) r[name] = GradReq::kNull;
        return r;
      }());
  s.plan = DescribePlan(exec->memory_plan());
  for (const NDArray& a : exec->arg_arrays()) s.param_bytes += a.Size() * 4;
  for (const NDArray& a : exec->grad_arrays()) {
    if (!a.is_none()) s.param_bytes += a.Size() * 4;
  }
  for (const NDArray& a : exec->aux_arrays()) s.param_bytes += a.Size() * 4;
  return s;
}

std::string FormatSummary(const NetworkSummary& s) {
  // Columns as wide as their longest entry (LinearRegressionOutput), within
  // bounds: a longer name overflows its column rather than widen them all.
  size_t name_width = 24, op_width = 16;
  for (const LayerSummary& l : s.layers) {
    name_width = std::max(name_width, std::min<size_t>(l.name.size(), 48));
    op_width = std::max(op_width, std::min<size_t>(l.op.size(), 32));
  }
  const auto row = [&](const std::string& name, const std::string& op,
                       const std::string& shape, const std::string& params,
                       const std::string& flops, const std::string& memory) {
    const auto left = [](const std::string& v, size_t w) {
      return v + std::string(v.size() < w ? w - v.size() : 0, ' ');
    };
    const auto right = [](const std::string& v, size_t w) {
      return std::string(v.size() < w ? w - v.size() : 0, ' ') + v;
    };
    return StrCat(left(name, name_width), " ", left(op, op_width), " ",
                  left(shape, 20), " ", right(params, 12), " ",
                  right(flops, 12), " ", right(memory, 10), "\n");
  };
  const size_t width = name_width + op_width + 20 + 12 + 12 + 10 + 5;
  std::string out =
      row("layer", "op", "output shape", "params", "FLOPs", "memory");
  out += std::string(width, '-') + "\n";
  for (const LayerSummary& l : s.layers) {
    out += row(l.name, l.op, StrCat(l.output), StrCat(l.params),
               Human(l.flops, ""), Bytes(static_cast<double>(l.output_bytes)));
  }
  out += std::string(width, '-') + "\n";
  out += StrCat("parameters: ", s.params, " (", Bytes(s.params * 4.0),
                "); forward FLOPs per batch: ", Human(s.flops, "FLOP"), "\n");
  out += StrCat("memory: internal arrays ", s.plan,
                "; parameters, gradients and states ",
                Bytes(static_cast<double>(s.param_bytes)), "\n");
  return out;
}

}  // namespace mx
