#include "core/train/optimizer.h"

#include <algorithm>
#include <any>
#include <cctype>
#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <utility>

#include "core/base/error.h"
#include "core/base/multiversion.h"
#include "core/base/strings.h"
#include "core/engine/engine.h"
#include "core/engine/parallel.h"
#include "core/train/optimizer_gpu.h"
#include "core/train/update_rules.h"

namespace mx {
namespace {

// Elements one thread updates at least.
constexpr int64_t kUpdateGrain = 1 << 14;

// Declares the fields every optimizer has (members of OptimizerCommon, as
// members of P).
template <typename P>
void DeclareCommon(ParamDeclarer<P>* d, double default_lr) {
  d->Field("learning_rate", static_cast<double P::*>(&P::learning_rate))
      .Default(default_lr)
      .Min(0)
      .Doc("Base learning rate (a schedule may change it).");
  d->Field("wd", static_cast<double P::*>(&P::wd))
      .Default(0.0)
      .Min(0)
      .Doc(
          "Weight decay (L2), applied to weights only unless wd_mult says "
          "otherwise.");
  d->Field("rescale_grad", static_cast<double P::*>(&P::rescale_grad))
      .Default(1.0)
      .Doc("Gradient multiplier, typically 1 / batch size.");
  d->Field("clip_gradient", static_cast<double P::*>(&P::clip_gradient))
      .Default(-1.0)
      .Doc("Clip the rescaled gradient to [-c, c]; <= 0 disables.");
  d->Field("clip_global_norm", static_cast<double P::*>(&P::clip_global_norm))
      .Default(0.0)
      .Min(0)
      .Doc(
          "Scale all rescaled gradients of a step together so that their "
          "global L2 norm is at most this (PyTorch's clip_grad_norm_, Keras' "
          "global_clipnorm); 0 disables. Training applies it, before "
          "clip_gradient.");
}

GradScaling ScalingOf(const OptimizerCommon& c) {
  const float inf = std::numeric_limits<float>::infinity();
  const float clip = static_cast<float>(c.clip_gradient);
  return {static_cast<float>(c.rescale_grad), clip > 0 ? -clip : -inf,
          clip > 0 ? clip : inf};
}

// Each optimizer: its parameter struct (with the common fields) and the
// element-wise update. The loops are compiled for AVX-512/AVX2.

struct SgdParam : OptimizerCommon {
  double momentum = 0;
  static void Declare(ParamDeclarer<SgdParam>* d) {
    DeclareCommon(d, 0.01);
    d->Field("momentum", &SgdParam::momentum)
        .Default(0.0)
        .Range(0, 1)
        .Doc("Momentum; 0 is plain SGD.");
  }
};

struct NagParam : OptimizerCommon {
  double momentum = 0;
  static void Declare(ParamDeclarer<NagParam>* d) {
    DeclareCommon(d, 0.01);
    d->Field("momentum", &NagParam::momentum)
        .Default(0.0)
        .Range(0, 1)
        .Doc("Nesterov momentum.");
  }
};

struct AdamParam : OptimizerCommon {
  double beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8;
  static void Declare(ParamDeclarer<AdamParam>* d) {
    DeclareCommon(d, 0.001);
    d->Field("beta1", &AdamParam::beta1)
        .Default(0.9)
        .Range(0, 1)
        .Doc("Decay of the first moment.");
    d->Field("beta2", &AdamParam::beta2)
        .Default(0.999)
        .Range(0, 1)
        .Doc("Decay of the second moment.");
    d->Field("epsilon", &AdamParam::epsilon)
        .Default(1e-8)
        .Min(0)
        .Doc("Added to the root of the second moment.");
  }
};

struct AdaGradParam : OptimizerCommon {
  double eps = 1e-7;
  static void Declare(ParamDeclarer<AdaGradParam>* d) {
    DeclareCommon(d, 0.01);
    d->Field("eps", &AdaGradParam::eps)
        .Default(1e-7)
        .Min(0)
        .Doc("Added to the accumulated squares.");
  }
};

struct RmsPropParam : OptimizerCommon {
  double gamma1 = 0.9, epsilon = 1e-8;
  static void Declare(ParamDeclarer<RmsPropParam>* d) {
    DeclareCommon(d, 0.001);
    d->Field("gamma1", &RmsPropParam::gamma1)
        .Default(0.9)
        .Range(0, 1)
        .Doc("Decay of the mean square.");
    d->Field("epsilon", &RmsPropParam::epsilon)
        .Default(1e-8)
        .Min(0)
        .Doc("Added to the mean square.");
  }
};

// The CPU loops of each rule (the branch outside, so each vectorizes).
MX_MULTIVERSION void SgdLoop(const UpdateRule r, float* __restrict w,
                             const float* __restrict g, int64_t n) {
  for (int64_t i = 0; i < n; ++i) SgdStep(r, w[i], g[i]);
}

MX_MULTIVERSION void SgdMomentumLoop(const UpdateRule r, float* __restrict w,
                                     const float* __restrict g,
                                     float* __restrict mom, int64_t n) {
  for (int64_t i = 0; i < n; ++i) SgdMomentumStep(r, w[i], g[i], mom[i]);
}

MX_MULTIVERSION void NagLoop(const UpdateRule r, float* __restrict w,
                             const float* __restrict g, float* __restrict mom,
                             int64_t n) {
  for (int64_t i = 0; i < n; ++i) NagStep(r, w[i], g[i], mom[i]);
}

MX_MULTIVERSION void AdamLoop(const UpdateRule r, float* __restrict w,
                              const float* __restrict g, float* __restrict m,
                              float* __restrict v, int64_t n) {
  for (int64_t i = 0; i < n; ++i) AdamStep(r, w[i], g[i], m[i], v[i]);
}

MX_MULTIVERSION void AdaGradLoop(const UpdateRule r, float* __restrict w,
                                 const float* __restrict g, float* __restrict h,
                                 int64_t n) {
  for (int64_t i = 0; i < n; ++i) AdaGradStep(r, w[i], g[i], h[i]);
}

MX_MULTIVERSION void RmsPropLoop(const UpdateRule r, float* __restrict w,
                                 const float* __restrict g,
                                 float* __restrict ms, int64_t n) {
  for (int64_t i = 0; i < n; ++i) RmsPropStep(r, w[i], g[i], ms[i]);
}

// Applies `r` to n elements on the CPU.
void ApplyOnCpu(const UpdateRule& r, float* w, const float* g, float* const* st,
                int64_t n) {
  switch (r.kind) {
    case UpdateKind::kSgd:
      return SgdLoop(r, w, g, n);
    case UpdateKind::kSgdMomentum:
      return SgdMomentumLoop(r, w, g, st[0], n);
    case UpdateKind::kNag:
      return NagLoop(r, w, g, st[0], n);
    case UpdateKind::kAdam:
      return AdamLoop(r, w, g, st[0], st[1], n);
    case UpdateKind::kAdaGrad:
      return AdaGradLoop(r, w, g, st[0], n);
    case UpdateKind::kRmsProp:
      return RmsPropLoop(r, w, g, st[0], n);
  }
}

// The rule with the step's rate and decay and the common scaling.
UpdateRule BaseRule(UpdateKind kind, const UpdateStep& s,
                    const OptimizerCommon& c) {
  UpdateRule r;
  r.kind = kind;
  r.lr = s.lr;
  r.wd = s.wd;
  r.prep = ScalingOf(c);
  return r;
}

class Sgd : public Optimizer {
 public:
  explicit Sgd(const SgdParam& p) : Optimizer(p), momentum_(p.momentum) {}
  int NumStates() const override { return momentum_ > 0 ? 1 : 0; }
  UpdateRule Rule(const UpdateStep& s) const override {
    UpdateRule r =
        BaseRule(momentum_ > 0 ? UpdateKind::kSgdMomentum : UpdateKind::kSgd, s,
                 common_);
    r.momentum = static_cast<float>(momentum_);
    return r;
  }

