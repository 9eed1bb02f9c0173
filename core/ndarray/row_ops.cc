#include "core/ndarray/row_ops.h"

#include <algorithm>
#include <cstdint>

#include "core/base/error.h"
#include "core/engine/engine.h"

namespace mx {
namespace {

void CheckFloatHost(const NDArray& a, const char* op, const char* arg) {
  MX_CHECK(!a.is_none(), op, ": ", arg, " is a none NDArray");
  MX_CHECK(a.dtype() == DType::kFloat32, op, ": ", arg, " is ", a.dtype(),
           "; expected float32");
  MX_CHECK(a.context().IsHost(), op, ": ", arg, " is on ", a.context(),
           "; expected a host array (copy to cpu() first)");
}

// Checks lhs (n, k) and index (n,) on one device; returns k.
int64_t CheckRows(const char* op, const NDArray& lhs, const NDArray& index) {
  CheckFloatHost(lhs, op, "lhs");
  CheckFloatHost(index, op, "index");
  MX_CHECK(lhs.shape().ndim() == 2 && index.shape().ndim() == 1 &&
               index.shape()[0] == lhs.shape()[0],
           op, ": expected lhs (n, k) and index (n,); got lhs ", lhs.shape(),
           " and index ", index.shape());
  return lhs.shape()[1];
}

// Column index[i] of row i, as an integer in [0, k).
int64_t Column(const char* op, const float* index, int64_t i, int64_t k) {
  const float v = index[i];
  MX_CHECK(v >= 0 && v < k && v == static_cast<float>(static_cast<int64_t>(v)),
           op, ": index[", i, "] = ", v, " is not a column of [0, ", k, ")");
  return static_cast<int64_t>(v);
}

}  // namespace

NDArray ChooseElement0Index(const NDArray& lhs, const NDArray& index) {
  const char* op = "choose_element_0index";
  const int64_t k = CheckRows(op, lhs, index);
  const int64_t n = lhs.shape()[0];
  NDArray out(Shape{n}, lhs.context());
  Engine::Get()->PushSync(
      [lhs, index, out, n, k, op](RunContext) {
        const float* a = lhs.Data<float>();
        const float* idx = index.Data<float>();
        float* o = out.Data<float>();
        for (int64_t i = 0; i < n; ++i) o[i] = a[i * k + Column(op, idx, i, k)];
      },
      lhs.context(), {lhs.var(), index.var()}, {out.var()}, 0, op);
  return out;
}

NDArray FillElement0Index(const NDArray& lhs, const NDArray& values,
                          const NDArray& index) {
  const char* op = "fill_element_0index";
  const int64_t k = CheckRows(op, lhs, index);
  CheckFloatHost(values, op, "values");
  MX_CHECK(values.shape() == index.shape(), op, ": values ", values.shape(),
           " and index ", index.shape(), " differ");
  const int64_t n = lhs.shape()[0];
  NDArray out(lhs.shape(), lhs.context());
  Engine::Get()->PushSync(
      [lhs, values, index, out, n, k, op](RunContext) {
        const float* idx = index.Data<float>();
        const float* v = values.Data<float>();
        float* o = out.Data<float>();
        std::copy_n(lhs.Data<float>(), n * k, o);
        for (int64_t i = 0; i < n; ++i) o[i * k + Column(op, idx, i, k)] = v[i];
      },
      lhs.context(), {lhs.var(), values.var(), index.var()}, {out.var()}, 0,
      op);
  return out;
}

void OneHotEncode(const NDArray& index, NDArray* out) {
  const char* op = "onehot_encode";
  const int64_t k = CheckRows(op, *out, index);
  const int64_t n = out->shape()[0];
  const NDArray dst = *out;
  Engine::Get()->PushSync(
      [index, dst, n, k, op](RunContext) {
        const float* idx = index.Data<float>();
        float* o = dst.Data<float>();
        std::fill_n(o, n * k, 0.f);
        for (int64_t i = 0; i < n; ++i) o[i * k + Column(op, idx, i, k)] = 1.f;
      },
      dst.context(), {index.var()}, {dst.var()}, 0, op);
}

NDArray Clip(const NDArray& a, float low, float high) {
  CheckFloatHost(a, "clip", "data");
  MX_CHECK(low <= high, "clip: a_min ", low, " is greater than a_max ", high);
  NDArray out(a.shape(), a.context());
  const int64_t n = a.Size();
  Engine::Get()->PushSync(
      [a, out, n, low, high](RunContext) {
        const float* x = a.Data<float>();
        float* o = out.Data<float>();
        for (int64_t i = 0; i < n; ++i)
          o[i] = std::min(std::max(x[i], low), high);
      },
      a.context(), {a.var()}, {out.var()}, 0, "clip");
  return out;
}

}  // namespace mx
