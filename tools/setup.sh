#!/usr/bin/env bash
# Installs every Debian package mx needs to build, test and run its main job. Idempotent: when everything
# is already present it only checks (a second run takes about a second and touches nothing).
set -euo pipefail

packages=(
  bazel-bootstrap          # Bazel 4.2.3 (offline; see third_party/ for the stand-in repositories)
  g++ clang-format
  libopenblas-dev          # sgemm for Dot / FullyConnected / Convolution
  libdnnl-dev              # oneDNN: convolution kernels
  libyaml-cpp-dev          # mxtrain configs
  libspdlog-dev libfmt-dev # logging
  libcli11-dev             # command-line flags
  libgtest-dev libgmock-dev
  libbenchmark-dev         # tools/bench
  zlib1g-dev               # gzip'd IDX data sets
  libopencv-core-dev libopencv-imgproc-dev libopencv-imgcodecs-dev  # image records: decode, resize
  dataset-fashion-mnist    # the default training set, in /usr/share/datasets/fashion-mnist
  python3-dev pybind11-dev python3-numpy python3-pytest  # the Python package (python/) and its tests
  python3-graphviz            # mx.viz.plot_network (drawing a symbol)
  libopenmpi-dev openmpi-bin  # kvstore dist_sync: MPI collectives, mpirun (docs/distributed.md)
  libcurl4-openssl-dev        # s3:// files: HTTP with AWS SigV4 signing
  libxml2-dev                 # s3:// files: S3's XML responses
  python3-boto3               # tests: an independent S3 client to cross-check ours
  libonnx-dev libprotobuf-dev # ONNX import / export (interop/onnx): protobuf classes, checker
  libonnx-testdata            # tests: the ONNX project's node tests
  python3-onnx python3-torch  # tests: ONNX's Python checker, PyTorch exporting models to ONNX
  libopencv-dnn-dev           # tests: OpenCV's DNN module runs mx's exported models
)
# From npm: the S3-compatible server the s3:// tests start on 127.0.0.1.
s3rver_version=3.7.1

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$p")
  fi
done

# npm comes with Node.js (Debian's nodejs + npm when the machine has no Node.js).
if ! command -v npm >/dev/null 2>&1; then missing+=(nodejs npm); fi
need_s3rver=0
if ! npm ls -g "s3rver@$s3rver_version" >/dev/null 2>&1 || ! command -v s3rver >/dev/null 2>&1; then
  need_s3rver=1
fi

if ((${#missing[@]} == 0 && need_s3rver == 0)); then
  echo "setup: all ${#packages[@]} packages and s3rver $s3rver_version present"
  exit 0
fi

SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
if ((${#missing[@]} > 0)); then
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
if ((need_s3rver)); then
  echo "setup: installing s3rver $s3rver_version (npm)"
  $SUDO npm install -g --no-audit --no-fund "s3rver@$s3rver_version" >/dev/null
fi
echo "setup: done"
