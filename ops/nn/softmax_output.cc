#include "ops/nn/softmax_output.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "core/op/kernel.h"
#include "core/op/op.h"
#include "ops/common/kernel_util.h"
#include "ops/common/same_shape.h"

namespace mx {
namespace ops {
namespace {

void InferSoftmaxOutputShape(InferShapeContext* ctx) {
  const auto& p = ctx->params<SoftmaxOutputParam>();
  const PartialShape data = InferDataShapedOutput(ctx);
  if (!data.rank_known()) return;
  if (data.ndim() < 1) ctx->Fail("data must have at least 1 dimension");
  const PartialShape& label = ctx->in(1);
  const int n = data.ndim();
  if (p.multi_output) {
    if (n < 2) ctx->Fail("multi_output needs data of at least 2 dimensions");
    // MXNet accepts (N, x1*x2...), (N, x1, x2, ...) and (N, 1, x1, ...).
    std::vector<int64_t> rest(data.dims().begin() + 2, data.dims().end());
    const PartialShape flat{data[0], data.ProdRange(2, n)};
    std::vector<int64_t> kept = {data[0]};
    kept.insert(kept.end(), rest.begin(), rest.end());
    std::vector<int64_t> keepdim = data.dims();
    keepdim[1] = 1;
    for (const PartialShape& form :
         {flat, PartialShape(kept), PartialShape(keepdim)}) {
      if (label.rank_known() && PartialShape(label).Merge(form)) {
        ctx->AssignIn(1, form);
        return;
      }
    }
    ctx->AssignIn(1, flat);
    return;
  }
  // A label of the data's shape holds class probabilities.
  if (label.rank_known() && label.ndim() == n && n > 1 &&
      PartialShape(label).Merge(data)) {
    ctx->AssignIn(1, data);
    return;
  }
  if (p.preserve_shape) {
    ctx->AssignIn(1, PartialShape(std::vector<int64_t>(data.dims().begin(),
                                                       data.dims().end() - 1)));
  } else {
    ctx->AssignIn(1, PartialShape{data[0]});
  }
}

}  // namespace

MX_REGISTER_OP(SoftmaxOutput)
    .Alias("Softmax")
    .Describe(
        "Softmax over classes (axis 1 of (N, C) or flattened data) with the "
        "cross-entropy gradient (softmax - onehot(label)) * grad_scale; needs "
        "no head gradient.")
    .Params<SoftmaxOutputParam>()
    .Inputs({"data", "label"})
    .InferShape(InferSoftmaxOutputShape)
    .Backward([](const NodeAttrs& a) {
      return a.params<SoftmaxOutputParam>().out_grad
                 ? BackwardDeps{{0}, {1}, {0}}
                 : BackwardDeps{{}, {1}, {0}};
    })
    .NoGradient({"label"})
    .Loss([](const NodeAttrs& a) {
      return !a.params<SoftmaxOutputParam>().out_grad;
    });

SoftmaxLayout SoftmaxLayout::Of(const KernelSetup& s) {
  const auto& p = s.params<SoftmaxOutputParam>();
  const Shape& d = s.in_shapes[0];
  const int n = d.ndim();
  SoftmaxLayout l;
  if (p.multi_output) {
    l.outer = d[0];
    l.classes = d[1];
    l.inner = d.ProdRange(2, n);
  } else if (p.preserve_shape) {
    l.outer = d.ProdRange(0, n - 1);
    l.classes = d[n - 1];
  } else {
    l.outer = d[0];
    l.classes = d.ProdRange(1, n);
  }
  l.probability = s.in_shapes[1] == d && n > 1 && !p.multi_output;
  l.batch = d[0];
  return l;
}

namespace {

// Softmax over the class axis of data viewed as (outer, classes, inner):
// flattened (N, K) by default, axis 1 with multi_output, the last axis with
// preserve_shape. Backward: (p - target) * scale, where target is the
// one-hot label (smoothed by smooth_alpha) or the label itself when it has
// the data's shape.
template <typename T>
class SoftmaxOutputKernel : public NodeKernel {
 public:
  explicit SoftmaxOutputKernel(const KernelSetup& s)
      : NodeKernel(s), p_(s.params<SoftmaxOutputParam>()) {
    const SoftmaxLayout l = SoftmaxLayout::Of(s);
    outer_ = l.outer;
    classes_ = l.classes;
    inner_ = l.inner;
    batch_ = l.batch;
    probability_ = l.probability;
  }

