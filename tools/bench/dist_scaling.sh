#!/usr/bin/env bash
# Distributed training costs on this machine (docs/distributed.md): all-reduce bandwidth between N
# local processes (1 KB to 64 MB), then for the LeNet and ResNet configs the step time alone and with
# kvstore dist_sync, the all-reduce share of the step, and the scaling estimate for 8, 64 and 256
# workers at 25 and 100 Gb/s.
#   bash tools/bench/dist_scaling.sh [--np 2] [--steps 20]
set -euo pipefail
cd "$(dirname "$0")/../.."
np=2 steps=20
while (($#)); do
  case $1 in
    --np) np=$2; shift 2 ;;
    --steps) steps=$2; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
bazel build //tools/bench:dist_bench >/dev/null 2>&1
bench=bazel-bin/tools/bench/dist_bench
# Local processes, no binding (each takes its share of the cores: Note [Distributed training]).
mpi=(mpirun --allow-run-as-root --oversubscribe --bind-to none -np "$np")
export OMPI_MCA_btl_vader_single_copy_mechanism=none
"${mpi[@]}" "$bench" allreduce
echo
for config in configs/fashion_lenet.yaml configs/fashion_resnet.yaml; do
  "${mpi[@]}" "$bench" train --config "$config" --steps "$steps"
  echo
done
