#include "ops/common/vector_math.h"

#include <cstring>

#include "core/base/multiversion.h"

namespace mx {
namespace ops {
namespace {

// exp(x) for x clamped to [-87.3, 88.3] (2^n stays a normal float): x = n ln2 +
// r with |r| <= ln2 / 2, exp(r) by Cephes' degree-6 polynomial, 2^n put into
// the exponent bits.
inline float ExpCore(float x) {
  x = x < -87.3f ? -87.3f : x;
  x = x > 88.3f ? 88.3f : x;
  // Round x log2(e) to the nearest integer with the 1.5 * 2^23 trick.
  const float shifter = 12582912.0f;
  const float n = (x * 1.44269504088896341f + shifter) - shifter;
  float r = x - n * 0.693359375f;
  r = r + n * 2.12194440e-4f;
  const float r2 = r * r;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r2 + r + 1.0f;
  const int32_t bits = (static_cast<int32_t>(n) + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return p * scale;
}

// tanh: Cephes' odd polynomial below |x| = 0.625, 1 - 2 / (exp(2|x|) + 1)
// with the sign restored above; both computed, one selected (branch-free).
inline float TanhCore(float x) {
  const float ax = x < 0 ? -x : x;
  const float z = x * x;
  float p = -5.70498872745e-3f;
  p = p * z + 2.06390887954e-2f;
  p = p * z - 5.37397155531e-2f;
  p = p * z + 1.33314422036e-1f;
  p = p * z - 3.33332819422e-1f;
  const float small = p * z * x + x;
  const float e = ExpCore(2.0f * (ax > 10.0f ? 10.0f : ax));
  const float big_abs = 1.0f - 2.0f / (e + 1.0f);
  const float big = x < 0 ? -big_abs : big_abs;
  return ax < 0.625f ? small : big;
}

}  // namespace

MX_MULTIVERSION void VecExp(const float* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = ExpCore(x[i]);
}

MX_MULTIVERSION void VecTanh(const float* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = TanhCore(x[i]);
}

MX_MULTIVERSION void VecSigmoid(const float* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = 1.0f / (1.0f + ExpCore(-x[i]));
}

}  // namespace ops
}  // namespace mx
