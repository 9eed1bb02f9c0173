#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets (tools/fuzz) into tests/fuzz/corpus/TARGET/.

Each seed is a small valid input or a known bad one (a regression: truncated gzip, a header claiming
huge sizes, an alias inside its own anchor, ...). tests/fuzz:corpus_test replays every file in CI;
tools/fuzz/run.sh starts from them. Run from the repository root: python3 tests/fuzz/make_seeds.py
"""
import gzip
import json
import os
import shutil
import struct
import zlib

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def put(target, name, data):
    d = os.path.join(ROOT, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def gz(data):
    return gzip.compress(data, mtime=0)


# ---- yaml_config
TINY = """name: tiny
epochs: 2
data:
  train: {type: MNISTIter, image: train.gz, label: labels.gz, batch_size: 10, flat: true}
  val: {type: CSVIter, data_csv: d.csv, data_shape: [784], label_csv: l.csv, batch_size: 10}
network:
  blocks:
    dense:
      args: {units: null, act: relu}
      layers:
        - {op: FullyConnected, name: fc, num_hidden: $units}
        - {op: Activation, act_type: $act}
  layers:
    - {block: dense, name: d1, units: 32}
    - {op: Dropout, p: 0.2}
    - {op: FullyConnected, name: out, num_hidden: 10, inputs: [d1]}
    - {op: SoftmaxOutput, name: softmax}
