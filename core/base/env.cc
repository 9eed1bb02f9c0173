#include "core/base/env.h"

#include <sched.h>

#include <cerrno>
#include <cstdlib>
#include <thread>

#include "core/base/error.h"

namespace mx {

int64_t EnvInt(const char* name, int64_t fallback, int64_t min_value,
               int64_t max_value) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0') return fallback;
  errno = 0;
  char* end = nullptr;
  const long long value = std::strtoll(text, &end, 10);
  MX_CHECK(errno == 0 && end != text && *end == '\0' && value >= min_value &&
               value <= max_value,
           "environment variable ", name, "='", text,
           "': expected an integer in [", min_value, ", ", max_value, "]");
  return value;
}

std::string EnvString(const char* name, const std::string& fallback) {
  const char* text = std::getenv(name);
  return text == nullptr || *text == '\0' ? fallback : std::string(text);
}

int NumCores() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) {
    const int n = CPU_COUNT(&set);
    if (n > 0) return n;
  }
  const unsigned n = std::thread::hardware_concurrency();
  return n > 0 ? static_cast<int>(n) : 1;
}

}  // namespace mx
