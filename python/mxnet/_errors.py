"""Arguments of the wrong type to any function or method of the C++ core raise MXNetError.

pybind11 reports a call whose arguments match none of a bound function's signatures as a plain
TypeError ("incompatible function arguments") before any of our code runs, so no exception
translator sees it. ``wrap_core`` puts a thin wrapper around every function, method, constructor
and property of the ``_core`` extension module that turns exactly that error into MXNetError
(with pybind11's list of the accepted signatures and what was passed); a TypeError raised inside
(Python's, for an argument that is not iterable or not a number) becomes MXNetError naming the
function, and so does a value of the wrong type met inside (pybind11's cast_error, translated in
python/src/module.cc). Every other exception passes through unchanged (StopIteration,
IndexError, KeyError, ...), as does NotImplemented from the arithmetic operators.
"""
import functools
import types

from ._core import MXNetError

_PYBIND11_MISMATCH = ("incompatible function arguments", "incompatible constructor arguments")
_WRONG_TYPE = "argument of the wrong type: "  # python/src/module.cc


# Binary operators answer an operand of another type with NotImplemented, so that Python tries
# the reflected operator and then raises its own TypeError (as for NumPy arrays). The core binds
# them with pybind11's is_operator, which does that itself: they stay unwrapped, at full speed
# (python/tests/test_errors.py checks that none raises pybind11's TypeError).
_OPERATORS = {"__%s__" % op for base in (
    "add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "matmul", "and", "or", "xor",
    "lshift", "rshift") for op in (base, "r" + base, "i" + base)} | {
        "__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__"}


def _wrap(fn, qualname):
    """``fn`` with pybind11's argument-mismatch TypeError raised as MXNetError."""
    short = qualname.rsplit(".", 1)[-1]

    @functools.wraps(fn)
    def call(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except TypeError as e:
            message = str(e)
            if not any(m in message for m in _PYBIND11_MISMATCH):
                # Python's own TypeError met inside (an argument that is not iterable, not a
                # number, ...; or raised by a Python callback, kept as the cause).
                raise MXNetError(qualname + "(): " + message) from e
            if message.startswith(short + "()"):
                message = qualname + message[len(short):]
            raise MXNetError(message) from None
        except MXNetError as e:
            # A value of the wrong type met inside the function (python/src/module.cc).
            message = str(e)
            if not message.startswith(_WRONG_TYPE):
                raise
            raise MXNetError(qualname + "(): " + message) from None

    call._mx_wrapped = True
    return call


def _is_bound(obj):
    return isinstance(obj, types.BuiltinFunctionType) and not getattr(obj, "_mx_wrapped", False)


def _is_operator(name):
    return name in _OPERATORS


def _wrap_class(cls, prefix):
    for name, attr in list(vars(cls).items()):
        if name.startswith("_pybind11") or name in ("__new__", "__class__"):
            continue
        qualname = prefix + cls.__name__ + "." + name
        kind = type(attr).__name__
        if kind == "instancemethod" and not _is_operator(name):  # methods, constructors
            setattr(cls, name, _wrap(attr.__func__, qualname))
        elif isinstance(attr, staticmethod) and _is_bound(attr.__func__):
            setattr(cls, name, staticmethod(_wrap(attr.__func__, qualname)))
        elif isinstance(attr, property) and type(attr) is property:
            fget = _wrap(attr.fget, qualname) if _is_bound(attr.fget) else attr.fget
            fset = _wrap(attr.fset, qualname) if _is_bound(attr.fset) else attr.fset
            setattr(cls, name, property(fget, fset, attr.fdel, attr.__doc__))


def wrap_core(module, prefix=""):
    """Wraps every bound function and class of ``module`` and its submodules, in place."""
    for name, obj in list(vars(module).items()):
        if isinstance(obj, types.ModuleType) and obj.__name__.startswith(module.__name__ + "."):
            wrap_core(obj, prefix + name + ".")
        elif isinstance(obj, type) and obj.__module__.startswith("mxnet._core") \
                and not issubclass(obj, BaseException):
            _wrap_class(obj, prefix)
        elif _is_bound(obj):
            setattr(module, name, _wrap(obj, prefix + name))
