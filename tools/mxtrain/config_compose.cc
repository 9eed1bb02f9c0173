#include "tools/mxtrain/config_compose.h"

#include <algorithm>
#include <filesystem>
#include <utility>

#include "core/base/strings.h"

namespace mx {
namespace {

// Removes member `key` of the mapping `*node` (when it has one).
void RemoveMember(ConfigNode* node, const std::string& key) {
  auto& members = node->members();
  members.erase(
      std::remove_if(members.begin(), members.end(),
                     [&](const ConfigNode::Member& m) { return m.key == key; }),
      members.end());
}

}  // namespace

void MergeConfig(ConfigNode* into, const ConfigNode& over) {
  if (!into->IsMap() || !over.IsMap()) {
    *into = over;
    return;
  }
  for (const ConfigNode::Member& m : over.members()) {
    ConfigNode* existing = into->Find(m.key);
    if (m.value.IsNull()) {  // `key: null` removes what an earlier file set
      RemoveMember(into, m.key);
      continue;
    }
    if (existing != nullptr && existing->IsMap() && m.value.IsMap()) {
      MergeConfig(existing, m.value);
    } else {
      into->Replace(m.key, m.value, m.key_loc);
    }
  }
}

namespace {

std::string Canonical(const std::string& path) {
  std::error_code ec;
  const std::filesystem::path p = std::filesystem::weakly_canonical(path, ec);
  return ec ? path : p.string();
}

// `path` with the files its base key names merged under it; `chain`: the
// files extending it, for cycles and depth.
ConfigNode LoadWithBases(const std::string& path,
                         std::vector<std::string>* chain) {
  ConfigNode root = LoadYamlFile(path);
  const ConfigNode* base = root.IsMap() ? root.Find("base") : nullptr;
  if (base == nullptr) return root;
  Diagnostics diag;
  const std::vector<const ConfigNode*> names = ScalarOrItems(*base);
  const bool all_paths =
      std::all_of(names.begin(), names.end(), [](const ConfigNode* name) {
        return name->IsScalar() && !name->text().empty();
      });
  if (names.empty() || !all_paths) {
    diag.Add(base->loc(), "base",
             "expected the path of a config this one extends, or a list of "
             "them");
    diag.ThrowIfAny();
  }
  ConfigNode merged = ConfigNode::Map(root.loc());
  for (const ConfigNode* name : names) {
    std::filesystem::path file(name->text());
    if (file.is_relative()) {
      file =
          (std::filesystem::path(path).parent_path() / file).lexically_normal();
    }
    const std::string canonical = Canonical(file.string());
    for (const std::string& c : *chain) {
      if (c == canonical) {
        diag.Add(name->loc(), "base",
                 StrCat("'", file.string(), "' extends itself (through base: ",
                        Join(*chain, " -> "), ")"));
        diag.ThrowIfAny();
      }
    }
    if (chain->size() >= static_cast<size_t>(kMaxConfigBases)) {
      diag.Add(
          name->loc(), "base",
          StrCat("more than ", kMaxConfigBases, " configs extend one another"));
      diag.ThrowIfAny();
    }
    chain->push_back(canonical);
    ConfigNode extended;
    try {
      extended = LoadWithBases(file.string(), chain);
    } catch (const ConfigError&) {
      throw;
    } catch (const Error& e) {  // unreadable: named at the key naming it
      diag.Add(name->loc(), "base", e.what());
      diag.ThrowIfAny();
    }
    chain->pop_back();
    MergeConfig(&merged, extended);
  }
  RemoveMember(&root, "base");
  MergeConfig(&merged, root);
  return merged;
}

}  // namespace

ConfigNode LoadComposedConfig(const std::vector<std::string>& paths) {
  ConfigNode merged;
  bool first = true;
  for (const std::string& path : paths) {
    std::vector<std::string> chain = {Canonical(path)};
    ConfigNode one = LoadWithBases(path, &chain);
    if (first) {
      merged = std::move(one);
      first = false;
    } else {
      MergeConfig(&merged, one);
    }
  }
  return merged;
}

}  // namespace mx
