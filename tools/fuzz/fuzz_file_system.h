// "fuzz://NAME": files held in memory, so the file parsers (which read
// paths and URIs) read a fuzz input without touching the disk.
#ifndef MX_TOOLS_FUZZ_FUZZ_FILE_SYSTEM_H_
#define MX_TOOLS_FUZZ_FUZZ_FILE_SYSTEM_H_

#include <string>
#include <string_view>

namespace mx {
namespace fuzz {

// Makes "fuzz://`name`" hold `bytes` (replacing what it held).
void SetFuzzFile(const std::string& name, std::string_view bytes);

}  // namespace fuzz
}  // namespace mx

#endif  // MX_TOOLS_FUZZ_FUZZ_FILE_SYSTEM_H_
