#include "core/base/env.h"

#include <sched.h>
#include <unistd.h>

#include <algorithm>
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
  int n = 0;
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) n = CPU_COUNT(&set);
  const int machine = static_cast<int>(std::thread::hardware_concurrency());
  if (n <= 0) n = machine > 0 ? machine : 1;
  // Processes of one MPI job on this machine that the launcher did not bind
  // to their own cores share them (Note [Distributed training]).
  const int64_t local = EnvInt("OMPI_COMM_WORLD_LOCAL_SIZE", 1, 1, 1 << 20);
  if (local > 1 && n >= machine) n = std::max<int>(1, n / local);
  return n;
}

int64_t PhysicalMemoryBytes() {
  const long pages = ::sysconf(_SC_PHYS_PAGES);
  const long page = ::sysconf(_SC_PAGESIZE);
  if (pages <= 0 || page <= 0) return int64_t{1} << 34;
  return static_cast<int64_t>(pages) * page;
}

}  // namespace mx
