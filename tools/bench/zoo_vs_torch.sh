#!/usr/bin/env bash
# The model zoo against PyTorch: each net of configs/fashion_<NET>.yaml trained by mxtrain and by its
# PyTorch twin (tools/bench/torch_zoo.py: same layers, parameters, initializer family, SGD momentum 0.9
# or Adam as the config's optimizer, wd 1e-4, batch 128, constant learning rate from the config), alternating in one run because the
# machine is noisy. PyTorch runs at its best (OPENBLAS_NUM_THREADS=1, 2 torch threads). Prints per
# run training samples/s (median of the epochs after the first, training loop only), peak RSS and
# test accuracy; per net the ratios; then inference samples/s at batch 1 and 128 (mxinfer --benchmark
# on the trained checkpoint, torch_zoo.py --infer) and, last, the geometric mean of the training ratios.
#   bash tools/bench/zoo_vs_torch.sh [--nets "mlp lenet resnet vgg mobilenet inception resnet20 transformer lstm"]
#       [--rounds 1] [--epochs 2] [--parts 4] [--no-infer]
# --parts N trains on the first 1/N of the training set (both sides) to keep a run short; accuracy
# is then that of a shorter training, the same for both.
set -euo pipefail
cd "$(dirname "$0")/../.."
nets="mlp lenet resnet vgg mobilenet inception resnet20 transformer lstm" rounds=1 epochs=2 parts=4 infer=1
while (($#)); do
  case $1 in
    --nets) nets=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --epochs) epochs=$2; shift 2 ;;
    --parts) parts=$2; shift 2 ;;
    --no-infer) infer=0; shift ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
if ! /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  echo "installing python3-torch for the twins"
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO=sudo
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends python3-torch
fi
bazel build -c opt //tools/mxtrain //tools/mxinfer >/dev/null 2>&1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
results=$work/results
: >"$results"

# The config's learning rate, msra factor_type and optimizer (sgd or adam) -> "LR FACTOR OPT" (the
# twin uses the same).
config_settings() {
  python3 -c 'import sys, yaml
c = yaml.safe_load(open(sys.argv[1]))
o, i = c.get("optimizer", {}), c.get("initializer", {})
lr = o.get("learning_rate", 0.1) if isinstance(o, dict) else 0.1
kind = o.get("type", "sgd") if isinstance(o, dict) else "sgd"
print(lr, i.get("factor_type", "avg") if isinstance(i, dict) else "avg", kind)' "configs/fashion_$1.yaml"
}

# mxtrain NET LR OPT -> "samples/s rss_mib accuracy"; the run folder stays in $work/mx_NET.
run_mx() {
  local net=$1 lr=$2 out=$work/mx_$1 optimizer="{type: sgd, learning_rate: $2, momentum: 0.9, wd: 0.0001}"
  [[ $3 == adam ]] && optimizer="{type: adam, learning_rate: $2, wd: 0.0001}"
  rm -rf "$out"
  bazel-bin/tools/mxtrain/mxtrain --config "configs/fashion_$net.yaml" --set output="$out" \
    --set epochs="$epochs" --set seed=0 --set logging.progress=none --set logging.curve=false \
    --set "optimizer=$optimizer" \
    --set schedule=constant --set checkpoint.every=1000 --set checkpoint.keep_last=1 \
    --set data.train.num_parts="$parts" --set data.train.part_index=0 >"$work/log" 2>&1 ||
    { cat "$work/log" >&2; exit 1; }
  python3 - "$out/metrics.csv" "$out/train.log" <<'PY'
import csv, re, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
sps = statistics.median(float(r["samples_per_second"]) for r in rows[1:] or rows)
rss = re.findall(r"peak RSS ([0-9.]+) MiB", open(sys.argv[2]).read())[-1]
print(f"{sps:.0f} {rss} {float(rows[-1]['val_accuracy']):.4f}")
PY
}

