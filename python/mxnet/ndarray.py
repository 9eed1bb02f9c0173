"""``mx.nd`` (``mx.narray`` in MXNet's first guide): arrays on devices, computed by the engine."""
from ._core import NDArray, empty, zeros, ones, full, array, waitall, dot, save, load


def create(shape, ctx=None, dtype=None):
    """An uninitialized array (the guide's ``mx.narray.create``)."""
    return empty(shape, ctx, dtype)


__all__ = ["NDArray", "create", "empty", "zeros", "ones", "full", "array", "waitall", "dot",
           "save", "load"]
