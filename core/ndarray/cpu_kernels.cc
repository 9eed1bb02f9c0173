#include "core/ndarray/cpu_kernels.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>
#include <vector>

#include "core/base/error.h"
#include "core/base/multiversion.h"

namespace mx::cpu {
namespace {

template <typename T>
T Apply(BinaryOp op, T a, T b) {
  switch (op) {
    case BinaryOp::kAdd:
      return a + b;
    case BinaryOp::kSub:
      return a - b;
    case BinaryOp::kMul:
      return a * b;
    case BinaryOp::kDiv:
      return a / b;
  }
  return T();
}

// The loop every binary op uses; `Op` is a compile-time constant so each
// instantiation vectorizes.
template <BinaryOp Op, typename T>
inline void BinaryLoop(const T* a, const T* b, T* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = Apply<T>(Op, a[i], b[i]);
}

template <BinaryOp Op, typename T>
inline void ScalarLoop(const T* a, T s, T* out, int64_t n, bool reverse) {
  if (reverse) {
    for (int64_t i = 0; i < n; ++i) out[i] = Apply<T>(Op, s, a[i]);
  } else {
    for (int64_t i = 0; i < n; ++i) out[i] = Apply<T>(Op, a[i], s);
  }
}

// Dispatches the runtime op to the loop instantiated for it.
template <typename T>
inline void BinaryDispatch(BinaryOp op, const T* a, const T* b, T* out,
                           int64_t n) {
  switch (op) {
    case BinaryOp::kAdd:
      return BinaryLoop<BinaryOp::kAdd>(a, b, out, n);
    case BinaryOp::kSub:
      return BinaryLoop<BinaryOp::kSub>(a, b, out, n);
    case BinaryOp::kMul:
      return BinaryLoop<BinaryOp::kMul>(a, b, out, n);
    case BinaryOp::kDiv:
      return BinaryLoop<BinaryOp::kDiv>(a, b, out, n);
  }
}

MX_MULTIVERSION void BinaryF32(BinaryOp op, const float* a, const float* b,
                               float* out, int64_t n) {
  BinaryDispatch(op, a, b, out, n);
}

template <typename T>
void ScalarT(BinaryOp op, const T* a, T s, T* out, int64_t n, bool reverse) {
  switch (op) {
    case BinaryOp::kAdd:
      return ScalarLoop<BinaryOp::kAdd>(a, s, out, n, reverse);
    case BinaryOp::kSub:
      return ScalarLoop<BinaryOp::kSub>(a, s, out, n, reverse);
    case BinaryOp::kMul:
      return ScalarLoop<BinaryOp::kMul>(a, s, out, n, reverse);
    case BinaryOp::kDiv:
      return ScalarLoop<BinaryOp::kDiv>(a, s, out, n, reverse);
  }
}

MX_MULTIVERSION void ScalarF32(BinaryOp op, const float* a, float s, float* out,
                               int64_t n, bool reverse) {
  ScalarT<float>(op, a, s, out, n, reverse);
}

template <typename T>
void BinaryT(BinaryOp op, const T* a, const T* b, T* out, int64_t n) {
  if constexpr (std::is_integral_v<T>) {
    if (op == BinaryOp::kDiv) {
      for (int64_t i = 0; i < n; ++i) {
        MX_CHECK(b[i] != 0, "integer division by zero at element ", i);
      }
    }
  }
  BinaryDispatch(op, a, b, out, n);
}

template <typename T>
double ToDouble(T v) {
  if constexpr (std::is_same_v<T, Half>) {
    return HalfToFloat(v);
  } else {
    return static_cast<double>(v);
  }
}

template <typename T>
T FromDouble(double v) {
  if constexpr (std::is_same_v<T, Half>) {
    return FloatToHalf(static_cast<float>(v));
  } else if constexpr (std::is_integral_v<T>) {
    // Saturate instead of undefined behaviour for out-of-range values; NaN
    // becomes 0.
    if (std::isnan(v)) return 0;
    if (v <= static_cast<double>(std::numeric_limits<T>::min())) {
      return std::numeric_limits<T>::min();
    }
    if (v >= static_cast<double>(std::numeric_limits<T>::max())) {
      return std::numeric_limits<T>::max();
    }
    return static_cast<T>(v);
  } else {
    return static_cast<T>(v);
  }
}

double ApplyUnary(UnaryOp op, double x) {
  switch (op) {
    case UnaryOp::kNegate:
      return -x;
    case UnaryOp::kAbs:
      return std::fabs(x);
    case UnaryOp::kSqrt:
      return std::sqrt(x);
    case UnaryOp::kSquare:
      return x * x;
    case UnaryOp::kExp:
      return std::exp(x);
    case UnaryOp::kLog:
      return std::log(x);
  }
  return 0;
}

MX_MULTIVERSION void UnaryF32(UnaryOp op, const float* a, float* out,
                              int64_t n) {
  switch (op) {
    case UnaryOp::kNegate:
      for (int64_t i = 0; i < n; ++i) out[i] = -a[i];
      return;
    case UnaryOp::kAbs:
      for (int64_t i = 0; i < n; ++i) out[i] = std::fabs(a[i]);
      return;
    case UnaryOp::kSqrt:
      for (int64_t i = 0; i < n; ++i) out[i] = std::sqrt(a[i]);
      return;
    case UnaryOp::kSquare:
      for (int64_t i = 0; i < n; ++i) out[i] = a[i] * a[i];
      return;
    case UnaryOp::kExp:
      for (int64_t i = 0; i < n; ++i) out[i] = std::exp(a[i]);
      return;
    case UnaryOp::kLog:
      for (int64_t i = 0; i < n; ++i) out[i] = std::log(a[i]);
      return;
  }
}

BinaryOp AsBinary(ScalarOp op, bool* reverse) {
  *reverse = op == ScalarOp::kRSub || op == ScalarOp::kRDiv;
  switch (op) {
    case ScalarOp::kAdd:
      return BinaryOp::kAdd;
    case ScalarOp::kSub:
    case ScalarOp::kRSub:
      return BinaryOp::kSub;
    case ScalarOp::kMul:
      return BinaryOp::kMul;
    case ScalarOp::kDiv:
    case ScalarOp::kRDiv:
      return BinaryOp::kDiv;
  }
  return BinaryOp::kAdd;
}

}  // namespace

const char* OpName(BinaryOp op) {
  static const char* const kNames[] = {"add", "sub", "mul", "div"};
  return kNames[static_cast<int>(op)];
}
const char* OpName(ScalarOp op) {
  static const char* const kNames[] = {"add_scalar",  "sub_scalar",
                                       "rsub_scalar", "mul_scalar",
                                       "div_scalar",  "rdiv_scalar"};
  return kNames[static_cast<int>(op)];
}
const char* OpName(UnaryOp op) {
  static const char* const kNames[] = {"negative", "abs", "sqrt",
                                       "square",   "exp", "log"};
  return kNames[static_cast<int>(op)];
}
const char* OpName(ReduceOp op) {
  static const char* const kNames[] = {"sum", "mean", "max"};
  return kNames[static_cast<int>(op)];
}

namespace {

// Float16 arithmetic is computed in float32 and rounded to half when stored
// (as mshadow's half_t): the float32 kernels on converted copies.
std::vector<float> ToFloats(const void* a, int64_t n) {
  std::vector<float> f(static_cast<size_t>(n));
  const Half* h = static_cast<const Half*>(a);
  for (int64_t i = 0; i < n; ++i) f[i] = HalfToFloat(h[i]);
  return f;
}

void StoreHalves(const std::vector<float>& f, void* out) {
  Half* h = static_cast<Half*>(out);
  for (size_t i = 0; i < f.size(); ++i) h[i] = FloatToHalf(f[i]);
}

}  // namespace

void Binary(BinaryOp op, DType dtype, const void* a, const void* b, void* out,
            int64_t n) {
  if (dtype == DType::kFloat16) {
    const std::vector<float> fa = ToFloats(a, n), fb = ToFloats(b, n);
    std::vector<float> fo(static_cast<size_t>(n));
    Binary(op, DType::kFloat32, fa.data(), fb.data(), fo.data(), n);
    return StoreHalves(fo, out);
  }
  if (dtype == DType::kFloat32) {
    return BinaryF32(op, static_cast<const float*>(a),
                     static_cast<const float*>(b), static_cast<float*>(out), n);
  }
  MX_ARITH_DTYPE_SWITCH(
      dtype, OpName(op), T,
      BinaryT<T>(op, static_cast<const T*>(a), static_cast<const T*>(b),
                 static_cast<T*>(out), n));
}

void Scalar(ScalarOp op, DType dtype, const void* a, double s, void* out,
            int64_t n) {
  if (dtype == DType::kFloat16) {
    const std::vector<float> fa = ToFloats(a, n);
    std::vector<float> fo(static_cast<size_t>(n));
    Scalar(op, DType::kFloat32, fa.data(), s, fo.data(), n);
    return StoreHalves(fo, out);
  }
  bool reverse;
  const BinaryOp bop = AsBinary(op, &reverse);
  if (dtype == DType::kFloat32) {
    return ScalarF32(bop, static_cast<const float*>(a), static_cast<float>(s),
                     static_cast<float*>(out), n, reverse);
  }
  MX_ARITH_DTYPE_SWITCH(dtype, OpName(op), T, {
    const T sv = FromDouble<T>(s);
    if constexpr (std::is_integral_v<T>) {
      if (bop == BinaryOp::kDiv) {
        if (!reverse) MX_CHECK(sv != 0, "integer division by zero scalar");
        for (int64_t i = 0; reverse && i < n; ++i) {
          MX_CHECK(static_cast<const T*>(a)[i] != 0,
                   "integer division by zero at element ", i);
        }
      }
    }
    ScalarT<T>(bop, static_cast<const T*>(a), sv, static_cast<T*>(out), n,
               reverse);
  });
}

void Unary(UnaryOp op, DType dtype, const void* a, void* out, int64_t n) {
  if (dtype == DType::kFloat16) {
    const std::vector<float> fa = ToFloats(a, n);
    std::vector<float> fo(static_cast<size_t>(n));
    Unary(op, DType::kFloat32, fa.data(), fo.data(), n);
    return StoreHalves(fo, out);
  }
  if (dtype == DType::kFloat32) {
    return UnaryF32(op, static_cast<const float*>(a), static_cast<float*>(out),
                    n);
  }
  MX_ARITH_DTYPE_SWITCH(dtype, OpName(op), T, {
    const T* in = static_cast<const T*>(a);
    T* o = static_cast<T*>(out);
    for (int64_t i = 0; i < n; ++i) {
      o[i] = FromDouble<T>(ApplyUnary(op, ToDouble(in[i])));
    }
  });
}

void Reduce(ReduceOp op, DType dtype, const void* a, int64_t n, void* out) {
  if (dtype == DType::kFloat16) {
    const std::vector<float> fa = ToFloats(a, n);
    float result = 0;
    Reduce(op, DType::kFloat32, fa.data(), n, &result);
    return StoreHalves({result}, out);
  }
  MX_ARITH_DTYPE_SWITCH(dtype, OpName(op), T, {
    const T* in = static_cast<const T*>(a);
    T* o = static_cast<T*>(out);
    if (op == ReduceOp::kMax) {
      MX_CHECK(n > 0, "max of an empty array (0 elements)");
      T m = in[0];
      for (int64_t i = 1; i < n; ++i) {
        if (in[i] > m || (in[i] != in[i])) m = in[i];  // NaN propagates
        if (m != m) break;
      }
      *o = m;
    } else {
      using Acc = std::conditional_t<std::is_integral_v<T>, int64_t, double>;
      Acc sum = 0;
      for (int64_t i = 0; i < n; ++i) sum += static_cast<Acc>(in[i]);
      if (op == ReduceOp::kMean) {
        if constexpr (std::is_integral_v<T>) {
          *o = n > 0 ? static_cast<T>(sum / n) : T(0);
        } else {
          *o = static_cast<T>(n > 0 ? sum / static_cast<double>(n)
                                    : std::numeric_limits<double>::quiet_NaN());
        }
      } else {
        *o = static_cast<T>(sum);
      }
    }
  });
}

void Fill(DType dtype, double value, void* out, int64_t n) {
  MX_DTYPE_SWITCH(dtype, T, {
    const T v = FromDouble<T>(value);
    T* o = static_cast<T*>(out);
    for (int64_t i = 0; i < n; ++i) o[i] = v;
  });
}

void Cast(DType from, const void* a, DType to, void* out, int64_t n) {
  if (from == to) {
    if (a != out) std::memmove(out, a, static_cast<size_t>(n) * DTypeSize(to));
    return;
  }
  MX_DTYPE_SWITCH(from, S, {
    const S* in = static_cast<const S*>(a);
    MX_DTYPE_SWITCH(to, D, {
      D* o = static_cast<D*>(out);
      for (int64_t i = 0; i < n; ++i) o[i] = FromDouble<D>(ToDouble(in[i]));
    });
  });
}

}  // namespace mx::cpu