# torch NET LR FACTOR OPT -> "samples/s rss_mib accuracy"
run_torch() {
  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 tools/bench/torch_zoo.py --net "$1" --lr "$2" \
    --msra-factor "$3" --optimizer "$4" --epochs "$epochs" --threads 2 --parts "$parts" | tail -1 |
    python3 -c 'import json, sys
r = json.load(sys.stdin)
print("%.0f %s %.4f" % (r["samples_per_sec"], r["peak_rss_mib"], r["test_acc"]))'
}

# Inference NET -> "b1_samples/s b128_samples/s" for mx (the trained checkpoint) and torch.
infer_mx() {
  # As many forward passes as the twin runs: 2000 at batch 1, 10000 samples at batch 128.
  local b1 b128
  b1=$(bazel-bin/tools/mxinfer/mxinfer --model "$work/mx_$1/model" --benchmark --data-shape 1,28,28 \
    --batch-size 1 --iterations 2000 | sed -n 's/^batch 1: .*throughput \([0-9.]*\) samples.*/\1/p' |
    head -1)
  b128=$(bazel-bin/tools/mxinfer/mxinfer --model "$work/mx_$1/model" --benchmark --data-shape 1,28,28 \
    --batch-size 128 --iterations 78 | sed -n 's/^batch 128: .*throughput \([0-9.]*\) samples.*/\1/p')
  echo "$b1 $b128"
}
infer_torch() {
  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 tools/bench/torch_zoo.py --net "$1" --infer --threads 2 |
    tail -1 | python3 -c 'import json, sys
r = json.load(sys.stdin)
print(r["b1"]["samples_per_sec"], r["b128"]["samples_per_sec"])'
}

echo "training: $epochs epochs on 1/$parts of the training set, batch 128, 2 threads"
printf "%-10s %-6s %12s %10s %9s\n" net run samples/s "RSS MiB" accuracy
for net in $nets; do
  read -r lr factor optimizer < <(config_settings "$net")
  mx_sps=() torch_sps=() mx_rss=() torch_rss=()
  for ((r = 1; r <= rounds; r++)); do
    read -r s m a < <(run_mx "$net" "$lr" "$optimizer"); mx_sps+=("$s"); mx_rss+=("$m")
    printf "%-10s %-6s %12s %10s %9s\n" "$net" mx "$s" "$m" "$a"
    read -r s m a < <(run_torch "$net" "$lr" "$factor" "$optimizer"); torch_sps+=("$s")
    torch_rss+=("$m")
    printf "%-10s %-6s %12s %10s %9s\n" "$net" torch "$s" "$m" "$a"
  done
  line="$net ${mx_sps[*]// /,} ${torch_sps[*]// /,} ${mx_rss[*]// /,} ${torch_rss[*]// /,}"
  if ((infer)); then
    read -r mb1 mb128 < <(infer_mx "$net")
    read -r tb1 tb128 < <(infer_torch "$net")
    line+=" $mb1 $mb128 $tb1 $tb128"
  fi
  echo "$line" >>"$results"
done

python3 - "$results" <<'PY'
import math, statistics, sys
med = lambda s: statistics.median(float(x) for x in s.split(","))
ratios = []
print()
print(f"{'net':<10} {'train mx':>9} {'torch':>9} {'ratio':>6} {'RSS mx/torch':>13}"
      f" {'infer b1 mx':>12} {'torch':>8} {'ratio':>6} {'b128 mx':>9} {'torch':>9} {'ratio':>6}")
for line in open(sys.argv[1]):
    f = line.split()
    mx, torch, mxr, tr = (med(x) for x in f[1:5])
    ratios.append(mx / torch)
    row = f"{f[0]:<10} {mx:>9.0f} {torch:>9.0f} {mx / torch:>5.2f}x {mxr / tr:>13.2f}"
    if len(f) > 5:
        mb1, mb128, tb1, tb128 = (float(x) for x in f[5:9])
        row += (f" {mb1:>12.0f} {tb1:>8.0f} {mb1 / tb1:>5.2f}x"
                f" {mb128:>9.0f} {tb128:>9.0f} {mb128 / tb128:>5.2f}x")
    print(row)
print(f"geometric mean of the training ratios: "
      f"{math.exp(sum(map(math.log, ratios)) / len(ratios)):.2f}x")
PY
