// Division by a divisor fixed at kernel setup (index arithmetic in CUDA
// kernels, where a 64-bit division costs dozens of instructions).
#ifndef MX_OPS_COMMON_FAST_DIVMOD_H_
#define MX_OPS_COMMON_FAST_DIVMOD_H_

#include <cstdint>

#include "core/base/host_device.h"

namespace mx {
namespace ops {

// n / d for 0 <= n < limit: a multiply-high and a shift when d and limit are
// at most 2^31 (Granlund and Montgomery's method, as CUTLASS's FastDivmod),
// a plain division otherwise.
class Divider {
 public:
  Divider() = default;
  // d >= 1; limit bounds every dividend passed to Div.
  Divider(int64_t d, int64_t limit) : d_(d) {
    constexpr int64_t kFastLimit = int64_t{1} << 31;
    if (d <= 1 || d > kFastLimit || limit > kFastLimit) return;
    unsigned log2 = 0;  // ceil(log2(d))
    while ((int64_t{1} << log2) < d) ++log2;
    const unsigned p = 31 + log2;
    multiplier_ = static_cast<uint32_t>(
        ((uint64_t{1} << p) + static_cast<uint64_t>(d) - 1) /
        static_cast<uint64_t>(d));
    shift_ = p - 32;
    fast_ = true;
  }

  MX_HOST_DEVICE int64_t divisor() const { return d_; }
  MX_HOST_DEVICE int64_t Div(int64_t n) const {
    if (!fast_) return d_ == 1 ? n : n / d_;
    return static_cast<int64_t>(MulHi(static_cast<uint32_t>(n), multiplier_) >>
                                shift_);
  }
  MX_HOST_DEVICE int64_t Mod(int64_t n) const { return n - Div(n) * d_; }

 private:
  MX_HOST_DEVICE static uint32_t MulHi(uint32_t a, uint32_t b) {
#ifdef __CUDA_ARCH__
    return __umulhi(a, b);
#else
    return static_cast<uint32_t>((static_cast<uint64_t>(a) * b) >> 32);
#endif
  }

  int64_t d_ = 1;
  uint32_t multiplier_ = 0;
  uint32_t shift_ = 0;
  bool fast_ = false;
};

}  // namespace ops
}  // namespace mx

#endif  // MX_OPS_COMMON_FAST_DIVMOD_H_
