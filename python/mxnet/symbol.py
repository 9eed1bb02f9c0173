"""``mx.sym`` / ``mx.symbol``: symbolic graphs. Every registered operator is a function here
(``mx.sym.FullyConnected(data=x, num_hidden=10, name='fc1')``), taking its inputs as Symbols and its
parameters as keyword values."""
import json

from ._core.symbol import Symbol, Group, load, load_json, _create, list_ops, op_doc
from ._core.symbol import Variable as _Variable


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



def _make_op(op):
    def create(*args, **kwargs):
        return _create(op, *args, **kwargs)
    create.__name__ = op
    create.__doc__ = op_doc(op)
    return create


for _op in list_ops():
    if _op.isidentifier() and _op not in globals():
        globals()[_op] = _make_op(_op)


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

__all__ = ["Symbol", "Variable", "Group", "load", "load_json", "pow"]
