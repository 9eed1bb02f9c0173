#include "core/train/lr_scheduler.h"

#include <algorithm>
#include <any>
#include <cmath>
#include <functional>
#include <memory>
#include <utility>
#include <vector>

#include "core/base/error.h"
#include "core/base/strings.h"

namespace mx {
namespace {

// The warm-up fields every schedule has.
template <typename P>
void DeclareWarmup(ParamDeclarer<P>* d) {
  d->Field("warmup_steps", &P::warmup_steps)
      .Default(0)
      .Min(0)
      .Doc(
          "Updates of linear warm-up from warmup_begin_lr to the base "
          "rate.");
  d->Field("warmup_begin_lr", &P::warmup_begin_lr)
      .Default(0.0)
      .Min(0)
      .Doc("The rate at the first update of the warm-up.");
}

struct ConstantParam {
  int64_t warmup_steps = 0;
  double warmup_begin_lr = 0;
  static void Declare(ParamDeclarer<ConstantParam>* d) { DeclareWarmup(d); }
};

class Constant : public LRScheduler {
 public:
  Constant(double base, const ConstantParam& p)
      : LRScheduler(base, p.warmup_steps, p.warmup_begin_lr) {}
  double AfterWarmup(int64_t) const override { return base_lr_; }
};

struct FactorParam {
  int64_t step = 1;
  double factor = 1, stop_factor_lr = 1e-8;
  int64_t warmup_steps = 0;
  double warmup_begin_lr = 0;
  static void Declare(ParamDeclarer<FactorParam>* d) {
    d->Field("step", &FactorParam::step)
        .Required()
        .Min(1)
        .Doc("Multiply the rate by factor every `step` updates.");
    d->Field("factor", &FactorParam::factor)
        .Default(1.0)
        .Range(0, 1)
        .Doc("The multiplier.");
    d->Field("stop_factor_lr", &FactorParam::stop_factor_lr)
        .Default(1e-8)
        .Min(0)
        .Doc("The rate never goes below this.");
    DeclareWarmup(d);
  }
};

// MXNet's FactorScheduler: the rate drops after updates step, 2 step, ...
// (update step + 1 is the first at the lower rate).
class Factor : public LRScheduler {
 public:
  Factor(double base, const FactorParam& p)
      : LRScheduler(base, p.warmup_steps, p.warmup_begin_lr), p_(p) {}
  double AfterWarmup(int64_t n) const override {
    const int64_t drops = n > 0 ? (n - 1) / p_.step : 0;
    return std::max(base_lr_ * std::pow(p_.factor, static_cast<double>(drops)),
                    p_.stop_factor_lr);
  }

 private:
  FactorParam p_;
};

struct MultiFactorParam {
  std::vector<int64_t> steps;
  double factor = 1;
  int64_t warmup_steps = 0;
  double warmup_begin_lr = 0;
  static void Declare(ParamDeclarer<MultiFactorParam>* d) {
    d->Field("steps", &MultiFactorParam::steps)
        .Required()
        .Min(1)
        .Doc(
            "Updates after which the rate is multiplied by factor, "
            "increasing.");
    d->Field("factor", &MultiFactorParam::factor)
        .Default(1.0)
        .Range(0, 1)
        .Doc("The multiplier.");
    DeclareWarmup(d);
    d->Check([](const MultiFactorParam& p) -> std::string {
      for (size_t i = 1; i < p.steps.size(); ++i) {
        if (p.steps[i] <= p.steps[i - 1]) {
          return StrCat("steps ", PythonTuple(p.steps),
                        " must be strictly increasing");
        }
      }
      return "";
    });
  }
};

class MultiFactor : public LRScheduler {
 public:
  MultiFactor(double base, const MultiFactorParam& p)
      : LRScheduler(base, p.warmup_steps, p.warmup_begin_lr), p_(p) {}
  double AfterWarmup(int64_t n) const override {
    int64_t drops = 0;
    for (int64_t s : p_.steps) drops += n > s;
    return base_lr_ * std::pow(p_.factor, static_cast<double>(drops));
  }

