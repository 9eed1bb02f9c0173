// Element types with MXNet's type codes (mshadow TypeFlag), used in .params
// files and symbol JSON.
#ifndef MX_CORE_BASE_DTYPE_H_
#define MX_CORE_BASE_DTYPE_H_

#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string>

#include "core/base/error.h"

namespace mx {

// MXNet's codes, stable on disk. float32 is the compute type; the others are at
// least storable.
enum class DType : int32_t {
  kFloat32 = 0,
  kFloat64 = 1,
  kFloat16 = 2,
  kUint8 = 3,
  kInt32 = 4,
  kInt8 = 5,
  kInt64 = 6,
};

// Bytes per element.
size_t DTypeSize(DType t);
// "float32", "int64", ...
const char* DTypeName(DType t);
// Parses a name produced by DTypeName; throws mx::Error listing the valid names
// otherwise.
DType DTypeFromName(const std::string& name);
// True when `code` is one of the codes above.
bool IsValidDTypeCode(int64_t code);
// Converts a code read from a file; throws mx::Error naming the code otherwise.
DType DTypeFromCode(int64_t code);

std::ostream& operator<<(std::ostream& os, DType t);

// Maps a C++ element type to its DType: DTypeOf<float>::kValue ==
// DType::kFloat32.
template <typename T>
struct DTypeOf;
template <>
struct DTypeOf<float> {
  static constexpr DType kValue = DType::kFloat32;
};
template <>
struct DTypeOf<double> {
  static constexpr DType kValue = DType::kFloat64;
};
template <>
struct DTypeOf<uint8_t> {
  static constexpr DType kValue = DType::kUint8;
};
template <>
struct DTypeOf<int32_t> {
  static constexpr DType kValue = DType::kInt32;
};
template <>
struct DTypeOf<int8_t> {
  static constexpr DType kValue = DType::kInt8;
};
template <>
struct DTypeOf<int64_t> {
  static constexpr DType kValue = DType::kInt64;
};

// IEEE half precision stored as bits; converted to and from float for storage
// and casts.
struct Half {
  uint16_t bits = 0;
};
template <>
struct DTypeOf<Half> {
  static constexpr DType kValue = DType::kFloat16;
};
// Round-to-nearest-even float -> half conversion (overflow gives infinity, NaN
// stays NaN).
Half FloatToHalf(float f);
// Exact half -> float conversion.
float HalfToFloat(Half h);

}  // namespace mx

#define MX_DTYPE_CASE_(code, ctype, T, ...) \
  case code: {                              \
    using T = ctype;                        \
    __VA_ARGS__;                            \
  } break;

// Runs `...` with `T` bound to the C++ type of `dtype`, for every type except
// float16, which throws mx::Error "<what>: float16 arrays are storage-only
// ...". Used by arithmetic.
#define MX_ARITH_DTYPE_SWITCH(dtype, what, T, ...)                \
  switch (dtype) {                                                \
    MX_DTYPE_CASE_(::mx::DType::kFloat32, float, T, __VA_ARGS__)  \
    MX_DTYPE_CASE_(::mx::DType::kFloat64, double, T, __VA_ARGS__) \
    MX_DTYPE_CASE_(::mx::DType::kUint8, uint8_t, T, __VA_ARGS__)  \
    MX_DTYPE_CASE_(::mx::DType::kInt32, int32_t, T, __VA_ARGS__)  \
    MX_DTYPE_CASE_(::mx::DType::kInt8, int8_t, T, __VA_ARGS__)    \
    MX_DTYPE_CASE_(::mx::DType::kInt64, int64_t, T, __VA_ARGS__)  \
    case ::mx::DType::kFloat16:                                   \
      MX_THROW(what,                                              \
               ": float16 arrays are storage-only; convert with " \
               "AsType(DType::kFloat32) first");                  \
    default:                                                      \
      MX_INTERNAL_CHECK(false, "unknown dtype code ",             \
                        static_cast<int>(dtype));                 \
  }

// Runs `...` with `T` bound to the C++ type of `dtype`, float16 included (as
// mx::Half).
#define MX_DTYPE_SWITCH(dtype, T, ...)                                \
  switch (dtype) {                                                    \
    MX_DTYPE_CASE_(::mx::DType::kFloat32, float, T, __VA_ARGS__)      \
    MX_DTYPE_CASE_(::mx::DType::kFloat64, double, T, __VA_ARGS__)     \
    MX_DTYPE_CASE_(::mx::DType::kFloat16, ::mx::Half, T, __VA_ARGS__) \
    MX_DTYPE_CASE_(::mx::DType::kUint8, uint8_t, T, __VA_ARGS__)      \
    MX_DTYPE_CASE_(::mx::DType::kInt32, int32_t, T, __VA_ARGS__)      \
    MX_DTYPE_CASE_(::mx::DType::kInt8, int8_t, T, __VA_ARGS__)        \
    MX_DTYPE_CASE_(::mx::DType::kInt64, int64_t, T, __VA_ARGS__)      \
    default:                                                          \
      MX_INTERNAL_CHECK(false, "unknown dtype code ",                 \
                        static_cast<int>(dtype));                     \
  }

#endif  // MX_CORE_BASE_DTYPE_H_
