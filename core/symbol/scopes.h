// Thread-local scopes that affect symbol creation, as MXNet's Python
// NameManager / Prefix and AttrScope.
#ifndef MX_CORE_SYMBOL_SCOPES_H_
#define MX_CORE_SYMBOL_SCOPES_H_

#include <string>

#include "core/op/param.h"

namespace mx {

// Installs a fresh naming scope on this thread until destroyed: unnamed nodes
// are "<prefix><hint><N>" with N counting from 0 per hint, named ones
// "<prefix><name>". Without any scope a thread-wide default (no prefix) is
// used.
class NameScope {
 public:
  explicit NameScope(std::string prefix = "");
  ~NameScope();
  NameScope(const NameScope&) = delete;
  NameScope& operator=(const NameScope&) = delete;
};

// The name for a new node: `name` if given, else `hint` + counter; with the
// current scope's prefix.
std::string MakeNodeName(const std::string& name, const std::string& hint);

// Attributes given to every symbol created on this thread while the scope
// lives (ctx_group="stage1" becomes "__ctx_group__"); nested scopes merge,
// the inner one winning.
class AttrScope {
 public:
  explicit AttrScope(const AttrDict& attrs);
  ~AttrScope();
  AttrScope(const AttrScope&) = delete;
  AttrScope& operator=(const AttrScope&) = delete;

  // The merged attributes of all scopes open on this thread.
  static const AttrDict& Current();
};

}  // namespace mx

#endif  // MX_CORE_SYMBOL_SCOPES_H_
