#include "tools/mxtrain/config_node.h"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <set>
#include <tuple>

#include "core/base/file_util.h"
#include "core/base/strings.h"

namespace mx {
namespace {

// Bounds on what a config may make us do (Note [Untrusted input]): real
// configs are kilobytes, nest a few levels and hold thousands of values.
constexpr int64_t kMaxConfigBytes = 64 << 20;
constexpr int kMaxYamlDepth = 100;
constexpr int64_t kMaxYamlValues = 1000000;

}  // namespace

std::string SourceLocation::ToString() const {
  if (line == 0) return file;
  return StrCat(file, ":", line, ":", column);
}

ConfigNode ConfigNode::Scalar(std::string text, SourceLocation loc) {
  ConfigNode n;
  n.kind_ = Kind::kScalar;
  n.text_ = std::move(text);
  n.loc_ = std::move(loc);
  return n;
}

ConfigNode ConfigNode::List(SourceLocation loc) {
  ConfigNode n;
  n.kind_ = Kind::kList;
  n.loc_ = std::move(loc);
  return n;
}

ConfigNode ConfigNode::Map(SourceLocation loc) {
  ConfigNode n;
  n.kind_ = Kind::kMap;
  n.loc_ = std::move(loc);
  return n;
}

const char* ConfigNode::KindName() const {
  switch (kind_) {
    case Kind::kNull:
      return "null";
    case Kind::kScalar:
      return "a scalar";
    case Kind::kList:
      return "a list";
    case Kind::kMap:
      return "a mapping";
  }
  return "?";
}

const ConfigNode* ConfigNode::Find(const std::string& key) const {
  for (const Member& m : members_) {
    if (m.key == key) return &m.value;
  }
  return nullptr;
}

ConfigNode* ConfigNode::Find(const std::string& key) {
  for (Member& m : members_) {
    if (m.key == key) return &m.value;
  }
  return nullptr;
}

void ConfigNode::Set(const std::string& key, ConfigNode value,
                     SourceLocation key_loc) {
  if (kind_ == Kind::kNull) kind_ = Kind::kMap;
  MX_INTERNAL_CHECK(kind_ == Kind::kMap, "Set on ", KindName());
  if (ConfigNode* existing = Find(key)) {
    *existing = std::move(value);
    return;
  }
  members_.push_back({key, std::move(key_loc), std::move(value)});
}

void ConfigNode::Replace(const std::string& key, ConfigNode value,
                         const SourceLocation& key_loc) {
  Set(key, std::move(value), key_loc);
  for (Member& m : members_) {
    if (m.key == key) m.key_loc = key_loc;
  }
}

void ConfigNode::Relocate(const SourceLocation& loc) {
  loc_ = loc;
  for (ConfigNode& item : items_) item.Relocate(loc);
  for (Member& m : members_) {
    m.key_loc = loc;
    m.value.Relocate(loc);
  }
}

std::string Diagnostic::ToString() const {
  std::string out = loc.ToString();
  if (!path.empty()) out += (out.empty() ? "" : ": ") + path;
  return out + ": " + message;
}

namespace {

std::string Lines(const std::vector<Diagnostic>& list) {
  std::vector<std::string> lines;
  for (const Diagnostic& d : list) lines.push_back(d.ToString());
  return Join(lines, "\n");
}

}  // namespace

ConfigError::ConfigError(std::vector<Diagnostic> diagnostics, size_t unreported)
    : Error(Lines(diagnostics) +
            (unreported > 0
                 ? StrCat("\n... and ", unreported, " more not shown")
                 : "")),
      diagnostics_(std::move(diagnostics)),
      unreported_(unreported) {}

void Diagnostics::Add(const SourceLocation& loc, const std::string& path,
                      const std::string& message) {
  // A corrupt or generated file can hold a problem per line: report the
  // first ones, count the rest.
  if (list_.size() >= kMaxReported) {
    ++unreported_;
    return;
  }
  list_.push_back({loc, path, message});
}

std::string KeyPath(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

std::vector<const ConfigNode*> ScalarOrItems(const ConfigNode& node) {
  std::vector<const ConfigNode*> out;
  if (node.IsScalar()) out.push_back(&node);
  if (node.IsList()) {
    for (const ConfigNode& item : node.items()) out.push_back(&item);
  }
  return out;
}

void Diagnostics::AddParamError(const ParamError& e, const ConfigNode& node,
                                const std::string& path,
                                const std::string& prefix) {
  for (const ParamError::Problem& p : e.problems()) {
    SourceLocation loc = node.loc();
    std::string key_path = path;
    for (const ConfigMember& m : node.members()) {
      if (!p.key.empty() && m.key == p.key) {
        loc = m.key_loc;
        key_path = KeyPath(path, m.key);
      }
    }
    Add(loc, key_path, prefix + p.message);
  }
}

void Diagnostics::ThrowIfAny() const {
  if (list_.empty()) return;
  // In file order; the same problem once.
  std::vector<Diagnostic> sorted = list_;
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const Diagnostic& a, const Diagnostic& b) {
                     return std::tie(a.loc.file, a.loc.line, a.loc.column) <
                            std::tie(b.loc.file, b.loc.line, b.loc.column);
                   });
  std::vector<Diagnostic> unique;
  for (const Diagnostic& d : sorted) {
    if (!unique.empty() && unique.back().ToString() == d.ToString()) continue;
    unique.push_back(d);
  }
  throw ConfigError(unique, unreported_);
}

