"""ONNX against PyTorch (Debian's python3-torch, torch.onnx.export offline) and python3-onnx.

- The zoo's PyTorch twins (tools/bench/torch_zoo.py) exported by torch.onnx.export and imported by
  mx.onnx.import_model give PyTorch's outputs on Fashion-MNIST test images within 1e-4 relative.
- A LeNet trained by PyTorch, exported, run by mxinfer gives PyTorch's test accuracy.
- mxtrain fine-tunes from it (network: {onnx: FILE}) and exports the result (mxtrain export),
  which ONNX's checker accepts and mxinfer runs with mxtrain test's accuracy.
- mx.onnx.export_model's models pass python3-onnx's checker and import back identically.
"""
import gzip
import os
import re
import struct
import subprocess
import sys

import numpy as np
import onnx
import pytest
import torch
import torch.nn as nn

import mxnet as mx

ROOT = os.environ["MX_RUNFILES"]
sys.path.insert(0, os.path.join(ROOT, "tools", "bench"))
import torch_zoo  # noqa: E402

DATA = "/usr/share/datasets/fashion-mnist/"
MXINFER = os.path.join(ROOT, "tools", "mxinfer", "mxinfer")
MXTRAIN = os.path.join(ROOT, "tools", "mxtrain", "mxtrain")
torch.set_num_threads(2)


def load_idx(name):
    with gzip.open(DATA + name, "rb") as f:
        raw = f.read()
    magic, n = struct.unpack(">II", raw[:8])
    if magic == 2051:
        rows, cols = struct.unpack(">II", raw[8:16])
        return np.frombuffer(raw, np.uint8, offset=16).reshape(n, 1, rows, cols)
    return np.frombuffer(raw, np.uint8, offset=8).astype(np.int64)


@pytest.fixture(scope="module")
def test_images():
    return (load_idx("t10k-images-idx3-ubyte.gz")[:64].astype(np.float32) / 255)


def export(model, example, path, dynamic):
    kwargs = {"dynamic_axes": {"data": {0: "N"}, "out": {0: "N"}}} if dynamic else {}
    torch.onnx.export(model, torch.from_numpy(example), path, input_names=["data"],
                      output_names=["out"], opset_version=13, **kwargs)


def mx_forward(path, x):
    sym, args, aux = mx.onnx.import_model(path)
    args = dict(args)
    args["data"] = mx.nd.array(x)
    ex = sym.bind(mx.cpu(), args, aux_states=aux, grad_req="null")
    return ex.forward(is_train=False)[0].asnumpy()


def randomize_batchnorm(model):
    """Moving statistics and affine parameters away from 0 / 1, so they matter."""
    g = torch.Generator().manual_seed(1)
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.copy_(torch.rand(m.running_mean.shape, generator=g) - 0.5)
            m.running_var.copy_(torch.rand(m.running_var.shape, generator=g) + 0.5)
            if m.weight is not None:
                m.weight.data.copy_(torch.rand(m.weight.shape, generator=g) + 0.5)
                m.bias.data.copy_(torch.rand(m.bias.shape, generator=g) - 0.5)


# transformer: its attention reshapes compute with the batch size, so it is exported with the
# batch it runs at (static); the others keep a symbolic batch axis.
ZOO = ["mlp", "lenet", "resnet", "vgg", "mobilenet", "inception", "resnet20", "transformer"]


@pytest.mark.parametrize("name", ZOO)
def test_zoo_twin_matches_pytorch(name, test_images, tmp_path):
    torch.manual_seed(0)
    model, family = torch_zoo.build_net(name)
    torch_zoo.initialize(model, family, "in")
    with torch.no_grad():
        randomize_batchnorm(model)
    model.eval()
    x = test_images
    path = str(tmp_path / (name + ".onnx"))
    dynamic = name != "transformer"
    export(model, x[:1] if dynamic else x, path, dynamic)
    with torch.no_grad():
        want = model(torch.from_numpy(x)).numpy()
    got = mx_forward(path, x)
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4 * np.abs(want).max())


