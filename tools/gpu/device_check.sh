#!/usr/bin/env bash
# The GPU verification of docs/gpu.md in one run on the lent GPU machine, packed by
# tools/gpu/pack.sh and started there as `bash .gpu_pack/run.sh check [STEP...]`:
#
#   gpu      the GPU-tagged tests (NDArray, executor, optimizers, the conv net against the CPU)
#   ops      the op harness: every GPU kernel against the CPU reference, forward and backward
#            (one line per kernel checked in gpu_kernels.tsv)
#   mxtrain  LeNet (configs/fashion_lenet.yaml) trained on gpu:0 on the packed Fashion-MNIST part,
#            then `mxtrain test` on the 10000 test images (no curve PNG: the pack has no image
#            codecs)
#   mxinfer  `mxinfer --device gpu:0`: accuracy of that checkpoint and latency at batch 1 and 128
#   bench    images/s and peak memory against PyTorch (tools/bench/gpu_vs_torch.sh)
#   profile  (not by default) ResNet-50 and ResNet-18 at batch 128, layer by layer: mx's kinds of
#            layer and memory (gpu_train_bench --profile; cuDNN algorithms as by default, by
#            cuDNN's heuristics and the fastest measured) beside PyTorch's kernels
#            (torch_gpu_bench.py --profile)
#
# Default: every step but profile, in that order (mxtrain and mxinfer where packed:
# MX_PACK_TOOLS=1 bash tools/gpu/pack.sh). Each step runs under its own time limit; summary.txt, the
# kernel report and logs.tar.gz (every step's whole output) go to $OUT (or /tmp/mx_gpu_out) as
# they are made, so a run cut short still returns what it did. Exits non-zero if a step failed.
set -u
here=$1
shift
steps=("$@")
if [[ ${#steps[@]} -eq 0 ]]; then
  steps=(gpu ops)
  [[ -x $here/tools/mxtrain ]] && steps+=(mxtrain mxinfer)
  steps+=(bench)
fi
out=${OUT:-/tmp/mx_gpu_out}
logs=$(mktemp -d /tmp/mx_gpu_logs.XXXXXX)
mkdir -p "$out"
summary=$out/summary.txt
status=0

# run NAME LIMIT_SECONDS COMMAND...: one logged, timed command; its failures go to the summary.
run() {
  local name=$1 limit=$2
  shift 2
  local start rc
  start=$(date +%s.%N)
  timeout -k 10 "$limit" "$@" >"$logs/$name.log" 2>&1
  rc=$?
  printf '%-30s rc=%-4s %7.1f s\n' "$name" "$rc" "$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN {print e - s}')" |
    tee -a "$summary"
  if [[ $rc -ne 0 ]]; then
    status=1
    grep -E 'FAILED|Failure|error|Error|rror:' "$logs/$name.log" | head -60 | sed 's/^/    /' |
      tee -a "$summary"
    tail -5 "$logs/$name.log" | sed 's/^/    | /' | tee -a "$summary"
  fi
  tar -C "$logs" -czf "$out/logs.tar.gz" .
  return $rc
}

data=$MX_FASHION_MNIST_DIR
run_dir=/tmp/mx_gpu_run
{
  date -u
  nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.sm,clocks.mem --format=csv
  nproc
} >>"$summary" 2>&1

for step in "${steps[@]}"; do
  case $step in
    gpu)
      for t in gpu_ndarray_test gpu_ndarray_naive_test gpu_training_test; do
        run "$t" 120 "$here/bin/$t" --gtest_brief=1
      done
      run train_fashion_mnist_gpu_test 180 "$here/bin/train_fashion_mnist_gpu_test" \
        --gtest_filter='*Gpu*'
      grep -h 'on gpu(0)' "$logs/train_fashion_mnist_gpu_test.log" | tee -a "$summary"
      ;;
    ops)
      rm -f "$out/gpu_kernels.tsv"
      MX_OP_GPU_REPORT=$out/gpu_kernels.tsv run op_kernel_test 240 "$here/bin/op_kernel_test" \
        --gtest_brief=1
      awk -F'\t' '$3 == "gpu-kernel" {ops[$1] = 1; next}
                  {checked[$1] = 1; n[$4]++}
                  END {
                    for (o in ops) {total++; if (!(o in checked)) missing = missing " " o}
                    printf "GPU kernels: %d ops, checks ok %d, failed %d; ops no case ran on the GPU:%s\n",
                      total, n["ok"], n["FAILED"], missing ? missing : " none"
                  }' "$out/gpu_kernels.tsv" | tee -a "$summary"
      ;;
    mxtrain)
      rm -rf "$run_dir"
      common=(--config "$here/tools/fashion_lenet.yaml"
        --set "data.train.image=$data/train-images-idx3-ubyte.gz"
        --set "data.train.label=$data/train-labels-idx1-ubyte.gz"
        --set "data.val.image=$data/t10k-images-idx3-ubyte.gz"
        --set "data.val.label=$data/t10k-labels-idx1-ubyte.gz"
        --set devices=gpu:0 --set "output=$run_dir" --set logging.curve=false)
      run mxtrain_train_gpu 180 "$here/tools/mxtrain" train "${common[@]}"
      grep -E '(epoch [0-9]+/[0-9]+:|done:|device|gpu)' "$logs/mxtrain_train_gpu.log" |
        grep -v ' batch ' | tail -14 | tee -a "$summary"
      run mxtrain_test_gpu 60 "$here/tools/mxtrain" test "${common[@]}"
      tail -3 "$logs/mxtrain_test_gpu.log" | tee -a "$summary"
      ;;
    mxinfer)
      model=$run_dir/model
      run mxinfer_accuracy_gpu 60 "$here/tools/mxinfer" --model "$model" --device gpu:0 \
        --input "$data/t10k-images-idx3-ubyte.gz" --labels "$data/t10k-labels-idx1-ubyte.gz" \
        --batch-size 128 --output /tmp/mx_gpu_predictions.csv
      tail -3 "$logs/mxinfer_accuracy_gpu.log" | tee -a "$summary"
      run mxinfer_benchmark_gpu 90 "$here/tools/mxinfer" --model "$model" --device gpu:0 \
        --benchmark --data-shape 1,28,28 --batch-size 128 --iterations 300
      tail -4 "$logs/mxinfer_benchmark_gpu.log" | tee -a "$summary"
      run mxinfer_benchmark_cpu 90 "$here/tools/mxinfer" --model "$model" --device cpu \
        --benchmark --data-shape 1,28,28 --batch-size 128 --iterations 300
      tail -4 "$logs/mxinfer_benchmark_cpu.log" | tee -a "$summary"
      ;;
    bench)
      run gpu_vs_torch 300 bash "$here/bench/gpu_vs_torch.sh" "$here/bench/gpu_train_bench"
      cat "$logs/gpu_vs_torch.log" | tee -a "$summary"
      ;;
    profile)
      for net in resnet50 resnet18; do
        for tune in default off fastest; do
          flags=()
          [[ $tune != default ]] && flags=(--tune "$tune")
          run "profile_mx_${net}_$tune" 120 "$here/bench/gpu_train_bench" --net $net --batch 128 \
            --steps 10 "${flags[@]}" --profile 5
          grep -E '^(profile|memory|\{)' "$logs/profile_mx_${net}_$tune.log" | tee -a "$summary"
        done
        run "profile_torch_$net" 120 python3 "$here/bench/torch_gpu_bench.py" --net $net \
          --batch 128 --steps 10 --profile 5
        tail -1 "$logs/profile_torch_$net.log" | tee -a "$summary"
      done
      ;;
    *)
      echo "device_check: unknown step '$step' (gpu, ops, mxtrain, mxinfer, bench, profile)" | tee -a "$summary"
      status=2
      ;;
  esac
done
exit $status
