"""Devices: ``Context('cpu'|'gpu', id)``, ``cpu()``, ``gpu(i)``; ``with ctx:`` makes ``ctx`` the
default of array creation inside the block."""
import threading

from . import _core
from ._core import Context

_local = threading.local()  # each thread's stack of `with` contexts


def _stack():
    if not hasattr(_local, "stack"):
        _local.stack = []
    return _local.stack


def _enter(self):
    _stack().append(self)
    return self


def _exit(self, *exc):
    _stack().pop()


Context.__enter__ = _enter
Context.__exit__ = _exit
# MXNet's class attribute: the default of array creation outside any `with ctx:` block
# (assignable, as MXNet 0.x scripts do: mx.Context.default_ctx = mx.gpu()).
Context.default_ctx = Context("cpu", 0)


def cpu(device_id=0):
    """The CPU context."""
    return Context("cpu", device_id)


def gpu(device_id=0):
    """GPU ``device_id``; using it without a GPU raises MXNetError at first use."""
    return Context("gpu", device_id)


def num_gpus():
    """How many GPUs this process can use: 0 in builds without CUDA or on machines without a GPU."""
    return _core.num_gpus()


def current_context():
    """The default context of array creation: the innermost ``with`` context, else
    ``Context.default_ctx`` (the CPU)."""
    stack = _stack()
    return stack[-1] if stack else Context.default_ctx


__all__ = ["Context", "cpu", "gpu", "num_gpus", "current_context"]
