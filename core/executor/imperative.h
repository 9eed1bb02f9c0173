// Imperative op calls: one registered op run on arrays right away (pushed to
// the engine like every array operation), as MXNet's mx.nd.<op>(...). The
// same kernels as a bound graph; no gradient is recorded.
#ifndef MX_CORE_EXECUTOR_IMPERATIVE_H_
#define MX_CORE_EXECUTOR_IMPERATIVE_H_

#include <string>
#include <vector>

#include "core/base/context.h"
#include "core/ndarray/ndarray.h"
#include "core/op/param.h"

namespace mx {

struct InvokeOptions {
  // The node name in errors ("" for the op's name).
  std::string name;
  // Where an op without inputs runs (sampling ops); otherwise the inputs'.
  Context ctx = Context::CPU();
  // Arrays to write the visible outputs into (their shapes must match);
  // empty for new arrays.
  std::vector<NDArray> out;
  // Run as in training (Dropout drops, BatchNorm uses batch statistics).
  bool is_train = false;
};

// Runs `op` (a name or alias) on `inputs` (its arguments then auxiliary
// states, in order) with parameters `params`; returns its visible outputs.
// mx::Error naming the op for unknown ops, bad parameters, a wrong number of
// inputs, inputs on several devices, or shapes the op rejects; errors of the
// computation itself surface at the next wait on an output.
std::vector<NDArray> InvokeOp(const std::string& op,
                              const std::vector<NDArray>& inputs,
                              const AttrDict& params,
                              const InvokeOptions& options = {});

}  // namespace mx

#endif  // MX_CORE_EXECUTOR_IMPERATIVE_H_
