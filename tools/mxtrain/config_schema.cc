#include "tools/mxtrain/config_schema.h"

#include <algorithm>

#include "core/base/strings.h"

namespace mx {
namespace {

bool IsListField(const ParamField& f) {
  return f.type_name == ParamTraits<std::vector<std::string>>::TypeName() ||
         f.type_name == ParamTraits<std::vector<int64_t>>::TypeName();
}

bool IsBoolField(const ParamField& f) {
  return f.type_name == ParamTraits<bool>::TypeName();
}

// The parameter text of `v` for field `f` (YAML lists as tuples, YAML's
// yes / on / no / off as booleans); "" and `*problem` for a value of the
// wrong YAML kind.
std::string ValueText(const ConfigNode& v, const ParamField& f,
                      std::string* problem) {
  if (v.IsScalar()) {
    if (IsBoolField(f) && !v.quoted()) {
      const std::string t = ToLower(v.text());
      if (t == "yes" || t == "on") return "true";
      if (t == "no" || t == "off") return "false";
    }
    return v.text();
  }
  if (v.IsList() && IsListField(f)) {
    std::vector<std::string> parts;
    for (const ConfigNode& item : v.items()) {
      if (!item.IsScalar()) {
        *problem = StrCat("expected a list of values, got ", item.KindName(),
                          " in it");
        return "";
      }
      parts.push_back(item.text());
    }
    return PythonTupleOf(parts);
  }
  *problem = StrCat("expected ", IsListField(f) ? "a list" : "a value",
                    ", got ", v.KindName());
  return "";
}

// The YAML of a default as the field prints it.
ConfigNode DefaultNode(const ParamField& f, const std::string& printed,
                       const SourceLocation& loc) {
  if (IsListField(f)) {
    // "(3, 3)" and "(a, b)" read alike as lists of names.
    std::vector<std::string> items;
    ParamTraits<std::vector<std::string>>::Parse(printed, &items);
    ConfigNode list = ConfigNode::List(loc);
    for (const std::string& item : items)
      list.Append(ConfigNode::Scalar(item, loc));
    return list;
  }
  if (IsBoolField(f)) {
    return ConfigNode::Scalar(printed == "True" ? "true" : "false", loc);
  }
  return ConfigNode::Scalar(printed, loc);
}

// "`text`", or what a None default means.
std::string DocDefault(const ParamField& f) {
  if (f.required) return "required";
  if (f.default_text == "None") return "";
  if (IsBoolField(f)) return f.default_text == "True" ? "`true`" : "`false`";
  if (f.default_text.empty()) return "`\"\"`";
  if (f.type_name == ParamTraits<std::vector<std::string>>::TypeName()) {
    std::vector<std::string> items;
    ParamTraits<std::vector<std::string>>::Parse(f.default_text, &items);
    return items.size() == 1 ? "`" + items[0] + "`"
                             : "`[" + Join(items, ", ") + "]`";
  }
  return "`" + f.default_text + "`";
}

std::string DocType(const ParamField& f) {
  std::string type = f.type_name;
  if (!f.enum_values.empty()) {
    std::vector<std::string> quoted;
    for (const std::string& v : f.enum_values) quoted.push_back("`" + v + "`");
    type = Join(quoted, ", ");
    if (IsListField(f)) type = "list of " + type;
  } else if (IsBoolField(f)) {
    type = "bool";
  }
  return f.constraint.empty() ? type : type + ", " + f.constraint;
}

}  // namespace

std::any ReadSection(ConfigNode* node, const std::string& path,
                     const ParamSchema& schema,
                     const std::vector<NestedSection>& nested,
                     Diagnostics* diag) {
  const std::string where = path.empty() ? "the config" : path;
  if (node->IsNull()) *node = ConfigNode::Map(node->loc());
  if (!node->IsMap()) {
    diag->Add(node->loc(), path,
              StrCat("expected a mapping, got ", node->KindName()));
    return schema.Parse({}, where);
  }
  std::vector<std::string> known = schema.Names();
  for (const NestedSection& n : nested) known.push_back(n.key);
  AttrDict attrs;
  for (const ConfigMember& m : node->members()) {
    const ParamField* field = schema.Find(m.key);
    if (field == nullptr) {
      if (std::find(known.begin(), known.end(), m.key) == known.end()) {
        diag->Add(m.key_loc, KeyPath(path, m.key),
                  StrCat("unknown key '", m.key, "'", DidYouMean(m.key, known),
                         "; ", where, " takes ", Join(known, ", ")));
      }
      continue;
    }
    std::string problem;
    const std::string text = ValueText(m.value, *field, &problem);
    if (!problem.empty()) {
      diag->Add(m.value.loc(), KeyPath(path, m.key), problem);
      continue;
    }
    attrs[m.key] = text;
  }
  std::any parsed;
  try {
    parsed = schema.Parse(attrs, where);
  } catch (const ParamError& e) {
    diag->AddParamError(e, *node, path, "");
    // The struct of the values that passed, for the checks that follow.
    for (const ParamError::Problem& p : e.problems()) attrs.erase(p.key);
    try {
      parsed = schema.Parse(attrs, where);
    } catch (const ParamError&) {
      parsed = schema.Parse({}, where);  // a cross-field check failed
    }
  }
  WriteDefaults(node, schema, parsed);
  return parsed;
}

void WriteDefaults(ConfigNode* node, const ParamSchema& schema,
                   const std::any& parsed,
                   const std::vector<std::string>& skip) {
  if (!node->IsMap()) return;
  const AttrDict printed = schema.Print(parsed);
  for (const ParamField& f : schema.fields()) {
    const std::string& value = printed.at(f.name);
    if (node->Find(f.name) != nullptr || value == "None" ||
        std::find(skip.begin(), skip.end(), f.name) != skip.end()) {
      continue;
    }
    node->Set(f.name, DefaultNode(f, value, node->loc()), node->loc());
  }
}

std::string KeyTable(const ParamSchema& schema,
                     const std::vector<NestedSection>& nested) {
  std::string out = "| key | type | default | meaning |\n|---|---|---|---|\n";
  for (const ParamField& f : schema.fields()) {
    out += StrCat("| `", f.name, "` | ", DocType(f), " | ", DocDefault(f),
                  " | ", f.doc, " |\n");
  }
  for (const NestedSection& n : nested) {
    out += StrCat("| `", n.key, "` | ", n.type, " | ", n.default_text, " | ",
                  n.doc, " |\n");
  }
  return out;
}

}  // namespace mx
