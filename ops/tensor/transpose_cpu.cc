// The optimized CPU kernel of transpose and SwapAxis when the last axes stay
// in place (attention's (B, T, H, D) <-> (B, H, T, D)): each output row of
// the unmoved trailing axes is one contiguous copy, rows split over the
// intra-op threads. The gradient is the inverse permutation, the same way.
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "core/engine/parallel.h"
#include "core/op/kernel.h"
#include "ops/common/kernel_util.h"
#include "ops/common/strided.h"
#include "ops/tensor/axes.h"

namespace mx {
namespace ops {
namespace {

// How many trailing axes `perm` leaves in place.
int UnmovedTail(const std::vector<int>& perm) {
  const int nd = static_cast<int>(perm.size());
  int k = 0;
  while (k < nd && perm[nd - 1 - k] == nd - 1 - k) ++k;
  return k;
}

// A permutation of an array of extents `dims` as copies of contiguous rows:
// the outer output axes walk the input through `strides`; each step copies
// `row` elements.
struct RowCopies {
  std::vector<int64_t> outer, strides;
  int64_t row = 1, rows = 1;

  RowCopies(const std::vector<int64_t>& dims, const std::vector<int>& perm) {
    const int nd = static_cast<int>(dims.size());
    const int tail = UnmovedTail(perm);
    const std::vector<int64_t> in_strides = RowMajorStrides(Shape(dims));
    for (int i = nd - tail; i < nd; ++i) row *= dims[i];
    for (int i = 0; i < nd - tail; ++i) {
      outer.push_back(dims[perm[i]]);
      strides.push_back(in_strides[perm[i]]);
      rows *= dims[perm[i]];
    }
  }

  // out[r * row ..] = in[offset of row r ..] for rows [begin, end).
  void Run(const float* in, float* out, int64_t begin, int64_t end,
           bool add) const {
    const int nd = static_cast<int>(outer.size());
    std::vector<int64_t> idx(nd);
    int64_t rest = begin, src = 0;
    for (int i = nd - 1; i >= 0; --i) {
      idx[i] = rest % outer[i];
      rest /= outer[i];
      src += idx[i] * strides[i];
    }
    for (int64_t r = begin; r < end; ++r) {
      const float* from = in + src;
      float* to = out + r * row;
      if (add) {
        for (int64_t j = 0; j < row; ++j) to[j] += from[j];
      } else {
        std::copy(from, from + row, to);
      }
      for (int i = nd - 1; i >= 0; --i) {
        src += strides[i];
        if (++idx[i] < outer[i]) break;
        src -= strides[i] * outer[i];
        idx[i] = 0;
      }
    }
  }

  void RunAll(const float* in, float* out, OpReq req) const {
    if (req == OpReq::kNull) return;
    const bool add = req == OpReq::kAdd;
    ParallelFor(rows, std::max<int64_t>(1, 8192 / row),
                [&](int64_t b, int64_t e) { Run(in, out, b, e, add); });
  }
};

std::vector<int> Inverse(const std::vector<int>& perm) {
  std::vector<int> inv(perm.size());
  for (size_t i = 0; i < perm.size(); ++i) inv[perm[i]] = static_cast<int>(i);
  return inv;
}

std::vector<int> PermOf(const KernelSetup& s) {
  std::string problem;
  return TransposePermutation(*s.attrs, s.in_shapes[0].ndim(), &problem);
}

class TransposeRows : public OpKernel {
 public:
  explicit TransposeRows(const KernelSetup& s)
      : forward_(s.in_shapes[0].dims(), PermOf(s)),
        backward_(s.out_shapes[0].dims(), Inverse(PermOf(s))) {}

  void Forward(const KernelContext&, const ForwardArgs& a) override {
    forward_.RunAll(a.inputs[0].ptr<float>(), a.outputs[0].ptr<float>(),
                    a.req[0]);
  }
  void Backward(const KernelContext&, const BackwardArgs& a) override {
    float* dx = a.in_grads[0].ptr_or_null<float>();
    if (dx == nullptr) return;
    backward_.RunAll(a.out_grads[0].ptr<float>(), dx, a.req[0]);
  }

 private:
  RowCopies forward_, backward_;
};

// Rows of at least 4 elements (otherwise the reference's walk is as good).
bool CopiesRows(const KernelSetup& s) {
  const std::vector<int> perm = PermOf(s);
  const int tail = UnmovedTail(perm);
  int64_t row = 1;
  for (int i = s.in_shapes[0].ndim() - tail; i < s.in_shapes[0].ndim(); ++i) {
    row *= s.in_shapes[0][i];
  }
  return tail > 0 && row >= 4 && tail < s.in_shapes[0].ndim();
}

[[maybe_unused]] const bool kRegistered = [] {
  for (const char* op : {"transpose", "SwapAxis"}) {
    KernelRegistry::Global()
        .Register(op, DeviceType::kCPU, KernelVariant::kOptimized)
        .Supports(CopiesRows)
        .Factory(SimpleFactory<TransposeRows>());
  }
  return true;
}();

}  // namespace
}  // namespace ops
}  // namespace mx
