// The math of the elementwise unary ops, written once for every device
// (Note [GPU kernels]): Fwd(x) is the value, Grad(x, y) the derivative at x
// given y = Fwd(x); kReads says which of x and y Grad looks at, so backward
// keeps only that array alive (Note [Backward dependencies]).
#ifndef MX_OPS_TENSOR_UNARY_MATH_H_
#define MX_OPS_TENSOR_UNARY_MATH_H_

#include <cmath>

#include "core/base/host_device.h"

namespace mx {
namespace ops {
namespace unary {

enum Reads { kNothing = 0, kInput = 1, kOutput = 2 };

#define MX_UNARY_FN(Name, reads, fwd, grad)  \
  struct Name {                              \
    static constexpr int kReads = reads;     \
    template <typename T>                    \
    MX_HOST_DEVICE static T Fwd(T x) {       \
      using std::abs;                        \
      (void)x;                               \
      return fwd;                            \
    }                                        \
    template <typename T>                    \
    MX_HOST_DEVICE static T Grad(T x, T y) { \
      (void)x;                               \
      (void)y;                               \
      return grad;                           \
    }                                        \
  }

// Rounding and sign: piecewise constant, so zero gradient (as MXNet).
MX_UNARY_FN(Abs, kInput, abs(x), T((x > 0) - (x < 0)));
MX_UNARY_FN(Sign, kNothing, T((x > 0) - (x < 0)), T(0));
MX_UNARY_FN(Round, kNothing, std::round(x), T(0));
MX_UNARY_FN(Rint, kNothing, std::nearbyint(x), T(0));
MX_UNARY_FN(Ceil, kNothing, std::ceil(x), T(0));
MX_UNARY_FN(Floor, kNothing, std::floor(x), T(0));
MX_UNARY_FN(Trunc, kNothing, std::trunc(x), T(0));
// Powers and roots.
MX_UNARY_FN(Negative, kNothing, -x, T(-1));
MX_UNARY_FN(Reciprocal, kInput, T(1) / x, T(-1) / (x * x));
MX_UNARY_FN(Square, kInput, x* x, T(2) * x);
MX_UNARY_FN(Sqrt, kOutput, std::sqrt(x), T(0.5) / y);
MX_UNARY_FN(Rsqrt, kInput, T(1) / std::sqrt(x), T(-0.5) / (x * std::sqrt(x)));
MX_UNARY_FN(Cbrt, kOutput, std::cbrt(x), T(1) / (T(3) * y * y));
// Exponentials and logarithms.
MX_UNARY_FN(Exp, kOutput, std::exp(x), y);
MX_UNARY_FN(Expm1, kOutput, std::expm1(x), y + T(1));
MX_UNARY_FN(Log, kInput, std::log(x), T(1) / x);
MX_UNARY_FN(Log2, kInput, std::log2(x), T(1) / (x * T(M_LN2)));
MX_UNARY_FN(Log10, kInput, std::log10(x), T(1) / (x * T(M_LN10)));
MX_UNARY_FN(Log1p, kInput, std::log1p(x), T(1) / (T(1) + x));
// Trigonometric and hyperbolic functions.
MX_UNARY_FN(Sin, kInput, std::sin(x), std::cos(x));
MX_UNARY_FN(Cos, kInput, std::cos(x), -std::sin(x));
MX_UNARY_FN(Tan, kOutput, std::tan(x), T(1) + y * y);
MX_UNARY_FN(Arcsin, kInput, std::asin(x), T(1) / std::sqrt(T(1) - x * x));
MX_UNARY_FN(Arccos, kInput, std::acos(x), T(-1) / std::sqrt(T(1) - x * x));
MX_UNARY_FN(Arctan, kInput, std::atan(x), T(1) / (T(1) + x * x));
MX_UNARY_FN(Sinh, kInput, std::sinh(x), std::cosh(x));
MX_UNARY_FN(Cosh, kInput, std::cosh(x), std::sinh(x));
MX_UNARY_FN(Tanh, kOutput, std::tanh(x), T(1) - y * y);
MX_UNARY_FN(Arcsinh, kInput, std::asinh(x), T(1) / std::sqrt(x * x + T(1)));
MX_UNARY_FN(Arccosh, kInput, std::acosh(x), T(1) / std::sqrt(x * x - T(1)));
MX_UNARY_FN(Arctanh, kInput, std::atanh(x), T(1) / (T(1) - x * x));
MX_UNARY_FN(Degrees, kNothing, x* T(180 / M_PI), T(180 / M_PI));
MX_UNARY_FN(Radians, kNothing, x* T(M_PI / 180), T(M_PI / 180));
// Activations and special functions.
MX_UNARY_FN(Sigmoid, kOutput, T(1) / (T(1) + std::exp(-x)), y*(T(1) - y));
MX_UNARY_FN(Relu, kOutput, x > 0 ? x : T(0), T(y > 0));
MX_UNARY_FN(Softsign, kInput, x / (T(1) + abs(x)),
            T(1) / ((T(1) + std::abs(x)) * (T(1) + std::abs(x))));
MX_UNARY_FN(Erf, kInput, std::erf(x), T(M_2_SQRTPI) * std::exp(-x * x));
MX_UNARY_FN(Gelu, kInput, T(0.5) * x * (T(1) + std::erf(x * T(M_SQRT1_2))),
            T(0.5) * (T(1) + std::erf(x * T(M_SQRT1_2))) +
                x * std::exp(T(-0.5) * x * x) *
                    T(0.5 * M_2_SQRTPI * M_SQRT1_2));
// Identity in forward (BlockGrad, MakeLoss and copies pick their own
// backward).
MX_UNARY_FN(Identity, kNothing, x, T(1));

#undef MX_UNARY_FN

}  // namespace unary
}  // namespace ops
}  // namespace mx

#endif  // MX_OPS_TENSOR_UNARY_MATH_H_