// Converts yaml-cpp nodes, keeping marks. yaml-cpp keeps an alias as the
// node it names, so a document may be a graph: an alias inside its own
// anchor is a cycle, and aliases of aliases grow exponentially ("billion
// laughs"). Conversion is bounded in depth and in values made
// (Note [Untrusted input]).
class YamlReader {
 public:
  explicit YamlReader(std::string file) : file_(std::move(file)) {}

  // False (with a diagnostic) once a bound is passed: the caller stops.
  bool Convert(const YAML::Node& y, const std::string& path, int depth,
               ConfigNode* n) {
    n->loc_ = Loc(y.Mark());
    if (depth > kMaxYamlDepth) {
      return Stop(n->loc_, path,
                  StrCat("nests deeper than ", kMaxYamlDepth,
                         " levels (an alias inside its own anchor?)"));
    }
    if (++values_ > kMaxYamlValues) {
      return Stop(n->loc_, path,
                  StrCat("the config expands to more than ", kMaxYamlValues,
                         " values (aliases repeated inside aliases?)"));
    }
    if (!CheckTag(y, path, n->loc_)) return true;
    switch (y.Type()) {
      case YAML::NodeType::Undefined:
      case YAML::NodeType::Null:
        n->kind_ = ConfigNode::Kind::kNull;
        break;
      case YAML::NodeType::Scalar:
        n->kind_ = ConfigNode::Kind::kScalar;
        n->text_ = y.Scalar();
        n->quoted_ = y.Tag() == "!" || y.Tag() == kStrTag;
        break;
      case YAML::NodeType::Sequence: {
        n->kind_ = ConfigNode::Kind::kList;
        size_t i = 0;
        for (const YAML::Node& item : y) {
          n->items_.emplace_back();
          if (!Convert(item, StrCat(path, "[", i++, "]"), depth + 1,
                       &n->items_.back())) {
            return false;
          }
        }
        break;
      }
      case YAML::NodeType::Map: {
        n->kind_ = ConfigNode::Kind::kMap;
        std::set<std::string> seen;
        for (auto it = y.begin(); it != y.end(); ++it) {
          const SourceLocation key_loc = Loc(it->first.Mark());
          if (!it->first.IsScalar()) {
            diagnostics_.Add(key_loc, path, "keys must be plain text");
            continue;
          }
          const std::string key = it->first.Scalar();
          const std::string child = path.empty() ? key : path + "." + key;
          if (!seen.insert(key).second) {
            diagnostics_.Add(key_loc, child,
                             "repeated key (each key may appear once)");
            continue;
          }
          n->members_.push_back({key, key_loc, ConfigNode()});
          if (!Convert(it->second, child, depth + 1,
                       &n->members_.back().value)) {
            return false;
          }
        }
        break;
      }
    }
    return true;
  }

