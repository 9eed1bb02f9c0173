#!/usr/bin/env bash
# Sets up the machine and runs the main job: mxtrain trains the MLP of configs/fashion_mlp.yaml on
# Fashion-MNIST (run folder runs/fashion_mlp), then mxinfer checks the last checkpoint on the test set.
# Extra arguments go to mxtrain (e.g. --config configs/fashion_lenet.yaml, --set epochs=3, --resume).
# Without --resume it starts over in the run folder (mxtrain --overwrite).
# Setting up and building print one line each; their output goes to runs/quickstart/*.log (shown
# when a step fails).
set -euo pipefail
cd "$(dirname "$0")/.."
logs=runs/quickstart
mkdir -p "$logs"

# step N TITLE LOG COMMAND...: runs COMMAND with its output in LOG, on one line of the terminal.
step() {
  local n=$1 title=$2 log=$3
  shift 3
  local start=$SECONDS
  printf 'quickstart: %s %s (log %s) ... ' "$n" "$title" "$log"
  if "$@" >"$log" 2>&1; then
    printf 'done (%d s)\n' $((SECONDS - start))
  else
    local code=$?
    printf 'FAILED (exit %d); the end of %s:\n' "$code" "$log"
    tail -n 30 "$log" | sed 's/^/  /'
    exit "$code"
  fi
}

step 1/4 "installing the Debian packages (tools/setup.sh)" "$logs/setup.log" bash tools/setup.sh
step 2/4 "building mxtrain and mxinfer" "$logs/build.log" bazel build //tools/mxtrain //tools/mxinfer
config=configs/fashion_mlp.yaml
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  if [[ ${args[$i]} == --config || ${args[$i]} == -c ]]; then config=${args[$((i + 1))]}; fi
done
if [[ " ${args[*]} " != *" --config "* && " ${args[*]} " != *" -c "* ]]; then args=(--config "$config" "${args[@]}"); fi
# The main job starts over each time it runs (unless asked to --resume).
train_args=("${args[@]}")
if [[ " ${args[*]} " != *" --resume "* && " ${args[*]} " != *" --auto-resume "* ]]; then train_args+=(--overwrite); fi
echo "quickstart: 3/4 training: mxtrain ${train_args[*]}"
bazel-bin/tools/mxtrain/mxtrain "${train_args[@]}"
run=$(bazel-bin/tools/mxtrain/mxtrain "${args[@]}" --print-config | sed -n 's/^output: //p')
name=$(bazel-bin/tools/mxtrain/mxtrain "${args[@]}" --print-config | sed -n 's/^  prefix: //p' | head -1)
data=/usr/share/datasets/fashion-mnist
echo "quickstart: 4/4 checking the last checkpoint on the test set: mxinfer --model $run/${name:-model}"
bazel-bin/tools/mxinfer/mxinfer --model "$run/${name:-model}" --input "$data/t10k-images-idx3-ubyte.gz" \
  --labels "$data/t10k-labels-idx1-ubyte.gz" --output "$run/test_predictions.csv"
