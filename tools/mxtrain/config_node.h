// The YAML of an mxtrain config as a tree that remembers where every node
// and key came from (file:line:column, or the --set flag), so validation can
// point at the exact place; overrides by key path; and YAML output for
// --print-config and the run folder's resolved config.
#ifndef MX_TOOLS_MXTRAIN_CONFIG_NODE_H_
#define MX_TOOLS_MXTRAIN_CONFIG_NODE_H_

#include <string>
#include <utility>
#include <vector>

#include "core/base/error.h"
#include "core/op/param.h"

namespace mx {

// Where a node was written: "net.yaml:12:7" (1-based), or "--set a.b=1".
struct SourceLocation {
  std::string file;
  int line = 0, column = 0;  // 0: not from a file
  std::string ToString() const;
};

struct ConfigMember;

class ConfigNode {
 public:
  using Member = ConfigMember;

  enum class Kind { kNull, kScalar, kList, kMap };

  ConfigNode() = default;
  static ConfigNode Scalar(std::string text, SourceLocation loc = {});
  static ConfigNode List(SourceLocation loc = {});
  static ConfigNode Map(SourceLocation loc = {});

  Kind kind() const { return kind_; }
  bool IsNull() const { return kind_ == Kind::kNull; }
  bool IsScalar() const { return kind_ == Kind::kScalar; }
  bool IsList() const { return kind_ == Kind::kList; }
  bool IsMap() const { return kind_ == Kind::kMap; }
  // "null", "a scalar", "a list", "a mapping".
  const char* KindName() const;
  const SourceLocation& loc() const { return loc_; }

  // Scalar text, and whether it was quoted ("true" in quotes is a string).
  const std::string& text() const { return text_; }
  bool quoted() const { return quoted_; }

  const std::vector<ConfigNode>& items() const { return items_; }
  std::vector<ConfigNode>& items() { return items_; }
  const std::vector<Member>& members() const { return members_; }
  std::vector<Member>& members() { return members_; }
  // The value of `key`, or nullptr.
  const ConfigNode* Find(const std::string& key) const;
  ConfigNode* Find(const std::string& key);
  // Sets (or adds, at the end) member `key`.
  void Set(const std::string& key, ConfigNode value,
           SourceLocation key_loc = {});
  // Set, and an existing key moves to `key_loc` too: a --set flag replaces
  // what the file wrote, and errors about the key must point at the flag.
  void Replace(const std::string& key, ConfigNode value,
               const SourceLocation& key_loc);
  void Append(ConfigNode item) { items_.push_back(std::move(item)); }
  // Sets the location of this node, its keys and all it contains.
  void Relocate(const SourceLocation& loc);

 private:
  friend class YamlReader;
  Kind kind_ = Kind::kNull;
  SourceLocation loc_;
  std::string text_;
  bool quoted_ = false;
  std::vector<ConfigNode> items_;
  std::vector<Member> members_;
};

// A key of a mapping with its place, and its value.
struct ConfigMember {
  std::string key;
  SourceLocation key_loc;
  ConfigNode value;
};

// The key path of `key` inside the one at `path` ("" is the top level):
// "network.layers[2]" + "num_hidden".
std::string KeyPath(const std::string& path, const std::string& key);

// The values a "one or a list" key holds: the node itself when it is a
// scalar, its items when it is a list, none otherwise (items are not
// checked).
std::vector<const ConfigNode*> ScalarOrItems(const ConfigNode& node);

// One problem in a config, with its place and key path
// ("network.layers[2].num_hidden").
struct Diagnostic {
  SourceLocation loc;
  std::string path;
  std::string message;
  // "net.yaml:12:7: network.layers[2].num_hidden: expected an integer".
  std::string ToString() const;
};

// Every problem found in a config: what() has one line per diagnostic.
class ConfigError : public Error {
 public:
  // `unreported`: further problems found but not listed.
  explicit ConfigError(std::vector<Diagnostic> diagnostics,
                       size_t unreported = 0);
  const std::vector<Diagnostic>& diagnostics() const { return diagnostics_; }
  // Every problem found, listed or not.
  size_t count() const { return diagnostics_.size() + unreported_; }

 private:
  std::vector<Diagnostic> diagnostics_;
  size_t unreported_ = 0;
};

// Collects diagnostics; ThrowIfAny raises them together.
class Diagnostics {
 public:
  void Add(const SourceLocation& loc, const std::string& path,
           const std::string& message);
  // Each problem of `e` at the key of `node` it names (at `node` itself for
  // missing keys and cross-field checks), messages prefixed by `prefix`.
  void AddParamError(const ParamError& e, const ConfigNode& node,
                     const std::string& path, const std::string& prefix);
  bool empty() const { return list_.empty(); }
  // Problems added, shown or not.
  size_t size() const { return list_.size() + unreported_; }
  // Throws ConfigError with the problems (the first kMaxReported, then a
  // count of the others).
  void ThrowIfAny() const;

  static constexpr size_t kMaxReported = 100;

 private:
  std::vector<Diagnostic> list_;
  size_t unreported_ = 0;
};

// Parses YAML text from `file` (named in locations). ConfigError at the
// place of a syntax error or a repeated key.
ConfigNode ParseYaml(const std::string& text, const std::string& file);
// Reads and parses a YAML file; mx::Error naming it when unreadable.
ConfigNode LoadYamlFile(const std::string& path);
// Applies "key.path=value" (value in YAML: 0.1, [1, 2], {a: 1}, text);
// list items by index ("network.layers.3.num_hidden"). Missing maps along
// the path are created. ConfigError for a malformed override or a path
// through a scalar or past a list's end.
void ApplyOverride(ConfigNode* root, const std::string& assignment);
// Block-style YAML with flow-style lists of scalars; strings that YAML would
// read otherwise are quoted.
std::string EmitYaml(const ConfigNode& node);
// The resolved config as EmitYaml writes it, each line that ends with a
// value followed by its source as a comment ("# net.yaml:12", "# --set
// optimizer.wd=0", "# default"): the place of the value at the same key
// path in `written` (the config as written, before defaults).
std::string EmitYamlWithSources(const ConfigNode& resolved,
                                const ConfigNode& written);

}  // namespace mx

#endif  // MX_TOOLS_MXTRAIN_CONFIG_NODE_H_
