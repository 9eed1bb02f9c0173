#!/usr/bin/env bash
# mxtrain against the PyTorch anchor (../shared/bench/torch_fmnist.py) on the same networks, data and
# optimizer (SGD lr 0.1, momentum 0.9, wd 1e-4, batch 128, Xavier, 468 batches an epoch), interleaved
# in one run because the machine is noisy. PyTorch runs at its best (OPENBLAS_NUM_THREADS=1, 2 torch
# threads). Reports training samples/s (median of the epochs after the first, training loop only) and
# peak RSS for each, and the ratios.
#   bash tools/bench/train_vs_torch.sh [--rounds 2] [--mlp-epochs 5] [--lenet-epochs 3]
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=2 mlp_epochs=5 lenet_epochs=3
while (($#)); do
  case $1 in
    --rounds) rounds=$2; shift 2 ;;
    --mlp-epochs) mlp_epochs=$2; shift 2 ;;
    --lenet-epochs) lenet_epochs=$2; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
anchor=../shared/bench/torch_fmnist.py
if ! /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  echo "installing python3-torch for the anchor"
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO=sudo
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends python3-torch
fi
bazel build -c opt //tools/mxtrain >/dev/null 2>&1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# mxtrain NET EPOCHS -> "samples/s rss_mib accuracy"
run_mx() {
  local net=$1 epochs=$2 out=$work/mx_$1
  rm -rf "$out"
  bazel-bin/tools/mxtrain/mxtrain --config configs/fashion_$net.yaml --set output="$out" \
    --set epochs="$epochs" --set seed=0 --set logging.progress=none --set logging.curve=false \
    --set "optimizer={type: sgd, learning_rate: 0.1, momentum: 0.9, wd: 0.0001}" \
    --set schedule=constant --set checkpoint.every=1000 >"$work/log" 2>&1
  python3 - "$out/metrics.csv" "$out/train.log" <<'PY'
import csv, re, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
sps = statistics.median(float(r["samples_per_second"]) for r in rows[1:] or rows)
rss = re.findall(r"peak RSS ([0-9.]+) MiB", open(sys.argv[2]).read())[-1]
print(f"{sps:.0f} {rss} {float(rows[-1]['val_accuracy']):.4f}")
PY
}

# torch NET EPOCHS -> "samples/s rss_mib accuracy"
run_torch() {
  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 "$anchor" --net "$1" --epochs "$2" --threads 2 |
    tail -1 | python3 -c 'import json, sys
r = json.load(sys.stdin)
print("%.0f %s %.4f" % (r["samples_per_sec"], r["peak_rss_mib"], r["test_acc"]))'
}

printf "%-6s %-6s %12s %10s %9s\n" net run samples/s "RSS MiB" accuracy
for net in mlp lenet; do
  epochs=$mlp_epochs; [[ $net == lenet ]] && epochs=$lenet_epochs
  mx_sps=() torch_sps=() mx_rss=() torch_rss=()
  for ((r = 1; r <= rounds; r++)); do
    read -r s m a < <(run_mx "$net" "$epochs"); mx_sps+=("$s"); mx_rss+=("$m")
    printf "%-6s %-6s %12s %10s %9s\n" "$net" "mx" "$s" "$m" "$a"
    read -r s m a < <(run_torch "$net" "$epochs"); torch_sps+=("$s"); torch_rss+=("$m")
    printf "%-6s %-6s %12s %10s %9s\n" "$net" "torch" "$s" "$m" "$a"
  done
  python3 - "${mx_sps[*]}" "${torch_sps[*]}" "${mx_rss[*]}" "${torch_rss[*]}" "$net" <<'PY'
import statistics, sys
med = lambda s: statistics.median(float(x) for x in s.split())
mx, torch, mxr, tr = (med(a) for a in sys.argv[1:5])
print(f"{sys.argv[5]}: mx/torch throughput {mx / torch:.2f}x ({mx:.0f} vs {torch:.0f} samples/s); "
      f"peak RSS {mxr:.0f} vs {tr:.0f} MiB ({mxr / tr:.2f} of PyTorch's)")
PY
done