optimizer: {type: adam, learning_rate: 0.003}
schedule: {type: factor, step: 50, factor: 0.8}
metrics: [accuracy, ce, {type: top_k_accuracy, top_k: 3}]
checkpoint: {every: 1, keep_last: 2, best_metric: ce}
logging: {progress: lines, interval: 50}
"""
put("yaml_config", "tiny.yaml", TINY)
for name in ("fashion_mlp", "fashion_lenet", "fashion_resnet"):
    src = os.path.join(os.path.dirname(ROOT), "..", "..", "configs", name + ".yaml")
    shutil.copy(src, os.path.join(ROOT, "yaml_config", name + ".yaml"))
put("yaml_config", "self_alias.yaml", "a: &x [1, *x]\n")
put("yaml_config", "self_alias_map.yaml", "foo: &a\n  b: *a\n")
laughs = 'a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
for i in range(1, 10):
    laughs += "a%d: &a%d [%s]\n" % (i, i, ",".join(["*a%d" % (i - 1)] * 9))
put("yaml_config", "laughs.yaml", laughs)
blocks = "network:\n  blocks:\n    b0:\n      layers:\n        - {op: Activation, act_type: relu}\n"
for i in range(1, 6):
    blocks += "    b%d:\n      layers:\n%s" % (i, "        - {block: b%d}\n" % (i - 1) * 20)
blocks += "  layers:\n    - {block: b5}\n"
put("yaml_config", "blocks.yaml", blocks)
put("yaml_config", "deep.yaml", "x: " + "[" * 3000 + "]" * 3000 + "\n")
put("yaml_config", "tags.yaml", "name: !!binary eXl5\nepochs: !custom 3\nseed: !!str 4\n")
put("yaml_config", "utf16.yaml", "\ufeffname: x\n".encode("utf-16"))
put("yaml_config", "latin1.yaml", "name: caf\xe9\n".encode("latin-1"))
put("yaml_config", "ranges.yaml", TINY.replace("epochs: 2", "epochs: 1000000000000")
    .replace("every: 1", "every: 0").replace("top_k: 3", "top_k: 50")
    + "kvstore: dist_sync\n")
put("yaml_config", "prefix.yaml", TINY.replace("best_metric: ce", "best_metric: foo, prefix: ..")
    + "output: ../x\n")
put("yaml_config", "quotes.yaml", 'name: "a: b # c"\noutput: "\\t x"\nepochs: "3"\n')

# ---- symbol_json
FIX = os.path.join(os.path.dirname(ROOT), "..", "fixtures", "mxnet")
os.makedirs(os.path.join(ROOT, "symbol_json"), exist_ok=True)
os.makedirs(os.path.join(ROOT, "params"), exist_ok=True)
for f in os.listdir(FIX):
    if f.endswith(".json") or f.endswith(".ref"):
        shutil.copy(os.path.join(FIX, f), os.path.join(ROOT, "symbol_json", f.replace(".ref", "")))


def graph(nodes, heads, version=True):
    g = {"nodes": nodes, "arg_nodes": [i for i, n in enumerate(nodes) if n["op"] == "null"],
         "heads": heads}
    if version:
        g["attrs"] = {"mxnet_version": ["int", 10900]}
    return json.dumps(g)


mlp = [{"op": "null", "name": "data", "inputs": []},
       {"op": "null", "name": "fc1_weight", "inputs": []},
       {"op": "null", "name": "fc1_bias", "inputs": []},
       {"op": "FullyConnected", "name": "fc1", "attrs": {"num_hidden": "16"},
        "inputs": [[0, 0, 0], [1, 0, 0], [2, 0, 0]]},
       {"op": "Activation", "name": "relu1", "attrs": {"act_type": "relu"}, "inputs": [[3, 0, 0]]},
       {"op": "null", "name": "softmax_label", "inputs": []},
       {"op": "SoftmaxOutput", "name": "softmax", "inputs": [[4, 0, 0], [5, 0, 0]]}]
put("symbol_json", "mlp.json", graph(mlp, [[6, 0, 0]]))
conv = [{"op": "null", "name": "data", "inputs": []},
        {"op": "null", "name": "c_weight", "inputs": []},
        {"op": "null", "name": "c_bias", "inputs": []},
        {"op": "Convolution", "name": "c", "attrs": {"kernel": "(3, 3)", "num_filter": "4",
                                                     "pad": "(1, 1)"},
         "inputs": [[0, 0, 0], [1, 0, 0], [2, 0, 0]]},
        {"op": "null", "name": "bn_gamma", "inputs": []},
        {"op": "null", "name": "bn_beta", "inputs": []},
        {"op": "null", "name": "bn_moving_mean", "inputs": []},
        {"op": "null", "name": "bn_moving_var", "inputs": []},
        {"op": "BatchNorm", "name": "bn", "inputs": [[3, 0, 0], [4, 0, 0], [5, 0, 0], [6, 0, 0],
                                                     [7, 0, 0]]},
        {"op": "Pooling", "name": "p", "attrs": {"kernel": "(2, 2)", "pool_type": "max",
                                                 "stride": "(2, 2)"}, "inputs": [[8, 0, 0]]},
        {"op": "Flatten", "name": "f", "inputs": [[9, 0, 0]]},
        {"op": "SliceChannel", "name": "s", "attrs": {"num_outputs": "2"},
         "inputs": [[10, 0, 0]]},
        {"op": "elemwise_add", "name": "add", "inputs": [[11, 0, 0], [11, 1, 0]]},
        {"op": "Concat", "name": "cat", "attrs": {"num_args": "2", "dim": "1"},
         "inputs": [[12, 0, 0], [11, 1, 0]]}]
put("symbol_json", "conv.json", graph(conv, [[13, 0, 0]]))
chain = [{"op": "null", "name": "data", "inputs": []}]
for i in range(200):
    chain.append({"op": "Activation", "name": "a%d" % i, "attrs": {"act_type": "tanh"},
                  "inputs": [[i, 0, 0]]})
put("symbol_json", "chain.json", graph(chain, [[200, 0, 0]]))
put("symbol_json", "legacy.json", graph([{"op": "null", "name": "x", "inputs": []},
                                         {"op": "_MulScalar", "name": "m",
                                          "param": {"scalar": "2", "scalar_on_left": "True"},
                                          "inputs": [[0, 0]]}], [[1, 0]], version=False))
put("symbol_json", "deep.json", "[" * 300 + "]" * 300)
# Found by the fuzzer: an input index past int64 (a double cast to int64 is undefined there).
put("symbol_json", "int_overflow.json",
    graph([{"op": "null", "name": "data", "inputs": []},
           {"op": "Activation", "name": "a", "attrs": {"act_type": "relu"},
            "inputs": [[0, 7988888888888888888888888888, 0]]}], [[1, 0, 0]]))
put("symbol_json", "bad_ref.json", graph([{"op": "Activation", "name": "a",
                                           "attrs": {"act_type": "relu"},
                                           "inputs": [[5, 0, 0]]}], [[0, 0, 0]]))


# ---- params / states (MXNet's NDArray list format)
def nd_record(dims, dtype_flag, raw):
    out = struct.pack("<I", 0xF993FACA)  # V2 magic
    out += struct.pack("<i", 0) + struct.pack("<i", len(dims))
    out += b"".join(struct.pack("<q", d) for d in dims)
    out += struct.pack("<ii", 1, 0) + struct.pack("<i", dtype_flag) + raw
    return out


def nd_file(records, names):
    out = struct.pack("<QQQ", 0x112, 0, len(records)) + b"".join(records)
    out += struct.pack("<Q", len(names))
    for n in names:
        out += struct.pack("<Q", len(n)) + n.encode()
    return out


f32 = lambda vals: struct.pack("<%df" % len(vals), *vals)
i64 = lambda vals: struct.pack("<%dq" % len(vals), *vals)
u8 = lambda vals: bytes(vals)
put("params", "small.params", nd_file(
    [nd_record([2, 3], 0, f32([1, 2, 3, 4, 5, 6])), nd_record([3], 0, f32([0.5, -1, 2])),
     nd_record([2], 6, i64([7, -8])), nd_record([0], 0, b"")],
    ["arg:fc_weight", "arg:fc_bias", "aux:count", "arg:empty"]))
put("params", "huge_count.params", struct.pack("<QQQ", 0x112, 0, 10 ** 12))
put("params", "huge_shape.params", nd_file([nd_record([1 << 40, 1 << 40], 0, b"")], ["a"]))
put("params", "unnamed.params", nd_file([nd_record([1], 1, struct.pack("<d", 3.5))], []))
shutil.copy(os.path.join(FIX, "legacy_ndarray.v0"), os.path.join(ROOT, "params", "legacy.v0"))


def state(extra_records=(), extra_names=(), epoch=2, batch=0):
    text = lambda s: nd_record([len(s)], 3, s.encode())
    recs = [text("mx-train-state-1"), nd_record([1], 6, i64([epoch])),
            nd_record([1], 6, i64([batch])), nd_record([1], 6, i64([100])), text("sgd"),
            text("rng0"), nd_record([1], 6, i64([50])), nd_record([2, 3], 0, f32([0] * 6)),
            nd_record([1], 1, struct.pack("<d", 0.9))]
    names = ["meta:format", "meta:epoch", "meta:batch", "meta:num_update", "meta:optimizer",
             "meta:rng:0", "updates:fc_weight", "state:fc_weight:0", "value:best_value"]
    return nd_file(recs + list(extra_records), names + list(extra_names))


put("states", "ok.states", state())
put("states", "mid_epoch.states", state(batch=7))
put("states", "negative.states", state(epoch=-5, batch=-1))
put("states", "huge_epoch.states", state(epoch=2 * 10 ** 9))
put("states", "huge_index.states",
    state([nd_record([1], 0, f32([0]))], ["state:fc_weight:1000000000000"]))


# ---- idx
def idx(magic_dims, payload):
    return struct.pack(">I", 0x800 + len(magic_dims)) + b"".join(
        struct.pack(">I", d) for d in magic_dims) + payload


images = idx([3, 4, 5], bytes(range(60)))
labels = idx([3], bytes([1, 2, 9]))
put("idx", "images", images)
put("idx", "images.gz", gz(images))
put("idx", "labels.gz", gz(labels))
put("idx", "truncated.gz", gz(images)[:-8])
put("idx", "garbage.gz", gz(images) + b"garbage!")
put("idx", "two_members.gz", gz(images[:30]) + gz(images[30:]))
put("idx", "zero_rows.gz", gz(idx([0, 28, 28], b"")))
put("idx", "huge.gz", gz(idx([0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF], b"")))

# ---- csv
put("csv", "rows.csv", "1,2,3\n4,5,6\n\n7, 8 ,9\r\n1e3,-2.5,+0\n")
put("csv", "short_row.csv", "1,2,3\n4,5\n")
put("csv", "long_row.csv", "1,2,3,4\n")
put("csv", "not_numbers.csv", "a,b,c\n1,2,nan\n1e99999,2,3\n")
put("csv", "blank.csv", "\n\n  \n")
put("csv", "no_newline.csv", "1,2,3\n4,5,6")


# ---- recordio
def png(w, h, gray=False):
    raw = b"".join(b"\x00" + bytes((x * 40 + y * 7) % 256 for x in range(w * (1 if gray else 3)))
                   for y in range(h))
    chunk = lambda t, d: struct.pack(">I", len(d)) + t + d + struct.pack(
        ">I", zlib.crc32(t + d) & 0xFFFFFFFF)
    ihdr = struct.pack(">IIBBBBB", w, h, 8, 0 if gray else 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw)) + \
        chunk(b"IEND", b"")


def irecord(label, image, labels=None, rid=0):
    if labels:
        head = struct.pack("<IfQQ", len(labels), 0.0, rid, 0) + struct.pack(
            "<%df" % len(labels), *labels)
    else:
        head = struct.pack("<IfQQ", 0, label, rid, 0)
    return head + image


def rec(payloads):
    out = b""
    for p in payloads:
        out += struct.pack("<II", 0xCED7230A, len(p)) + p + b"\0" * ((4 - len(p) % 4) % 4)
    return out


put("recordio", "images.rec", rec([irecord(1, png(10, 9)), irecord(0, png(6, 12, True)),
                                   irecord(2, png(8, 8), rid=5)]))
put("recordio", "multi_label.rec", rec([irecord(0, png(8, 8), labels=[1, 2, 3])]))
put("recordio", "not_an_image.rec", rec([irecord(3, b"not an image at all")]))
def huge_png():
    p = bytearray(png(1, 1))
    p[16:24] = struct.pack(">II", 100000, 100000)
    p[29:33] = struct.pack(">I", zlib.crc32(bytes(p[12:29])) & 0xFFFFFFFF)
    return bytes(p)


put("recordio", "huge_png.rec", rec([irecord(0, huge_png())]))
put("recordio", "truncated.rec", rec([irecord(1, png(10, 9))])[:-20])
put("recordio", "huge_length.rec", struct.pack("<II", 0xCED7230A, (1 << 29) - 1) + b"\0" * 16)
put("recordio", "index.idx", "0\t0\n1\t80\n-1\t-8\n")

# ---- every target: the empty input (found by the fuzzer: memcpy from an empty vector's null data)
for target in os.listdir(ROOT):
    put(target, "empty", b"")
put("idx", "empty_payload", idx([0, 0, 0], b""))
