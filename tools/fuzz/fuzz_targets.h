// The parsers of untrusted files as fuzz targets (Note [Untrusted input]):
// each takes one input's bytes and runs it through a parser as mxtrain and
// mxinfer would. mx::Error is the expected answer to bad input and is
// swallowed; anything else (a crash, a sanitizer report, another exception,
// an internal error) is a bug the fuzzer reports. tools/fuzz/run.sh runs
// them under libFuzzer; tests/fuzz replays their corpora in CI.
#ifndef MX_TOOLS_FUZZ_FUZZ_TARGETS_H_
#define MX_TOOLS_FUZZ_FUZZ_TARGETS_H_

#include <string>
#include <string_view>
#include <vector>

namespace mx {
namespace fuzz {

struct FuzzTarget {
  const char* name;  // also the corpus folder's name
  void (*run)(std::string_view input);
};

// Every target: yaml_config, symbol_json, params, states, idx, csv,
// recordio.
const std::vector<FuzzTarget>& AllFuzzTargets();

// The target called `name`; nullptr when there is none.
const FuzzTarget* FindFuzzTarget(const std::string& name);

// Runs `target` on `input`, turning an escaped exception into a crash with
// its message (what a fuzzer detects).
void RunFuzzTarget(const FuzzTarget& target, std::string_view input);

}  // namespace fuzz
}  // namespace mx

#endif  // MX_TOOLS_FUZZ_FUZZ_TARGETS_H_
