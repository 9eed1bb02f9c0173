#!/usr/bin/env bash
# Sets up the machine (tools/setup.sh) and runs every test; ends with `N passed, N failed` counting
# test cases. Extra arguments go to `bazel test` (e.g. --config=asan).
set -uo pipefail
cd "$(dirname "$0")/.."

bash tools/setup.sh || exit 1

targets=$(bazel query 'tests(//...)' 2>/dev/null | sort)
if [[ -z "$targets" ]]; then
  echo "test: bazel query found no test targets" >&2
  echo "0 passed, 1 failed"
  exit 1
fi
bazel test "$@" $targets
bazel_status=$?

python3 tools/count_tests.py "$(bazel info bazel-testlogs "$@" 2>/dev/null)" $targets
count_status=$?
if [[ $bazel_status -ne 0 || $count_status -ne 0 ]]; then exit 1; fi
