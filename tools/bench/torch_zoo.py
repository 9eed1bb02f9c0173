#!/usr/bin/python3
"""PyTorch twins of mx's model zoo (configs/fashion_*.yaml), trained and timed as the anchor does.

  /usr/bin/python3 tools/bench/torch_zoo.py --net NET --epochs N [--batch 128] [--threads 2] [--parts 1]
  /usr/bin/python3 tools/bench/torch_zoo.py --net NET --infer [--batch 128] [--threads 2]

NET: mlp, lenet (the anchor's, ../shared/bench/torch_fmnist.py), resnet (configs/fashion_resnet.yaml),
vgg, mobilenet, inception, resnet20, transformer, lstm (configs/fashion_<NET>.yaml). Each twin has the config's layers,
shapes and parameters (BatchNorm with eps 1e-3 and learnable gamma where the config says fix_gamma: false;
MXNet's default fix_gamma: true is gamma frozen at 1), the config's initializer (msra: normal with
variance 2 / fan, the fan being --msra-factor as MXNet's factor_type: in, out or their average; xavier:
Glorot uniform), zero biases.

The loop is the anchor's: SGD lr 0.1 (or --lr), momentum 0.9 (or --optimizer adam), weight decay 1e-4, batch 128, reshuffle
every epoch, the last partial batch dropped, seed 0; samples/s covers the training loop only (the
host-side gather of the shuffled batch, forward, backward, step) and the final JSON line reports the
median over the epochs after the first. --parts N trains on the first 1/N of the training set (as
mxtrain's `data.train.num_parts: N, part_index: 0`) to shorten a run; the test set is whole.
"""
import argparse
import gzip
import json
import os
import resource
import struct
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

DATA = "/usr/share/datasets/fashion-mnist/"


def load_idx(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    magic, n = struct.unpack(">II", raw[:8])
    if magic == 2051:
        rows, cols = struct.unpack(">II", raw[8:16])
        return np.frombuffer(raw, np.uint8, offset=16).reshape(n, 1, rows, cols)
    if magic == 2049:
        return np.frombuffer(raw, np.uint8, offset=8)
    raise ValueError(f"{path}: unknown IDX magic {magic}")


def load_fmnist(parts):
    def imgs(name):
        return torch.from_numpy(load_idx(DATA + name).astype(np.float32) / np.float32(255.0))

    def labels(name):
        return torch.from_numpy(load_idx(DATA + name).astype(np.int64))

    xtr, ytr = imgs("train-images-idx3-ubyte.gz"), labels("train-labels-idx1-ubyte.gz")
    n = len(xtr) // parts
    return (xtr[:n].contiguous(), ytr[:n].contiguous(),
            imgs("t10k-images-idx3-ubyte.gz"), labels("t10k-labels-idx1-ubyte.gz"))


def bn(c, learn_gamma):
    """mx's BatchNorm: eps 1e-3, moving averages with momentum 0.9 (PyTorch's 0.1)."""
    b = nn.BatchNorm2d(c, eps=1e-3, momentum=0.1)
    if not learn_gamma:
        b.weight.requires_grad_(False)
    return b


def conv_bn_relu(cin, cout, k=3, stride=1, pad=None, groups=1, learn_gamma=True):
    pad = k // 2 if pad is None else pad
    return [nn.Conv2d(cin, cout, k, stride, pad, groups=groups, bias=False), bn(cout, learn_gamma),
            nn.ReLU(inplace=True)]


class Residual(nn.Module):
    """conv-BN-ReLU-conv-BN plus the shortcut (identity, or 1x1 conv + BN when it changes shape), ReLU."""

    def __init__(self, cin, cout, stride, learn_gamma):
        super().__init__()
        self.body = nn.Sequential(*conv_bn_relu(cin, cout, 3, stride, learn_gamma=learn_gamma),
                                  nn.Conv2d(cout, cout, 3, 1, 1, bias=False), bn(cout, learn_gamma))
        self.proj = None
        if stride != 1 or cin != cout:
            self.proj = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, 0, bias=False), bn(cout, learn_gamma))

    def forward(self, x):
        return F.relu(self.body(x) + (x if self.proj is None else self.proj(x)))


class Inception(nn.Module):
    """Branches 1x1 | 1x1-3x3 | 1x1-5x5 | maxpool 3x3-1x1, each conv with BN + ReLU, concatenated."""

    def __init__(self, cin, c1, c3r, c3, c5r, c5, cp):
        super().__init__()
        self.b1 = nn.Sequential(*conv_bn_relu(cin, c1, 1))
        self.b3 = nn.Sequential(*conv_bn_relu(cin, c3r, 1), *conv_bn_relu(c3r, c3, 3))
        self.b5 = nn.Sequential(*conv_bn_relu(cin, c5r, 1), *conv_bn_relu(c5r, c5, 5))
        self.bp = nn.Sequential(nn.MaxPool2d(3, 1, 1), *conv_bn_relu(cin, cp, 1))

    def forward(self, x):
        return torch.cat([self.b1(x), self.b3(x), self.b5(x), self.bp(x)], 1)


