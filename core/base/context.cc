#include "core/base/context.h"

#include "core/base/error.h"
#include "core/base/strings.h"

namespace mx {

const char* DeviceTypeName(DeviceType t) {
  switch (t) {
    case DeviceType::kCPU:
      return "cpu";
    case DeviceType::kGPU:
      return "gpu";
    case DeviceType::kCPUPinned:
      return "cpu_pinned";
    case DeviceType::kCPUShared:
      return "cpu_shared";
  }
  return "unknown";
}

std::string Context::ToString() const {
  return std::string(DeviceTypeName(dev_type)) + "(" + std::to_string(dev_id) +
         ")";
}

Context Context::Parse(std::string_view text) {
  const auto bad = [&] {
    return Error(
        StrCat("bad device '", text, "' (expected cpu, gpu, cpu:N or gpu:N)"));
  };
  std::string_view kind = text, id;
  const size_t open = text.find_first_of(":(");
  if (open != std::string_view::npos) {
    kind = text.substr(0, open);
    id = text.substr(open + 1);
    if (text[open] == '(') {
      if (id.empty() || id.back() != ')') throw bad();
      id.remove_suffix(1);
    }
    if (id.empty() || id.size() > 4) throw bad();
  }
  int32_t n = 0;
  for (const char c : id) {
    if (c < '0' || c > '9') throw bad();
    n = n * 10 + (c - '0');
  }
  if (n >= 1024) throw bad();
  if (kind == "cpu") return CPU(n);
  if (kind == "gpu") return GPU(n);
  throw bad();
}

std::ostream& operator<<(std::ostream& os, const Context& c) {
  return os << c.ToString();
}

}  // namespace mx
