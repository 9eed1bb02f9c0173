#!/usr/bin/env bash
# Fuzzes the parsers of untrusted input (tools/fuzz/fuzz_targets.h) with libFuzzer under ASan and
# UBSan, using Debian's clang 14. A benchmark-style script, not a test: CI replays the corpora only
# (tests/fuzz). Usage:
#   bash tools/fuzz/run.sh [SECONDS] [TARGET...]     default: 60 s for each of the 7 targets
#   MX_FUZZ_JOBS=2 bash tools/fuzz/run.sh 1800       two targets at a time (2 cores)
# Builds with clang in an output base of its own ($MX_FUZZ_BASE, default ~/.cache/mx-fuzz/bazel),
# so the gcc build is untouched. Corpora grow in $MX_FUZZ_WORK/corpus/TARGET (default
# ~/.cache/mx-fuzz/work), seeded from tests/fuzz/corpus/TARGET; a crashing input is saved in
# $MX_FUZZ_WORK/crashes/TARGET (replay it with any build: bazel-bin/tools/fuzz/TARGET_fuzz FILE).
# Prints one line per target: executions, seconds, corpus size, and OK or CRASH.
set -uo pipefail
cd "$(dirname "$0")/../.."

seconds=${1:-60}
shift || true
targets=("$@")
if ((${#targets[@]} == 0)); then
  targets=(yaml_config symbol_json params states idx csv recordio)
fi
base=${MX_FUZZ_BASE:-$HOME/.cache/mx-fuzz/bazel}
work=${MX_FUZZ_WORK:-$HOME/.cache/mx-fuzz/work}
jobs=${MX_FUZZ_JOBS:-1}

command -v clang >/dev/null || { echo "fuzz: clang is missing (apt-get install clang)" >&2; exit 1; }
flags=(
  --repo_env=CC=clang --repo_env=CXX=clang++
  --cxxopt=-std=c++17 --copt=-O1 --copt=-g --copt=-fno-omit-frame-pointer
  --copt=-fsanitize=fuzzer-no-link,address,undefined --copt=-fno-sanitize-recover=undefined
  --copt=-DMX_SANITIZER=1 --linkopt=-fsanitize=fuzzer,address,undefined
  --linkopt=-fsanitize-link-c++-runtime
  --define=mx_fuzz=1 --strip=never --color=no --curses=no
  --spawn_strategy=processwrapper-sandbox --nosandbox_debug
)
labels=()
for t in "${targets[@]}"; do labels+=("//tools/fuzz:${t}_fuzz"); done
echo "fuzz: building ${targets[*]} with clang (output base $base)"
bazel --output_base="$base" --noworkspace_rc --nohome_rc build "${flags[@]}" "${labels[@]}" || exit 1
bin=$(bazel --output_base="$base" --noworkspace_rc --nohome_rc info "${flags[@]}" bazel-bin 2>/dev/null)

fuzz_one() {
  local t=$1 corpus="$work/corpus/$1" crashes="$work/crashes/$1" log="$work/$1.log"
  mkdir -p "$corpus" "$crashes"
  local dict=()
  [[ -f tools/fuzz/dicts/$t.dict ]] && dict=(-dict="tools/fuzz/dicts/$t.dict")
  # Leaks are not what this looks for (caches live until exit); OpenBLAS and oneDNN stay on one
  # thread.
  ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
    OPENBLAS_NUM_THREADS=1 MX_OMP_NTHREADS=1 \
    "$bin/tools/fuzz/${t}_fuzz" "${dict[@]}" -max_total_time="$seconds" -timeout=30 \
    -rss_limit_mb=4096 -max_len=65536 -print_final_stats=1 -artifact_prefix="$crashes/" \
    "$corpus" "tests/fuzz/corpus/$t" >"$log" 2>&1
  local rc=$?
  local execs
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  local size
  size=$(ls "$corpus" | wc -l)
  if ((rc == 0)); then
    echo "$t: ${execs:-?} executions in $seconds s, corpus $size inputs: OK"
  else
    echo "$t: ${execs:-?} executions, corpus $size inputs: CRASH (exit $rc; $log, inputs in $crashes)"
  fi
  return $rc
}

status=0
running=0
for t in "${targets[@]}"; do
  fuzz_one "$t" &
  running=$((running + 1))
  if ((running >= jobs)); then
    wait -n || status=1
    running=$((running - 1))
  fi
done
while ((running > 0)); do
  wait -n || status=1
  running=$((running - 1))
done
exit $status
