#include "core/base/context.h"

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

std::ostream& operator<<(std::ostream& os, const Context& c) {
  return os << c.ToString();
}

}  // namespace mx
