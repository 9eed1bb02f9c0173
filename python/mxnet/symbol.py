"""``mx.sym`` / ``mx.symbol``: symbolic graphs. Every registered operator is a function here
(``mx.sym.FullyConnected(data=x, num_hidden=10, name='fc1')``), taking its inputs as Symbols and its
parameters as keyword values."""
import json

from ._core.symbol import Symbol, Group, load, load_json, _create, list_ops, op_doc
from ._core.symbol import Variable as _Variable
from ._op_functions import (METHODS, add_op_functions, add_op_methods, internal_module,
                            two_operands)


def Variable(name, attr=None, shape=None, lr_mult=None, wd_mult=None, dtype=None, init=None,
             **kwargs):
    """A free variable (an input or a parameter). ``shape`` is a hint for inference;
    ``lr_mult`` / ``wd_mult`` scale its learning rate and weight decay; ``init`` (an mx.init
    initializer or MXNet's JSON form) initializes it instead of the name rules; other keywords
    become attributes."""
    if init is not None and not isinstance(init, str):
        spec = init._spec()
        if spec is None:
            raise TypeError("Variable %s: init must be a built-in mx.init initializer" % name)
        init = json.dumps([spec[0], spec[1]])
    return _Variable(name, attr=attr, shape=shape, lr_mult=lr_mult, wd_mult=wd_mult, dtype=dtype,
                     init=init or "", **kwargs)



add_op_functions(globals(), list_ops(), _create, op_doc)
_internal = internal_module(__name__ + "._internal", globals())


def _binary(op, scalar_op, rscalar_op=None):
    def apply(self, other):
        if isinstance(other, Symbol):
            return _create(op, self, other)
        return _create(scalar_op, self, scalar=other)

    def rapply(self, other):
        return _create(rscalar_op or scalar_op, self, scalar=other)
    return apply, rapply


Symbol.__add__, Symbol.__radd__ = _binary("elemwise_add", "_plus_scalar")
Symbol.__sub__, Symbol.__rsub__ = _binary("elemwise_sub", "_minus_scalar", "_rminus_scalar")
Symbol.__mul__, Symbol.__rmul__ = _binary("elemwise_mul", "_mul_scalar")
Symbol.__truediv__, Symbol.__rtruediv__ = _binary("elemwise_div", "_div_scalar", "_rdiv_scalar")


def pow(base, exp):
    """base ** exp elementwise, for Symbols and numbers."""
    if isinstance(base, Symbol) and isinstance(exp, Symbol):
        return _create("_power", base, exp)
    if isinstance(base, Symbol):
        return _create("_power_scalar", base, scalar=exp)
    if isinstance(exp, Symbol):
        return _create("_rpower_scalar", exp, scalar=base)
    return base ** exp


Symbol.__pow__ = pow
Symbol.__rpow__ = lambda self, other: pow(other, self)
Symbol.__neg__ = lambda self: _create("_mul_scalar", self, scalar=-1.0)


def _elementwise(op, scalar_op, swapped_scalar_op=None):
    """A function of two operands: Symbols of one shape, or a Symbol and a number."""
    return two_operands(Symbol, "a Symbol", _create, op, scalar_op, swapped_scalar_op)


maximum = _elementwise("_maximum", "_maximum_scalar")
minimum = _elementwise("_minimum", "_minimum_scalar")
# Comparisons give 1 or 0 (and no gradient); a number on the left flips them.
_equal = _elementwise("_equal", "_equal_scalar")
_not_equal = _elementwise("_not_equal", "_not_equal_scalar")
_greater = _elementwise("_greater", "_greater_scalar", "_lesser_scalar")
_greater_equal = _elementwise("_greater_equal", "_greater_equal_scalar",
                              "_lesser_equal_scalar")
_lesser = _elementwise("_lesser", "_lesser_scalar", "_greater_scalar")
_lesser_equal = _elementwise("_lesser_equal", "_lesser_equal_scalar",
                             "_greater_equal_scalar")
Symbol.__eq__ = lambda self, other: _equal(self, other)
Symbol.__ne__ = lambda self, other: _not_equal(self, other)
Symbol.__gt__ = lambda self, other: _greater(self, other)
Symbol.__ge__ = lambda self, other: _greater_equal(self, other)
Symbol.__lt__ = lambda self, other: _lesser(self, other)
Symbol.__le__ = lambda self, other: _lesser_equal(self, other)
Symbol.__hash__ = object.__hash__
_mod = _elementwise("_mod", "_mod_scalar")
Symbol.__mod__ = lambda self, other: _mod(self, other)
Symbol.__abs__ = lambda self: _create("abs", self)


def _reshape(self, shape=None, **kwargs):
    """The symbol reshaped (Reshape's special values 0, -1, -2, -3, -4 allowed)."""
    if shape is not None:
        kwargs["shape"] = shape
    return _create("Reshape", self, **kwargs)


Symbol.reshape = _reshape


def _debug_str(self):
    """The graph as text, as MXNet's debug_str: the outputs, then each variable and each op with
    its inputs (node(output index)) and parameters, in topological order."""
    graph = json.loads(self.tojson())
    nodes = graph["nodes"]

    def entry(e):
        return "%s(%d)" % (nodes[e[0]]["name"], e[1])
    lines = ["Symbol Outputs:"]
    lines += ["\toutput[%d]=%s" % (i, entry(e)) for i, e in enumerate(graph["heads"])]
    for node in nodes:
        if node["op"] == "null":
            lines.append("Variable:%s" % node["name"])
            continue
        lines.append("--------------------")
        lines.append("Op:%s, Name=%s" % (node["op"], node["name"]))
        lines.append("Inputs:")
        lines += ["\targ[%d]=%s version=%d" % (i, entry(e), e[2] if len(e) > 2 else 0)
                  for i, e in enumerate(node["inputs"])]
        attrs = node.get("attrs", node.get("param", {}))
        if attrs:
            lines.append("Attrs:")
            lines += ["\t%s=%s" % (k, v) for k, v in sorted(attrs.items())]
    return "\n".join(lines) + "\n"


Symbol.debug_str = _debug_str
# Symbol methods of MXNet 1.x (s.sum(axis=1), s.transpose(), s.exp(), ...).
add_op_methods(Symbol, METHODS + ("clip",), _create, op_doc)
Symbol.T = property(lambda self: _create("transpose", self))


class _RandomNamespace:
    """``mx.sym.random``: symbols drawing ``uniform`` / ``normal`` values at each forward."""

    @staticmethod
    def uniform(low=0.0, high=1.0, shape=None, dtype=None, name=None, **kwargs):
        """Draws of U[low, high) of ``shape``."""
        return _create("_random_uniform", low=low, high=high, shape=shape, dtype=dtype,
                       name=name, **kwargs)

    @staticmethod
    def normal(loc=0.0, scale=1.0, shape=None, dtype=None, name=None, **kwargs):
        """Draws of N(loc, scale^2) of ``shape``."""
        return _create("_random_normal", loc=loc, scale=scale, shape=shape, dtype=dtype,
                       name=name, **kwargs)


random = _RandomNamespace()

__all__ = ["Symbol", "Variable", "Group", "load", "load_json", "pow", "maximum", "minimum",
           "random"]
