#include "core/base/error.h"

namespace mx::detail {

void ThrowInternal(const char* file, int line, const char* cond,
                   const std::string& message) {
  std::string text = StrCat("internal error at ", file, ":", line, ": check '",
                            cond, "' failed");
  if (!message.empty()) text += ": " + message;
  throw InternalError(text);
}

}  // namespace mx::detail
