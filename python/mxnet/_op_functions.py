"""How registered operators become Python functions and methods, for ``mx.nd`` (run at once)
and ``mx.sym`` (graph nodes) alike: ``call(op, *args, **kwargs)`` does the work."""
import sys
import types


# The operators MXNet 1.x also offers as methods of arrays and symbols (x.sum(axis=1)).
METHODS = ("sum", "mean", "prod", "max", "min", "norm", "argmax", "argmin", "transpose",
           "expand_dims", "squeeze", "flatten", "swapaxes", "slice", "slice_axis", "flip",
           "broadcast_to", "repeat", "tile", "softmax", "log_softmax", "topk", "one_hot",
           "take", "pick", "abs", "sign", "round", "ceil", "floor", "sqrt", "rsqrt", "square",
           "exp", "log", "sin", "cos", "tanh", "sigmoid", "relu", "nansum")


def add_op_functions(namespace, names, call, doc):
    """A function per operator name (Python identifiers not already in ``namespace``)."""
    for op in names:
        if op.isidentifier() and op not in namespace:
            namespace[op] = op_function(op, call, doc)


def internal_module(name, namespace):
    """A module ``name`` (importable) of the operator functions in ``namespace`` whose names
    start with an underscore: MXNet's ``mx.nd._internal`` / ``mx.sym._internal``."""
    module = types.ModuleType(name, "Operators for internal use (names starting with '_').")
    for op, fn in namespace.items():
        if op.startswith("_") and not op.startswith("__") and callable(fn) \
                and getattr(fn, "_mx_op", False):
            setattr(module, op, fn)
    sys.modules[name] = module
    return module


def op_function(op, call, doc):
    """``op(*args, **kwargs)`` as a function named and documented after the operator."""
    def function(*args, **kwargs):
        return call(op, *args, **kwargs)
    function.__name__ = op
    function.__doc__ = doc(op)
    function._mx_op = True
    return function


def add_op_methods(cls, names, call, doc):
    """``obj.op(...)``, the object as the first input, for each name ``cls`` lacks."""
    for op in names:
        if not hasattr(cls, op):
            def method(self, *args, _op=op, **kwargs):
                return call(_op, self, *args, **kwargs)
            method.__name__ = op
            method.__doc__ = doc(op)
            setattr(cls, op, method)


def two_operands(kind, noun, call, op, scalar_op, swapped_scalar_op=None):
    """f(lhs, rhs) of two ``kind`` objects (``op``), or of one and a number (``scalar_op``;
    ``swapped_scalar_op`` when the number comes first, default ``scalar_op``); TypeError naming
    ``noun`` ("an NDArray") when neither is one."""
    def apply(lhs, rhs):
        if isinstance(lhs, kind) and isinstance(rhs, kind):
            return call(op, lhs, rhs)
        if isinstance(lhs, kind):
            return call(scalar_op, lhs, scalar=rhs)
        if isinstance(rhs, kind):
            return call(swapped_scalar_op or scalar_op, rhs, scalar=lhs)
        raise TypeError("%s: expected %s operand" % (op, noun))
    return apply
