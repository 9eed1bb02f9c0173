// The math of elemwise_add and a ReLU fused (_fused_add_relu), written once
// for the CPU and GPU kernels.
#ifndef MX_OPS_TENSOR_ADD_RELU_H_
#define MX_OPS_TENSOR_ADD_RELU_H_

#include "core/base/host_device.h"

namespace mx {
namespace ops {

inline constexpr char kAddReLU[] = "_fused_add_relu";

// out = max(0, lhs + rhs) (0 for NaN, as the ReLU's x > 0 ? x : 0).
template <typename T>
MX_HOST_DEVICE inline T AddReLU(T lhs, T rhs) {
  const T v = lhs + rhs;
  return v > T(0) ? v : T(0);
}

// Both inputs' gradient: g where the output is positive, 0 elsewhere.
template <typename T>
MX_HOST_DEVICE inline T AddReLUGrad(T g, T out) {
  return out > T(0) ? g : T(0);
}

}  // namespace ops
}  // namespace mx

#endif  // MX_OPS_TENSOR_ADD_RELU_H_
