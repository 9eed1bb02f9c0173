#include "ops/nn/conv_few_channels.h"

#include <algorithm>
#include <vector>

#include "core/base/multiversion.h"
#include "core/engine/parallel.h"
#include "ops/common/kernel_util.h"
#include "ops/nn/conv_planes.h"

namespace mx {
namespace ops {
namespace {

// Filters one forward block computes at once, and floats per accumulator
// vector: kBlock x 2 vectors of 8 stay in AVX2's 16 registers with the two
// input vectors and a weight, so each input load serves kBlock filters.
constexpr int64_t kBlock = 4;
using Vec8 = Vec32<float>::type;
using Vec8Unaligned = Vec32<float>::unaligned;

// obuf (kBlock planes of q.padded, at pitch wq) = bias[f] + the taps of the
// kBlock filters' weights w (filter f's channel c tap t at f * channels *
// taps + c * taps + t) over the input phases xbuf (channel c at c *
// q.size).
MX_MULTIVERSION void ForwardBlock(const Phases& q, int64_t channels,
                                  const float* xbuf, const float* w,
                                  const float* bias, float* obuf) {
  const int64_t taps = static_cast<int64_t>(q.taps.size());
  for (int64_t j = 0; j < q.padded; j += 16) {
    // Unrolled, so that the accumulators live in registers.
    Vec8 lo[kBlock], hi[kBlock];
#pragma GCC unroll 4
    for (int64_t f = 0; f < kBlock; ++f) {
      lo[f] = Vec8{} + bias[f];
      hi[f] = lo[f];
    }
    for (int64_t c = 0; c < channels; ++c) {
      for (int64_t t = 0; t < taps; ++t) {
        const float* src = xbuf + c * q.size + q.taps[t] + j;
        const Vec8 a = *reinterpret_cast<const Vec8Unaligned*>(src);
        const Vec8 b = *reinterpret_cast<const Vec8Unaligned*>(src + 8);
#pragma GCC unroll 4
        for (int64_t f = 0; f < kBlock; ++f) {
          const float wf = w[(f * channels + c) * taps + t];
          lo[f] += wf * a;
          hi[f] += wf * b;
        }
      }
    }
#pragma GCC unroll 4
    for (int64_t f = 0; f < kBlock; ++f) {
      *reinterpret_cast<Vec8Unaligned*>(obuf + f * q.padded + j) = lo[f];
      *reinterpret_cast<Vec8Unaligned*>(obuf + f * q.padded + j + 8) = hi[f];
    }
  }
}

// (Channel, tap) weights one weight-gradient block sums at once, for kBlock
// filters: 8 accumulators, 4 output-gradient vectors and an input vector in
// registers, 6 loads per 8 multiply-adds.
constexpr int64_t kTapBlock = 2;

// The sum of v's lanes, in a fixed order.
inline float HorizontalSum(const Vec8& v) {
  float s = 0;
  for (int k = 0; k < 8; ++k) s += v[k];
  return s;
}

// sums[f * stride + k] += the output gradient of filter f (gbuf + f *
// q.padded, at pitch wq) dotted with the input phases xbuf from offsets[k],
// for kBlock filters and kTapBlock offsets.
MX_MULTIVERSION void AddTapBlock(const Phases& q, const float* gbuf,
                                 const float* xbuf, const int64_t* offsets,
                                 float* sums, int64_t stride) {
  Vec8 acc[kBlock][kTapBlock] = {};
  for (int64_t j = 0; j < q.padded; j += 8) {
    Vec8 g[kBlock];
#pragma GCC unroll 4
    for (int64_t f = 0; f < kBlock; ++f) {
      g[f] = *reinterpret_cast<const Vec8Unaligned*>(gbuf + f * q.padded + j);
    }
#pragma GCC unroll 2
    for (int64_t k = 0; k < kTapBlock; ++k) {
      const Vec8 xv =
          *reinterpret_cast<const Vec8Unaligned*>(xbuf + offsets[k] + j);
#pragma GCC unroll 4
      for (int64_t f = 0; f < kBlock; ++f) acc[f][k] += g[f] * xv;
    }
  }
  for (int64_t f = 0; f < kBlock; ++f) {
    for (int64_t k = 0; k < kTapBlock; ++k) {
      sums[f * stride + k] += HorizontalSum(acc[f][k]);
    }
  }
}

}  // namespace

void DirectForward(const ConvDims& d, const float* x, const float* w,
                   const float* b, float* y) {
  const Plane p(d.w);
  const Phases q(p);
  const int64_t channels = d.in_c, taps = p.kh * p.kw;
  const int64_t is = p.ih * p.iw, os = p.oh * p.ow;
  const int64_t per_filter = channels * taps;
  // Weights and biases in whole blocks (zero filters past the last).
  const int64_t blocks = (d.out_c + kBlock - 1) / kBlock;
  std::vector<float> wb(static_cast<size_t>(blocks * kBlock * per_filter), 0.f);
  std::vector<float> bb(static_cast<size_t>(blocks * kBlock), 0.f);
  std::copy(w, w + d.out_c * per_filter, wb.begin());
  if (b) std::copy(b, b + d.out_c, bb.begin());
  ParallelFor(d.batch, 1, [&](int64_t begin, int64_t end) {
    std::vector<float> xbuf(static_cast<size_t>(channels * q.size));
    std::vector<float> obuf(static_cast<size_t>(kBlock * q.padded));
    for (int64_t n = begin; n < end; ++n) {
      for (int64_t c = 0; c < channels; ++c) {
        Split(q, x + (n * channels + c) * is, xbuf.data() + c * q.size);
      }
      for (int64_t k = 0; k < blocks; ++k) {
        ForwardBlock(q, channels, xbuf.data(),
                     wb.data() + k * kBlock * per_filter,
                     bb.data() + k * kBlock, obuf.data());
        const int64_t filters = std::min(kBlock, d.out_c - k * kBlock);
        for (int64_t f = 0; f < filters; ++f) {
          TakeOutput(p, q, obuf.data() + f * q.padded,
                     y + (n * d.out_c + k * kBlock + f) * os);
        }
      }
    }
  });
}

bool DirectWeightGradientApplies(const ConvDims& d) {
  const bool planar = d.w.in[0] == 1 && d.w.kernel[0] == 1 && d.w.out[0] == 1;
  return planar && d.groups == 1 && d.in_c <= kMaxDirectChannels;
}

void DirectWeightGradient(const ConvDims& d, const float* gy, const float* x,
                          float* dw, OpReq dw_req, float* db, OpReq db_req) {
  const Plane p(d.w);
  const Phases q(p);
  const int64_t channels = d.in_c, taps = p.kh * p.kw;
  const int64_t is = p.ih * p.iw, os = p.oh * p.ow;
  const int64_t per_filter = channels * taps;
  if (db) SumChannels(gy, d.batch, d.out_c, os, db, db_req);
  if (dw == nullptr || dw_req == OpReq::kNull) return;
  // Where each (channel, tap) weight's reads start in the phases, in whole
  // blocks (the padding repeats the first; its sums are dropped).
  std::vector<int64_t> offsets;
  for (int64_t c = 0; c < channels; ++c) {
    for (int64_t t = 0; t < taps; ++t) {
      offsets.push_back(c * q.size + q.taps[t]);
    }
  }
  const int64_t stride = (per_filter + kTapBlock - 1) / kTapBlock * kTapBlock;
  offsets.resize(static_cast<size_t>(stride), offsets[0]);
  const int64_t blocks = (d.out_c + kBlock - 1) / kBlock;
  // Filter blocks split over the threads; each weight sums the samples in
  // order (the same every run).
  ParallelFor(blocks, 1, [&](int64_t begin, int64_t end) {
    std::vector<float> xbuf(static_cast<size_t>(channels * q.size));
    // Filters past the last keep zero planes.
    std::vector<float> gbuf(static_cast<size_t>(kBlock * q.padded), 0.f);
    std::vector<float> sums(
        static_cast<size_t>((end - begin) * kBlock * stride), 0.f);
    for (int64_t n = 0; n < d.batch; ++n) {
      for (int64_t c = 0; c < channels; ++c) {
        Split(q, x + (n * channels + c) * is, xbuf.data() + c * q.size);
      }
      for (int64_t k = begin; k < end; ++k) {
        const int64_t f0 = k * kBlock, filters = std::min(kBlock, d.out_c - f0);
        for (int64_t f = 0; f < filters; ++f) {
          PlaceOutput(p, q, gy + (n * d.out_c + f0 + f) * os,
                      gbuf.data() + f * q.padded);
        }
        float* s = sums.data() + (k - begin) * kBlock * stride;
        for (int64_t t = 0; t < stride; t += kTapBlock) {
          AddTapBlock(q, gbuf.data(), xbuf.data(), offsets.data() + t, s + t,
                      stride);
        }
      }
    }
    for (int64_t k = begin; k < end; ++k) {
      const int64_t f0 = k * kBlock, filters = std::min(kBlock, d.out_c - f0);
      for (int64_t f = 0; f < filters; ++f) {
        const float* src = sums.data() + ((k - begin) * kBlock + f) * stride;
        StoreEach(dw_req, dw + (f0 + f) * per_filter, per_filter,
                  [src](int64_t i) { return src[i]; });
      }
    }
  });
}

}  // namespace ops
}  // namespace mx
