#!/usr/bin/env bash
# Runs torch_test.py with pytest on Debian's Python (python3-torch, python3-onnx) and the mx
# package, mxinfer and mxtrain of this test's runfiles; JUnit XML goes where Bazel collects it.
set -euo pipefail
export MX_RUNFILES="$(cd "${TEST_SRCDIR:-$(dirname "$0")/../../..}/mx" && pwd)"
export PYTHONPATH="$MX_RUNFILES/python${PYTHONPATH:+:$PYTHONPATH}"
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-2}"
cd "${TEST_TMPDIR:-$(mktemp -d)}"
exec /usr/bin/python3 -m pytest -q -p no:cacheprovider "$MX_RUNFILES/tests/interop/onnx/torch_test.py" \
  ${XML_OUTPUT_FILE:+--junitxml="$XML_OUTPUT_FILE"}
