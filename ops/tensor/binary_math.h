// The math of the elementwise binary ops with broadcasting, their same-shape
// forms and their scalar forms, written once for every device (Note [GPU
// kernels]): Fwd(x, y); GradL / GradR, the partial derivatives at (x, y)
// given out = Fwd(x, y). Comparisons and logical ops give 1 or 0 and no
// gradient.
#ifndef MX_OPS_TENSOR_BINARY_MATH_H_
#define MX_OPS_TENSOR_BINARY_MATH_H_

#include <cmath>

#include "core/base/host_device.h"

namespace mx {
namespace ops {
namespace binary {

#define MX_BINARY_FN(Name, fwd, grad_l, grad_r)      \
  struct Name {                                      \
    template <typename T>                            \
    MX_HOST_DEVICE static T Fwd(T x, T y) {          \
      return fwd;                                    \
    }                                                \
    template <typename T>                            \
    MX_HOST_DEVICE static T GradL(T x, T y, T out) { \
      (void)x;                                       \
      (void)y;                                       \
      (void)out;                                     \
      return grad_l;                                 \
    }                                                \
    template <typename T>                            \
    MX_HOST_DEVICE static T GradR(T x, T y, T out) { \
      (void)x;                                       \
      (void)y;                                       \
      (void)out;                                     \
      return grad_r;                                 \
    }                                                \
  }

MX_BINARY_FN(Add, x + y, T(1), T(1));
MX_BINARY_FN(Sub, x - y, T(1), T(-1));
MX_BINARY_FN(Mul, x* y, y, x);
MX_BINARY_FN(Div, x / y, T(1) / y, -x / (y * y));
// Python's modulo: the sign of the divisor.
MX_BINARY_FN(Mod, (y == T(0) ? T(0) : x - std::floor(x / y) * y), T(1),
             (y == T(0) ? T(0) : -std::floor(x / y)));
MX_BINARY_FN(Power, std::pow(x, y), y* std::pow(x, y - T(1)),
             (x > T(0) ? out * std::log(x) : T(0)));
// Ties send the gradient to the left operand, as MXNet.
MX_BINARY_FN(Maximum, (x >= y ? x : y), T(x >= y), T(x < y));
MX_BINARY_FN(Minimum, (x <= y ? x : y), T(x <= y), T(x > y));
MX_BINARY_FN(Hypot, std::hypot(x, y), (out > T(0) ? x / out : T(0)),
             (out > T(0) ? y / out : T(0)));
MX_BINARY_FN(Equal, T(x == y), T(0), T(0));
MX_BINARY_FN(NotEqual, T(x != y), T(0), T(0));
MX_BINARY_FN(Greater, T(x > y), T(0), T(0));
MX_BINARY_FN(GreaterEqual, T(x >= y), T(0), T(0));
MX_BINARY_FN(Lesser, T(x < y), T(0), T(0));
MX_BINARY_FN(LesserEqual, T(x <= y), T(0), T(0));
MX_BINARY_FN(LogicalAnd, T(x != T(0) && y != T(0)), T(0), T(0));
MX_BINARY_FN(LogicalOr, T(x != T(0) || y != T(0)), T(0), T(0));
MX_BINARY_FN(LogicalXor, T((x != T(0)) != (y != T(0))), T(0), T(0));

// smooth_l1 (Fast R-CNN's box loss) with y = sigma: 0.5 (sigma x)^2 where
// |x| < 1 / sigma^2, else |x| - 0.5 / sigma^2; no gradient for sigma.
MX_BINARY_FN(SmoothL1,
             ((x < T(0) ? -x : x) * y * y < T(1)
                  ? T(0.5) * x * x * y * y
                  : (x < T(0) ? -x : x) - T(0.5) / (y * y)),
             ((x < T(0) ? -x : x) * y * y < T(1) ? x * y * y
                                                 : T((x > T(0)) - (x < T(0)))),
             T(0));

#undef MX_BINARY_FN

}  // namespace binary
}  // namespace ops
}  // namespace mx

#endif  // MX_OPS_TENSOR_BINARY_MATH_H_
