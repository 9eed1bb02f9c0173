"""``mx.nd`` (``mx.narray`` in MXNet's first guide): arrays on devices, computed by the engine."""
import numpy as _np

from ._core import (NDArray, empty, zeros, ones, full, array, waitall, dot, save, load,
                    choose_element_0index, fill_element_0index, onehot_encode, clip)


def arange(start, stop=None, step=1.0, repeat=1, ctx=None, dtype=None):
    """Evenly spaced values in [start, stop) (as ``numpy.arange``), each repeated ``repeat``
    times; float32 by default."""
    values = _np.arange(start, stop, step, dtype=_np.float64)
    if repeat > 1:
        values = _np.repeat(values, repeat)
    return array(values, ctx=ctx, dtype=dtype or _np.float32)


def create(shape, ctx=None, dtype=None):
    """An uninitialized array (the guide's ``mx.narray.create``)."""
    return empty(shape, ctx, dtype)


__all__ = ["NDArray", "arange", "create", "empty", "zeros", "ones", "full", "array", "waitall", "dot",
           "save", "load", "choose_element_0index", "fill_element_0index", "onehot_encode",
           "clip"]
