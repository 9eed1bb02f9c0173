// Config sections read by the declarative mechanism of op parameters
// (core/op/param.h): a section's keys are a parameter struct's fields, with
// type, range, default and doc declared once; the same declaration checks a
// config, fills its defaults into the resolved config (--print-config) and
// generates the key tables of docs/mxtrain.md.
#ifndef MX_TOOLS_MXTRAIN_CONFIG_SCHEMA_H_
#define MX_TOOLS_MXTRAIN_CONFIG_SCHEMA_H_

#include <any>
#include <memory>
#include <string>
#include <vector>

#include "core/op/param.h"
#include "tools/mxtrain/config_node.h"

namespace mx {

// A key of a section that is a section of its own (read elsewhere), for
// the unknown-key check and the docs.
struct NestedSection {
  std::string key;
  std::string type;  // "mapping", "mapping or name", "list"
  std::string
      default_text;  // as the docs show it ("required", "`{type: sgd}`")
  std::string doc;
};

// Reads the mapping `*node` (at key path `path`, "" for the top level) by
// `schema`: reports every problem to `diag` at its key's place (a value of
// the wrong YAML kind, a value the field refuses, an unknown key with the
// nearest known one), and writes each missing key's default into `*node`
// (keys whose default is None stay unwritten). A null node becomes an empty
// mapping. Returns the parsed struct (defaults where a value was refused).
std::any ReadSection(ConfigNode* node, const std::string& path,
                     const ParamSchema& schema,
                     const std::vector<NestedSection>& nested,
                     Diagnostics* diag);

template <typename P>
P ReadSection(ConfigNode* node, const std::string& path,
              const std::vector<NestedSection>& nested, Diagnostics* diag) {
  static const auto schema = MakeParamSchema<P>();
  return std::any_cast<P>(ReadSection(node, path, *schema, nested, diag));
}

// Writes into the mapping `*node` each field of `schema` it lacks, with its
// value in `parsed` (what schema.Parse gave: the default), but not `skip`'s
// nor those whose value is None.
void WriteDefaults(ConfigNode* node, const ParamSchema& schema,
                   const std::any& parsed,
                   const std::vector<std::string>& skip = {});

// The Markdown table of a section's keys: key, type, default, meaning; the
// nested sections last.
std::string KeyTable(const ParamSchema& schema,
                     const std::vector<NestedSection>& nested);

}  // namespace mx

#endif  // MX_TOOLS_MXTRAIN_CONFIG_SCHEMA_H_
