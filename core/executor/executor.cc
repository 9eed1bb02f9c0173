#include "core/executor/executor.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <utility>

#include "core/base/error.h"
#include "core/base/strings.h"
#include "core/engine/parallel.h"
#include "core/executor/fuse_ops.h"
#include "core/gpu/gpu.h"
#include "core/ndarray/gpu_kernels.h"

namespace mx {

// Everything one step needs at run time, resolved at bind: kernel, tensor
// views, engine variables. Immutable once built; Backward copies the steps
// that read head gradients and fills those in.
struct Executor::StepRun {
  StepKind kind = StepKind::kForward;
  std::string name;
  Context ctx;
  std::shared_ptr<OpKernel> kernel;
  ForwardArgs fwd;
  BackwardArgs bwd;
  // Sum and zero steps.
  std::vector<TensorView> terms;
  TensorView out;
  OpReq req = OpReq::kWrite;
  void* workspace = nullptr;
  size_t workspace_bytes = 0;
  std::mt19937_64* rng = nullptr;
  std::vector<VarHandle> reads, writes;
  // (slot, output index): out_grads slots (backward) or terms (sum) that
  // hold the gradient of an output, given to Backward.
  std::vector<std::pair<int, int>> head_slots;

  // Runs the step; `stream` is the engine worker's CUDA stream on a GPU.
  void Execute(bool is_train, void* stream) const;
  // Sum and zero steps on a GPU.
  void ExecuteOnGpu(void* stream) const;
};

namespace {

template <typename T>
void SumInto(const std::vector<TensorView>& terms, const TensorView& out,
             OpReq req) {
  T* o = out.ptr<T>();
  std::vector<const T*> src;
  for (const TensorView& t : terms) src.push_back(t.ptr<T>());
  // One pass over memory, split over the intra-op threads, in chunks that
  // stay in cache; the terms added in order (o may be the first term's
  // memory: the planner puts the sum in place).
  ParallelFor(out.Size(), 1 << 14, [&](int64_t begin, int64_t end) {
    constexpr int64_t kChunk = 2048;
    for (int64_t i = begin; i < end; i += kChunk) {
      const int64_t m = std::min(kChunk, end - i);
      T* oc = o + i;
      size_t next = 0;
      if (req != OpReq::kAdd) {
        const T* s0 = src[0] + i;
        if (src.size() > 1) {
          const T* s1 = src[1] + i;
          for (int64_t j = 0; j < m; ++j) oc[j] = s0[j] + s1[j];
          next = 2;
        } else {
          if (oc != s0) std::copy(s0, s0 + m, oc);
          next = 1;
        }
      }
      for (size_t t = next; t < src.size(); ++t) {
        const T* st = src[t] + i;
        for (int64_t j = 0; j < m; ++j) oc[j] += st[j];
      }
    }
  });
}

// The float16 sum: in float32, rounded to half once (Note [Float16
// arithmetic]).
void SumHalves(const std::vector<TensorView>& terms, const TensorView& out,
               OpReq req) {
  Half* o = static_cast<Half*>(out.data);
  const int64_t n = out.Size();
  for (int64_t i = 0; i < n; ++i) {
    float sum = req == OpReq::kAdd ? HalfToFloat(o[i]) : 0.f;
    for (const TensorView& t : terms) {
      sum += HalfToFloat(static_cast<const Half*>(t.data)[i]);
    }
    o[i] = FloatToHalf(sum);
  }
}

}  // namespace

void Executor::StepRun::Execute(bool is_train, void* stream) const {
  KernelContext kc;
  kc.is_train = is_train;
  kc.ctx = ctx;
  kc.workspace = workspace;
  kc.workspace_bytes = workspace_bytes;
  kc.rng = rng;
  kc.stream = stream;
  if (stream != nullptr &&
      (kind == StepKind::kSum || kind == StepKind::kZero)) {
    return ExecuteOnGpu(stream);
  }
  switch (kind) {
    case StepKind::kForward:
      kernel->Forward(kc, fwd);
      return;
    case StepKind::kBackward:
      kernel->Backward(kc, bwd);
      return;
    case StepKind::kSum:
      if (out.dtype == DType::kFloat64) {
        SumInto<double>(terms, out, req);
      } else if (out.dtype == DType::kFloat16) {
        SumHalves(terms, out, req);
      } else {
        SumInto<float>(terms, out, req);
      }
      return;
    case StepKind::kZero:
      std::memset(out.data, 0,
                  static_cast<size_t>(out.Size()) * DTypeSize(out.dtype));
      return;
  }
}

void Executor::StepRun::ExecuteOnGpu(void* stream) const {
  const int64_t n = out.Size();
  if (kind == StepKind::kZero) {
    return cuda::Fill(out.dtype, 0, out.data, n, stream);
  }
  size_t first = 0;
  if (req != OpReq::kAdd) {
    cuda::Cast(out.dtype, terms[0].data, out.dtype, out.data, n, stream);
    first = 1;
  }
  for (size_t t = first; t < terms.size(); ++t) {
    cuda::Binary(cuda::BinaryOp::kAdd, out.dtype, out.data, terms[t].data,
                 out.data, n, stream);
  }
}

Executor::Executor(Symbol symbol, Context ctx)
    : symbol_(std::move(symbol)), ctx_(ctx) {
  arg_names_ = symbol_.ListArguments();
  aux_names_ = symbol_.ListAuxiliaryStates();
  output_names_ = symbol_.ListOutputs();
}

Executor::~Executor() = default;

namespace {

// Arrays on any host context (cpu(0), cpu(1): one memory) run with a host
// executor, as MXNet's model-parallel tests place them.
bool Compatible(Context array, Context ctx) {
  return array == ctx || (array.IsHost() && ctx.IsHost());
}

void CheckArray(const NDArray& a, const std::string& what,
                const std::string& name, Context ctx) {
  MX_CHECK(!a.is_none(), "Bind: ", what, " '", name, "' is a none array");
  MX_CHECK(Compatible(a.context(), ctx), "Bind: ", what, " '", name, "' is on ",
           a.context(), " but the executor is bound to ", ctx,
           "; copy it with CopyTo(", ctx, ")");
}

void CheckCount(size_t given, const std::vector<std::string>& names,
                const char* what) {
  MX_CHECK(given == names.size(), "Bind: ", given, " ", what, " given, the ",
           "symbol has ", names.size(),
           names.empty() ? std::string() : ": " + Join(names, ", "));
}

}  // namespace

std::unique_ptr<Executor> Executor::Bind(
    const Symbol& symbol, Context ctx, const std::vector<NDArray>& args,
    const std::vector<NDArray>& arg_grads, const std::vector<GradReq>& grad_req,
    const std::vector<NDArray>& aux_states) {
  std::unique_ptr<Executor> exec(new Executor(symbol, ctx));
  exec->Init(args, arg_grads, grad_req, aux_states);
  return exec;
}

std::unique_ptr<Executor> Executor::Bind(
    const Symbol& symbol, Context ctx,
    const std::map<std::string, NDArray>& args,
    const std::map<std::string, NDArray>& arg_grads,
    const std::map<std::string, GradReq>& grad_req,
    const std::map<std::string, NDArray>& aux_states) {
  const std::vector<std::string> arg_names = symbol.ListArguments();
  const std::vector<std::string> aux_names = symbol.ListAuxiliaryStates();
  const auto check_names = [](const auto& dict,
                              const std::vector<std::string>& names,
                              const char* what) {
    for (const auto& entry : dict) {
      MX_CHECK(
          std::find(names.begin(), names.end(), entry.first) != names.end(),
          "Bind: ", what, " '", entry.first, "' is not one of the ", "symbol's",
          DidYouMean(entry.first, names), "; expected one of ",
          Join(names, ", "));
    }
  };
  check_names(args, arg_names, "argument");
  check_names(arg_grads, arg_names, "gradient of argument");
  check_names(grad_req, arg_names, "grad_req of argument");
  check_names(aux_states, aux_names, "auxiliary state");
  std::vector<NDArray> arg_list, grad_list, aux_list;
  std::vector<GradReq> req_list;
  for (const std::string& name : arg_names) {
    auto it = args.find(name);
    MX_CHECK(it != args.end(), "Bind: no array for argument '", name, "'");
    arg_list.push_back(it->second);
    auto g = arg_grads.find(name);
    grad_list.push_back(g == arg_grads.end() ? NDArray() : g->second);
    auto r = grad_req.find(name);
    req_list.push_back(r == grad_req.end() ? GradReq::kWrite : r->second);
  }
  for (const std::string& name : aux_names) {
    auto it = aux_states.find(name);
    MX_CHECK(it != aux_states.end(), "Bind: no array for auxiliary state '",
             name, "'");
    aux_list.push_back(it->second);
  }
  return Bind(symbol, ctx, arg_list, grad_list, req_list, aux_list);
}

std::unique_ptr<Executor> Executor::SimpleBind(
    const Symbol& symbol, Context ctx,
    const std::map<std::string, Shape>& input_shapes, GradReq grad_req,
    const std::map<std::string, GradReq>& grad_req_overrides,
    const std::map<std::string, DType>& input_types,
    const std::map<std::string, Context>& group2ctx) {
  CheckGroupContexts(ctx, group2ctx);
  // Each variable's context: its ctx_group's, else the executor's.
  std::map<std::string, Context> placed;
  PostOrderVisit(symbol.outputs(), [&](const std::shared_ptr<Node>& n) {
    auto g = n->attrs.dict.find("__ctx_group__");
    if (n->is_variable() && g != n->attrs.dict.end()) {
      auto c = group2ctx.find(g->second);
      if (c != group2ctx.end()) placed[n->attrs.name] = c->second;
    }
  });
  const auto context_of = [&](const std::string& name) {
    auto it = placed.find(name);
    return it == placed.end() ? ctx : it->second;
  };
  std::map<std::string, PartialShape> known;
  for (const auto& [name, shape] : input_shapes) known[name] = shape;
  const Shapes shapes = symbol.InferShape(known);
  std::map<std::string, DType> known_types = input_types;
  const std::vector<std::string> arg_names = symbol.ListArguments();
  const std::vector<std::string> aux_names = symbol.ListAuxiliaryStates();
  PartialTypes types = symbol.InferTypePartial(known_types);
  const auto type_of = [](int code) {
    return code == kUnknownType ? DType::kFloat32 : DTypeFromCode(code);
  };
  for (const auto& [name, req] : grad_req_overrides) {
    MX_CHECK(
        std::find(arg_names.begin(), arg_names.end(), name) != arg_names.end(),
        "SimpleBind: grad_req for '", name, "', which is not an argument",
        DidYouMean(name, arg_names), "; arguments: ", Join(arg_names, ", "));
  }
  std::vector<NDArray> args, grads, aux;
  std::vector<GradReq> reqs;
  for (size_t i = 0; i < arg_names.size(); ++i) {
    const DType t = type_of(types.arguments[i]);
    const Context at = context_of(arg_names[i]);
    args.push_back(NDArray::Zeros(shapes.arguments[i], at, t));
    auto o = grad_req_overrides.find(arg_names[i]);
    const GradReq req = o == grad_req_overrides.end() ? grad_req : o->second;
    reqs.push_back(req);
    grads.push_back(req == GradReq::kNull
                        ? NDArray()
                        : NDArray::Zeros(shapes.arguments[i], at, t));
  }
  // Auxiliary states whose variable says __init__ "one" start at one.
  std::map<std::string, bool> starts_at_one;
  PostOrderVisit(symbol.outputs(), [&](const std::shared_ptr<Node>& n) {
    auto it = n->attrs.dict.find("__init__");
    if (n->is_variable() && it != n->attrs.dict.end()) {
      starts_at_one[n->attrs.name] =
          it->second.find("\"one\"") != std::string::npos ||
          it->second == "one";
    }
  });
  for (size_t i = 0; i < aux_names.size(); ++i) {
    const DType t = type_of(types.aux_states[i]);
    const Context at = context_of(aux_names[i]);
    aux.push_back(starts_at_one[aux_names[i]]
                      ? NDArray::Ones(shapes.aux_states[i], at, t)
                      : NDArray::Zeros(shapes.aux_states[i], at, t));
  }
  return Bind(symbol, ctx, args, grads, reqs, aux);
}

void Executor::CheckGroupContexts(
    Context ctx, const std::map<std::string, Context>& group2ctx) {
  for (const auto& [group, c] : group2ctx) {
    MX_CHECK(Compatible(c, ctx), "group2ctx: group '", group, "' on ", c,
             " with the executor on ", ctx,
             ": placing groups on other devices needs copies between devices, "
             "which the executor does not insert yet (groups on host "
             "contexts, cpu(0), cpu(1), ..., run together on the host)");
  }
}

void Executor::Init(const std::vector<NDArray>& args,
                    const std::vector<NDArray>& arg_grads,
                    const std::vector<GradReq>& grad_req,
                    const std::vector<NDArray>& aux_states,
                    const std::vector<NDArray>* shared_blocks) {
  CheckCount(args.size(), arg_names_, "arguments");
  CheckCount(aux_states.size(), aux_names_, "auxiliary states");
  MX_CHECK(arg_grads.empty() || arg_grads.size() == args.size(),
           "Bind: ", arg_grads.size(), " gradient arrays for ", args.size(),
           " arguments (give none, or one per argument)");
  MX_CHECK(grad_req.size() <= 1 || grad_req.size() == args.size(),
           "Bind: ", grad_req.size(), " grad_req entries for ", args.size(),
           " arguments (give one for all, or one per argument)");
  std::map<std::string, PartialShape> shapes;
  std::map<std::string, DType> types;
  std::vector<GradReq> reqs(args.size(), GradReq::kNull);
  for (size_t i = 0; i < args.size(); ++i) {
    CheckArray(args[i], "argument", arg_names_[i], ctx_);
    shapes[arg_names_[i]] = args[i].shape();
    types[arg_names_[i]] = args[i].dtype();
    if (arg_grads.empty() || arg_grads[i].is_none()) continue;
    reqs[i] = grad_req.empty()       ? GradReq::kWrite
              : grad_req.size() == 1 ? grad_req[0]
                                     : grad_req[i];
    if (reqs[i] == GradReq::kNull) continue;
    CheckArray(arg_grads[i], "gradient of argument", arg_names_[i], ctx_);
    MX_CHECK(arg_grads[i].shape() == args[i].shape() &&
                 arg_grads[i].dtype() == args[i].dtype(),
             "Bind: gradient of argument '", arg_names_[i], "' is ",
             arg_grads[i].Describe(), ", expected the argument's shape ",
             args[i].shape(), " and type ", args[i].dtype());
  }
  for (size_t i = 0; i < aux_states.size(); ++i) {
    CheckArray(aux_states[i], "auxiliary state", aux_names_[i], ctx_);
    shapes[aux_names_[i]] = aux_states[i].shape();
    types[aux_names_[i]] = aux_states[i].dtype();
  }
  args_ = args;
  aux_ = aux_states;
  grads_.assign(args.size(), NDArray());
  for (size_t i = 0; i < args.size(); ++i) {
    if (reqs[i] != GradReq::kNull) grads_[i] = arg_grads[i];
    has_backward_ |= reqs[i] != GradReq::kNull;
  }
  reqs_ = reqs;
  graph_ = std::make_unique<ExecGraph>(
      BuildFusedExecGraph(symbol_, ctx_, shapes, types, reqs));
  plan_ = PlanMemory(graph_->MakePlanRequest(graph_->steps.size()));
  for (size_t b = 0; b < plan_.block_bytes.size(); ++b) {
    const size_t bytes = std::max<size_t>(plan_.block_bytes[b], 1);
    if (shared_blocks != nullptr && b < shared_blocks->size() &&
        (*shared_blocks)[b].Bytes() >= bytes) {
      blocks_.push_back((*shared_blocks)[b]);
      continue;
    }
    blocks_.emplace_back(Shape{static_cast<int64_t>(bytes)}, ctx_,
                         DType::kUint8);
  }
  entry_arrays_.resize(graph_->entries.size());
  for (size_t e = 0; e < graph_->entries.size(); ++e) {
    const ExecEntry& entry = graph_->entries[e];
    switch (entry.kind) {
      case EntryKind::kInternal:
        entry_arrays_[e] =
            blocks_[plan_.entry_block[e]].ViewAs(entry.shape, entry.dtype);
        break;
      case EntryKind::kArg:
        entry_arrays_[e] = args_[entry.index];
        break;
      case EntryKind::kAux:
        entry_arrays_[e] = aux_[entry.index];
        break;
      case EntryKind::kArgGrad:
        entry_arrays_[e] = grads_[entry.index];
        break;
      case EntryKind::kHeadGrad:
        break;
    }
  }
  for (uint32_t e : graph_->graph.head_entries) {
    outputs_.push_back(entry_arrays_[e]);
  }
  PrepareSteps();
}

std::unique_ptr<Executor> Executor::Reshape(
    const std::map<std::string, Shape>& new_shapes, bool partial_shaping,
    bool allow_up_sizing) const {
  std::map<std::string, PartialShape> known;
  for (const auto& [name, shape] : new_shapes) {
    const bool is_input = std::find(arg_names_.begin(), arg_names_.end(),
                                    name) != arg_names_.end() ||
                          std::find(aux_names_.begin(), aux_names_.end(),
                                    name) != aux_names_.end();
    MX_CHECK(is_input, "reshape: '", name,
             "' is not an argument or auxiliary state of the symbol");
    known[name] = shape;
  }
  // Shapes the new ones do not determine keep their old values.
  const PartialShapes partial = symbol_.InferShapePartial(known);
  for (size_t i = 0; i < arg_names_.size(); ++i) {
    if (!partial.arguments[i].IsKnown())
      known[arg_names_[i]] = args_[i].shape();
  }
  for (size_t i = 0; i < aux_names_.size(); ++i) {
    if (!partial.aux_states[i].IsKnown())
      known[aux_names_[i]] = aux_[i].shape();
  }
  const Shapes shapes = symbol_.InferShape(known);
  // The array for `name` of `shape`: `old` itself, a view of its memory, or
  // (allow_up_sizing) a new one.
  const auto fit = [&](const std::string& name, const NDArray& old,
                       const Shape& shape) -> NDArray {
    if (old.is_none() || old.shape() == shape) return old;
    MX_CHECK(partial_shaping || new_shapes.count(name), "reshape: '", name,
             "' would change from ", old.shape(), " to ", shape,
             " without being named; pass partial_shaping=True to allow it");
    const size_t bytes = shape.Size() * DTypeSize(old.dtype());
    if (bytes <= old.Bytes()) return old.ViewAs(shape, old.dtype());
    MX_CHECK(allow_up_sizing, "reshape: '", name, "' grows from ", old.shape(),
             " to ", shape,
             "; pass allow_up_sizing=True to allocate new memory");
    return NDArray::Zeros(shape, old.context(), old.dtype());
  };
  std::vector<NDArray> args, grads, aux;
  for (size_t i = 0; i < arg_names_.size(); ++i) {
    args.push_back(fit(arg_names_[i], args_[i], shapes.arguments[i]));
    grads.push_back(fit(arg_names_[i], grads_[i], shapes.arguments[i]));
  }
  for (size_t i = 0; i < aux_names_.size(); ++i) {
    aux.push_back(fit(aux_names_[i], aux_[i], shapes.aux_states[i]));
  }
  std::unique_ptr<Executor> exe(new Executor(symbol_, ctx_));
  exe->Init(args, grads, reqs_, aux, &blocks_);
  return exe;
}

void Executor::PrepareSteps() {
  const auto view = [&](int e) {
    TensorView v;
    if (e < 0 || entry_arrays_[e].is_none()) return v;
    const NDArray& a = entry_arrays_[e];
    v.data = a.RawData();
    v.shape = a.shape();
    v.dtype = a.dtype();
    v.ctx = a.context();
    return v;
  };
  const auto views = [&](const std::vector<int>& entries) {
    std::vector<TensorView> out;
    for (int e : entries) out.push_back(view(e));
    return out;
  };
  const auto var = [&](int e, std::vector<VarHandle>* list) {
    if (e >= 0 && !entry_arrays_[e].is_none()) {
      list->push_back(entry_arrays_[e].var());
    }
  };
  const auto head_index = [&](int e) {
    return e >= 0 && graph_->entries[e].kind == EntryKind::kHeadGrad
               ? graph_->entries[e].index
               : -1;
  };
  for (size_t s = 0; s < graph_->steps.size(); ++s) {
    const ExecStep& step = graph_->steps[s];
    auto run = std::make_shared<StepRun>();
    run->kind = step.kind;
    run->ctx = ctx_;
    if (step.node >= 0) {
      const Node& n = *graph_->graph.nodes[step.node];
      run->name = step.kind == StepKind::kForward
                      ? n.attrs.name
                      : n.attrs.name + " (backward)";
      run->kernel = graph_->kernels[step.node];
      if (run->kernel->NeedsRandom()) {
        const RandomResource r = GetRandomResource(ctx_);
        run->rng = r.engine;
        run->writes.push_back(r.var);
      }
    } else {
      run->name =
          step.kind == StepKind::kSum ? "gradient sum" : "zero gradient";
    }
    switch (step.kind) {
      case StepKind::kForward:
        run->fwd.inputs = views(step.inputs);
        run->fwd.outputs = views(step.outputs);
        run->fwd.req = step.req;
        for (size_t k = 0; k < step.inputs.size(); ++k) {
          // Auxiliary states are updated by forward (BatchNorm).
          const bool aux =
              graph_->entries[step.inputs[k]].kind == EntryKind::kAux;
          var(step.inputs[k], aux ? &run->writes : &run->reads);
        }
        for (size_t k = 0; k < step.outputs.size(); ++k) {
          if (plan_.inplace[s][k]) run->fwd.req[k] = OpReq::kInplace;
        }
        break;
      case StepKind::kBackward:
        run->bwd.out_grads = views(step.out_grads);
        run->bwd.inputs = views(step.inputs);
        run->bwd.outputs = views(step.outputs);
        run->bwd.in_grads = views(step.in_grads);
        run->bwd.req = step.req;
        for (size_t o = 0; o < step.out_grads.size(); ++o) {
          if (head_index(step.out_grads[o]) >= 0) {
            run->head_slots.emplace_back(o, head_index(step.out_grads[o]));
          }
        }
        break;
      case StepKind::kSum:
        run->terms = views(step.inputs);
        for (size_t t = 0; t < step.inputs.size(); ++t) {
          if (head_index(step.inputs[t]) >= 0) {
            run->head_slots.emplace_back(t, head_index(step.inputs[t]));
          }
        }
        [[fallthrough]];
      case StepKind::kZero:
        run->out = view(step.outputs[0]);
        run->req = step.req[0];
        break;
    }
    if (step.kind != StepKind::kForward) {
      for (int e : step.ReadEntries()) var(e, &run->reads);
    }
    for (int e : step.WrittenEntries()) var(e, &run->writes);
    if (step.kind == StepKind::kBackward) {
      // In-place pairs the planner granted become kInplace.
      size_t packed = 0;
      for (size_t k = 0; k < step.in_grads.size(); ++k) {
        if (step.in_grads[k] < 0) continue;
        if (plan_.inplace[s][packed++]) run->bwd.req[k] = OpReq::kInplace;
      }
    }
    if (plan_.workspace_block[s] >= 0) {
      const NDArray& block = blocks_[plan_.workspace_block[s]];
      run->workspace = block.RawData();
      run->workspace_bytes = step.workspace_bytes;
      run->writes.push_back(block.var());
    }
    runs_.push_back(std::move(run));
  }
}

void Executor::PushStep(const std::shared_ptr<const StepRun>& run,
                        bool is_train) {
  if (!timer_) {
    Engine::Get()->PushSync(
        [run, is_train](RunContext rc) { run->Execute(is_train, rc.stream); },
        ctx_, run->reads, run->writes, 0, run->name);
    return;
  }
  Engine::Get()->PushSync(
      [run, is_train, timer = timer_](RunContext rc) {
        const auto start = std::chrono::steady_clock::now();
        run->Execute(is_train, rc.stream);
        // On a GPU the kernels run after Execute returns: wait for them.
        if (rc.stream != nullptr) gpu::SyncStream(rc.stream);
        timer(run->name, std::chrono::duration<double>(
                             std::chrono::steady_clock::now() - start)
                             .count());
      },
      ctx_, run->reads, run->writes, 0, run->name);
}

void Executor::Forward(bool is_train) {
  for (size_t s = 0; s < graph_->num_forward_steps; ++s) {
    PushStep(runs_[s], is_train);
  }
}

void Executor::Backward(const std::vector<NDArray>& head_grads) {
  MX_CHECK(has_backward_,
           "Backward: the executor was bound without gradients (no gradient "
           "arrays, or grad_req null for every argument)");
  MX_CHECK(head_grads.empty() || head_grads.size() == outputs_.size(),
           "Backward: ", head_grads.size(), " head gradients for ",
           outputs_.size(), " outputs (", Join(output_names_, ", "), ")");
  for (size_t h = 0; h < outputs_.size(); ++h) {
    if (!graph_->head_needs_grad[h]) continue;
    MX_CHECK(!head_grads.empty() && !head_grads[h].is_none(),
             "Backward: head gradient for output '", output_names_[h],
             "' is required (it is not a loss output); pass one array per "
             "output");
    MX_CHECK(head_grads[h].shape() == outputs_[h].shape() &&
                 head_grads[h].dtype() == outputs_[h].dtype() &&
                 Compatible(head_grads[h].context(), ctx_),
             "Backward: head gradient for output '", output_names_[h], "' is ",
             head_grads[h].Describe(), ", expected shape ", outputs_[h].shape(),
             " ", outputs_[h].dtype(), " on ", ctx_);
  }
  for (size_t s = graph_->num_forward_steps; s < runs_.size(); ++s) {
    const std::shared_ptr<const StepRun>& run = runs_[s];
    if (run->head_slots.empty()) {
      PushStep(run, true);
      continue;
    }
    auto patched = std::make_shared<StepRun>(*run);
    for (const auto& [slot, h] : run->head_slots) {
      const NDArray& g = head_grads[h];
      TensorView v{g.RawData(), g.shape(), g.dtype(), g.context()};
      (run->kind == StepKind::kSum ? patched->terms
                                   : patched->bwd.out_grads)[slot] = v;
      patched->reads.push_back(g.var());
    }
    PushStep(patched, true);
  }
}

std::map<std::string, NDArray> Executor::arg_dict() const {
  std::map<std::string, NDArray> out;
  for (size_t i = 0; i < args_.size(); ++i) out[arg_names_[i]] = args_[i];
  return out;
}

std::map<std::string, NDArray> Executor::grad_dict() const {
  std::map<std::string, NDArray> out;
  for (size_t i = 0; i < grads_.size(); ++i) {
    if (!grads_[i].is_none()) out[arg_names_[i]] = grads_[i];
  }
  return out;
}

std::map<std::string, NDArray> Executor::aux_dict() const {
  std::map<std::string, NDArray> out;
  for (size_t i = 0; i < aux_.size(); ++i) out[aux_names_[i]] = aux_[i];
  return out;
}

std::string Executor::DebugString() const {
  static const char* kKinds[] = {"forward", "backward", "sum", "zero"};
  std::string out = DescribePlan(plan_) + "\n";
  const auto list = [&](const std::vector<int>& entries) {
    std::vector<std::string> parts;
    for (int e : entries) {
      if (e < 0) continue;
      const int b = plan_.entry_block[e];
      parts.push_back(StrCat("e", e, b >= 0 ? StrCat("@b", b) : "",
                             graph_->entries[e].shape));
    }
    return Join(parts, " ");
  };
  for (size_t s = 0; s < runs_.size(); ++s) {
    const ExecStep& step = graph_->steps[s];
    out += StrCat(s, " ", kKinds[static_cast<int>(step.kind)], " ",
                  runs_[s]->name, ": reads [", list(step.ReadEntries()),
                  "] writes [", list(step.WrittenEntries()), "]",
                  plan_.workspace_block[s] >= 0
                      ? StrCat(" workspace b", plan_.workspace_block[s])
                      : "",
                  "\n");
  }
  return out;
}

}  // namespace mx
