#!/usr/bin/env bash
# Runs pytest on python/tests with the package from this test's runfiles, on Debian's Python
# (which has NumPy); the JUnit XML goes where Bazel collects it. Under --config=asan|tsan the
# extension needs its sanitizer runtime loaded first (Python itself is not instrumented).
set -euo pipefail
root="$(cd "${TEST_SRCDIR:-$(dirname "$0")/..}/mx/python" && pwd)"
export PYTHONPATH="$root${PYTHONPATH:+:$PYTHONPATH}"
# awk reads all of ldd's output (an early exit would fail the pipeline with SIGPIPE, by chance).
runtime=$(ldd "$root/mxnet/_core.so" | awk '/lib(asan|tsan)\.so/ && !n++ {print $3}')
if [[ -n $runtime ]]; then
  # libstdc++ too: the runtime's exception interceptors need it present from the start.
  export LD_PRELOAD="$runtime $(ldd "$root/mxnet/_core.so" | awk '/libstdc\+\+/ && !n++ {print $3}')"
  export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"  # CPython's own allocations
  export TSAN_OPTIONS="${TSAN_OPTIONS:+$TSAN_OPTIONS:}suppressions=$root/tsan.supp"
fi
# Tests write scratch files (MXNet's write to the working directory).
cd "${TEST_TMPDIR:-$(mktemp -d)}"
# --capture=sys: what C++ (or a sanitizer report) writes to fd 2 reaches the log even if the
# process dies.
exec /usr/bin/python3 -m pytest -q -p no:cacheprovider --capture=sys "$root/tests" \
  ${XML_OUTPUT_FILE:+--junitxml="$XML_OUTPUT_FILE"}
