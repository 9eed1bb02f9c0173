#!/usr/bin/env bash
# Runs Debian's Python with mx's `mxnet` package importable (built first):
#   bash tools/python.sh                 # interactive: >>> import mxnet as mx
#   bash tools/python.sh script.py args  # a script
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
(cd "$repo" && bazel build -c opt //python:package >/dev/null 2>&1) ||
  { echo "python.sh: bazel build //python:package failed" >&2; exit 1; }
export PYTHONPATH="$repo/$(cd "$repo" && bazel-bin/python/package)${PYTHONPATH:+:$PYTHONPATH}"
exec /usr/bin/python3 "$@"
