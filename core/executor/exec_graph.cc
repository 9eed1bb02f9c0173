#include "core/executor/exec_graph.h"

#include <algorithm>

#include "core/base/error.h"
#include "core/base/strings.h"
#include "core/executor/fuse_ops.h"

namespace mx {

const char* GradReqName(GradReq req) {
  switch (req) {
    case GradReq::kNull:
      return "null";
    case GradReq::kWrite:
      return "write";
    case GradReq::kAdd:
      return "add";
  }
  return "?";
}

GradReq ParseGradReq(const std::string& text, const std::string& what) {
  for (GradReq r : {GradReq::kNull, GradReq::kWrite, GradReq::kAdd}) {
    if (text == GradReqName(r)) return r;
  }
  MX_THROW(what, ": grad_req '", text, "' is not one of null, write, add");
}

std::vector<int> ExecStep::ReadEntries() const {
  std::vector<int> out;
  for (const auto* list : {&out_grads, &inputs, &outputs}) {
    if (kind != StepKind::kBackward && list != &inputs) continue;
    for (int e : *list) {
      if (e >= 0) out.push_back(e);
    }
  }
  return out;
}

std::vector<int> ExecStep::WrittenEntries() const {
  std::vector<int> out;
  for (int e : kind == StepKind::kBackward ? in_grads : outputs) {
    if (e >= 0) out.push_back(e);
  }
  return out;
}

namespace {

// Position of slot `slot` of `list` among its non-negative entries.
int PackedPosition(const std::vector<int>& list, int slot) {
  int pos = 0;
  for (int i = 0; i < slot; ++i) pos += list[i] >= 0;
  return pos;
}

// Builds the graph step by step; see BuildExecGraph.
class ExecGraphBuilder {
 public:
  ExecGraphBuilder(ExecGraph* eg, Context ctx)
      : eg_(eg), g_(eg->graph), ctx_(ctx) {}

  void InitEntries(const Symbol& symbol,
                   const std::map<std::string, PartialShape>& shapes,
                   const std::map<std::string, DType>& types) {
    const std::vector<PartialShape> entry_shapes = InferEntryShapes(g_, shapes);
    for (const PartialShape& s : entry_shapes) {
      // The symbol-level call produces the error listing the unknowns.
      if (!s.IsKnown()) symbol.InferShape(shapes);
    }
    std::map<std::string, DType> known_types = types;
    for (const auto& n : g_.nodes) {
      if (n->is_variable() && !known_types.count(n->attrs.name) &&
          !n->attrs.dict.count("__dtype__")) {
        known_types[n->attrs.name] = DType::kFloat32;
      }
    }
    const std::vector<int> entry_types = InferEntryTypes(g_, known_types);
    eg_->entries.resize(g_.num_entries());
    for (size_t e = 0; e < entry_types.size(); ++e) {
      if (entry_types[e] == kUnknownType) symbol.InferType(known_types);
      eg_->entries[e].shape = entry_shapes[e].ToShape();
      eg_->entries[e].dtype = DTypeFromCode(entry_types[e]);
    }
    for (size_t i = 0; i < g_.nodes.size(); ++i) {
      if (!g_.nodes[i]->is_variable()) continue;
      ExecEntry& entry = eg_->entries[g_.entry_begin[i]];
      auto& list = g_.is_aux[i] ? eg_->aux_nodes : eg_->arg_nodes;
      entry.kind = g_.is_aux[i] ? EntryKind::kAux : EntryKind::kArg;
      entry.index = static_cast<int>(list.size());
      list.push_back(static_cast<int>(i));
    }
  }

  void CreateKernels() {
    eg_->kernels.resize(g_.nodes.size());
    for (size_t i = 0; i < g_.nodes.size(); ++i) {
      const Node& n = *g_.nodes[i];
      if (n.is_variable()) continue;
      KernelSetup setup;
      setup.attrs = &n.attrs;
      for (uint32_t e : g_.input_entries[i]) {
        setup.in_shapes.push_back(eg_->entries[e].shape);
      }
      for (uint32_t e = g_.entry_begin[i]; e < g_.entry_begin[i + 1]; ++e) {
        setup.out_shapes.push_back(eg_->entries[e].shape);
      }
      setup.dtype = setup.out_shapes.empty()
                        ? DType::kFloat32
                        : eg_->entries[g_.entry_begin[i]].dtype;
      setup.ctx = ctx_;
      eg_->kernels[i] = KernelRegistry::Global().Create(setup);
    }
  }