def test_lstm_twin_is_refused_naming_the_op(tmp_path):
    torch.manual_seed(0)
    model, _ = torch_zoo.build_net("lstm")
    model.eval()
    path = str(tmp_path / "lstm.onnx")
    export(model, np.zeros((2, 1, 28, 28), np.float32), path, False)
    with pytest.raises(mx.onnx.UnsupportedError, match=r"LSTM node .*\(opset 13\): the operator is"):
        mx.onnx.import_model(path)


def train_torch_lenet(samples=24000):
    torch.manual_seed(0)
    model, family = torch_zoo.build_net("lenet")
    torch_zoo.initialize(model, family, "in")
    x = load_idx("train-images-idx3-ubyte.gz")[:samples].astype(np.float32) / 255
    y = load_idx("train-labels-idx1-ubyte.gz")[:samples]
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    model.train()
    for i in range(0, samples, 128):
        xb, yb = torch.from_numpy(x[i:i + 128]), torch.from_numpy(y[i:i + 128])
        opt.zero_grad()
        nn.functional.cross_entropy(model(xb), yb).backward()
        opt.step()
    model.eval()
    return model


def accuracy_line(output):
    m = re.search(r"^accuracy ([0-9.]+)$", output, re.M)
    assert m, output
    return float(m.group(1))


@pytest.fixture(scope="module")
def torch_lenet(tmp_path_factory):
    model = train_torch_lenet()
    xte = load_idx("t10k-images-idx3-ubyte.gz").astype(np.float32) / 255
    yte = load_idx("t10k-labels-idx1-ubyte.gz")
    with torch.no_grad():
        pred = model(torch.from_numpy(xte)).argmax(1).numpy()
    path = str(tmp_path_factory.mktemp("lenet") / "torch_lenet.onnx")
    # As users export by default: a fixed batch of 1.
    export(model, xte[:1], path, False)
    return path, float((pred == yte).mean())


