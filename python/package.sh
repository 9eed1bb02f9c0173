#!/usr/bin/env bash
# Prints the folder to put on PYTHONPATH for `import mxnet` (this target's runfiles).
here="${BASH_SOURCE[0]}.runfiles/mx/python"
[[ -d $here ]] || here="$(cd "$(dirname "$0")" && pwd)"
echo "$here"
