// SequenceMask, SequenceLast and SequenceReverse (MXNet's names and
// parameters): batches of padded sequences, (T, N, ...) with time first
// (axis 0) or (N, T, ...) (axis 1), each sequence n of length
// sequence_length[n] (all T without use_sequence_length).
#include <algorithm>
#include <string>
#include <vector>

#include "core/base/strings.h"
#include "core/op/kernel.h"
#include "core/op/op.h"
#include "core/op/param.h"
#include "ops/common/kernel_util.h"

namespace mx {
namespace ops {
namespace {

struct SequenceParam {
  bool use_sequence_length = false;
  double value = 0;
  int64_t axis = 0;

  static void Declare(ParamDeclarer<SequenceParam>* d) {
    d->Field("use_sequence_length", &SequenceParam::use_sequence_length)
        .Default(false)
        .Doc(
            "True: input sequence_length (N,) gives each sequence's length; "
            "False: every sequence fills the time axis.");
    d->Field("value", &SequenceParam::value)
        .Default(0.0)
        .Doc("SequenceMask: the value past each sequence's end.");
    d->Field("axis", &SequenceParam::axis)
        .Default(0)
        .Range(0, 1)
        .Doc("The time axis: 0 for (T, N, ...), 1 for (N, T, ...).");
  }
};

std::vector<std::string> SequenceInputs(const NodeAttrs& a) {
  return a.params<SequenceParam>().use_sequence_length
             ? std::vector<std::string>{"data", "sequence_length"}
             : std::vector<std::string>{"data"};
}

// Checks data and sequence_length; the batch axis is the other of 0 and 1.
PartialShape CheckSequenceInputs(InferShapeContext* ctx) {
  const SequenceParam& p = ctx->params<SequenceParam>();
  const PartialShape& data = ctx->in(0);
  if (!data.rank_known()) return data;
  if (data.ndim() < 2) {
    ctx->Fail(StrCat("data ", data.ToString(),
                     " must have at least 2 axes (time and batch)"));
  }
  if (p.use_sequence_length) {
    ctx->AssignIn(1, PartialShape{data[p.axis == 0 ? 1 : 0]});
  }
  return data;
}

void InferSameAsDataShape(InferShapeContext* ctx) {
  const PartialShape data = CheckSequenceInputs(ctx);
  if (data.rank_known()) ctx->AssignOut(0, data);
}

// SequenceLast drops the time axis.
void InferSequenceLastShape(InferShapeContext* ctx) {
  const PartialShape data = CheckSequenceInputs(ctx);
  if (!data.rank_known()) return;
  std::vector<int64_t> dims = data.dims();
  dims.erase(dims.begin() + ctx->params<SequenceParam>().axis);
  ctx->AssignOut(0, PartialShape(dims));
}

enum class SequenceOp { kMask, kLast, kReverse };

// Every output element reads one data element or (SequenceMask past a
// sequence's end) the constant value; the gradient goes back the same way.
template <typename T>
class SequenceKernel : public NodeKernel {
 public:
  explicit SequenceKernel(const KernelSetup& s)
      : NodeKernel(s), p_(s.params<SequenceParam>()) {
    const std::string& name = s.attrs->op->name();
    op_ = name == "SequenceMask"   ? SequenceOp::kMask
          : name == "SequenceLast" ? SequenceOp::kLast
                                   : SequenceOp::kReverse;
    const Shape& d = s.in_shapes[0];
    steps_ = d[p_.axis];
    batch_ = d[1 - p_.axis];
    inner_ = d.Size() / std::max<int64_t>(1, steps_ * batch_);
  }

  void Forward(const KernelContext&, const ForwardArgs& a) override {
    if (a.req[0] == OpReq::kNull) return;
    const T* x = a.inputs[0].ptr<T>();
    T* y = a.outputs[0].ptr<T>();
    const bool add = a.req[0] == OpReq::kAdd;
    const T value = static_cast<T>(p_.value);
    ForEachRow(Lengths(a.inputs), [&](int64_t out, int64_t src) {
      for (int64_t k = 0; k < inner_; ++k) {
        const T v = src < 0 ? value : x[src + k];
        y[out + k] = add ? y[out + k] + v : v;
      }
    });
  }

