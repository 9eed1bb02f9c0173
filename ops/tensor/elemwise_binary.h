// The elementwise binary ops (elemwise_add, elemwise_sub, elemwise_mul,
// elemwise_div, _power), as their kernels on every device tell them apart.
#ifndef MX_OPS_TENSOR_ELEMWISE_BINARY_H_
#define MX_OPS_TENSOR_ELEMWISE_BINARY_H_

#include <string>

namespace mx {
namespace ops {

enum class Binary { kAdd, kSub, kMul, kDiv, kPow };

// The Binary of a registered op name (canonical).
Binary BinaryOf(const std::string& op);

}  // namespace ops
}  // namespace mx

#endif  // MX_OPS_TENSOR_ELEMWISE_BINARY_H_
