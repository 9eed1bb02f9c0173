#include "core/train/initializer.h"

#include <any>
#include <cmath>
#include <functional>
#include <map>
#include <vector>

#include "core/base/error.h"
#include "core/base/json.h"
#include "core/base/strings.h"

namespace mx {
namespace {

// Random values come from the host's generator, for arrays on GPUs too: a
// seed gives the same starting weights on every device.
void FillUniform(NDArray* a, double scale) {
  RandomUniform(static_cast<float>(-scale), static_cast<float>(scale),
                a->shape(),
                a->context().IsHost() ? a->context() : Context::CPU())
      .CopyTo(a);
}

void FillNormal(NDArray* a, double sigma) {
  RandomNormal(0.f, static_cast<float>(sigma), a->shape(),
               a->context().IsHost() ? a->context() : Context::CPU())
      .CopyTo(a);
}

// fan_in = shape[1] * receptive field, fan_out = shape[0] * receptive field
// (MXNet's Xavier); 1-D arrays count as (n, 1).
double FanFactor(const std::string& name, const Shape& shape,
                 const std::string& factor_type) {
  MX_CHECK(shape.ndim() >= 1, "initializer: '", name, "' is a scalar");
  double receptive = 1;
  for (int d = 2; d < shape.ndim(); ++d) receptive *= shape[d];
  const double fan_out = shape[0] * receptive;
  const double fan_in = (shape.ndim() >= 2 ? shape[1] : 1) * receptive;
  if (factor_type == "in") return fan_in;
  if (factor_type == "out") return fan_out;
  return (fan_in + fan_out) / 2;
}

struct XavierParam {
  std::string rnd_type = "uniform";
  std::string factor_type = "avg";
  double magnitude = 3;
  static void Declare(ParamDeclarer<XavierParam>* d) {
    d->Field("rnd_type", &XavierParam::rnd_type)
        .Default("uniform")
        .Enum({"uniform", "gaussian"})
        .Doc("Uniform in [-s, s] or normal with deviation s.");
    d->Field("factor_type", &XavierParam::factor_type)
        .Default("avg")
        .Enum({"avg", "in", "out"})
        .Doc("Which fan sets the scale.");
    d->Field("magnitude", &XavierParam::magnitude)
        .Default(3.0)
        .Min(0)
        .Doc("s = sqrt(magnitude / fan).");
  }
};

class Xavier : public Initializer {
 public:
  explicit Xavier(const XavierParam& p) : p_(p) {}
  void InitWeight(const std::string& name, NDArray* a) const override {
    const double scale =
        std::sqrt(p_.magnitude / FanFactor(name, a->shape(), p_.factor_type));
    if (p_.rnd_type == "uniform") {
      FillUniform(a, scale);
    } else {
      FillNormal(a, scale);
    }
  }

 private:
  XavierParam p_;
};

struct MsraParam {
  std::string factor_type = "avg";
  double slope = 0.25;
  static void Declare(ParamDeclarer<MsraParam>* d) {
    d->Field("factor_type", &MsraParam::factor_type)
        .Default("avg")
        .Enum({"avg", "in", "out"})
        .Doc("Which fan sets the scale.");
    d->Field("slope", &MsraParam::slope)
        .Default(0.25)
        .Doc(
            "Negative slope of the (P)ReLU that follows: magnitude 2 / (1 "
            "+ slope^2).");
  }
};

struct UniformParam {
  double scale = 0.07;
  static void Declare(ParamDeclarer<UniformParam>* d) {
    d->Field("scale", &UniformParam::scale)
        .Default(0.07)
        .Min(0)
        .Doc("Draws from [-scale, scale].");
  }
};

struct NormalParam {
  double sigma = 0.01;
  static void Declare(ParamDeclarer<NormalParam>* d) {
    d->Field("sigma", &NormalParam::sigma)
        .Default(0.01)
        .Min(0)
        .Doc("Standard deviation.");
  }
};

struct ConstantParam {
  double value = 0;
  static void Declare(ParamDeclarer<ConstantParam>* d) {
    d->Field("value", &ConstantParam::value).Default(0.0).Doc("The value.");
  }
};

// An initializer from a fill function of (name, array).
class FillInitializer : public Initializer {
 public:
  explicit FillInitializer(std::function<void(NDArray*)> fill)
      : fill_(std::move(fill)) {}
  void InitWeight(const std::string&, NDArray* a) const override { fill_(a); }