  void Backward(const KernelContext&, const BackwardArgs& a) override {
    T* dx = AccumulateInto(a.req[0], a.in_grads[0].ptr_or_null<T>(),
                           a.in_grads[0].Size());
    if (dx == nullptr) return;
    const T* g = a.out_grads[0].ptr<T>();
    ForEachRow(Lengths(a.inputs), [&](int64_t out, int64_t src) {
      if (src < 0) return;
      for (int64_t k = 0; k < inner_; ++k) dx[src + k] += g[out + k];
    });
  }

 private:
  // Each sequence's length, checked: an integer in [0, T] ([1, T] for
  // SequenceLast).
  std::vector<int64_t> Lengths(const std::vector<TensorView>& inputs) const {
    std::vector<int64_t> lengths(batch_, steps_);
    if (!p_.use_sequence_length) return lengths;
    const T* len = inputs[1].ptr<T>();
    const int64_t least = op_ == SequenceOp::kLast ? 1 : 0;
    for (int64_t n = 0; n < batch_; ++n) {
      lengths[n] = static_cast<int64_t>(len[n]);
      MX_CHECK(T(lengths[n]) == len[n] && lengths[n] >= least &&
                   lengths[n] <= steps_,
               where_, ": sequence_length ", len[n], " of sequence ", n,
               " is not an integer in [", least, ", ", steps_, "]");
    }
    return lengths;
  }

  // Offset of row (t, n) in data.
  int64_t Row(int64_t t, int64_t n) const {
    return (p_.axis == 0 ? t * batch_ + n : n * steps_ + t) * inner_;
  }

  // Calls f(output row offset, data row offset or -1 for the mask value)
  // for every output row.
  template <typename F>
  void ForEachRow(const std::vector<int64_t>& lengths, F f) const {
    for (int64_t n = 0; n < batch_; ++n) {
      if (op_ == SequenceOp::kLast) {
        f(n * inner_, Row(lengths[n] - 1, n));
        continue;
      }
      for (int64_t t = 0; t < steps_; ++t) {
        int64_t src = Row(t, n);
        if (op_ == SequenceOp::kMask && t >= lengths[n]) src = -1;
        if (op_ == SequenceOp::kReverse && t < lengths[n]) {
          src = Row(lengths[n] - 1 - t, n);
        }
        f(Row(t, n), src);
      }
    }
  }

  SequenceParam p_;
  SequenceOp op_;
  int64_t steps_ = 0, batch_ = 0, inner_ = 1;
};

void DeclareSequenceOp(OpDef& op, const char* doc, InferShapeFn infer) {
  op.Describe(doc)
      .Params<SequenceParam>()
      .Inputs(SequenceInputs)
      .InferShape(std::move(infer))
      .NoGradient({"sequence_length"})
      .Backward([](const NodeAttrs& a) {
        return a.params<SequenceParam>().use_sequence_length
                   ? BackwardDeps{{0}, {1}, {}}
                   : BackwardDeps{{0}, {}, {}};
      });
  KernelRegistry::Global()
      .Register(op.name(), DeviceType::kCPU, KernelVariant::kReference)
      .Types({DType::kFloat32, DType::kFloat64})
      .Factory(TypedFactory<SequenceKernel>());
}

[[maybe_unused]] const bool kRegistered = [] {
  DeclareSequenceOp(OpRegistry::Global().Register("SequenceMask"),
                    "Each sequence's steps past its length set to `value`.",
                    InferSameAsDataShape);
  DeclareSequenceOp(OpRegistry::Global().Register("SequenceLast"),
                    "The last step of each sequence (at its length); the "
                    "time axis removed.",
                    InferSequenceLastShape);
  DeclareSequenceOp(OpRegistry::Global().Register("SequenceReverse"),
                    "Each sequence's steps up to its length in reverse "
                    "order; the padding after it stays.",
                    InferSameAsDataShape);
  return true;
}();

}  // namespace
}  // namespace ops
}  // namespace mx