  SourceLocation Loc(const YAML::Mark& mark) const {
    if (mark.is_null()) return {file_, 0, 0};
    return {file_, mark.line + 1, mark.column + 1};
  }

  const Diagnostics& diagnostics() const { return diagnostics_; }

 private:
  static constexpr const char* kStrTag = "tag:yaml.org,2002:str";

  bool Stop(const SourceLocation& loc, const std::string& path,
            const std::string& message) {
    // A cycle's path repeats itself a hundred times: its start says enough.
    diagnostics_.Add(loc, path.size() > 80 ? path.substr(0, 80) + "..." : path,
                     message);
    return false;
  }

  // Plain YAML only: no tag but the non-specific ones ("?", "!" on quoted
  // scalars), !!str, and !!seq / !!map on their own kinds. Anything else
  // (!!binary, !!python/object, !custom) would be read as the text beside
  // it, which is not what its author meant.
  bool CheckTag(const YAML::Node& y, const std::string& path,
                const SourceLocation& loc) {
    const std::string& tag = y.Tag();
    if (tag.empty() || tag == "?" || tag == "!") return true;
    if ((tag == kStrTag && y.IsScalar()) ||
        (tag == "tag:yaml.org,2002:seq" && y.IsSequence()) ||
        (tag == "tag:yaml.org,2002:map" && y.IsMap())) {
      return true;
    }
    std::string shown = tag;
    if (StartsWith(shown, "tag:yaml.org,2002:")) {
      shown = "!!" + shown.substr(18);
    }
    diagnostics_.Add(loc, path,
                     StrCat("YAML tag '", shown,
                            "' is not supported: a config holds plain "
                            "numbers, text, lists and mappings"));
    return false;
  }

  std::string file_;
  Diagnostics diagnostics_;
  int64_t values_ = 0;
};

namespace {

// Config text must be UTF-8: UTF-16/32 (by byte-order mark or NUL bytes)
// and invalid bytes are refused at their place rather than read as
// garbage.
void CheckConfigText(const std::string& text, const std::string& file) {
  const auto fail = [&](size_t at, const std::string& message) {
    const size_t line_start = text.rfind('\n', at == 0 ? 0 : at - 1);
    const int line = static_cast<int>(
        std::count(text.begin(), text.begin() + static_cast<long>(at), '\n') +
        1);
    const int column = static_cast<int>(
        at - (line_start == std::string::npos || at == 0 ? 0 : line_start + 1) +
        1);
    Diagnostics d;
    d.Add({file, line, column}, "", message);
    d.ThrowIfAny();
  };
  const auto starts = [&](const char* bom, size_t n) {
    return text.size() >= n && text.compare(0, n, bom, n) == 0;
  };
  if (starts("\xff\xfe", 2) || starts("\xfe\xff", 2) ||
      starts("\0\0\xfe\xff", 4)) {
    fail(0, "the file is UTF-16 or UTF-32 text; save it as UTF-8");
  }
  const size_t nul = text.find('\0');
  if (nul != std::string::npos) {
    fail(nul, "a NUL byte: not a text file (UTF-16 text? save it as UTF-8)");
  }
  const size_t bad = FindInvalidUtf8(text);
  if (bad != std::string::npos) {
    fail(bad, StrCat("byte 0x", std::hex,
                     static_cast<int>(static_cast<unsigned char>(text[bad])),
                     std::dec, " is not UTF-8 text; save the file as UTF-8"));
  }
}

}  // namespace

ConfigNode ParseYaml(const std::string& text, const std::string& file) {
  CheckConfigText(text, file);
  YamlReader reader(file);
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::DeepRecursion& e) {
    Diagnostics d;
    d.Add(reader.Loc(e.mark), "",
          "YAML nests too deeply for the parser (thousands of levels)");
    d.ThrowIfAny();
  } catch (const YAML::Exception& e) {
    Diagnostics d;
    d.Add(reader.Loc(e.mark), "", "YAML syntax error: " + e.msg);
    d.ThrowIfAny();
  }
  ConfigNode n;
  reader.Convert(root, "", 0, &n);
  reader.diagnostics().ThrowIfAny();
  return n;
}

ConfigNode LoadYamlFile(const std::string& path) {
  return ParseYaml(ReadFile(path, kMaxConfigBytes), path);
}

