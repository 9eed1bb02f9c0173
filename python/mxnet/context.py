"""Devices: ``Context('cpu'|'gpu', id)``, ``cpu()``, ``gpu(i)``."""
from ._core import Context


def cpu(device_id=0):
    """The CPU context."""
    return Context("cpu", device_id)


def gpu(device_id=0):
    """GPU ``device_id``; using it without a GPU raises MXNetError at first use."""
    return Context("gpu", device_id)


def current_context():
    """The default context of array creation: the CPU."""
    return cpu()


__all__ = ["Context", "cpu", "gpu", "current_context"]
