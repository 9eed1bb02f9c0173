// Whole-file reads and atomic whole-file writes.
#ifndef MX_CORE_BASE_FILE_UTIL_H_
#define MX_CORE_BASE_FILE_UTIL_H_

#include <string>
#include <string_view>

namespace mx {

// Writes `bytes` to `path` atomically: a temp file in the same folder, fsync,
// rename. A reader (or a killed writer) never sees a half-written file.
// mx::Error naming the path and errno text on failure.
void WriteFileAtomic(const std::string& path, std::string_view bytes);

// Reads the whole file; mx::Error naming the path on failure.
std::string ReadFile(const std::string& path);

}  // namespace mx

#endif  // MX_CORE_BASE_FILE_UTIL_H_
