#!/usr/bin/env bash
# Sets up the machine and runs the main job: mxtrain trains the MLP of configs/fashion_mlp.yaml on
# Fashion-MNIST (run folder runs/fashion_mlp), then mxinfer checks the last checkpoint on the test set.
# Extra arguments go to mxtrain (e.g. --config configs/fashion_lenet.yaml, --set epochs=3, --resume).
# Without --resume it starts over in the run folder (mxtrain --overwrite).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
bazel build //tools/mxtrain //tools/mxinfer
config=configs/fashion_mlp.yaml
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  if [[ ${args[$i]} == --config || ${args[$i]} == -c ]]; then config=${args[$((i + 1))]}; fi
done
if [[ " ${args[*]} " != *" --config "* && " ${args[*]} " != *" -c "* ]]; then args=(--config "$config" "${args[@]}"); fi
# The main job starts over each time it runs (unless asked to --resume).
train_args=("${args[@]}")
if [[ " ${args[*]} " != *" --resume "* ]]; then train_args+=(--overwrite); fi
bazel-bin/tools/mxtrain/mxtrain "${train_args[@]}"
run=$(bazel-bin/tools/mxtrain/mxtrain "${args[@]}" --print-config | sed -n 's/^output: //p')
name=$(bazel-bin/tools/mxtrain/mxtrain "${args[@]}" --print-config | sed -n 's/^  prefix: //p' | head -1)
data=/usr/share/datasets/fashion-mnist
bazel-bin/tools/mxinfer/mxinfer --model "$run/${name:-model}" --input "$data/t10k-images-idx3-ubyte.gz" \
  --labels "$data/t10k-labels-idx1-ubyte.gz" --output "$run/test_predictions.csv"