namespace {

bool IsIndex(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

}  // namespace

void ApplyOverride(ConfigNode* root, const std::string& assignment) {
  const SourceLocation where{"--set " + assignment, 0, 0};
  const size_t eq = assignment.find('=');
  const auto fail = [&](const std::string& path, const std::string& message) {
    Diagnostics d;
    d.Add(where, path, message);
    d.ThrowIfAny();
  };
  if (eq == std::string::npos || eq == 0) {
    fail("",
         "expected key.path=value, e.g. --set optimizer.learning_rate=0.05");
  }
  const std::string path = assignment.substr(0, eq);
  ConfigNode value;
  try {
    value = ParseYaml(assignment.substr(eq + 1), "--set " + assignment);
  } catch (const ConfigError& e) {
    fail(path, StrCat("bad value: ", e.diagnostics()[0].message));
  }
  value.Relocate(where);  // problems in the value point at the flag
  const std::vector<std::string> parts = Split(path, '.');
  ConfigNode* node = root;
  std::string done;
  for (size_t i = 0; i < parts.size(); ++i) {
    const std::string& part = parts[i];
    if (part.empty()) fail(path, "empty key in the path");
    const bool last = i + 1 == parts.size();
    if (node->IsList()) {
      if (!IsIndex(part)) {
        fail(path,
             StrCat("'", done, "' is a list: use an index, e.g. ", done, ".0"));
      }
      const size_t k = std::strtoul(part.c_str(), nullptr, 10);
      if (k >= node->items().size()) {
        fail(path, StrCat("index ", k, " is past the end of '", done, "' (",
                          node->items().size(), " items)"));
      }
      if (last) {
        node->items()[k] = value;
        return;
      }
      node = &node->items()[k];
    } else {
      if (!node->IsMap() && !node->IsNull()) {
        fail(path,
             StrCat("'", done, "' is ", node->KindName(), ", not a mapping"));
      }
      if (last) {
        node->Replace(part, value, where);
        return;
      }
      if (node->Find(part) == nullptr)
        node->Set(part, ConfigNode::Map(where), where);
      node = node->Find(part);
    }
    done += (done.empty() ? "" : ".") + part;
  }
}

namespace {

// True when plain `s` would not parse back as one scalar with this text.
bool NeedsQuotes(const std::string& s) {
  if (s.empty()) return true;
  // YAML's nulls (MXNet's SoftmaxOutput normalization 'null' is a string).
  if (s == "null" || s == "Null" || s == "NULL" || s == "~") return true;
  if (std::isspace(static_cast<unsigned char>(s.front())) ||
      std::isspace(static_cast<unsigned char>(s.back())))
    return true;
  if (std::string("?:,[]{}#&*!|>'\"%@`").find(s.front()) != std::string::npos)
    return true;
  if (s.front() == '-' && (s.size() == 1 || s[1] == ' ')) return true;
  return s.find(": ") != std::string::npos ||
         s.find(" #") != std::string::npos || s.back() == ':';
}

std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string ScalarText(const ConfigNode& n) {
  if (n.IsNull()) return "null";
  // Numbers stay plain; strings that YAML would reinterpret are quoted.
  const std::string& t = n.text();
  return n.quoted() || NeedsQuotes(t) ? Quote(t) : t;
}

bool IsFlat(const ConfigNode& n) {
  for (const ConfigNode& item : n.items()) {
    if (item.IsList() || item.IsMap()) return false;
  }
  return true;
}

std::string FlowList(const ConfigNode& n);

// "{op: FullyConnected, num_hidden: 10}" for a mapping of scalars and flat
// lists that fits on a line; "" otherwise.
std::string FlowMap(const ConfigNode& n) {
  std::vector<std::string> parts;
  for (const ConfigNode::Member& m : n.members()) {
    const ConfigNode& v = m.value;
    if (v.IsMap() || (v.IsList() && !IsFlat(v))) return "";
    parts.push_back((NeedsQuotes(m.key) ? Quote(m.key) : m.key) + ": " +
                    (v.IsList() ? FlowList(v) : ScalarText(v)));
  }
  const std::string out = "{" + Join(parts, ", ") + "}";
  return out.size() <= 100 ? out : "";
}

std::string FlowList(const ConfigNode& n) {
  std::vector<std::string> parts;
  for (const ConfigNode& item : n.items()) parts.push_back(ScalarText(item));
  return "[" + Join(parts, ", ") + "]";
}

// Writes YAML; with `annotate`, each line that ends with a value also says
// where `src` (the same key path in the config as written; nullptr: not
// written) came from.
class Emitter {
 public:
  explicit Emitter(bool annotate) : annotate_(annotate) {}

