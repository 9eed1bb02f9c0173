#!/usr/bin/env bash
# Kills mxtrain at random moments, N rounds of `--auto-resume` then, at random, SIGTERM or kill -9
# after a random time, or kill -9 inside a save (as soon as a temp file appears), then lets it
# finish, and checks the final weights are bit-identical to an uninterrupted run's and
# that no temp file or commit record is left (Note [Checkpoint unit]). Not a CI test (a few minutes;
# tests/tools/mxtrain:mxtrain_test runs a short version).
# Usage: bash tools/bench/kill_loop.sh [ROUNDS]   (default 20)
set -uo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-20}
bazel build //tools/mxtrain >/dev/null 2>&1 || { echo "build failed" >&2; exit 1; }
mxtrain=$(pwd)/bazel-bin/tools/mxtrain/mxtrain
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
data=/usr/share/datasets/fashion-mnist
cat >"$work/net.yaml" <<EOC
name: kills
seed: 7
epochs: 40
data:
  train: {type: MNISTIter, image: $data/t10k-images-idx3-ubyte.gz, label: $data/t10k-labels-idx1-ubyte.gz, batch_size: 100, flat: true, shuffle: true}
network:
  layers:
    - {op: FullyConnected, name: fc1, num_hidden: 1024}
    - {op: Activation, act_type: relu}
    - {op: Dropout, p: 0.2}
    - {op: FullyConnected, name: fc2, num_hidden: 10}
    - {op: SoftmaxOutput, name: softmax}
optimizer: {type: adam, learning_rate: 0.001}
logging: {progress: none, curve: false}
checkpoint: {every: 1, keep_last: 2}
EOC

"$mxtrain" --config "$work/net.yaml" --set output="$work/full" >/dev/null 2>&1 ||
  { echo "the uninterrupted run failed" >&2; exit 1; }

run=$work/killed
kills=0 save_kills=0 terms=0 finished=0
shopt -s nullglob
for ((i = 1; i <= rounds; i++)); do
  "$mxtrain" --config "$work/net.yaml" --set output="$run" --auto-resume >>"$work/rounds.log" 2>&1 &
  pid=$!
  kind=$((RANDOM % 3))
  if ((kind == 2)); then
    # Inside a save: wait (without forking) for a temp file of the run folder.
    sleep 0.$((RANDOM % 10))
    while kill -0 $pid 2>/dev/null; do
      temps=("$run"/*.tmp.*)
      ((${#temps[@]})) && break
    done
    kill -KILL $pid 2>/dev/null && save_kills=$((save_kills + 1))
  else
    sleep "0.$((RANDOM % 10))$((RANDOM % 10))"
    sleep $((RANDOM % 2))
    if ((kind == 1)); then
      kill -KILL $pid 2>/dev/null && kills=$((kills + 1))
    else
      kill -TERM $pid 2>/dev/null && terms=$((terms + 1))
    fi
  fi
  wait $pid 2>/dev/null
  code=$?
  case $code in
    0) finished=$((finished + 1)) ;;
    130 | 137 | 143) ;;
    *) echo "round $i: exit $code (see below)"; tail -5 "$work/rounds.log"; exit 1 ;;
  esac
done
"$mxtrain" --config "$work/net.yaml" --set output="$run" --auto-resume >>"$work/rounds.log" 2>&1 ||
  { echo "the last --auto-resume failed:"; tail -5 "$work/rounds.log"; exit 1; }
echo "$rounds rounds: $terms SIGTERM, $kills kill -9 at a random time, $save_kills kill -9 inside a save," \
  "$finished finished before the signal"
echo "commit records finished on resume: $(grep -c 'which a killed run had committed' "$work/rounds.log")"
echo "temp files removed on resume: $(awk '/temp files that a killed run left/ {
  for (i = 1; i < NF; ++i) if ($i == "removed") n += $(i + 1) } END { print n + 0 }' "$work/rounds.log")"
left=$(ls "$run" | grep -E '\.tmp\.|\.commit$' || true)
status=0
if [[ -n $left ]]; then
  echo "FAIL: left behind: $left"
  status=1
fi
if cmp -s "$work/full/model-0040.params" "$run/model-0040.params"; then
  echo "final weights: bit-identical to the uninterrupted run"
else
  echo "FAIL: final weights differ from the uninterrupted run"
  status=1
fi
exit $status
