#!/usr/bin/env bash
# Sets up the machine and runs the main job. For now the main job is the NDArray/engine demo on
# Fashion-MNIST (tools/demo); mxtrain replaces it when the trainer lands.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
bazel build //tools/demo:mx_demo
bazel-bin/tools/demo/mx_demo "$@"
