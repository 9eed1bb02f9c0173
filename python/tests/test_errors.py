"""Every function, method and constructor of the C++ core answers arguments of the wrong type
with mx.MXNetError naming it, never with pybind11's TypeError or cast error
(python/mxnet/_errors.py); other exceptions and the arithmetic protocol are unchanged."""
import pickle
import types

import numpy as np
import pytest

import mxnet as mx
from mxnet import _core, _errors


class Odd:
    """A type no bound function accepts."""


def _bound_callables():
    """(qualified name, callable, is_method) of everything _errors.wrap_core wrapped."""
    found = []

    def walk(module, prefix):
        for name, obj in vars(module).items():
            if isinstance(obj, types.ModuleType) and obj.__name__.startswith("mxnet._core"):
                walk(obj, prefix + name + ".")
            elif isinstance(obj, type) and not issubclass(obj, BaseException):
                for attr, fn in vars(obj).items():
                    if getattr(fn, "_mx_wrapped", False):
                        found.append((prefix + name + "." + attr, fn, True))
            elif getattr(obj, "_mx_wrapped", False):
                found.append((prefix + name, obj, False))

    walk(_core, "")
    return found


def test_every_bound_function_is_wrapped():
    wrapped = _bound_callables()
    names = {n for n, _, _ in wrapped}
    assert len(wrapped) > 120
    for expected in ("choose_element_0index", "NDArray.reshape", "NDArray.__getitem__",
                     "symbol.Symbol.infer_shape", "Executor.forward", "train.KVStore.push",
                     "recordio.Writer.__init__"):
        assert expected in names, expected
    # Nothing of pybind11's type is left unwrapped on the core's classes but the binary
    # operators (bound with is_operator: NotImplemented for other types).
    for cls in (mx.nd.NDArray, mx.sym.Symbol, mx.Context):
        for name, fn in vars(cls).items():
            if type(fn).__name__ == "instancemethod":
                assert _errors._is_operator(name), (cls.__name__, name)


def test_wrong_types_everywhere_raise_mxnet_error():
    """Calls every bound function with odd arguments, and every method of live NDArray,
    Symbol and Context objects with one odd argument: each returns or raises MXNetError."""
    problems = []

    def probe(name, fn, *args):
        try:
            fn(*args)
        except mx.MXNetError:
            pass
        except Exception as e:  # pylint: disable=broad-except
            problems.append("%s: %s: %s" % (name, type(e).__name__, e))

    for name, fn, is_method in _bound_callables():
        if not is_method:
            probe(name, fn, Odd())
            probe(name, fn, Odd(), Odd())
    live = [mx.nd.ones((2, 2)), mx.sym.Variable("x") + 1, mx.cpu(), mx.nd.ones((3,)).context]
    for obj in live:
        for name in dir(type(obj)):
            fn = getattr(type(obj), name)
            if getattr(fn, "_mx_wrapped", False) and name not in ("__init__", "__setstate__"):
                probe(type(obj).__name__ + "." + name, fn, obj, Odd())
    # The unwrapped binary operators answer NotImplemented.
    for obj in live:
        for name in dir(type(obj)):
            if _errors._is_operator(name):
                try:
                    result = getattr(type(obj), name)(obj, Odd())
                    if result is not NotImplemented:
                        problems.append("%s.%s returned %r" % (type(obj).__name__, name, result))
                except mx.MXNetError:
                    pass
                except Exception as e:  # pylint: disable=broad-except
                    problems.append("%s.%s: %s: %s" % (type(obj).__name__, name,
                                                       type(e).__name__, e))
    assert not problems, "\n".join(problems)


def test_messages_name_the_function_and_the_types():
    with pytest.raises(mx.MXNetError, match=r"choose_element_0index\(\): incompatible function "
                       r"arguments(.|\n)*Invoked with: 1, 2"):
        mx.nd.choose_element_0index(1, 2)
    with pytest.raises(mx.MXNetError, match=r"NDArray.reshape\(\): argument of the wrong type: "
                       r"Unable to cast Python instance of type <class 'str'>"):
        mx.nd.ones((2, 2)).reshape("a")
    with pytest.raises(mx.MXNetError, match=r"Context.__init__\(\): incompatible constructor"):
        mx.Context(Odd())
    with pytest.raises(mx.MXNetError, match=r"zeros\(\): 'Odd' object is not iterable"):
        mx.nd.zeros(Odd())


def test_other_behaviour_is_unchanged():
    a = mx.nd.array(np.arange(6).reshape(2, 3))
    # The arithmetic protocol: NotImplemented, then Python's own TypeError.
    with pytest.raises(TypeError):
        a + "text"  # pylint: disable=pointless-statement
    assert (a + 1).asnumpy().sum() == 21
    assert pickle.loads(pickle.dumps(a)).asnumpy().tolist() == a.asnumpy().tolist()
    # mx.Error is still MXNetError, and the signature documentation is kept.
    with pytest.raises(mx.MXNetError, match="shape"):
        mx.nd.ones((2, 3)) + mx.nd.ones((4, 5))
    assert "reshape(self" in mx.nd.NDArray.reshape.__doc__
