// Command-line parsing shared by the tools (mxtrain, mxinfer, im2rec): a
// --version flag, and CLI11's parse errors in the tools' own form,
// "<tool>: error: <message>", with a pointer to --help.
#ifndef MX_TOOLS_COMMON_CLI_H_
#define MX_TOOLS_COMMON_CLI_H_

#include <CLI/CLI.hpp>
#include <cstdio>
#include <optional>
#include <string>

#include "core/base/version.h"
#include "core/gpu/gpu.h"

namespace mx {

// "mxtrain 0.1.0 (CUDA: built in)", or "(CPU only)".
inline std::string VersionLine(const std::string& tool) {
  return tool + " " + kMxVersion +
         (gpu::BuiltWithCuda() ? " (CUDA: built in)" : " (CPU only)");
}

// Adds --version to `app` and parses argv. Returns the exit status when the
// tool is done (0 after --help or --version, `usage_status` after a bad
// command line, reported on stderr), or nullopt to go on.
inline std::optional<int> ParseCommandLine(const std::string& tool,
                                           CLI::App& app, int argc, char** argv,
                                           int usage_status) {
  app.set_version_flag("--version", VersionLine(tool),
                       "print the version and exit");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    std::fprintf(stderr, "%s: error: %s\nRun %s --help for more information.\n",
                 tool.c_str(), e.what(), tool.c_str());
    return usage_status;
  }
  return std::nullopt;
}

}  // namespace mx

#endif  // MX_TOOLS_COMMON_CLI_H_