class Encoder(nn.Module):
    """configs/fashion_transformer.yaml's pre-norm encoder layer: 4-head self-attention and a ReLU
    MLP, each added to its input."""

    def __init__(self, d=64, heads=4, hidden=128):
        super().__init__()
        self.heads = heads
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.q, self.k, self.v, self.out = (nn.Linear(d, d) for _ in range(4))
        self.fc1, self.fc2 = nn.Linear(d, hidden), nn.Linear(hidden, d)

    def forward(self, x):
        n, t, d = x.shape
        h = self.ln1(x)
        split = lambda y: y.view(n, t, self.heads, d // self.heads).transpose(1, 2)
        q, k, v = split(self.q(h)), split(self.k(h)), split(self.v(h))
        w = torch.softmax(q @ k.transpose(-1, -2) / (d // self.heads) ** 0.5, dim=-1)
        x = x + self.out((w @ v).transpose(1, 2).reshape(n, t, d))
        return x + self.fc2(F.relu(self.fc1(self.ln2(x))))


class Transformer(nn.Module):
    """configs/fashion_transformer.yaml: rows as tokens, a projection plus learned positions, two
    encoder layers, LayerNorm, the mean over tokens, a classifier."""

    def __init__(self, d=64):
        super().__init__()
        self.embed = nn.Linear(28, d)
        self.pos = nn.Parameter(torch.randn(28, d) * 0.02)
        self.layers = nn.Sequential(Encoder(d), Encoder(d))
        self.ln = nn.LayerNorm(d)
        self.fc = nn.Linear(d, 10)

    def forward(self, x):
        x = self.layers(self.embed(x.view(-1, 28, 28)) + self.pos)
        return self.fc(self.ln(x).mean(1))


class RowLSTM(nn.Module):
    """configs/fashion_lstm.yaml: an LSTM of 128 units over the 28 rows, the last h classified."""

    def __init__(self, hidden=128):
        super().__init__()
        self.lstm = nn.LSTM(28, hidden, batch_first=True)
        self.fc = nn.Linear(hidden, 10)

    def forward(self, x):
        out, _ = self.lstm(x.view(-1, 28, 28))
        return self.fc(out[:, -1])


def head(c):
    return [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(c, 10)]


def build_net(name):
    """(module, initializer family) of configs/fashion_<name>.yaml."""
    if name == "mlp":
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(),
                             nn.Linear(64, 10)), "xavier"
    if name == "lenet":
        return nn.Sequential(nn.Conv2d(1, 20, 5), nn.Tanh(), nn.MaxPool2d(2, 2), nn.Conv2d(20, 50, 5), nn.Tanh(),
                             nn.MaxPool2d(2, 2), nn.Flatten(), nn.Linear(800, 500), nn.Tanh(),
                             nn.Linear(500, 10)), "xavier"
    if name == "resnet":  # MXNet's default fix_gamma: true
        return nn.Sequential(*conv_bn_relu(1, 16, learn_gamma=False), Residual(16, 16, 1, False),
                             nn.MaxPool2d(2, 2), *conv_bn_relu(16, 32, learn_gamma=False),
                             Residual(32, 32, 1, False), *head(32)), "msra"
    if name == "vgg":
        layers, cin = [], 1
        for stage in (32, 64):
            for _ in range(2):
                layers += [nn.Conv2d(cin, stage, 3, 1, 1), nn.ReLU(inplace=True)]
                cin = stage
            layers.append(nn.MaxPool2d(2, 2))
        return nn.Sequential(*layers, nn.Flatten(), nn.Linear(64 * 7 * 7, 256), nn.ReLU(inplace=True),
                             nn.Dropout(0.5), nn.Linear(256, 10)), "msra"
    if name == "mobilenet":
        layers = conv_bn_relu(1, 32)
        for cin, cout, stride in ((32, 64, 1), (64, 128, 2), (128, 128, 1), (128, 256, 2), (256, 256, 1)):
            layers += conv_bn_relu(cin, cin, 3, stride, groups=cin) + conv_bn_relu(cin, cout, 1)
        return nn.Sequential(*layers, *head(256)), "msra"
    if name == "inception":
        return nn.Sequential(*conv_bn_relu(1, 32), nn.MaxPool2d(2, 2), Inception(32, 16, 16, 24, 8, 8, 16),
                             nn.MaxPool2d(2, 2), Inception(64, 32, 32, 48, 8, 16, 32), *head(128)), "msra"
    if name == "resnet20":
        layers = conv_bn_relu(1, 16)
        cin = 16
        for stage, c in enumerate((16, 32, 64)):
            for i in range(3):
                layers.append(Residual(cin, c, 2 if stage and i == 0 else 1, True))
                cin = c
        return nn.Sequential(*layers, *head(64)), "msra"
    if name == "transformer":
        return Transformer(), "xavier"
    if name == "lstm":
        return RowLSTM(), "xavier"
    raise SystemExit(f"unknown --net {name}")


def initialize(m, family, msra_factor):
    for mod in m.modules():
        if isinstance(mod, nn.LSTM):  # as mx's FullyConnected i2h / h2h: weights, zero biases
            for pname, p in mod.named_parameters():
                (nn.init.xavier_uniform_ if pname.startswith("weight") else nn.init.zeros_)(p)
        if isinstance(mod, (nn.Linear, nn.Conv2d)):
            if family == "xavier":
                nn.init.xavier_uniform_(mod.weight)
            else:  # MXNet's MSRAPrelu: variance magnitude 2 over the fan of factor_type
                fan_in, fan_out = nn.init._calculate_fan_in_and_fan_out(mod.weight)
                fan = {"in": fan_in, "out": fan_out, "avg": (fan_in + fan_out) / 2}[msra_factor]
                nn.init.normal_(mod.weight, 0.0, (2.0 / fan) ** 0.5)
            if mod.bias is not None:
                nn.init.zeros_(mod.bias)


def test_accuracy(m, xte, yte, bs=1000):
    m.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(xte), bs):
            correct += (m(xte[i:i + bs]).argmax(1) == yte[i:i + bs]).sum().item()
    return correct / len(xte)


def peak_rss_mib():
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def run_infer(a, m, xte):
    m.eval()
    out = {"net": a.net, "mode": "infer"}
    with torch.inference_mode():
        for bs, n in ((1, 2000), (a.batch, 10000)):
            nb = n // bs
            for i in range(min(nb, 20)):
                m(xte[i * bs:(i + 1) * bs])
            lat = []
            t0 = time.perf_counter()
            for i in range(nb):
                t = time.perf_counter()
                m(xte[i * bs:(i + 1) * bs])
                lat.append(time.perf_counter() - t)
            dt = time.perf_counter() - t0
            out[f"b{bs}"] = {"samples_per_sec": round(nb * bs / dt, 1),
                             "latency_ms_median": round(float(np.median(lat)) * 1e3, 4)}
    out["peak_rss_mib"] = peak_rss_mib()
    print(json.dumps(out), flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--net", default="mlp")
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--lr", type=float, default=0.1)
    ap.add_argument("--optimizer", choices=("sgd", "adam"), default="sgd",
                    help="the config's optimizer.type (sgd: momentum 0.9; both: weight decay 1e-4)")
    ap.add_argument("--msra-factor", choices=("in", "out", "avg"), default="avg",
                    help="the config's initializer.factor_type for msra (MXNet's default: avg)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--parts", type=int, default=1)
    ap.add_argument("--infer", action="store_true")
    a = ap.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    np.random.seed(a.seed)
    xtr, ytr, xte, yte = load_fmnist(a.parts)
    m, family = build_net(a.net)
    initialize(m, family, a.msra_factor)
    if a.infer:
        run_infer(a, m, xte)
        return
    params = [p for p in m.parameters() if p.requires_grad]
    opt = (torch.optim.Adam(params, lr=a.lr, weight_decay=1e-4) if a.optimizer == "adam" else
           torch.optim.SGD(params, lr=a.lr, momentum=0.9, weight_decay=1e-4))
    nb = len(xtr) // a.batch
    speeds, acc = [], 0.0
    for ep in range(a.epochs):
        m.train()
        perm = torch.randperm(len(xtr))
        t = time.perf_counter()
        for b in range(nb):
            ix = perm[b * a.batch:(b + 1) * a.batch]
            x, y = xtr[ix], ytr[ix]
            opt.zero_grad(set_to_none=True)
            loss = F.cross_entropy(m(x), y)
            loss.backward()
            opt.step()
        sps = nb * a.batch / (time.perf_counter() - t)
        speeds.append(sps)
        acc = test_accuracy(m, xte, yte)
        print(f"epoch {ep} samples/s {sps:.0f} test_acc {acc:.4f} loss {loss.item():.4f}", flush=True)
    rest = speeds[1:] if len(speeds) > 1 else speeds
    print(json.dumps({"net": a.net, "epochs": a.epochs, "samples_per_sec": round(float(np.median(rest)), 1),
                      "test_acc": acc, "peak_rss_mib": peak_rss_mib(), "torch": torch.__version__,
                      "env": {k: os.environ[k] for k in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")
                              if k in os.environ}}), flush=True)


if __name__ == "__main__":
    main()
