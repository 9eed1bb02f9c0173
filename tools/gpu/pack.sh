#!/usr/bin/env bash
# Packs CUDA-built test binaries for the lent GPU machine, which has CUDA and PyTorch but no Bazel
# and none of our Debian libraries (docs/gpu.md):
#
#   bash tools/gpu/pack.sh [TARGET...]      # default: every test tagged gpu, and the op harness
#
# The GPU training benchmark (tools/bench/gpu_train_bench beside PyTorch) is packed too, and with
# MX_PACK_TOOLS=1 mxtrain and mxinfer, with a stand-in for OpenCV's image codecs (the real library's
# dependencies would not fit the device tool's 64 MiB; pass few test targets then, e.g.
# `MX_PACK_TOOLS=1 bash tools/gpu/pack.sh //tests/core/gpu:gpu_ndarray_test`). `bash .gpu_pack/run.sh bench` runs the benchmark instead of the tests, and
# `bash .gpu_pack/run.sh check` the whole verification of docs/gpu.md (tools/gpu/device_check.sh:
# tests, op harness, benchmark, mxtrain and mxinfer on gpu:0 when packed; logs under $OUT).
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
  mapfile -t targets < <(bazel query 'attr(tags, "\bgpu\b", tests(//...)) + //tests/ops:op_kernel_test' 2>/dev/null)
fi
tools=(//tools/bench:gpu_train_bench)
samples=(12800 2000)
if [[ ${MX_PACK_TOOLS:-0} == 1 ]]; then
  tools+=(//tools/mxtrain //tools/mxinfer)
  samples=(30000 10000)
fi
bazel build --config=cuda --dynamic_mode=off "${targets[@]}" "${tools[@]}"
bin_dir=$(bazel info --config=cuda bazel-bin 2>/dev/null)

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/bin" "$stage/lib" "$stage/bench" "$stage/tools"
for t in "${targets[@]}"; do
  path="$bin_dir/$(echo "${t#//}" | tr ':' '/')"
  # Runfiles (fixtures) are not carried: the packed tests must not need data files.
  strip --strip-debug -o "$stage/bin/$(basename "$path")" "$path"
done
strip --strip-debug -o "$stage/bench/gpu_train_bench" "$bin_dir/tools/bench/gpu_train_bench"
for t in $([[ ${MX_PACK_TOOLS:-0} == 1 ]] && echo mxtrain mxinfer); do
  strip --strip-debug -o "$stage/tools/$t" "$bin_dir/tools/$t/$t"
done
cp tools/bench/torch_gpu_bench.py tools/bench/gpu_vs_torch.sh "$stage/bench/"
cp tools/gpu/device_check.sh configs/fashion_lenet.yaml "$stage/tools/"
# A part of Fashion-MNIST (the GPU machine has no data sets; the carry limit is 64 MiB): 12800
# training and 2000 test samples for train_fashion_mnist_gpu_test; with the tools, 30000 and the
# 10000 test samples for mxtrain too.
mkdir -p "$stage/data"
python3 - /usr/share/datasets/fashion-mnist "$stage/data" "${samples[@]}" <<'PY'
import gzip, struct, sys
src, dst, n_train, n_test = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
for split, n in (("train", n_train), ("t10k", n_test)):
    for kind, header in (("images-idx3", 16), ("labels-idx1", 8)):
        name = "%s-%s-ubyte.gz" % (split, kind)
        raw = gzip.open("%s/%s" % (src, name)).read()
        per = 28 * 28 if kind.startswith("images") else 1
        head = raw[:4] + struct.pack(">I", n) + raw[8:header]
        with gzip.open("%s/%s" % (dst, name), "wb") as f:
            f.write(head + raw[header:header + n * per])
PY
# The tools link OpenCV's image codecs, whose Debian library pulls in GDAL and more (44 MB
# compressed): a stand-in with the two functions they call takes its place (imgcodecs_stub.cc).
if [[ ${MX_PACK_TOOLS:-0} == 1 ]]; then
  g++ -std=c++17 -O2 -shared -fPIC -I/usr/include/opencv4 \
    -Wl,-soname,libopencv_imgcodecs.so.406 -o "$stage/lib/libopencv_imgcodecs.so.406" \
    tools/gpu/imgcodecs_stub.cc -lopencv_core
fi
# Shared libraries outside glibc and CUDA.
for b in "$stage"/bin/* "$stage"/bench/gpu_train_bench $(ls "$stage"/tools/mx* 2>/dev/null); do
  LD_LIBRARY_PATH="$stage/lib" ldd "$b" | awk '/=> \// {print $3}'
done | sort -u | while read -r lib; do
  case "$(basename "$lib")" in
    libc.so*|libm.so*|libdl.so*|librt.so*|libpthread.so*|ld-linux*|libcu*|libnccl*|libnvJitLink*) ;;
    *) [[ $lib == "$stage"/* ]] || cp -L "$lib" "$stage/lib/" ;;
  esac
done

cat > "$stage/run.sh" <<'RUN'
#!/usr/bin/env bash
# Runs every packed test binary; prints each one's summary and exits non-zero if any failed.
# `run.sh bench` runs the GPU training benchmark against PyTorch instead, `run.sh check` the whole
# verification (tools/gpu/device_check.sh).
here=$(cd "$(dirname "$0")" && pwd)
cuda_libs=$(python3 -c 'import glob, os, nvidia; print(":".join(sorted(glob.glob(os.path.join(list(nvidia.__path__)[0], "*", "lib")))))' 2>/dev/null)
export LD_LIBRARY_PATH="$here/lib:/usr/local/cuda/lib64:${cuda_libs}:${LD_LIBRARY_PATH:-}"
export MX_FASHION_MNIST_DIR="$here/data"
if [[ ${1:-} == bench ]]; then
  shift
  exec bash "$here/bench/gpu_vs_torch.sh" "$here/bench/gpu_train_bench" "$@"
fi
if [[ ${1:-} == check ]]; then
  shift
  exec bash "$here/tools/device_check.sh" "$here" "$@"
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
tar -C "$stage" -cJf .gpu_pack/tests.tar.xz bin bench data lib tools run.sh
cat > .gpu_pack/run.sh <<'RUN'
#!/usr/bin/env bash
# Unpacks the packed tests under /tmp and runs them (arguments go to every gtest binary).
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d /tmp/mx_gpu_tests.XXXXXX)
tar -C "$dir" -xJf "$here/tests.tar.xz" && bash "$dir/run.sh" "$@"
RUN
du -sh .gpu_pack