 private:
  MultiFactorParam p_;
};

struct CurveParam {
  int64_t max_update = 0;
  double final_lr = 0;
  double pwr = 2;
  int64_t warmup_steps = 0;
  double warmup_begin_lr = 0;
  static void Declare(ParamDeclarer<CurveParam>* d) {
    d->Field("max_update", &CurveParam::max_update)
        .Required()
        .Min(1)
        .Doc("The update at which the rate reaches final_lr.");
    d->Field("final_lr", &CurveParam::final_lr)
        .Default(0.0)
        .Min(0)
        .Doc("The rate from max_update on.");
    d->Field("pwr", &CurveParam::pwr)
        .Default(2.0)
        .Min(0)
        .Doc("Exponent of the poly schedule.");
    DeclareWarmup(d);
    d->Check([](const CurveParam& p) -> std::string {
      if (p.warmup_steps >= p.max_update) {
        return StrCat("warmup_steps ", p.warmup_steps,
                      " must be smaller than max_update ", p.max_update);
      }
      return "";
    });
  }
};

// cosine: final + (base - final) (1 + cos(pi x)) / 2; poly: final + (base -
// final) (1 - x)^pwr; x is the fraction of the updates after the warm-up.
class Curve : public LRScheduler {
 public:
  Curve(double base, const CurveParam& p, bool cosine)
      : LRScheduler(base, p.warmup_steps, p.warmup_begin_lr),
        p_(p),
        cosine_(cosine) {}
  double AfterWarmup(int64_t n) const override {
    if (n >= p_.max_update) return p_.final_lr;
    const double x = static_cast<double>(n - p_.warmup_steps) /
                     static_cast<double>(p_.max_update - p_.warmup_steps);
    const double shape =
        cosine_ ? (1 + std::cos(M_PI * x)) / 2 : std::pow(1 - x, p_.pwr);
    return p_.final_lr + (base_lr_ - p_.final_lr) * shape;
  }

 private:
  CurveParam p_;
  bool cosine_;
};

// A schedule: its parameters' schema and how it is built from them.
struct Kind {
  std::shared_ptr<const ParamSchema> schema;
  std::function<std::unique_ptr<LRScheduler>(double base_lr,
                                             const std::any& parsed)>
      make;
};

template <typename P, typename Impl, typename... Extra>
Kind KindOf(Extra... extra) {
  return {MakeParamSchema<P>(),
          [extra...](double base_lr, const std::any& parsed) {
            return std::make_unique<Impl>(base_lr, std::any_cast<P>(parsed),
                                          extra...);
          }};
}

// In the order errors list them.
const std::vector<std::pair<std::string, Kind>>& Kinds() {
  static const auto* const kinds =
      new std::vector<std::pair<std::string, Kind>>{
          {"constant", KindOf<ConstantParam, Constant>()},
          {"factor", KindOf<FactorParam, Factor>()},
          {"multifactor", KindOf<MultiFactorParam, MultiFactor>()},
          {"cosine", KindOf<CurveParam, Curve>(true)},
          {"poly", KindOf<CurveParam, Curve>(false)},
      };
  return *kinds;
}

// The Kind of `name`; mx::Error naming the known ones.
const Kind& Find(const std::string& name) {
  std::vector<std::string> names;
  for (const auto& [n, kind] : Kinds()) {
    if (n == name) return kind;
    names.push_back(n);
  }
  MX_THROW("unknown lr schedule '", name, "'", DidYouMean(name, names),
           " (known: ", Join(names, ", "), ")");
}

}  // namespace

double LRScheduler::LearningRate(int64_t num_update) const {
  if (warmup_steps_ > 0 && num_update <= warmup_steps_) {
    // Linear from warmup_begin_lr (update 1 is one step in) to the base.
    return warmup_begin_lr_ + (base_lr_ - warmup_begin_lr_) *
                                  static_cast<double>(num_update) /
                                  static_cast<double>(warmup_steps_);
  }
  return AfterWarmup(num_update);
}

std::unique_ptr<LRScheduler> LRScheduler::Create(const std::string& name,
                                                 double base_lr,
                                                 const AttrDict& params) {
  const Kind& kind = Find(name);
  return kind.make(base_lr,
                   kind.schema->Parse(params, StrCat("lr schedule ", name)));
}

const ParamSchema& LRScheduler::Schema(const std::string& name) {
  return *Find(name).schema;
}

}  // namespace mx