def test_pytorch_trained_lenet_gives_pytorchs_accuracy_in_mxinfer(torch_lenet):
    path, torch_accuracy = torch_lenet
    assert torch_accuracy > 0.7
    out = subprocess.run(
        [MXINFER, "--model", path, "--input", DATA + "t10k-images-idx3-ubyte.gz",
         "--labels", DATA + "t10k-labels-idx1-ubyte.gz", "--scale", str(1 / 255),
         "--batch-size", "100", "-o", os.path.join(os.path.dirname(path), "p.csv")],
        capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    # Float rounding may flip a tie or two of 10,000.
    assert abs(accuracy_line(out.stdout) - torch_accuracy) <= 2e-4


CONFIG = """
name: tuned
epochs: 1
seed: 1
data:
  train: {type: MNISTIter, image: %(d)strain-images-idx3-ubyte.gz,
          label: %(d)strain-labels-idx1-ubyte.gz, batch_size: 100, flat: false,
          scale: 0.00392156862745098, num_parts: 30, part_index: 1}
  val: {type: MNISTIter, image: %(d)st10k-images-idx3-ubyte.gz,
        label: %(d)st10k-labels-idx1-ubyte.gz, batch_size: 100, flat: false,
        scale: 0.00392156862745098}
network: {onnx: %(model)s}
optimizer: {type: sgd, learning_rate: 0.01, momentum: 0.9}
"""


def test_mxtrain_fine_tunes_an_onnx_model_and_exports_it(torch_lenet, tmp_path):
    path, torch_accuracy = torch_lenet
    cfg = tmp_path / "tuned.yaml"
    cfg.write_text(CONFIG % {"d": DATA, "model": path})
    run = subprocess.run([MXTRAIN, "--config", str(cfg)], cwd=tmp_path, capture_output=True,
                         text=True)
    assert run.returncode == 0, run.stderr
    # It starts from PyTorch's weights: the first epoch's accuracy is already theirs, or near.
    test = subprocess.run([MXTRAIN, "--config", str(cfg), "test"], cwd=tmp_path,
                          capture_output=True, text=True)
    assert test.returncode == 0, test.stderr
    tuned_accuracy = accuracy_line(test.stdout)
    assert tuned_accuracy > torch_accuracy - 0.02
    out = tmp_path / "tuned.onnx"
    exp = subprocess.run([MXTRAIN, "--config", str(cfg), "export", "--output", str(out)],
                         cwd=tmp_path, capture_output=True, text=True)
    assert exp.returncode == 0, exp.stderr
    onnx.checker.check_model(onnx.load(str(out)))
    inf = subprocess.run(
        [MXINFER, "--model", str(out), "--input", DATA + "t10k-images-idx3-ubyte.gz",
         "--labels", DATA + "t10k-labels-idx1-ubyte.gz", "--scale", str(1 / 255), "-o",
         str(tmp_path / "p.csv")], capture_output=True, text=True)
    assert inf.returncode == 0, inf.stderr
    assert abs(accuracy_line(inf.stdout) - tuned_accuracy) <= 2e-4


def mx_lenet():
    data = mx.sym.Variable("data")
    h = mx.sym.Convolution(data, kernel=(5, 5), num_filter=6, name="conv1")
    h = mx.sym.BatchNorm(h, fix_gamma=True, name="bn1")
    h = mx.sym.Activation(h, act_type="relu", name="relu1")
    h = mx.sym.Pooling(h, kernel=(2, 2), stride=(2, 2), pool_type="max", name="pool1")
    h = mx.sym.Flatten(h, name="flat")
    h = mx.sym.FullyConnected(h, num_hidden=10, name="fc")
    return mx.sym.SoftmaxOutput(h, name="softmax")


def test_export_model_passes_onnx_checker_and_round_trips(tmp_path, test_images):
    sym = mx_lenet()
    arg_shapes, _, aux_shapes = sym.infer_shape(data=(8, 1, 28, 28))
    rng = np.random.RandomState(0)
    params = {}
    for n, s in zip(sym.list_arguments(), arg_shapes):
        if n not in ("data", "softmax_label"):
            params["arg:" + n] = mx.nd.array(rng.uniform(-0.3, 0.3, s))
    for n, s in zip(sym.list_auxiliary_states(), aux_shapes):
        params["aux:" + n] = mx.nd.array(rng.uniform(0.5, 1.5, s))
    path = mx.onnx.export_model(sym, params, [(1, 1, 28, 28)],
                                onnx_file_path=str(tmp_path / "lenet.onnx"))
    model = onnx.load(path)
    onnx.checker.check_model(model, full_check=True)
    assert model.opset_import[0].version == mx.onnx.EXPORT_OPSET
    assert model.graph.input[0].type.tensor_type.shape.dim[0].dim_param == "N"
    meta = mx.onnx.get_model_metadata(path)
    assert meta["input_tensor_data"] == [("data", (-1, 1, 28, 28))]

    x = test_images[:8]
    args = {k[4:]: v for k, v in params.items() if k.startswith("arg:")}
    aux = {k[4:]: v for k, v in params.items() if k.startswith("aux:")}
    args["data"] = mx.nd.array(x)
    args["softmax_label"] = mx.nd.zeros((8,))
    want = sym.bind(mx.cpu(), args, aux_states=aux, grad_req="null").forward()[0].asnumpy()
    got = mx_forward(path, x)
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)


def test_bad_files_raise_mxnet_errors(tmp_path):
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"\x08\x07garbage" * 10)
    with pytest.raises(mx.MXNetError, match="bad.onnx"):
        mx.onnx.import_model(str(bad))
    with pytest.raises(mx.MXNetError, match="export_model: 2 input shape"):
        mx.onnx.export_model(mx_lenet(), {}, [(1, 1, 28, 28), (1,)],
                             onnx_file_path=str(tmp_path / "x.onnx"))
