#!/usr/bin/env bash
# Interrupts mxtrain N times each way and checks that every interrupt saved a checkpoint
# (Note [Interrupts]): `timeout -s INT 5 mxtrain ...` (timeout signals the child and its
# process group: two SIGINTs at once), and `kill -INT p; kill -INT p`. Not a CI test: it takes
# a few minutes. Usage: bash tools/bench/signal_loop.sh [N]   (default 20)
set -uo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-20}
bazel build //tools/mxtrain >/dev/null 2>&1 || { echo "build failed" >&2; exit 1; }
mxtrain=$(pwd)/bazel-bin/tools/mxtrain/mxtrain
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
data=/usr/share/datasets/fashion-mnist
cat >"$work/net.yaml" <<EOC
name: signals
epochs: 1000
data:
  train: {type: MNISTIter, image: $data/train-images-idx3-ubyte.gz, label: $data/train-labels-idx1-ubyte.gz, batch_size: 64, flat: true}
network:
  layers:
    - {op: FullyConnected, name: fc1, num_hidden: 128}
    - {op: Activation, act_type: relu}
    - {op: FullyConnected, name: fc2, num_hidden: 10}
    - {op: SoftmaxOutput, name: softmax}
logging: {progress: none}
checkpoint: {every: 1000}
EOC

# True when the run exited 130 and the checkpoint its log names has its .params and .states.
saved() {
  local code=$1 run=$2
  local params
  params=$(sed -n 's/.*: checkpoint \(.*\.params\) saved; continue with --resume/\1/p' "$run/train.log")
  [[ $code == 130 && -n $params && -f $params && -f ${params%.params}.states ]]
}

ok_timeout=0 ok_kill=0
for ((i = 1; i <= rounds; i++)); do
  run=$work/timeout$i
  timeout --preserve-status -s INT 5 "$mxtrain" --config "$work/net.yaml" --set output="$run" >/dev/null 2>&1
  code=$?
  if saved $code "$run"; then ok_timeout=$((ok_timeout + 1)); else echo "timeout round $i: exit $code"; fi
  run=$work/kill$i
  "$mxtrain" --config "$work/net.yaml" --set output="$run" >/dev/null 2>&1 &
  pid=$!
  sleep 3
  kill -INT $pid; kill -INT $pid
  wait $pid
  code=$?
  if saved $code "$run"; then ok_kill=$((ok_kill + 1)); else echo "kill round $i: exit $code"; fi
done
echo "timeout -s INT 5: $ok_timeout of $rounds saved a checkpoint"
echo "kill -INT p; kill -INT p: $ok_kill of $rounds saved a checkpoint"
[[ $ok_timeout == "$rounds" && $ok_kill == "$rounds" ]]
