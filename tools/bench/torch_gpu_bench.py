#!/usr/bin/env python3
"""PyTorch on the GPU, the twin of gpu_train_bench: the same networks (ResNet-18/50 v1 on
ImageNet shapes, the Fashion-MNIST MLP and LeNet), synthetic data, forward + backward + SGD
momentum per step. Prints one JSON line: images/s (median of 5-step windows) and peak GPU memory
(torch.cuda.max_memory_allocated). No torchvision needed.

  python3 torch_gpu_bench.py --net resnet50 --batch 64 [--steps 30] [--warmup 5] [--tf32]

TF32 is off unless --tf32 (mx: MX_TF32=1), so both run exact float32 math by default.
"""
import argparse
import json
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def conv_bn(cin, cout, k, stride, relu):
    layers = [nn.Conv2d(cin, cout, k, stride, k // 2, bias=False), nn.BatchNorm2d(cout, eps=1e-5)]
    if relu:
        layers.append(nn.ReLU(inplace=True))
    return nn.Sequential(*layers)


class Unit(nn.Module):
    def __init__(self, cin, filters, stride, bottleneck):
        super().__init__()
        cout = filters * 4 if bottleneck else filters
        if bottleneck:
            self.body = nn.Sequential(conv_bn(cin, filters, 1, 1, True),
                                      conv_bn(filters, filters, 3, stride, True),
                                      conv_bn(filters, cout, 1, 1, False))
        else:
            self.body = nn.Sequential(conv_bn(cin, filters, 3, stride, True),
                                      conv_bn(filters, filters, 3, 1, False))
        self.shortcut = (conv_bn(cin, cout, 1, stride, False)
                         if stride != 1 or cin != cout else nn.Identity())

    def forward(self, x):
        return F.relu(self.body(x) + self.shortcut(x))


def resnet(depth):
    bottleneck = depth >= 50
    units = [2, 2, 2, 2] if depth == 18 else [3, 4, 6, 3]
    layers = [conv_bn(3, 64, 7, 2, True), nn.MaxPool2d(3, 2, 1)]
    cin = 64
    for stage, n in enumerate(units):
        filters = 64 << stage
        for u in range(n):
            layers.append(Unit(cin, filters, 2 if (u == 0 and stage > 0) else 1, bottleneck))
            cin = filters * 4 if bottleneck else filters
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(cin, 1000)]
    return nn.Sequential(*layers)


def mlp():
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(),
                         nn.Linear(64, 10))


def lenet():
    return nn.Sequential(nn.Conv2d(1, 20, 5), nn.Tanh(), nn.MaxPool2d(2, 2), nn.Conv2d(20, 50, 5),
                         nn.Tanh(), nn.MaxPool2d(2, 2), nn.Flatten(), nn.Linear(800, 500), nn.Tanh(),
                         nn.Linear(500, 10))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--net", default="resnet50", choices=["resnet18", "resnet50", "mlp", "lenet"])
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--tf32", action="store_true")
    ap.add_argument("--profile", type=int, default=0,
                    help="then profile this many steps: GPU time per kernel to stderr")
    a = ap.parse_args()
    torch.backends.cuda.matmul.allow_tf32 = a.tf32
    torch.backends.cudnn.allow_tf32 = a.tf32
    torch.backends.cudnn.benchmark = False
    dev = torch.device("cuda:0")
    if a.net.startswith("resnet"):
        net, shape, classes = resnet(int(a.net[6:])), (a.batch, 3, 224, 224), 1000
    else:
        net, shape, classes = (mlp() if a.net == "mlp" else lenet()), (a.batch, 1, 28, 28), 10
    net = net.to(dev)
    opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9, weight_decay=1e-4)
    x = torch.rand(shape, device=dev)
    y = torch.randint(0, classes, (a.batch,), device=dev)
    torch.cuda.reset_peak_memory_stats(dev)

    def step():
        opt.zero_grad(set_to_none=True)
        F.cross_entropy(net(x), y).backward()
        opt.step()

    for _ in range(a.warmup):
        step()
    torch.cuda.synchronize(dev)
    rates, done = [], 0
    while done < a.steps:
        n = min(5, a.steps - done)
        t0 = time.perf_counter()
        for _ in range(n):
            step()
        torch.cuda.synchronize(dev)
        rates.append(n * a.batch / (time.perf_counter() - t0))
        done += n
    if a.profile:
        from torch.profiler import ProfilerActivity, profile
        with profile(activities=[ProfilerActivity.CUDA]) as prof:
            for _ in range(a.profile):
                step()
            torch.cuda.synchronize(dev)
        for key in ("device_time_total", "cuda_time_total"):
            try:
                print(prof.key_averages().table(sort_by=key, row_limit=30), file=sys.stderr)
                break
            except Exception as e:  # the key's name changed across releases
                print("profile table by %s: %s" % (key, e), file=sys.stderr)
    print(json.dumps({"framework": "torch", "net": a.net, "batch": a.batch,
                      "images_per_second": round(statistics.median(rates), 1),
                      "peak_gpu_mib": round(torch.cuda.max_memory_allocated(dev) / 2**20, 1)}))


if __name__ == "__main__":
    main()