  void AddForwardSteps() {
    for (size_t i = 0; i < g_.nodes.size(); ++i) {
      const Node& n = *g_.nodes[i];
      if (n.is_variable()) continue;
      ExecStep step;
      step.kind = StepKind::kForward;
      step.node = static_cast<int>(i);
      for (uint32_t e : g_.input_entries[i]) step.inputs.push_back(e);
      for (uint32_t e = g_.entry_begin[i]; e < g_.entry_begin[i + 1]; ++e) {
        step.outputs.push_back(e);
        step.req.push_back(OpReq::kWrite);
      }
      step.inplace = n.attrs.op->inplace_forward();
      step.workspace_bytes = eg_->kernels[i]->ForwardWorkspace();
      eg_->steps.push_back(std::move(step));
    }
    eg_->num_forward_steps = eg_->steps.size();
  }

  void AddBackwardSteps(const std::vector<GradReq>& grad_req) {
    MX_CHECK(grad_req.size() == eg_->arg_nodes.size(),
             "Bind: ", grad_req.size(), " gradient requests for ",
             eg_->arg_nodes.size(), " arguments");
    const size_t num_fwd = g_.num_entries();
    needs_grad_.assign(num_fwd, false);
    for (size_t a = 0; a < grad_req.size(); ++a) {
      needs_grad_[g_.entry_begin[eg_->arg_nodes[a]]] =
          grad_req[a] != GradReq::kNull;
    }
    MarkNeedsGrad();
    contrib_.assign(num_fwd, {});
    eg_->head_needs_grad.assign(g_.head_entries.size(), false);
    for (size_t h = 0; h < g_.head_entries.size(); ++h) {
      const uint32_t e = g_.head_entries[h];
      if (!needs_grad_[e]) continue;
      const Node& n = *g_.nodes[NodeOfEntry(e)];
      if (!n.is_variable() && n.attrs.op->IsLoss(n.attrs)) continue;
      contrib_[e].push_back(
          NewEntry(eg_->entries[e], EntryKind::kHeadGrad, static_cast<int>(h)));
      eg_->head_needs_grad[h] = true;
    }
    for (size_t i = g_.nodes.size(); i-- > 0;) {
      if (!g_.nodes[i]->is_variable()) AddNodeBackward(i);
    }
    for (size_t a = 0; a < grad_req.size(); ++a) {
      if (grad_req[a] != GradReq::kNull) AddArgGradient(a, grad_req[a]);
    }
  }

 private:
  uint32_t NodeOfEntry(uint32_t e) const {
    auto it = std::upper_bound(g_.entry_begin.begin(), g_.entry_begin.end(), e);
    return static_cast<uint32_t>(it - g_.entry_begin.begin() - 1);
  }

  int NewEntry(const ExecEntry& like, EntryKind kind, int index) {
    eg_->entries.push_back({like.shape, like.dtype, kind, index});
    return static_cast<int>(eg_->entries.size()) - 1;
  }

  bool TakesGradient(const Node& n, size_t input) const {
    const OpDef& op = *n.attrs.op;
    const std::vector<std::string> args = op.ListArguments(n.attrs);
    if (input >= args.size()) return false;  // auxiliary state
    const auto& none = op.no_gradient();
    return std::find(none.begin(), none.end(), args[input]) == none.end();
  }

