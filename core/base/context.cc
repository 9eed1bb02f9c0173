#include "core/base/context.h"

namespace mx {

std::string Context::ToString() const {
  const char* name = "unknown";
  switch (dev_type) {
    case DeviceType::kCPU:
      name = "cpu";
      break;
    case DeviceType::kGPU:
      name = "gpu";
      break;
    case DeviceType::kCPUPinned:
      name = "cpu_pinned";
      break;
    case DeviceType::kCPUShared:
      name = "cpu_shared";
      break;
  }
  return std::string(name) + "(" + std::to_string(dev_id) + ")";
}

std::ostream& operator<<(std::ostream& os, const Context& c) {
  return os << c.ToString();
}

}  // namespace mx
