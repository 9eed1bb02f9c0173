#include "core/base/dtype.h"

#include <cstring>

#include "core/base/error.h"

namespace mx {
namespace {

struct DTypeInfo {
  DType type;
  const char* name;
  size_t size;
};

constexpr DTypeInfo kInfo[] = {
    {DType::kFloat32, "float32", 4}, {DType::kFloat64, "float64", 8},
    {DType::kFloat16, "float16", 2}, {DType::kUint8, "uint8", 1},
    {DType::kInt32, "int32", 4},     {DType::kInt8, "int8", 1},
    {DType::kInt64, "int64", 8},
};

const DTypeInfo& Info(DType t) {
  const auto code = static_cast<int64_t>(t);
  MX_INTERNAL_CHECK(IsValidDTypeCode(code), "dtype code ", code);
  return kInfo[code];
}

}  // namespace

bool IsValidDTypeCode(int64_t code) {
  return code >= 0 && code < static_cast<int64_t>(std::size(kInfo));
}

size_t DTypeSize(DType t) { return Info(t).size; }

const char* DTypeName(DType t) { return Info(t).name; }

DType DTypeFromName(const std::string& name) {
  for (const auto& info : kInfo) {
    if (name == info.name) return info.type;
  }
  std::string valid;
  for (const auto& info : kInfo)
    valid += StrCat(valid.empty() ? "" : ", ", info.name);
  MX_THROW("unknown dtype '", name, "'; expected one of: ", valid);
}

DType DTypeFromCode(int64_t code) {
  MX_CHECK(IsValidDTypeCode(code), "unknown dtype code ", code,
           "; expected 0..6 (float32=0, float64=1, float16=2, uint8=3, "
           "int32=4, int8=5, int64=6)");
  return static_cast<DType>(code);
}

std::ostream& operator<<(std::ostream& os, DType t) {
  const auto code = static_cast<int64_t>(t);
  if (!IsValidDTypeCode(code)) return os << "dtype(" << code << ")";
  return os << DTypeName(t);
}

Half FloatToHalf(float f) {
  uint32_t x;
  std::memcpy(&x, &f, sizeof x);
  const uint32_t sign = (x >> 16) & 0x8000u;
  const uint32_t exp = (x >> 23) & 0xffu;
  uint32_t mant = x & 0x7fffffu;
  Half h;
  if (exp == 0xffu) {  // inf or NaN (keep NaN quiet and non-zero)
    h.bits = static_cast<uint16_t>(sign | 0x7c00u |
                                   (mant ? 0x200u | (mant >> 13) : 0));
    return h;
  }
  const int32_t e = static_cast<int32_t>(exp) - 127 + 15;
  if (e >= 31) {  // overflow
    h.bits = static_cast<uint16_t>(sign | 0x7c00u);
    return h;
  }
  if (e <= 0) {  // subnormal half or zero
    if (e < -10) {
      h.bits = static_cast<uint16_t>(sign);
      return h;
    }
    mant |= 0x800000u;
    const uint32_t shift = static_cast<uint32_t>(14 - e);
    uint32_t half_mant = mant >> shift;
    const uint32_t rest = mant & ((1u << shift) - 1);
    const uint32_t halfway = 1u << (shift - 1);
    if (rest > halfway || (rest == halfway && (half_mant & 1u))) ++half_mant;
    h.bits = static_cast<uint16_t>(sign | half_mant);
    return h;
  }
  uint32_t bits = sign | (static_cast<uint32_t>(e) << 10) | (mant >> 13);
  const uint32_t rest = mant & 0x1fffu;
  if (rest > 0x1000u || (rest == 0x1000u && (bits & 1u)))
    ++bits;  // may carry into exp: correct
  h.bits = static_cast<uint16_t>(bits);
  return h;
}

float HalfToFloat(Half h) {
  const uint32_t sign = (static_cast<uint32_t>(h.bits) & 0x8000u) << 16;
  const uint32_t exp = (h.bits >> 10) & 0x1fu;
  uint32_t mant = h.bits & 0x3ffu;
  uint32_t x;
  if (exp == 0) {
    if (mant == 0) {
      x = sign;
    } else {  // subnormal: normalize
      int32_t e = -1;
      do {
        ++e;
        mant <<= 1;
      } while ((mant & 0x400u) == 0);
      x = sign | (static_cast<uint32_t>(127 - 15 - e) << 23) |
          ((mant & 0x3ffu) << 13);
    }
  } else if (exp == 0x1fu) {
    x = sign | 0x7f800000u | (mant << 13);
  } else {
    x = sign | ((exp - 15 + 127) << 23) | (mant << 13);
  }
  float f;
  std::memcpy(&f, &x, sizeof f);
  return f;
}

}  // namespace mx
