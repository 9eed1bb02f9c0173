#include "ops/nn/conv_weight_grad_direct.h"

#include <vector>

#include "core/base/multiversion.h"
#include "core/engine/parallel.h"
#include "ops/common/kernel_util.h"
#include "ops/nn/conv_planes.h"

namespace mx {
namespace ops {
namespace {

// sums[t] += the output gradient `gbuf` (at pitch wq) dotted with the input
// phases `xbuf` at tap t, for every tap.
MX_MULTIVERSION void AddTapSums(const Phases& q, const float* gbuf,
                                const float* xbuf, float* sums) {
  for (size_t t = 0; t < q.taps.size(); ++t) {
    sums[t] += Dot(gbuf, xbuf + q.taps[t], q.padded);
  }
}

}  // namespace

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
  if (db) SumChannels(gy, d.batch, d.out_c, os, db, db_req);
  if (dw == nullptr || dw_req == OpReq::kNull) return;
  ParallelFor(d.out_c, 1, [&](int64_t begin, int64_t end) {
    const int64_t filters = end - begin;
    std::vector<float> xbuf(static_cast<size_t>(channels * q.size));
    std::vector<float> gbuf(static_cast<size_t>(q.padded));
    std::vector<float> sums(static_cast<size_t>(filters * channels * taps));
    for (int64_t n = 0; n < d.batch; ++n) {
      for (int64_t c = 0; c < channels; ++c) {
        Split(q, x + (n * channels + c) * is, xbuf.data() + c * q.size);
      }
      for (int64_t f = begin; f < end; ++f) {
        PlaceOutput(p, q, gy + (n * d.out_c + f) * os, gbuf.data());
        for (int64_t c = 0; c < channels; ++c) {
          AddTapSums(q, gbuf.data(), xbuf.data() + c * q.size,
                     sums.data() + ((f - begin) * channels + c) * taps);
        }
      }
    }
    const float* src = sums.data();
    StoreEach(dw_req, dw + begin * channels * taps, filters * channels * taps,
              [src](int64_t k) { return src[k]; });
  });
}

}  // namespace ops
}  // namespace mx
