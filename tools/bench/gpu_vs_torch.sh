#!/usr/bin/env bash
# mx against PyTorch on the GPU machine, interleaved in one run (the machines are shared and noisy):
# ResNet-50 and ResNet-18 training steps at batch 64 and 128 (synthetic ImageNet shapes), and the
# Fashion-MNIST MLP and LeNet at batch 128; images/s and peak GPU memory of each, and the ratios
# mx / torch. Needs gpu_train_bench from a --config=cuda build (tools/gpu/pack.sh packs it) and
# PyTorch with CUDA (the GPU machine has it).
#   bash tools/bench/gpu_vs_torch.sh [BENCH_BINARY] [--steps 30]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bench=${1:-$here/../../bazel-bin/tools/bench/gpu_train_bench}
steps=${STEPS:-30}
python=${PYTHON:-python3}
printf '%-9s %5s %12s %12s %7s %10s %10s %7s\n' net batch mx_img/s torch_img/s ratio mx_MiB \
  torch_MiB ratio
for case in "resnet50 64" "resnet50 128" "resnet18 64" "resnet18 128" "lenet 128" "mlp 128"; do
  set -- $case
  # A case that fails or runs past 120 s is reported and the others still run.
  if ! mx=$(timeout 120 "$bench" --net "$1" --batch "$2" --steps "$steps" | tail -1) ||
    [[ $mx != "{"* ]]; then
    echo "$1 $2: gpu_train_bench failed" >&2
    continue
  fi
  if ! torch=$(timeout 120 "$python" "$here/torch_gpu_bench.py" --net "$1" --batch "$2" \
    --steps "$steps" | tail -1) || [[ $torch != "{"* ]]; then
    echo "$1 $2: torch_gpu_bench.py failed" >&2
    continue
  fi
  "$python" - "$mx" "$torch" <<'PY'
import json, sys
m, t = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print("%-9s %5d %12.1f %12.1f %7.2f %10.1f %10.1f %7.2f" % (
    m["net"], m["batch"], m["images_per_second"], t["images_per_second"],
    m["images_per_second"] / t["images_per_second"], m["peak_gpu_mib"], t["peak_gpu_mib"],
    m["peak_gpu_mib"] / t["peak_gpu_mib"]))
PY
done
