// Parameter structs of ops: typed fields with defaults, bounds, enum values
// and a doc line each, parsed from the string attributes that symbols and
// MXNet JSON carry ("128", "(3, 3)", "True", "relu").
//
//   struct FullyConnectedParam {
//     int64_t num_hidden = 0;
//     bool no_bias = false;
//     static void Declare(ParamDeclarer<FullyConnectedParam>* d) {
//       d->Field("num_hidden", &FullyConnectedParam::num_hidden)
//           .Required().Range(1, 100000).Doc("Number of output units.");
//       d->Field("no_bias", &FullyConnectedParam::no_bias).Default(false)
//           .Doc("Whether to disable the bias.");
//     }
//   };
#ifndef MX_CORE_OP_PARAM_H_
#define MX_CORE_OP_PARAM_H_

#include <any>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/base/error.h"

namespace mx {

// String attributes of a node, sorted by key (as MXNet writes them).
using AttrDict = std::map<std::string, std::string>;

// True for MXNet's hidden attribute keys "__name__" (__shape__, __lr_mult__,
// __init__, ...), which are not op parameters.
bool IsHiddenKey(const std::string& key);

// One declared field, type-erased.
struct ParamField {
  std::string name;
  // "int", "float", "boolean", "string", "tuple of int", "{'max', 'avg'}".
  std::string type_name;
  std::string doc;
  bool required = false;
  // The default as MXNet prints it ("False", "(1, 1)", "None").
  std::string default_text;
  std::vector<std::string> enum_values;
  // Human-readable constraint ("1 <= value <= 100000"), "" when none.
  std::string constraint;
  // Parses `text` into the field of `*params`; returns the problem ("" when
  // fine), e.g. "expected an integer".
  std::function<std::string(void* params, const std::string& text)> set;
  // Prints the field's current value of `params`.
  std::function<std::string(const void* params)> print;
  // Sets the field of `*params` to its default (unset for required fields).
  std::function<void(void* params)> reset;
};

// The problems ParamSchema::Parse found, all of them: what() has one line
// per problem, each prefixed by the `where` given to Parse; problems() has
// the same without the prefix, with the key concerned ("" for cross-field
// checks), so callers can point at each key's place in a file.
class ParamError : public Error {
 public:
  struct Problem {
    std::string key;
    std::string message;
  };
  ParamError(const std::string& where, std::vector<Problem> problems);
  const std::vector<Problem>& problems() const { return problems_; }

 private:
  std::vector<Problem> problems_;
};

class ParamSchema;
template <typename P>
std::shared_ptr<const ParamSchema> MakeParamSchema();

// All fields of one parameter struct plus its cross-field checks.
class ParamSchema {
 public:
  const std::vector<ParamField>& fields() const { return fields_; }
  const ParamField* Find(const std::string& name) const;
  std::vector<std::string> Names() const;

  // Builds the struct from `attrs`, skipping hidden keys. ParamError, whose
  // lines `where` prefixes ("FullyConnected 'fc1'"), lists unknown
  // parameters (with the nearest match and the valid keys), missing required
  // ones, malformed or out-of-range values, or else failed cross-field
  // checks.
  std::any Parse(const AttrDict& attrs, const std::string& where) const;
  // Every field with its value in `parsed` (defaults included), as strings.
  AttrDict Print(const std::any& parsed) const;
  // One line per field: "name : type, default=..., constraint. doc".
  std::string Doc() const;

