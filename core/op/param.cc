#include "core/op/param.h"

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "core/base/strings.h"

namespace mx {

bool IsHiddenKey(const std::string& key) {
  return key.size() > 4 && key.compare(0, 2, "__") == 0 &&
         key.compare(key.size() - 2, 2, "__") == 0;
}

// ---- conversions ----

std::string ParamTraits<int64_t>::Parse(const std::string& text, int64_t* out) {
  const std::string t = Trim(text);
  if (t.empty()) return "expected an integer";
  char* end = nullptr;
  errno = 0;
  const long long v = std::strtoll(t.c_str(), &end, 10);
  if (end != t.c_str() + t.size()) return "expected an integer";
  if (errno == ERANGE) return "integer out of the int64 range";
  *out = v;
  return "";
}
std::string ParamTraits<int64_t>::Print(int64_t v) { return std::to_string(v); }

std::string ParamTraits<double>::Parse(const std::string& text, double* out) {
  const std::string t = Trim(text);
  if (t.empty()) return "expected a number";
  char* end = nullptr;
  const double v = std::strtod(t.c_str(), &end);
  if (end != t.c_str() + t.size()) return "expected a number";
  if (std::isnan(v)) return "expected a number, not NaN";
  *out = v;
  return "";
}
std::string ParamTraits<double>::Print(double v) { return PythonFloatRepr(v); }

std::string ParamTraits<bool>::Parse(const std::string& text, bool* out) {
  const std::string t = Trim(text);
  if (t == "True" || t == "true" || t == "1") {
    *out = true;
  } else if (t == "False" || t == "false" || t == "0") {
    *out = false;
  } else {
    return "expected True or False";
  }
  return "";
}
std::string ParamTraits<bool>::Print(bool v) { return v ? "True" : "False"; }

std::string ParamTraits<std::string>::Parse(const std::string& text,
                                            std::string* out) {
  *out = Trim(text);
  return "";
}

std::string ParamTraits<std::vector<std::string>>::Parse(
    const std::string& text, std::vector<std::string>* out) {
  static const char* kExpected =
      "expected a list of names such as [a, b] or a single name";
  std::string t = Trim(text);
  out->clear();
  if (t.empty()) return kExpected;
  if (t.front() != '(' && t.front() != '[') {
    out->push_back(t);
    return "";
  }
  const char close = t.front() == '(' ? ')' : ']';
  if (t.back() != close) return kExpected;
  t = t.substr(1, t.size() - 2);
  if (Trim(t).empty()) return "";
  // Split at the commas outside parentheses ("cpu(0), cpu(1)").
  int depth = 0;
  std::string item;
  const auto take = [&] {
    std::string v = Trim(item);
    if (v.size() >= 2 && (v.front() == '\'' || v.front() == '"') &&
        v.back() == v.front()) {
      v = v.substr(1, v.size() - 2);
    }
    item.clear();
    if (v.empty()) return false;
    out->push_back(v);
    return true;
  };
  for (const char c : t) {
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (depth < 0) return kExpected;
    if (c == ',' && depth == 0) {
      if (!take()) return kExpected;
      continue;
    }
    item += c;
  }
  if (depth != 0) return kExpected;
  // A trailing comma ends a tuple of one, as Python writes it: "(a,)".
  const bool trailing_comma = Trim(item).empty() && !out->empty();
  if (!trailing_comma && !take()) return kExpected;
  return "";
}

std::string ParamTraits<std::vector<std::string>>::Print(
    const std::vector<std::string>& v) {
  return PythonTupleOf(v);
}

namespace {

// The inside of a tuple's text "(...)" or "[...]" (or the trimmed text when
// unbracketed) in *inside; false when empty or the brackets do not match.
bool StripTupleBrackets(const std::string& text, std::string* inside,
                        bool* bracketed) {
  *inside = Trim(text);
  if (inside->empty()) return false;
  *bracketed = inside->front() == '(' || inside->front() == '[';
  if (*bracketed) {
    const char close = inside->front() == '(' ? ')' : ']';
    if (inside->back() != close) return false;
    *inside = inside->substr(1, inside->size() - 2);
  }
  return true;
}

}  // namespace

std::string ParamTraits<std::vector<int64_t>>::Parse(
    const std::string& text, std::vector<int64_t>* out) {
  static const char* kExpected =
      "expected a tuple of integers such as (3, 3) or (5,)";
  std::string t;
  bool bracketed = false;
  out->clear();
  if (!StripTupleBrackets(text, &t, &bracketed)) return kExpected;
  size_t pos = 0;
  while (true) {
    while (pos < t.size() && std::isspace(static_cast<unsigned char>(t[pos])))
      ++pos;
    if (pos == t.size()) break;
    const char* begin = t.c_str() + pos;
    char* end = nullptr;
    errno = 0;
    const long long v = std::strtoll(begin, &end, 10);
    if (end == begin || errno == ERANGE) return kExpected;
    out->push_back(v);
    pos = end - t.c_str();
    // Python 2 wrote long integers as "3L".
    if (pos < t.size() && t[pos] == 'L') ++pos;
    while (pos < t.size() && std::isspace(static_cast<unsigned char>(t[pos])))
      ++pos;
    if (pos == t.size()) break;
    if (t[pos] != ',') return kExpected;
    ++pos;
  }
  if (!bracketed && out->empty()) return kExpected;
  return "";
}
std::string ParamTraits<std::vector<int64_t>>::Print(
    const std::vector<int64_t>& v) {
  return PythonTuple(v);
}

std::string ParamTraits<OptionalInts>::Parse(const std::string& text,
                                             OptionalInts* out) {
  static const char* kExpected =
      "expected a tuple of integers or None such as (0, None) or (2,)";
  std::string t;
  bool bracketed = false;
  out->clear();
  if (!StripTupleBrackets(text, &t, &bracketed)) return kExpected;
  if (Trim(t).empty()) return bracketed ? "" : kExpected;
  std::vector<std::string> items = Split(t, ',');
  // A trailing comma, as in (2,), leaves one empty item.
  if (items.size() > 1 && Trim(items.back()).empty()) items.pop_back();
  for (const std::string& raw : items) {
    const std::string item = Trim(raw);
    if (item == "None") {
      out->push_back(std::nullopt);
      continue;
    }
    int64_t v = 0;
    if (!ParamTraits<int64_t>::Parse(item, &v).empty()) return kExpected;
    out->push_back(v);
  }
  return "";
}
std::string ParamTraits<OptionalInts>::Print(const OptionalInts& v) {
  std::vector<std::string> items;
  for (const std::optional<int64_t>& x : v) {
    items.push_back(x ? std::to_string(*x) : "None");
  }
  return PythonTupleOf(items);
}

// ---- checks ----

namespace param_detail {

std::string DescribeRange(const std::optional<double>& lo,
                          const std::optional<double>& hi) {
  const auto text = [](double v) {
    return v == std::floor(v) && std::fabs(v) < 1e15
               ? std::to_string(static_cast<int64_t>(v))
               : PythonFloatRepr(v);
  };
  if (lo && hi) return text(*lo) + " <= value <= " + text(*hi);
  if (lo) return "value >= " + text(*lo);
  if (hi) return "value <= " + text(*hi);
  return "";
}

std::string CheckRange(double value, const std::optional<double>& lo,
                       const std::optional<double>& hi) {
  if ((lo && value < *lo) || (hi && value > *hi)) {
    return "out of range; expected " + DescribeRange(lo, hi);
  }
  return "";
}

std::string QuoteList(const std::vector<std::string>& values) {
  std::vector<std::string> quoted;
  for (const std::string& v : values) quoted.push_back("'" + v + "'");
  return Join(quoted, ", ");
}

std::string CheckEnum(const std::string& value,
                      const std::vector<std::string>& allowed) {
  if (allowed.empty()) return "";
  for (const std::string& a : allowed) {
    if (a == value) return "";
  }
  return "expected one of " + QuoteList(allowed) + DidYouMean(value, allowed);
}

}  // namespace param_detail

// ---- schema ----

const ParamField* ParamSchema::Find(const std::string& name) const {
  for (const ParamField& f : fields_) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

std::vector<std::string> ParamSchema::Names() const {
  std::vector<std::string> names;
  for (const ParamField& f : fields_) names.push_back(f.name);
  return names;
}

namespace {

std::string ProblemLines(const std::string& where,
                         const std::vector<ParamError::Problem>& problems) {
  std::vector<std::string> lines;
  for (const ParamError::Problem& p : problems) {
    lines.push_back(where + ": " + p.message);
  }
  return Join(lines, "\n");
}

}  // namespace

ParamError::ParamError(const std::string& where, std::vector<Problem> problems)
    : Error(ProblemLines(where, problems)), problems_(std::move(problems)) {}

std::any ParamSchema::Parse(const AttrDict& attrs,
                            const std::string& where) const {
  std::any parsed = make_default_();
  void* params = address_(&parsed);
  for (const ParamField& f : fields_) {
    if (f.reset) f.reset(params);
  }
  std::vector<ParamError::Problem> problems;
  for (const auto& [key, value] : attrs) {
    if (IsHiddenKey(key)) continue;
    const ParamField* field = Find(key);
    if (field == nullptr) {
      const std::vector<std::string> names = Names();
      problems.push_back(
          {key,
           StrCat("unknown parameter '", key, "'", DidYouMean(key, names),
                  names.empty() ? std::string("; it takes no parameters")
                                : "; valid parameters: " + Join(names, ", "))});
      continue;
    }
    const std::string problem = field->set(params, value);
    if (!problem.empty()) {
      problems.push_back(
          {key, StrCat("parameter '", key, "' = \"", value, "\": ", problem)});
    }
  }
  for (const ParamField& f : fields_) {
    if (f.required && attrs.count(f.name) == 0) {
      problems.push_back(
          {f.name,
           StrCat("missing required parameter '", f.name, "' (", f.type_name,
                  f.constraint.empty() ? "" : ", " + f.constraint,
                  f.doc.empty() ? "" : ": " + f.doc, ")")});
    }
  }
  if (problems.empty()) {
    for (const auto& check : checks_) {
      const std::string problem = check(params);
      if (!problem.empty()) problems.push_back({"", problem});
    }
  }
  if (!problems.empty()) throw ParamError(where, std::move(problems));
  return parsed;
}

AttrDict ParamSchema::Print(const std::any& parsed) const {
  const void* params = const_address_(&parsed);
  MX_INTERNAL_CHECK(params != nullptr, "parameters of the wrong type");
  AttrDict out;
  for (const ParamField& f : fields_) out[f.name] = f.print(params);
  return out;
}

std::string ParamSchema::Doc() const {
  std::string out;
  for (const ParamField& f : fields_) {
    out += f.name + " : " + f.type_name;
    out += f.required ? ", required" : ", default=" + f.default_text;
    if (!f.constraint.empty()) out += ", " + f.constraint;
    out += ". " + f.doc + "\n";
  }
  return out;
}

}  // namespace mx
