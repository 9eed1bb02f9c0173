#!/usr/bin/env bash
# Packs CUDA-built test binaries for the lent GPU machine, which has CUDA and PyTorch but no Bazel
# and none of our Debian libraries (docs/gpu.md):
#
#   bash tools/gpu/pack.sh [TARGET...]      # default: every test tagged gpu, and the op tests
#
# The GPU training benchmark (tools/bench/gpu_train_bench beside PyTorch) is packed too:
# `bash .gpu_pack/run.sh bench` runs it instead of the tests.
#
# Builds the targets with --config=cuda, linked statically against our own libraries; packs the
# binaries (bin/), the Debian shared libraries they need (lib/: not glibc's, not CUDA's) and run.sh
# into .gpu_pack/tests.tar.xz (the carry limit is 64 MiB; OpenBLAS and oneDNN alone are 75 MB
# unpacked). .gpu_pack/run.sh unpacks it under /tmp and runs every binary with CUDA's libraries from
# /usr/local/cuda or PyTorch's pip packages. Carry `.gpu_pack` (ignored by git) and run
# `bash .gpu_pack/run.sh [gtest flags]`.
set -euo pipefail
cd "$(dirname "$0")/../.."

targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
  mapfile -t targets < <(bazel query 'attr(tags, "\bgpu\b", tests(//...)) + tests(//tests/ops/...)' 2>/dev/null)
fi
bazel build --config=cuda --dynamic_mode=off "${targets[@]}" //tools/bench:gpu_train_bench
bin_dir=$(bazel info --config=cuda bazel-bin 2>/dev/null)

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/bin" "$stage/lib" "$stage/bench"
for t in "${targets[@]}"; do
  path="$bin_dir/$(echo "${t#//}" | tr ':' '/')"
  # Runfiles (fixtures) are not carried: the packed tests must not need data files.
  strip --strip-debug -o "$stage/bin/$(basename "$path")" "$path"
done
strip --strip-debug -o "$stage/bench/gpu_train_bench" "$bin_dir/tools/bench/gpu_train_bench"
cp tools/bench/torch_gpu_bench.py tools/bench/gpu_vs_torch.sh "$stage/bench/"
# A part of Fashion-MNIST (the GPU machine has no data sets): 12800 training and 2000 test
# samples, for train_fashion_mnist_gpu_test.
mkdir -p "$stage/data"
python3 - /usr/share/datasets/fashion-mnist "$stage/data" <<'PY'
import gzip, struct, sys
src, dst = sys.argv[1], sys.argv[2]
for split, n in (("train", 12800), ("t10k", 2000)):
    for kind, header in (("images-idx3", 16), ("labels-idx1", 8)):
        name = "%s-%s-ubyte.gz" % (split, kind)
        raw = gzip.open("%s/%s" % (src, name)).read()
        per = 28 * 28 if kind.startswith("images") else 1
        head = raw[:4] + struct.pack(">I", n) + raw[8:header]
        with gzip.open("%s/%s" % (dst, name), "wb") as f:
            f.write(head + raw[header:header + n * per])
PY
# Shared libraries outside glibc and CUDA.
for b in "$stage"/bin/* "$stage"/bench/gpu_train_bench; do
  ldd "$b" | awk '/=> \// {print $3}'
done | sort -u | while read -r lib; do
  case "$(basename "$lib")" in
    libc.so*|libm.so*|libdl.so*|librt.so*|libpthread.so*|ld-linux*|libcu*|libnccl*|libnvJitLink*) ;;
    *) cp -L "$lib" "$stage/lib/" ;;
  esac
done

cat > "$stage/run.sh" <<'RUN'
#!/usr/bin/env bash
# Runs every packed test binary; prints each one's summary and exits non-zero if any failed.
# `run.sh bench` runs the GPU training benchmark against PyTorch instead.
here=$(cd "$(dirname "$0")" && pwd)
cuda_libs=$(python3 -c 'import glob, os, nvidia; print(":".join(sorted(glob.glob(os.path.join(list(nvidia.__path__)[0], "*", "lib")))))' 2>/dev/null)
export LD_LIBRARY_PATH="$here/lib:/usr/local/cuda/lib64:${cuda_libs}:${LD_LIBRARY_PATH:-}"
export MX_FASHION_MNIST_DIR="$here/data"
if [[ ${1:-} == bench ]]; then
  shift
  exec bash "$here/bench/gpu_vs_torch.sh" "$here/bench/gpu_train_bench" "$@"
fi
status=0
for b in "$here"/bin/*; do
  echo "== $(basename "$b")"
  "$b" --gtest_brief=1 "$@" || status=1
done
exit $status
RUN
rm -rf .gpu_pack
mkdir -p .gpu_pack
tar -C "$stage" -cJf .gpu_pack/tests.tar.xz bin bench data lib run.sh
cat > .gpu_pack/run.sh <<'RUN'
#!/usr/bin/env bash
# Unpacks the packed tests under /tmp and runs them (arguments go to every gtest binary).
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d /tmp/mx_gpu_tests.XXXXXX)
tar -C "$dir" -xJf "$here/tests.tar.xz" && bash "$dir/run.sh" "$@"
RUN
du -sh .gpu_pack
