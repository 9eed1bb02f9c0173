// Running tools from tests: a command's exit code and output, files' text.
#ifndef MX_TESTS_TESTING_COMMAND_H_
#define MX_TESTS_TESTING_COMMAND_H_

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

namespace mx::testing {

struct CommandResult {
  int code = -1;       // exit status; -1 when killed by a signal
  std::string output;  // stdout and stderr
};

// Runs `tool args` through the shell, stderr merged into stdout.
inline CommandResult RunCommand(const std::string& tool,
                                const std::string& args) {
  const std::string command = tool + " " + args + " 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  CommandResult r;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0)
    r.output.append(buf, n);
  const int status = ::pclose(pipe);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

inline bool FileExists(const std::string& path) {
  return ::access(path.c_str(), F_OK) == 0;
}

// The file's bytes ("" when it cannot be read).
inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace mx::testing

#endif  // MX_TESTS_TESTING_COMMAND_H_