  void Node(const ConfigNode& n, const ConfigNode* src, int indent) {
    if (n.IsMap()) {
      if (n.members().empty()) {
        Line(std::string(indent, ' ') + "{}", src);
        return;
      }
      Members(n, src, indent, false);
    } else if (n.IsList()) {
      if (IsFlat(n)) {
        Line(std::string(indent, ' ') + FlowList(n), src);
        return;
      }
      for (size_t i = 0; i < n.items().size(); ++i) {
        const ConfigNode& item = n.items()[i];
        const ConfigNode* item_src = Item(src, i);
        const std::string dash = std::string(indent, ' ') + "- ";
        const std::string flow = item.IsMap() ? FlowMap(item) : "";
        if (!flow.empty()) {
          Line(dash + flow, item_src);
        } else if (item.IsMap() && !item.members().empty()) {
          pending_ = dash;
          Members(item, item_src, indent + 2, true);
        } else if (item.IsList() && IsFlat(item)) {
          Line(dash + FlowList(item), item_src);
        } else if (item.IsList()) {
          out_ += dash + "\n";
          Node(item, item_src, indent + 2);
        } else {
          Line(dash + ScalarText(item), item_src);
        }
      }
    } else {
      Line(std::string(indent, ' ') + ScalarText(n), src);
    }
  }

  std::string Take() { return std::move(out_); }

 private:
  static const ConfigNode* Item(const ConfigNode* src, size_t i) {
    return src != nullptr && src->IsList() && i < src->items().size()
               ? &src->items()[i]
               : nullptr;
  }

  void Members(const ConfigNode& n, const ConfigNode* src, int indent,
               bool first_inline) {
    bool first = true;
    for (const ConfigNode::Member& m : n.members()) {
      std::string head = first && first_inline ? pending_ : std::string();
      if (!(first && first_inline)) head = std::string(indent, ' ');
      first = false;
      pending_.clear();
      head += (NeedsQuotes(m.key) ? Quote(m.key) : m.key) + ":";
      const ConfigNode& v = m.value;
      const ConfigNode* v_src =
          src != nullptr && src->IsMap() ? src->Find(m.key) : nullptr;
      if (v.IsMap() && !v.members().empty()) {
        out_ += head + "\n";
        Members(v, v_src, indent + 2, false);
      } else if (v.IsList() && !IsFlat(v)) {
        out_ += head + "\n";
        Node(v, v_src, indent + 2);
      } else if (v.IsList()) {
        Line(head + " " + FlowList(v), v_src);
      } else if (v.IsMap()) {
        Line(head + " {}", v_src);
      } else {
        Line(head + " " + ScalarText(v), v_src);
      }
    }
  }

  void Line(const std::string& text, const ConfigNode* src) {
    out_ += text;
    if (annotate_) out_ += "  # " + SourceOf(src);
    out_ += "\n";
  }

  static std::string SourceOf(const ConfigNode* src) {
    if (src == nullptr || src->loc().file.empty()) return "default";
    const SourceLocation& loc = src->loc();
    return loc.line > 0 ? StrCat(loc.file, ":", loc.line) : loc.file;
  }

  bool annotate_;
  std::string out_;
  std::string pending_;  // "- " of a list item whose mapping starts inline
};

}  // namespace

std::string EmitYaml(const ConfigNode& node) {
  Emitter e(false);
  e.Node(node, nullptr, 0);
  return e.Take();
}

std::string EmitYamlWithSources(const ConfigNode& resolved,
                                const ConfigNode& written) {
  Emitter e(true);
  e.Node(resolved, &written, 0);
  return e.Take();
}

}  // namespace mx
