#!/usr/bin/env bash
# Sets up the machine (tools/setup.sh) and runs every test; ends with `N passed, N failed` counting
# test cases. Extra arguments go to `bazel test` (e.g. --config=asan).
#
# Then builds the CUDA configuration (Note [CUDA build]) and runs the GPU tests in it: they skip
# where no GPU is usable (CI), and run for real on a GPU machine. MX_SKIP_CUDA_BUILD=1 leaves this out.
# The bad-input tests also run under ASan and UBSan (MX_SKIP_ASAN=1 leaves them out).
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
groups=("$(bazel info bazel-testlogs "$@" 2>/dev/null)" $targets)

# The layering of the build graph (Note [Layers]): bazel query cases, counted as target //layering.
layering_dir=$(mktemp -d)
python3 tools/check_layering.py "$layering_dir" || bazel_status=1
groups+=(-- "$layering_dir" //layering)

# The parsers of untrusted input and the tools fed bad input, again under AddressSanitizer and
# UBSan (Note [Untrusted input]). MX_SKIP_ASAN=1 leaves this out.
if [[ "${MX_SKIP_ASAN:-0}" != 1 ]]; then
  asan_targets=(//tests/fuzz:corpus_test //tests/tools/mxtrain:bad_input_test
                //tests/interop/onnx:onnx_test)
  bazel test --config=asan "${asan_targets[@]}" || bazel_status=1
  groups+=(-- "$(bazel info bazel-testlogs --config=asan 2>/dev/null)" "${asan_targets[@]}")
fi

if [[ "${MX_SKIP_CUDA_BUILD:-0}" != 1 ]]; then
  gpu_targets=$(bazel query 'attr(tags, "\bgpu\b", tests(//...))' 2>/dev/null | sort)
  # What runs on GPUs: every op's kernels, the trainer and inference tools, the GPU benchmark (the
  # GPU tests build below). The rest (Python, im2rec, CPU benchmarks) compiles the same in both
  # configurations, and CI's time is better spent once on it.
  cuda_targets=(//ops //tools/mxtrain //tools/mxinfer //tools/bench:gpu_train_bench)
  if ! bazel build --config=cuda "${cuda_targets[@]}"; then
    echo "test: the CUDA configuration (bazel build --config=cuda ${cuda_targets[*]}) does not build" >&2
    bazel_status=1
  fi
  bazel test --config=cuda $gpu_targets || bazel_status=1
  groups+=(-- "$(bazel info bazel-testlogs --config=cuda 2>/dev/null)" $gpu_targets)
fi

python3 tools/count_tests.py "${groups[@]}"
count_status=$?
if [[ $bazel_status -ne 0 || $count_status -ne 0 ]]; then exit 1; fi
