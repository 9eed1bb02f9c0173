// Context: the device an array lives on and an op runs on: cpu(i), gpu(i),
// cpu_pinned(i).
#ifndef MX_CORE_BASE_CONTEXT_H_
#define MX_CORE_BASE_CONTEXT_H_

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>

namespace mx {

// MXNet's device codes, stable on disk (.params records store them).
enum class DeviceType : int32_t {
  kCPU = 1,
  kGPU = 2,
  kCPUPinned = 3,
  kCPUShared = 5,
};

// "cpu", "gpu", "cpu_pinned", "cpu_shared".
const char* DeviceTypeName(DeviceType t);

struct Context {
  DeviceType dev_type = DeviceType::kCPU;
  int32_t dev_id = 0;

  // cpu(id).
  static Context CPU(int32_t id = 0) { return {DeviceType::kCPU, id}; }
  // gpu(id).
  static Context GPU(int32_t id = 0) { return {DeviceType::kGPU, id}; }
  // cpu_pinned(id): page-locked host memory for fast GPU copies (plain host
  // memory without CUDA).
  static Context CPUPinned(int32_t id = 0) {
    return {DeviceType::kCPUPinned, id};
  }

  // True for every context whose memory the host reads directly (cpu,
  // cpu_pinned, cpu_shared).
  bool IsHost() const { return dev_type != DeviceType::kGPU; }

  bool operator==(const Context& o) const {
    return dev_type == o.dev_type && dev_id == o.dev_id;
  }
  bool operator!=(const Context& o) const { return !(*this == o); }
  bool operator<(const Context& o) const {
    return dev_type != o.dev_type ? dev_type < o.dev_type : dev_id < o.dev_id;
  }

  // "cpu(0)", "gpu(1)", "cpu_pinned(0)", "cpu_shared(0)".
  std::string ToString() const;

  // The one device grammar of every tool and config: "cpu", "gpu" (id 0),
  // "cpu:N", "gpu:N", or as ToString writes them, "cpu(N)", "gpu(N)";
  // N in [0, 1024). mx::Error naming `text` and the grammar otherwise.
  // Whether a GPU is usable is gpu::CheckDevice's.
  static Context Parse(std::string_view text);
};

std::ostream& operator<<(std::ostream& os, const Context& c);

}  // namespace mx

#endif  // MX_CORE_BASE_CONTEXT_H_