 private:
  template <typename P>
  friend class ParamDeclarer;
  template <typename P>
  friend std::shared_ptr<const ParamSchema> MakeParamSchema();
  std::vector<ParamField> fields_;
  std::function<std::any()> make_default_;
  std::function<void*(std::any*)> address_;
  std::function<const void*(const std::any*)> const_address_;
  std::vector<std::function<std::string(const void*)>> checks_;
};

// Text conversions for the supported field types: int64_t, double, bool,
// std::string, std::vector<int64_t> (tuples), std::vector<std::string>
// (lists of names) and std::optional of those.
template <typename T>
struct ParamTraits;

template <>
struct ParamTraits<int64_t> {
  static const char* TypeName() { return "int"; }
  static std::string Parse(const std::string& text, int64_t* out);
  static std::string Print(int64_t v);
};
template <>
struct ParamTraits<double> {
  static const char* TypeName() { return "float"; }
  static std::string Parse(const std::string& text, double* out);
  static std::string Print(double v);
};
template <>
struct ParamTraits<bool> {
  static const char* TypeName() { return "boolean"; }
  static std::string Parse(const std::string& text, bool* out);
  static std::string Print(bool v);
};
template <>
struct ParamTraits<std::string> {
  static const char* TypeName() { return "string"; }
  static std::string Parse(const std::string& text, std::string* out);
  static std::string Print(const std::string& v) { return v; }
};
template <>
struct ParamTraits<std::vector<int64_t>> {
  static const char* TypeName() { return "tuple of int"; }
  static std::string Parse(const std::string& text, std::vector<int64_t>* out);
  static std::string Print(const std::vector<int64_t>& v);
};
// Lists of names (config keys such as devices): "(a, b)", "[a, b]", "()",
// or one bare name; items may hold parentheses ("cpu(0)").
template <>
struct ParamTraits<std::vector<std::string>> {
  static const char* TypeName() { return "list of string"; }
  static std::string Parse(const std::string& text,
                           std::vector<std::string>* out);
  static std::string Print(const std::vector<std::string>& v);
};
// Tuples whose entries may be None, as slice's (0, None, -1).
using OptionalInts = std::vector<std::optional<int64_t>>;
template <>
struct ParamTraits<OptionalInts> {
  static const char* TypeName() { return "tuple of int or None"; }
  static std::string Parse(const std::string& text, OptionalInts* out);
  static std::string Print(const OptionalInts& v);
};
template <typename T>
struct ParamTraits<std::optional<T>> {
  static const char* TypeName() { return ParamTraits<T>::TypeName(); }
  static std::string Parse(const std::string& text, std::optional<T>* out) {
    if (text == "None") {
      out->reset();
      return "";
    }
    T value{};
    std::string problem = ParamTraits<T>::Parse(text, &value);
    if (problem.empty()) *out = value;
    return problem;
  }
  static std::string Print(const std::optional<T>& v) {
    return v ? ParamTraits<T>::Print(*v) : "None";
  }
};

namespace param_detail {
// Range and enum checks shared by all field types; "" when `value` passes.
std::string CheckRange(double value, const std::optional<double>& lo,
                       const std::optional<double>& hi);
std::string CheckEnum(const std::string& value,
                      const std::vector<std::string>& allowed);
std::string DescribeRange(const std::optional<double>& lo,
                          const std::optional<double>& hi);
std::string QuoteList(const std::vector<std::string>& values);

inline std::string CheckValue(int64_t v, const std::optional<double>& lo,
                              const std::optional<double>& hi,
                              const std::vector<std::string>&) {
  return CheckRange(static_cast<double>(v), lo, hi);
}
inline std::string CheckValue(double v, const std::optional<double>& lo,
                              const std::optional<double>& hi,
                              const std::vector<std::string>&) {
  return CheckRange(v, lo, hi);
}
inline std::string CheckValue(bool, const std::optional<double>&,
                              const std::optional<double>&,
                              const std::vector<std::string>&) {
  return "";
}
inline std::string CheckValue(const std::string& v,
                              const std::optional<double>&,
                              const std::optional<double>&,
                              const std::vector<std::string>& allowed) {
  return CheckEnum(v, allowed);
}
inline std::string CheckValue(const std::vector<int64_t>& v,
                              const std::optional<double>& lo,
                              const std::optional<double>& hi,
                              const std::vector<std::string>&) {
  for (int64_t x : v) {
    std::string problem = CheckRange(static_cast<double>(x), lo, hi);
    if (!problem.empty())
      return "element " + std::to_string(x) + ": " + problem;
  }
  return "";
}
inline std::string CheckValue(const std::vector<std::string>& v,
                              const std::optional<double>&,
                              const std::optional<double>&,
                              const std::vector<std::string>& allowed) {
  for (const std::string& x : v) {
    std::string problem = CheckEnum(x, allowed);
    if (!problem.empty()) return "element '" + x + "': " + problem;
  }
  return "";
}
inline std::string CheckValue(const OptionalInts& v,
                              const std::optional<double>& lo,
                              const std::optional<double>& hi,
                              const std::vector<std::string>&) {
  for (const std::optional<int64_t>& x : v) {
    std::string problem =
        x ? CheckRange(static_cast<double>(*x), lo, hi) : std::string();
    if (!problem.empty())
      return "element " + std::to_string(*x) + ": " + problem;
  }
  return "";
}
template <typename T>
std::string CheckValue(const std::optional<T>& v,
                       const std::optional<double>& lo,
                       const std::optional<double>& hi,
                       const std::vector<std::string>& allowed) {
  return v ? CheckValue(*v, lo, hi, allowed) : "";
}
}  // namespace param_detail

// Fluent declaration of one field; see the example at the top of the file.
template <typename P, typename T>
class FieldBuilder {
 public:
  FieldBuilder(ParamField* field, T P::*member)
      : field_(field), member_(member), state_(std::make_shared<State>()) {
    field_->type_name = ParamTraits<T>::TypeName();
    Install();
  }
  FieldBuilder& Required() {
    field_->required = true;
    field_->default_text = "";
    field_->reset = nullptr;
    return *this;
  }
  FieldBuilder& Default(const T& value) {
    T P::*member = member_;
    field_->reset = [member, value](void* params) {
      static_cast<P*>(params)->*member = value;
    };
    field_->default_text = ParamTraits<T>::Print(value);
    return *this;
  }
  // Inclusive bounds; for tuples they apply to every element.
  FieldBuilder& Range(double lo, double hi) {
    state_->lo = lo;
    state_->hi = hi;
    field_->constraint = param_detail::DescribeRange(lo, hi);
    return *this;
  }
  FieldBuilder& Min(double lo) {
    state_->lo = lo;
    field_->constraint = param_detail::DescribeRange(lo, std::nullopt);
    return *this;
  }
  // Allowed values of a string field.
  FieldBuilder& Enum(std::vector<std::string> values) {
    state_->allowed = values;
    field_->enum_values = values;
    field_->type_name = "{" + param_detail::QuoteList(values) + "}";
    return *this;
  }
  FieldBuilder& Doc(const std::string& doc) {
    field_->doc = doc;
    return *this;
  }

