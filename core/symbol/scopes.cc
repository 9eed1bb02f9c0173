#include "core/symbol/scopes.h"

#include <map>
#include <vector>

#include "core/symbol/symbol.h"

namespace mx {
namespace {

struct NameManager {
  std::string prefix;
  std::map<std::string, int> counters;
};

std::vector<NameManager>& NameStack() {
  thread_local std::vector<NameManager> stack(1);
  return stack;
}

std::vector<AttrDict>& AttrStack() {
  thread_local std::vector<AttrDict> stack(1);
  return stack;
}

}  // namespace

NameScope::NameScope(std::string prefix) {
  NameStack().push_back(NameManager{std::move(prefix), {}});
}

NameScope::~NameScope() { NameStack().pop_back(); }

std::string MakeNodeName(const std::string& name, const std::string& hint) {
  NameManager& manager = NameStack().back();
  if (!name.empty()) return manager.prefix + name;
  const int n = manager.counters[hint]++;
  return manager.prefix + hint + std::to_string(n);
}

AttrScope::AttrScope(const AttrDict& attrs) {
  AttrDict merged = AttrStack().back();
  for (const auto& [key, value] : attrs) merged[UserAttrKey(key)] = value;
  AttrStack().push_back(std::move(merged));
}

AttrScope::~AttrScope() { AttrStack().pop_back(); }

const AttrDict& AttrScope::Current() { return AttrStack().back(); }

}  // namespace mx