  // An op output needs a gradient when an input taking one does.
  void MarkNeedsGrad() {
    for (size_t i = 0; i < g_.nodes.size(); ++i) {
      const Node& n = *g_.nodes[i];
      if (n.is_variable()) continue;
      bool any = false;
      for (size_t k = 0; k < g_.input_entries[i].size(); ++k) {
        if (!needs_grad_[g_.input_entries[i][k]] || !TakesGradient(n, k)) {
          continue;
        }
        MX_CHECK(n.attrs.op->has_backward(), n.attrs.Where(),
                 ": the op has no gradient, but its input '",
                 n.attrs.op->ListInputs(n.attrs)[k],
                 "' needs one; set grad_req 'null' for the arguments "
                 "feeding it");
        any = true;
      }
      for (uint32_t e = g_.entry_begin[i]; e < g_.entry_begin[i + 1]; ++e) {
        needs_grad_[e] = any;
      }
    }
  }

  // The total gradient of forward entry `e`: its only term, a sum step, or
  // a zero step when nothing contributes.
  int TotalGradient(uint32_t e) {
    std::vector<int>& terms = contrib_[e];
    if (terms.size() == 1) return terms[0];
    ExecStep step;
    step.kind = terms.empty() ? StepKind::kZero : StepKind::kSum;
    step.inputs = terms;
    step.outputs = {NewEntry(eg_->entries[e], EntryKind::kInternal, -1)};
    step.req = {OpReq::kWrite};
    // The sum may take its first term's memory.
    if (!terms.empty()) step.inplace = {{0, 0}};
    eg_->steps.push_back(std::move(step));
    terms = {eg_->steps.back().outputs[0]};
    return terms[0];
  }

  void AddNodeBackward(size_t i) {
    const Node& n = *g_.nodes[i];
    const uint32_t begin = g_.entry_begin[i], end = g_.entry_begin[i + 1];
    bool any = false;
    for (uint32_t e = begin; e < end; ++e) any |= needs_grad_[e];
    if (!any) return;
    const BackwardDeps deps = n.attrs.op->GetBackwardDeps(n.attrs);
    const size_t num_in = g_.input_entries[i].size();
    ExecStep step;
    step.kind = StepKind::kBackward;
    step.node = static_cast<int>(i);
    step.out_grads.assign(end - begin, -1);
    step.inputs.assign(num_in, -1);
    step.outputs.assign(end - begin, -1);
    for (int o : deps.out_grads) step.out_grads[o] = TotalGradient(begin + o);
    for (int k : deps.inputs) step.inputs[k] = g_.input_entries[i][k];
    for (int o : deps.outputs) step.outputs[o] = begin + o;
    const size_t num_args = n.attrs.op->ListArguments(n.attrs).size();
    step.in_grads.assign(num_args, -1);
    step.req.assign(num_args, OpReq::kNull);
    for (size_t k = 0; k < num_args; ++k) {
      const uint32_t in = g_.input_entries[i][k];
      if (!needs_grad_[in] || !TakesGradient(n, k)) continue;
      step.in_grads[k] = NewEntry(eg_->entries[in], EntryKind::kInternal, -1);
      step.req[k] = OpReq::kWrite;
      contrib_[in].push_back(step.in_grads[k]);
      producer_[step.in_grads[k]] = {eg_->steps.size(), k};
    }
    for (const auto& [o, k] : n.attrs.op->inplace_backward()) {
      if (step.out_grads[o] >= 0 && step.in_grads[k] >= 0) {
        step.inplace.emplace_back(PackedPosition(step.out_grads, o),
                                  PackedPosition(step.in_grads, k));
      }
    }
    step.workspace_bytes = eg_->kernels[i]->BackwardWorkspace();
    eg_->steps.push_back(std::move(step));
  }

