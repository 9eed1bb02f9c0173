// _Native: an op defined at run time by callbacks (MXNet's _Native, behind
// its Python NumpyOp). A NativeOpInfo, registered under an id, gives the
// argument and output names, the shapes and the float32 host forward /
// backward; the op's `info` parameter names the id. Callbacks run where the
// engine runs the node (a worker thread) and must not wait for the engine.
#ifndef MX_OPS_CUSTOM_NATIVE_OP_H_
#define MX_OPS_CUSTOM_NATIVE_OP_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/base/shape.h"
#include "core/op/kernel.h"

namespace mx {
namespace ops {

struct NativeOpInfo {
  std::vector<std::string> arguments = {"data"};
  std::vector<std::string> outputs = {"output"};
  // Output shapes from the input shapes (called once the first input is
  // known; unknown ones are empty shapes); sets every input's shape in *in.
  std::function<std::vector<Shape>(std::vector<Shape>* in)> infer_shape;
  // out[i] = f(in...): host views (float32 or float64, the node's type),
  // outputs to overwrite.
  std::function<void(const std::vector<TensorView>& in,
                     const std::vector<TensorView>& out)>
      forward;
  // in_grad[i] = df/din_i: every in_grad is a buffer to overwrite (the op
  // adds it to accumulated gradients itself).
  std::function<void(const std::vector<TensorView>& out_grad,
                     const std::vector<TensorView>& in,
                     const std::vector<TensorView>& out,
                     const std::vector<TensorView>& in_grad)>
      backward;
  // False: a loss head, backward gets no output gradient.
  bool need_top_grad = true;
};

// Registers `info` and returns its id (for the op's `info` parameter); the
// registry keeps it for the life of the process.
int64_t RegisterNativeOp(std::shared_ptr<const NativeOpInfo> info);
// The info registered under `id`; mx::Error when there is none.
std::shared_ptr<const NativeOpInfo> FindNativeOp(int64_t id);

}  // namespace ops
}  // namespace mx

#endif  // MX_OPS_CUSTOM_NATIVE_OP_H_
