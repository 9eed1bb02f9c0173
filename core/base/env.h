// Reading configuration from environment variables, and machine facts.
#ifndef MX_CORE_BASE_ENV_H_
#define MX_CORE_BASE_ENV_H_

#include <cstdint>
#include <string>

namespace mx {

// The integer value of environment variable `name`, or `fallback` when unset or
// empty. mx::Error naming the variable when the value is not an integer in
// [min_value, max_value].
int64_t EnvInt(const char* name, int64_t fallback, int64_t min_value,
               int64_t max_value);

// The value of environment variable `name`, or `fallback` when unset or empty.
std::string EnvString(const char* name, const std::string& fallback);

// Cores this process may run on (CPU affinity), at least 1; its share of
// them when several processes of an MPI job share them unbound.
int NumCores();

// This machine's physical memory in bytes (16 GiB when unknown).
int64_t PhysicalMemoryBytes();

}  // namespace mx

#endif  // MX_CORE_BASE_ENV_H_
