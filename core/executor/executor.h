// Executor: a symbol bound to arrays on a device. Bind infers every shape,
// creates each node's kernel, builds the gradient steps and plans internal
// memory once; Forward and Backward then push every step to the engine and
// return at once (docs/design_notes.md: Note [Kernels are planned at bind],
// Note [Gradient steps], Note [Memory planning]). Arrays read or
// written by the user between calls are ordered by the engine, so mixing
// NDArray code with an executor is safe.
#ifndef MX_CORE_EXECUTOR_EXECUTOR_H_
#define MX_CORE_EXECUTOR_EXECUTOR_H_

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/executor/exec_graph.h"
#include "core/executor/plan_memory.h"
#include "core/ndarray/ndarray.h"
#include "core/symbol/symbol.h"

namespace mx {

class Executor {
 public:
  // Binds `symbol` to user arrays in ListArguments / ListAuxiliaryStates
  // order. `arg_grads` may be empty (no gradients) or hold one array per
  // argument (a none array: no gradient for it); `grad_req` holds one
  // request for all arguments or one per argument. mx::Error naming the
  // argument for a missing array, a wrong shape, type or device.
  static std::unique_ptr<Executor> Bind(const Symbol& symbol, Context ctx,
                                        const std::vector<NDArray>& args,
                                        const std::vector<NDArray>& arg_grads,
                                        const std::vector<GradReq>& grad_req,
                                        const std::vector<NDArray>& aux_states);
  // The same with arrays by name; arguments without a gradient array get no
  // gradient, a missing grad_req entry means "write".
  static std::unique_ptr<Executor> Bind(
      const Symbol& symbol, Context ctx,
      const std::map<std::string, NDArray>& args,
      const std::map<std::string, NDArray>& arg_grads,
      const std::map<std::string, GradReq>& grad_req,
      const std::map<std::string, NDArray>& aux_states);
  // Infers every shape from `input_shapes` and allocates arguments,
  // gradients (none where the request is null) and auxiliary states as
  // zeros (moving variances and other "__init__ one" states as ones).
  // `grad_req_overrides` sets the request of single arguments. `group2ctx`
  // places the variables of a ctx_group attribute on a context (MXNet's
  // model parallelism; see CheckGroupContexts).
  static std::unique_ptr<Executor> SimpleBind(
      const Symbol& symbol, Context ctx,
      const std::map<std::string, Shape>& input_shapes,
      GradReq grad_req = GradReq::kWrite,
      const std::map<std::string, GradReq>& grad_req_overrides = {},
      const std::map<std::string, DType>& input_types = {},
      const std::map<std::string, Context>& group2ctx = {});
  // mx::Error unless every context of `group2ctx` can run with an executor
  // bound to `ctx`: the same context, or host contexts (which share memory
  // and workers: cpu(0) and cpu(1) both run on the host). Groups on other
  // devices would need copies between devices, which the executor does not
  // insert yet.
  static void CheckGroupContexts(
      Context ctx, const std::map<std::string, Context>& group2ctx);

  // A new executor of the same symbol for other input shapes (MXNet's
  // Executor.reshape), sharing this one's memory: arguments, gradients and
  // auxiliary states that keep their shape are the same arrays, smaller ones
  // are views of the old ones' memory, and the planned buffers are reused
  // where they are large enough. Arguments not named in `new_shapes` may
  // change shape only with `partial_shaping`; growing beyond the old memory
  // needs `allow_up_sizing` (new arrays). mx::Error naming the argument
  // otherwise. Both executors must not run at once (they share memory; the
  // engine orders their steps).
  std::unique_ptr<Executor> Reshape(
      const std::map<std::string, Shape>& new_shapes,
      bool partial_shaping = false, bool allow_up_sizing = false) const;

  ~Executor();
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  // Pushes the forward steps; is_train selects training behaviour (Dropout,
  // BatchNorm batch statistics and moving-average updates).
  void Forward(bool is_train = false);
  // Pushes the backward steps. `head_grads` holds one array per output, in
  // output order; it may be empty only when every output that needs a
  // gradient comes from a loss op. mx::Error otherwise, or when Bind was
  // given no gradients.
  void Backward(const std::vector<NDArray>& head_grads = {});

  // Called after each step with its name ("fc1", "fc1 (backward)",
  // "gradient sum") and the seconds its kernel took (on a GPU: until its
  // stream is done, so steps are not overlapped), on the engine thread that
  // ran it (mxtrain time, profiling). Empty: no timing (the default).
  using StepTimer = std::function<void(const std::string& step, double)>;
  void SetStepTimer(StepTimer timer) { timer_ = std::move(timer); }

  const std::vector<NDArray>& outputs() const { return outputs_; }
  const std::vector<NDArray>& arg_arrays() const { return args_; }
  const std::vector<NDArray>& grad_arrays() const { return grads_; }
  const std::vector<NDArray>& aux_arrays() const { return aux_; }
  std::map<std::string, NDArray> arg_dict() const;
  std::map<std::string, NDArray> grad_dict() const;
  std::map<std::string, NDArray> aux_dict() const;
  const Symbol& symbol() const { return symbol_; }

  // The memory plan in use (forward and backward steps when gradients are
  // bound, forward steps otherwise).
  const MemoryPlan& memory_plan() const { return plan_; }
  // One line per step: kind, node, entries, req, in-place and blocks.
  std::string DebugString() const;

 private:
  struct StepRun;
  Executor(Symbol symbol, Context ctx);
  // `shared_blocks` (from Reshape): buffers to reuse where large enough.
  void Init(const std::vector<NDArray>& args,
            const std::vector<NDArray>& arg_grads,
            const std::vector<GradReq>& grad_req,
            const std::vector<NDArray>& aux_states,
            const std::vector<NDArray>* shared_blocks = nullptr);
  void PrepareSteps();
  void PushStep(const std::shared_ptr<const StepRun>& run, bool is_train);

  Symbol symbol_;
  Context ctx_;
  std::vector<std::string> arg_names_, aux_names_, output_names_;
  std::vector<NDArray> args_, grads_, aux_, outputs_;
  std::vector<GradReq> reqs_;  // per argument
  std::unique_ptr<ExecGraph> graph_;
  MemoryPlan plan_;
  std::vector<NDArray> blocks_;
  // Array of each entry (none for head gradients until Backward).
  std::vector<NDArray> entry_arrays_;
  std::vector<std::shared_ptr<const StepRun>> runs_;
  bool has_backward_ = false;
  StepTimer timer_;
};

}  // namespace mx

#endif  // MX_CORE_EXECUTOR_EXECUTOR_H_
