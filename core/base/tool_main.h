// The main() of command-line tools: runs `run`, turning an mx::Error into
// "<tool>: error: <message>" on stderr and exit status 1. Exceptions of
// other libraries that escaped their translation (std::bad_alloc, OpenCV's,
// yaml-cpp's) end the same way instead of aborting (Note [Untrusted input]).
// A file-size limit (ulimit -f) makes writes fail with EFBIG, a write error
// like any other, instead of killing the tool with SIGXFSZ mid-write.
#ifndef MX_CORE_BASE_TOOL_MAIN_H_
#define MX_CORE_BASE_TOOL_MAIN_H_

#include <csignal>
#include <cstdio>
#include <exception>
#include <new>

#include "core/base/error.h"

namespace mx {

inline int RunTool(const char* tool, int (*run)(int, char**), int argc,
                   char** argv) {
  std::signal(SIGXFSZ, SIG_IGN);
  try {
    return run(argc, argv);
  } catch (const Error& e) {
    std::fprintf(stderr, "%s: error: %s\n", tool, e.what());
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "%s: error: out of memory\n", tool);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: error: %s\n", tool, e.what());
  }
  return 1;
}

}  // namespace mx

#endif  // MX_CORE_BASE_TOOL_MAIN_H_