  void Forward(const KernelContext&, const ForwardArgs& a) override {
    const T* x = a.inputs[0].ptr<T>();
    T* y = a.outputs[0].ptr<T>();
    std::vector<T> row(classes_);
    for (int64_t o = 0; o < outer_; ++o) {
      for (int64_t i = 0; i < inner_; ++i) {
        const int64_t base = o * classes_ * inner_ + i;
        T max = x[base];
        for (int64_t c = 1; c < classes_; ++c) {
          max = std::max(max, x[base + c * inner_]);
        }
        T sum = 0;
        for (int64_t c = 0; c < classes_; ++c) {
          row[c] = std::exp(x[base + c * inner_] - max);
          sum += row[c];
        }
        for (int64_t c = 0; c < classes_; ++c) {
          const T v = row[c] / sum;
          T& out = y[base + c * inner_];
          out = a.req[0] == OpReq::kAdd ? out + v : v;
        }
      }
    }
  }

  void Backward(const KernelContext&, const BackwardArgs& a) override {
    if (a.req[0] == OpReq::kNull) return;
    const T* y = a.outputs[0].ptr<T>();
    const T* label = a.inputs[1].ptr<T>();
    const T* og = p_.out_grad ? a.out_grads[0].ptr<T>() : nullptr;
    T* dx = a.in_grads[0].ptr<T>();
    const int64_t rows = outer_ * inner_;
    std::vector<T> grad(static_cast<size_t>(rows * classes_));
    int64_t valid = 0;
    const T off = classes_ > 1 ? T(p_.smooth_alpha / (classes_ - 1)) : T(0);
    const T on = T(1 - p_.smooth_alpha);
    for (int64_t o = 0; o < outer_; ++o) {
      for (int64_t i = 0; i < inner_; ++i) {
        const int64_t base = o * classes_ * inner_ + i;
        if (probability_) {
          for (int64_t c = 0; c < classes_; ++c) {
            const int64_t at = base + c * inner_;
            grad[at] = y[at] - label[at];
          }
          ++valid;
          continue;
        }
        const T l = label[o * inner_ + i];
        if (p_.use_ignore && l == T(p_.ignore_label)) continue;  // stays 0
        const int64_t k = static_cast<int64_t>(l);
        MX_CHECK(l >= 0 && k < classes_ && T(k) == l, where_, ": label ", l,
                 " at position ", o * inner_ + i, " is not a class in [0, ",
                 classes_, ")");
        ++valid;
        for (int64_t c = 0; c < classes_; ++c) {
          const int64_t at = base + c * inner_;
          grad[at] = y[at] - (c == k ? on : off);
        }
      }
    }
    double scale = p_.grad_scale;
    if (p_.normalization == "batch") scale /= static_cast<double>(batch_);
    if (p_.normalization == "valid") scale /= std::max<int64_t>(valid, 1);
    if (p_.multi_output && p_.normalization != "valid") scale /= inner_;
    const T s = static_cast<T>(scale);
    StoreEach(a.req[0], dx, rows * classes_, [&](int64_t i) {
      return og ? grad[i] * s * og[i] : grad[i] * s;
    });
  }

 private:
  SoftmaxOutputParam p_;
  int64_t outer_ = 1, classes_ = 1, inner_ = 1, batch_ = 1;
  bool probability_ = false;
};

}  // namespace

MX_REGISTER_KERNEL(SoftmaxOutput, kCPU, kReference)
    .Types({DType::kFloat32, DType::kFloat64})
    .Factory(TypedFactory<SoftmaxOutputKernel>());

}  // namespace ops
}  // namespace mx