 private:
  struct State {
    std::optional<double> lo, hi;
    std::vector<std::string> allowed;
  };

  void Install() {
    T P::*member = member_;
    std::shared_ptr<State> state = state_;
    field_->set = [member, state](void* params, const std::string& text) {
      T value{};
      std::string problem = ParamTraits<T>::Parse(text, &value);
      if (problem.empty()) {
        problem = param_detail::CheckValue(value, state->lo, state->hi,
                                           state->allowed);
      }
      if (problem.empty()) static_cast<P*>(params)->*member = value;
      return problem;
    };
    field_->print = [member](const void* params) {
      return ParamTraits<T>::Print(static_cast<const P*>(params)->*member);
    };
  }

  ParamField* field_;
  T P::*member_;
  std::shared_ptr<State> state_;
};

// Collects the fields of P; P::Declare(ParamDeclarer<P>*) calls Field() once
// per member and Check() for constraints between fields.
template <typename P>
class ParamDeclarer {
 public:
  explicit ParamDeclarer(ParamSchema* schema) : schema_(schema) {}

  template <typename T>
  FieldBuilder<P, T> Field(const char* name, T P::*member) {
    // Builders hold a pointer into fields_: MakeParamSchema reserves room
    // so that it stays valid.
    MX_INTERNAL_CHECK(schema_->fields_.size() < schema_->fields_.capacity(),
                      "too many parameter fields");
    schema_->fields_.emplace_back();
    schema_->fields_.back().name = name;
    return FieldBuilder<P, T>(&schema_->fields_.back(), member);
  }
  // A check across fields: returns the problem ("" when fine).
  void Check(std::function<std::string(const P&)> check) {
    schema_->checks_.push_back([check](const void* params) {
      return check(*static_cast<const P*>(params));
    });
  }

 private:
  ParamSchema* schema_;
};

// Builds the schema of P from P::Declare. Defaults come from Default() (the
// single source of truth); member initializers only matter for required
// fields, which Parse always sets.
template <typename P>
std::shared_ptr<const ParamSchema> MakeParamSchema() {
  auto schema = std::make_shared<ParamSchema>();
  schema->fields_.reserve(64);
  ParamDeclarer<P> declarer(schema.get());
  P::Declare(&declarer);
  schema->make_default_ = [] { return std::any(P()); };
  schema->address_ = [](std::any* a) -> void* { return std::any_cast<P>(a); };
  schema->const_address_ = [](const std::any* a) -> const void* {
    return std::any_cast<P>(a);
  };
  return schema;
}

}  // namespace mx

#endif  // MX_CORE_OP_PARAM_H_
