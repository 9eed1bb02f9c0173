"""``mx.nd`` (``mx.narray`` in MXNet's first guide): arrays on devices, computed by the engine.
Every registered operator is a function here too (``mx.nd.sum(x, axis=1)``,
``mx.nd.transpose(x)``): positional arrays are its inputs, further positional values its
parameters in order, ``out=`` writes into given arrays."""
import numpy as _np

from ._core import (NDArray, empty, zeros, ones, full, array, waitall, save, load,
                    choose_element_0index, fill_element_0index, onehot_encode)
from ._core import _invoke
from ._core import random as _random
from ._core.symbol import list_ops as _list_ops, op_doc as _op_doc
from ._core import MXNetError
from ._op_functions import (METHODS, add_op_functions, add_op_methods, internal_module,
                            two_operands)


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


add_op_functions(globals(), _list_ops(), _invoke, _op_doc)
_internal = internal_module(__name__ + "._internal", globals())


def concatenate(arrays, axis=0, always_copy=True):
    """The arrays joined along ``axis`` (their other extents equal), as
    ``numpy.concatenate``; one array is returned itself unless ``always_copy``."""
    arrays = list(arrays)
    if not arrays:
        raise MXNetError("concatenate: expected at least one NDArray")
    if len(arrays) == 1 and not always_copy:
        return arrays[0]
    return _invoke("Concat", *arrays, num_args=len(arrays), dim=axis)


def moveaxis(tensor, source, destination):
    """``tensor`` with axis ``source`` moved to position ``destination`` (the others keep
    their order), as ``numpy.moveaxis``."""
    axes = list(range(tensor.ndim))
    try:
        source = axes[source]
        destination = axes[destination]
    except (IndexError, TypeError):
        raise MXNetError("moveaxis: source %r and destination %r must be axes of the %d-d array"
                         % (source, destination, tensor.ndim)) from None
    axes.remove(source)
    axes.insert(destination, source)
    return _invoke("transpose", tensor, axes=tuple(axes))


def _binary(broadcast_op, scalar_op, rscalar_op=None):
    return two_operands(NDArray, "an NDArray", _invoke, broadcast_op, scalar_op, rscalar_op)


# NumPy-style functions of two operands (arrays broadcast; numbers allowed).
maximum = _binary("broadcast_maximum", "_maximum_scalar")
minimum = _binary("broadcast_minimum", "_minimum_scalar")
power = _binary("broadcast_power", "_power_scalar", "_rpower_scalar")
equal = _binary("broadcast_equal", "_equal_scalar")
not_equal = _binary("broadcast_not_equal", "_not_equal_scalar")
greater = _binary("broadcast_greater", "_greater_scalar", "_lesser_scalar")
greater_equal = _binary("broadcast_greater_equal", "_greater_equal_scalar",
                        "_lesser_equal_scalar")
lesser = _binary("broadcast_lesser", "_lesser_scalar", "_greater_scalar")
lesser_equal = _binary("broadcast_lesser_equal", "_lesser_equal_scalar",
                       "_greater_equal_scalar")
modulo = _binary("broadcast_mod", "_mod_scalar")


def _compare(op):
    def apply(self, other):
        return op(self, other)
    return apply


NDArray.__eq__ = _compare(equal)
NDArray.__ne__ = _compare(not_equal)
NDArray.__gt__ = _compare(greater)
NDArray.__ge__ = _compare(greater_equal)
NDArray.__lt__ = _compare(lesser)
NDArray.__le__ = _compare(lesser_equal)
NDArray.__hash__ = object.__hash__
NDArray.__pow__ = lambda self, other: power(self, other)
NDArray.__rpow__ = lambda self, other: power(other, self)
NDArray.__mod__ = lambda self, other: modulo(self, other)
NDArray.__abs__ = lambda self: _invoke("abs", self)


# Array methods of MXNet 1.x (x.sum(axis=1), x.transpose(), x.exp(), ...).
add_op_methods(NDArray, METHODS, _invoke, _op_doc)
NDArray.clip = lambda self, a_min, a_max: clip(self, a_min, a_max)
NDArray.T = property(lambda self: _invoke("transpose", self))


def _sampler(op, first, second, draw):
    """mx.nd.random.<name>(first, second, shape, ctx, out, dtype): float32 draws from the array
    functions, other types from the sampling op (the same numbers for one seed)."""
    def sample(a=first[1], b=second[1], shape=1, ctx=None, out=None, dtype=None):
        if dtype is not None and _np.dtype(dtype) != _np.float32:
            shape = (shape,) if isinstance(shape, int) else shape
            return _invoke(op, shape=shape, dtype=_np.dtype(dtype).name, ctx=ctx, out=out,
                           **{first[0]: a, second[0]: b})
        return draw(a, b, shape, ctx, out)
    return staticmethod(sample)


class _RandomNamespace:
    """``mx.nd.random``: ``uniform(low, high, ...)`` / ``normal(loc, scale, ...)`` arrays and
    ``seed``."""
    seed = staticmethod(_random.seed)
    uniform = _sampler("_random_uniform", ("low", 0.0), ("high", 1.0), _random.uniform)
    normal = _sampler("_random_normal", ("loc", 0.0), ("scale", 1.0), _random.normal)


random = _RandomNamespace()

__all__ = ["NDArray", "arange", "create", "empty", "zeros", "ones", "full", "array", "waitall", "dot",
           "save", "load", "choose_element_0index", "fill_element_0index", "onehot_encode",
           "clip", "maximum", "minimum", "power", "equal", "not_equal", "greater",
           "greater_equal", "lesser", "lesser_equal", "modulo", "random", "concatenate",
           "moveaxis"]
