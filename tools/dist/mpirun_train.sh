#!/usr/bin/env bash
# Trains a config with kvstore dist_sync over the machines of a host list, through Open MPI's mpirun
# (docs/distributed.md): one mxtrain process per slot, each reading its part of the data; rank 0 writes
# the run folder. Every host needs the same mxtrain binary, config and data paths, passwordless ssh
# from this one, and (to resume) the run folder on a file system all of them see.
#   tools/dist/mpirun_train.sh --hosts node1:4,node2:4 --config net.yaml [mxtrain flags...]
#   tools/dist/mpirun_train.sh --np 2 --config configs/fashion_mlp.yaml      # this machine only
# Environment: MXTRAIN (the binary; default bazel-bin/tools/mxtrain/mxtrain), MPI_IFACE (the network
# interface for MPI's traffic, e.g. eth0), MX_DIST_TIMEOUT, MX_DIST_BUCKET_KB (passed to every process).
set -euo pipefail
hosts="" np="" args=()
while (($#)); do
  case $1 in
    --hosts) hosts=$2; shift 2 ;;
    --np) np=$2; shift 2 ;;
    *) args+=("$1"); shift ;;
  esac
done
if [[ -z "$hosts" && -z "$np" ]]; then
  echo "usage: $0 (--hosts h1:slots,h2:slots | --np N) --config FILE [mxtrain flags]" >&2
  exit 2
fi
mxtrain=${MXTRAIN:-bazel-bin/tools/mxtrain/mxtrain}
mxtrain=$(readlink -f "$mxtrain")
launch=(mpirun --bind-to none)
if [[ -n "$hosts" ]]; then
  launch+=(-H "$hosts")
  # Every slot of the list, unless --np says otherwise.
  if [[ -z "$np" ]]; then
    np=0
    IFS=, read -ra entries <<<"$hosts"
    for e in "${entries[@]}"; do np=$((np + ${e##*:})); done
  fi
fi
launch+=(-np "$np")
[[ $(id -u) -eq 0 ]] && launch+=(--allow-run-as-root)
[[ -n "${MPI_IFACE:-}" ]] && launch+=(--mca btl_tcp_if_include "$MPI_IFACE" --mca oob_tcp_if_include "$MPI_IFACE")
for v in MX_DIST_TIMEOUT MX_DIST_BUCKET_KB MX_CPU_WORKER_NTHREADS LD_LIBRARY_PATH; do
  [[ -n "${!v:-}" ]] && launch+=(-x "$v")
done
exec "${launch[@]}" "$mxtrain" "${args[@]}" --set kvstore=dist_sync
