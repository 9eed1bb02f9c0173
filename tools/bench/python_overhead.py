#!/usr/bin/env python3
"""Per-call overhead of `c = a + b` on small arrays from Python: mx.nd against NumPy and PyTorch,
in the same run (the machine is noisy: compare ratios). mx pushes each addition to its engine (a
small one whose inputs are ready runs at once in the calling thread: Note [Light functions]); the
loop ends with mx.nd.waitall(), so the figure includes the work, not only the push.

    bash tools/python.sh tools/bench/python_overhead.py [--size 16] [--seconds 1]
"""
import argparse
import time

import numpy as np


def per_call(step, finish, seconds):
    """Best of 3 rounds: microseconds per call of step(), finish() closing each round."""
    best = float("inf")
    for _ in range(3):
        n = 0
        start = time.perf_counter()
        while True:
            for _ in range(1000):
                step()
            n += 1000
            finish()
            elapsed = time.perf_counter() - start
            if elapsed >= seconds / 3:
                break
        best = min(best, elapsed / n * 1e6)
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=16, help="elements per array")
    parser.add_argument("--seconds", type=float, default=1.0, help="time per library")
    args = parser.parse_args()
    results = {}

    import mxnet as mx
    a, b = mx.nd.ones((args.size,)), mx.nd.ones((args.size,))
    results["mx.nd"] = per_call(lambda: a + b, mx.nd.waitall, args.seconds)

    x, y = np.ones(args.size, np.float32), np.ones(args.size, np.float32)
    results["numpy"] = per_call(lambda: x + y, lambda: None, args.seconds)
    try:
        import torch
        torch.set_num_threads(1)
        tx, ty = torch.ones(args.size), torch.ones(args.size)
        results["torch"] = per_call(lambda: tx + ty, lambda: None, args.seconds)
    except ImportError:
        print("torch: not installed (apt-get install python3-torch)")

    base = results["numpy"]
    for name, us in results.items():
        print(f"{name:8s} {us:8.2f} us per call  {1e6 / us:12,.0f} calls/s  {us / base:5.2f}x NumPy")


if __name__ == "__main__":
    main()
