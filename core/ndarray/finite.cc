#include "core/ndarray/finite.h"

#include <cmath>
#include <cstring>

#include "core/base/error.h"

namespace mx {
namespace {

// True when no element of the float array is NaN or infinite: no element
// has an all-ones exponent. An integer OR over the elements vectorizes (a
// float sum would not: its order is fixed without -ffast-math).
template <typename Float, typename Bits>
bool AllFinite(const Float* p, int64_t n, Bits exponent) {
  Bits bad = 0;
  for (int64_t i = 0; i < n; ++i) {
    Bits bits;
    std::memcpy(&bits, p + i, sizeof bits);
    bad |= static_cast<Bits>((bits & exponent) == exponent);
  }
  return bad == 0;
}

template <typename Float, typename Bits>
int64_t FirstWithExponent(const Float* p, int64_t n, Bits exponent) {
  if (AllFinite(p, n, exponent)) return -1;
  for (int64_t i = 0; i < n; ++i) {
    Bits bits;
    std::memcpy(&bits, p + i, sizeof bits);
    if ((bits & exponent) == exponent) return i;
  }
  return -1;
}

}  // namespace

bool IsFinite(const NDArray& a) {
  if (!a.context().IsHost()) {
    // On the GPU: 0 * x sums to NaN exactly when some x is NaN or Inf; only
    // the sum comes back.
    const bool floating =
        a.dtype() == DType::kFloat32 || a.dtype() == DType::kFloat64;
    return !floating || std::isfinite(Sum(a * 0.0).ToScalar());
  }
  return FirstNonFinite(a) < 0;
}

int64_t FirstNonFinite(const NDArray& a) {
  MX_INTERNAL_CHECK(a.context().IsHost(), "FirstNonFinite needs a host array");
  a.WaitToRead();
  switch (a.dtype()) {
    case DType::kFloat32:
      return FirstWithExponent(a.Data<float>(), a.Size(), uint32_t{0x7f800000});
    case DType::kFloat64:
      return FirstWithExponent(a.Data<double>(), a.Size(),
                               uint64_t{0x7ff0000000000000});
    case DType::kFloat16:
      return FirstWithExponent(static_cast<const uint16_t*>(a.RawData()),
                               a.Size(), uint16_t{0x7c00});
    default:
      return -1;
  }
}

}  // namespace mx