  // Routes the gradient of argument `a` into its gradient array: the single
  // backward step producing it writes there directly; several terms are
  // summed into it; none give zeros (write) or nothing (add).
  void AddArgGradient(size_t a, GradReq req) {
    const uint32_t e = g_.entry_begin[eg_->arg_nodes[a]];
    const OpReq op_req = req == GradReq::kAdd ? OpReq::kAdd : OpReq::kWrite;
    const std::vector<int>& terms = contrib_[e];
    if (terms.size() == 1 && producer_.count(terms[0])) {
      const auto [s, k] = producer_[terms[0]];
      eg_->entries[terms[0]].kind = EntryKind::kArgGrad;
      eg_->entries[terms[0]].index = static_cast<int>(a);
      eg_->steps[s].req[k] = op_req;
      return;
    }
    if (terms.empty() && req == GradReq::kAdd) return;
    ExecStep step;
    step.kind = terms.empty() ? StepKind::kZero : StepKind::kSum;
    step.inputs = terms;
    step.outputs = {
        NewEntry(eg_->entries[e], EntryKind::kArgGrad, static_cast<int>(a))};
    step.req = {op_req};
    eg_->steps.push_back(std::move(step));
  }

  ExecGraph* eg_;
  const IndexedGraph& g_;
  Context ctx_;
  std::vector<bool> needs_grad_;
  // Gradient terms of each forward entry.
  std::vector<std::vector<int>> contrib_;
  // Backward step and argument slot producing a gradient entry.
  std::map<int, std::pair<size_t, size_t>> producer_;
};

}  // namespace

PlanRequest ExecGraph::MakePlanRequest(size_t num_steps) const {
  PlanRequest req;
  for (const ExecEntry& e : entries) {
    req.entry_bytes.push_back(static_cast<size_t>(e.shape.Size()) *
                              DTypeSize(e.dtype));
    req.external.push_back(e.kind != EntryKind::kInternal);
  }
  req.keep.assign(entries.size(), false);
  for (uint32_t e : graph.head_entries) req.keep[e] = true;
  for (size_t s = 0; s < num_steps; ++s) {
    const ExecStep& step = steps[s];
    PlanStep p;
    p.inputs = step.ReadEntries();
    p.outputs = step.WrittenEntries();
    p.workspace_bytes = step.workspace_bytes;
    // Forward pairs index inputs and outputs; backward pairs index
    // out_grads (first among the reads) and in_grads, already packed.
    p.inplace = step.inplace;
    req.steps.push_back(std::move(p));
  }
  return req;
}

ExecGraph BuildExecGraph(const Symbol& symbol, Context ctx,
                         const std::map<std::string, PartialShape>& shapes,
                         const std::map<std::string, DType>& types,
                         const std::vector<GradReq>& grad_req) {
  ExecGraph eg(symbol);
  ExecGraphBuilder builder(&eg, ctx);
  builder.InitEntries(symbol, shapes, types);
  builder.CreateKernels();
  builder.AddForwardSteps();
  builder.AddBackwardSteps(grad_req);
  return eg;
}

MemoryReport PlanSymbolMemory(
    const Symbol& symbol, const std::map<std::string, Shape>& input_shapes) {
  std::map<std::string, PartialShape> known;
  for (const auto& [name, shape] : input_shapes)
    known[name] = PartialShape(shape);
  const std::vector<std::string> args = symbol.ListArguments();
  std::vector<GradReq> req;
  for (const std::string& a : args) {
    req.push_back(input_shapes.count(a) ? GradReq::kNull : GradReq::kWrite);
  }
  // Naive: the graph as written, an array each; planned: the graph binds
  // run (Note [Op fusion]), built a second time only when ops fused.
  const auto plan = [&](const std::vector<GradReq>& reqs) {
    const auto steps = [](const ExecGraph& g) {
      const bool training = g.steps.size() > g.num_forward_steps;
      return training ? g.steps.size() : g.num_forward_steps;
    };
    int fused = 0;
    const ExecGraph bound =
        BuildFusedExecGraph(symbol, Context::CPU(), known, {}, reqs, &fused);
    MemoryPlan p = PlanMemory(bound.MakePlanRequest(steps(bound)));
    if (fused > 0) {
      const ExecGraph written =
          BuildExecGraph(symbol, Context::CPU(), known, {}, reqs);
      p.naive_bytes =
          PlanMemory(written.MakePlanRequest(steps(written))).naive_bytes;
    }
    return p;
  };
  MemoryReport report;
  report.inference = plan(std::vector<GradReq>(args.size(), GradReq::kNull));
  report.training = plan(req);
  return report;
}

}  // namespace mx