 private:
  double momentum_;
};

class Nag : public Optimizer {
 public:
  explicit Nag(const NagParam& p) : Optimizer(p), momentum_(p.momentum) {}
  int NumStates() const override { return 1; }
  UpdateRule Rule(const UpdateStep& s) const override {
    UpdateRule r = BaseRule(UpdateKind::kNag, s, common_);
    r.momentum = static_cast<float>(momentum_);
    return r;
  }

 private:
  double momentum_;
};

class Adam : public Optimizer {
 public:
  explicit Adam(const AdamParam& p) : Optimizer(p), p_(p) {}
  int NumStates() const override { return 2; }
  UpdateRule Rule(const UpdateStep& s) const override {
    UpdateRule r = BaseRule(UpdateKind::kAdam, s, common_);
    // MXNet folds the bias corrections into the rate.
    const double t = static_cast<double>(s.t);
    r.lr = static_cast<float>(s.lr * std::sqrt(1 - std::pow(p_.beta2, t)) /
                              (1 - std::pow(p_.beta1, t)));
    r.beta1 = static_cast<float>(p_.beta1);
    r.beta2 = static_cast<float>(p_.beta2);
    r.eps = static_cast<float>(p_.epsilon);
    return r;
  }

 private:
  AdamParam p_;
};

class AdaGrad : public Optimizer {
 public:
  explicit AdaGrad(const AdaGradParam& p) : Optimizer(p), eps_(p.eps) {}
  int NumStates() const override { return 1; }
  UpdateRule Rule(const UpdateStep& s) const override {
    UpdateRule r = BaseRule(UpdateKind::kAdaGrad, s, common_);
    r.eps = static_cast<float>(eps_);
    return r;
  }

 private:
  double eps_;
};

class RmsProp : public Optimizer {
 public:
  explicit RmsProp(const RmsPropParam& p) : Optimizer(p), p_(p) {}
  int NumStates() const override { return 1; }
  UpdateRule Rule(const UpdateStep& s) const override {
    UpdateRule r = BaseRule(UpdateKind::kRmsProp, s, common_);
    r.gamma1 = static_cast<float>(p_.gamma1);
    r.eps = static_cast<float>(p_.epsilon);
    return r;
  }