 private:
  std::function<void(NDArray*)> fill_;
};

// zero and one.
struct NoParam {
  static void Declare(ParamDeclarer<NoParam>*) {}
};

// MXNet's Bilinear: every (ky, kx) plane of a (..., k, k) weight holds the
// bilinear interpolation kernel (1 - |x/f - c|)(1 - |y/f - c|), f = ceil(k /
// 2), c = (2f - 1 - f % 2) / 2f: what UpSampling 'bilinear' deconvolves by.
void FillBilinear(NDArray* a) {
  const Shape& shape = a->shape();
  MX_CHECK(shape.ndim() >= 2, "initializer bilinear: the array ", shape,
           " needs at least 2 axes (..., height, width)");
  const int64_t h = shape[-2], w = shape[-1];
  const double f = std::ceil(w / 2.0);
  const double c = (2 * f - 1 - std::fmod(f, 2.0)) / (2 * f);
  std::vector<float> values(shape.Size());
  for (size_t i = 0; i < values.size(); ++i) {
    const double x = static_cast<double>(i % w);
    const double y = static_cast<double>((i / w) % h);
    values[i] = static_cast<float>((1 - std::fabs(x / f - c)) *
                                   (1 - std::fabs(y / f - c)));
  }
  NDArray::FromVector(values, shape, a->context()).CopyTo(a);
}

// An initializer: its parameters' schema and how it is built from them.
struct Kind {
  std::shared_ptr<const ParamSchema> schema;
  std::function<std::unique_ptr<Initializer>(const std::any& parsed)> make;
};

// The Kind of parameters P whose initializer `make(P)` builds.
template <typename P, typename Make>
Kind KindOf(Make make) {
  return {MakeParamSchema<P>(), [make](const std::any& parsed) {
            return std::unique_ptr<Initializer>(make(std::any_cast<P>(parsed)));
          }};
}

// An initializer filling every array with `fill(array)`.
template <typename F>
std::unique_ptr<Initializer> Fill(F fill) {
  return std::make_unique<FillInitializer>(std::move(fill));
}

const std::map<std::string, Kind>& Factories() {
  static const auto* const factories = new std::map<std::string, Kind>{
      {"xavier", KindOf<XavierParam>([](const XavierParam& p) {
         return std::make_unique<Xavier>(p);
       })},
      {"msra", KindOf<MsraParam>([](const MsraParam& m) {
         XavierParam x;
         x.rnd_type = "gaussian";
         x.factor_type = m.factor_type;
         x.magnitude = 2 / (1 + m.slope * m.slope);
         return std::make_unique<Xavier>(x);
       })},
      {"uniform", KindOf<UniformParam>([](const UniformParam& p) {
         return Fill([s = p.scale](NDArray* x) { FillUniform(x, s); });
       })},
      {"normal", KindOf<NormalParam>([](const NormalParam& p) {
         return Fill([s = p.sigma](NDArray* x) { FillNormal(x, s); });
       })},
      {"constant", KindOf<ConstantParam>([](const ConstantParam& p) {
         return Fill([v = p.value](NDArray* x) { x->Fill(v); });
       })},
      {"zero", KindOf<NoParam>([](const NoParam&) {
         return Fill([](NDArray* x) { x->Fill(0); });
       })},
      {"one", KindOf<NoParam>([](const NoParam&) {
         return Fill([](NDArray* x) { x->Fill(1); });
       })},
      {"bilinear", KindOf<NoParam>([](const NoParam&) {
         return Fill([](NDArray* x) { FillBilinear(x); });
       })},
  };
  return *factories;
}

// The Kind of `name`; mx::Error naming the known ones.
const Kind& Find(const std::string& name) {
  const auto it = Factories().find(name);
  if (it == Factories().end()) {
    MX_THROW("unknown initializer '", name,
             "' (known: ", Join(Initializer::Names(), ", "), ")");
  }
  return it->second;
}

// Parses MXNet's __init__ attribute: '["name", {"key": value, ...}]' or a
// bare name.
std::unique_ptr<Initializer> FromInitAttr(const std::string& array,
                                          const std::string& text) {
  const std::string where = StrCat("__init__ of '", array, "'");
  if (text.empty() || text[0] != '[') return Initializer::Create(text);
  const JsonValue v = ParseJson(text, where);
  MX_CHECK(v.IsArray() && !v.items().empty() && v.items()[0].IsString() &&
               (v.items().size() == 1 ||
                (v.items().size() == 2 && v.items()[1].IsObject())),
           where, ": expected [\"name\", {params}], got ", text);
  AttrDict params;
  if (v.items().size() == 2) {
    for (const auto& [key, value] : v.items()[1].members()) {
      params[key] = value.IsString()   ? value.str()
                    : value.IsNumber() ? value.number_text()
                    : value.IsBool()   ? (value.bool_value() ? "True" : "False")
                                       : std::string("?");
    }
  }
  return Initializer::Create(v.items()[0].str(), params);
}

}  // namespace

std::vector<std::string> Initializer::Names() {
  std::vector<std::string> names;
  for (const auto& [name, f] : Factories()) names.push_back(name);
  return names;
}

std::unique_ptr<Initializer> Initializer::Create(const std::string& name,
                                                 const AttrDict& params) {
  const Kind& kind = Find(name);
  const std::string where = StrCat("initializer ", name);
  MX_CHECK(!kind.schema->fields().empty() || params.empty(), where,
           " takes no parameters");
  return kind.make(kind.schema->Parse(params, where));
}

const ParamSchema& Initializer::Schema(const std::string& name) {
  return *Find(name).schema;
}

void Initializer::Init(const std::string& name, NDArray* array,
                       const std::string& init_attr) const {
  if (!init_attr.empty()) {
    FromInitAttr(name, init_attr)->InitWeight(name, array);
    return;
  }
  // As MXNet: an UpSampling layer's weight (auto-named upsampling<N>_weight)
  // is the bilinear kernel.
  if (StartsWith(name, "upsampling")) return FillBilinear(array);
  if (EndsWith(name, "weight")) return InitWeight(name, array);
  if (EndsWith(name, "bias") || EndsWith(name, "beta") ||
      EndsWith(name, "moving_mean") || EndsWith(name, "moving_avg")) {
    array->Fill(0);
    return;
  }
  if (EndsWith(name, "gamma") || EndsWith(name, "moving_var") ||
      EndsWith(name, "moving_inv_var")) {
    array->Fill(1);
    return;
  }
  MX_THROW("initializer: no rule for '", name,
           "'; names end in weight, bias, gamma, beta, moving_mean or "
           "moving_var, or the variable sets __init__");
}

}  // namespace mx