 private:
  RmsPropParam p_;
};

// An optimizer: its parameters' schema and how it is built from them.
struct Kind {
  std::shared_ptr<const ParamSchema> schema;
  std::function<std::unique_ptr<Optimizer>(const std::any& parsed)> make;
};

template <typename P, typename Impl>
Kind KindOf() {
  return {MakeParamSchema<P>(), [](const std::any& parsed) {
            return std::make_unique<Impl>(std::any_cast<P>(parsed));
          }};
}

const std::map<std::string, Kind>& Factories() {
  static const auto* const factories = new std::map<std::string, Kind>{
      {"sgd", KindOf<SgdParam, Sgd>()},
      {"nag", KindOf<NagParam, Nag>()},
      {"adam", KindOf<AdamParam, Adam>()},
      {"adagrad", KindOf<AdaGradParam, AdaGrad>()},
      {"rmsprop", KindOf<RmsPropParam, RmsProp>()},
  };
  return *factories;
}

// The lowercase name and Kind of `name` (any case); mx::Error naming the
// known ones.
const std::pair<const std::string, Kind>& Find(const std::string& name) {
  std::string lower = name;
  std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
  const auto it = Factories().find(lower);
  if (it == Factories().end()) {
    MX_THROW("unknown optimizer '", name,
             "' (known: ", Join(Optimizer::Names(), ", "), ")");
  }
  return *it;
}

}  // namespace

std::vector<std::string> Optimizer::Names() {
  std::vector<std::string> names;
  for (const auto& [name, f] : Factories()) names.push_back(name);
  return names;
}

std::unique_ptr<Optimizer> Optimizer::Create(const std::string& name,
                                             const AttrDict& params) {
  const auto& [lower, kind] = Find(name);
  std::unique_ptr<Optimizer> opt =
      kind.make(kind.schema->Parse(params, StrCat("optimizer ", lower)));
  opt->name_ = lower;
  return opt;
}

const ParamSchema& Optimizer::Schema(const std::string& name) {
  return *Find(name).second.schema;
}

std::vector<NDArray> Optimizer::CreateState(const NDArray& weight) const {
  std::vector<NDArray> state;
  for (int i = 0; i < NumStates(); ++i) {
    state.push_back(NDArray::Zeros(weight.shape(), weight.context()));
  }
  return state;
}

void Optimizer::Update(const std::string& param, const UpdateStep& step,
                       const NDArray& weight, const NDArray& grad,
                       const std::vector<NDArray>& state) const {
  MX_CHECK(weight.dtype() == DType::kFloat32 && grad.dtype() == DType::kFloat32,
           "optimizer ", name_, ": parameter '", param,
           "' is not float32 (weight ", weight.dtype(), ", gradient ",
           grad.dtype(), ")");
  MX_CHECK(weight.shape() == grad.shape(), "optimizer ", name_, ": parameter '",
           param, "' has weight ", weight.shape(), " but gradient ",
           grad.shape());
  MX_CHECK(static_cast<int>(state.size()) == NumStates(), "optimizer ", name_,
           ": parameter '", param, "' has ", state.size(),
           " state arrays, expected ", NumStates());
  std::vector<VarHandle> writes = {weight.var()};
  for (const NDArray& s : state) writes.push_back(s.var());
  UpdateRule rule = Rule(step);
  rule.prep.rescale *= step.grad_scale;
  if (!weight.context().IsHost()) {
    // One fused CUDA kernel on the worker's stream.
    MX_CHECK(grad.context() == weight.context(), "optimizer ", name_,
             ": parameter '", param, "' is on ", weight.context(),
             " but its gradient on ", grad.context());
    Engine::Get()->PushSync(
        [rule, weight, grad, state](RunContext rc) {
          float* st[2] = {nullptr, nullptr};
          for (size_t i = 0; i < state.size(); ++i) {
            st[i] = state[i].Data<float>();
          }
          cuda::ApplyUpdate(rule, weight.Data<float>(), grad.Data<float>(),
                            st[0], st[1], weight.Size(), rc.stream);
        },
        weight.context(), {grad.var()}, writes, 0, "optimizer update");
    return;
  }
  Engine::Get()->PushSync(
      [rule, weight, grad, state](RunContext) {
        // Element-wise: slices on the intra-op threads give the same result.
        float* const w = weight.Data<float>();
        const float* const g = grad.Data<float>();
        ParallelFor(weight.Size(), kUpdateGrain, [&](int64_t b, int64_t e) {
          float* st[2] = {nullptr, nullptr};
          for (size_t i = 0; i < state.size(); ++i)
            st[i] = state[i].Data<float>() + b;
          ApplyOnCpu(rule, w + b, g + b, st, e - b);
        });
      },
      weight.context(), {grad.var()}, writes, 0, "optimizer update");
}

}  // namespace mx
