"""``mx.operator``: operators written in Python (MXNet's NumpyOp). Subclass ``NumpyOp`` and
override ``forward(in_data, out_data)``, ``backward(out_grad, in_data, out_data, in_grad)``
(NumPy arrays, written in place), ``infer_shape(in_shape)`` -> (in_shapes, out_shapes),
``list_arguments`` and ``list_outputs``; ``op.get_symbol(*inputs, name=...)`` (or ``op(...)``) makes
a symbol. The defaults are the identity. The functions run on the engine's worker thread, on
CPU arrays (float32, or float64 in a float64 graph) valid only during the call; they must not
use mx.nd (the engine is waiting for them)."""
from . import _core
from .symbol import _create


class PythonOp(object):
    """Base class of Python-defined operators."""

    def __init__(self, need_top_grad=True):
        self.info_ = None
        self.need_top_grad_ = need_top_grad

    def __call__(self, *args, **kwargs):
        return self.get_symbol(*args, **kwargs)

    def get_symbol(self, *args, **kwargs):
        raise NotImplementedError("Must override this")

    def forward(self, in_data, out_data):
        """out_data[i][:] = ..."""
        out_data[0][:] = in_data[0]

    def backward(self, out_grad, in_data, out_data, in_grad):
        """in_grad[i][:] = ..."""
        in_grad[0][:] = out_grad[0]

    def infer_shape(self, in_shape):
        """(in_shapes, out_shapes) from the input shapes."""
        return in_shape, [in_shape[0]]

    def list_outputs(self):
        return ['output']

    def list_arguments(self):
        return ['data']

    def need_top_grad(self):
        """False for a loss: backward gets no output gradient."""
        return self.need_top_grad_


class NumpyOp(PythonOp):
    """An operator whose forward and backward compute on NumPy arrays."""

    def get_symbol(self, *args, **kwargs):
        if self.info_ is None:
            self.info_ = _core.operator.register_numpy_op(
                self.list_arguments(), self.list_outputs(), self.infer_shape, self.forward,
                self.backward, self.need_top_grad())
        return _create('_Native', *args, info=self.info_,
                       need_top_grad=self.need_top_grad(), **kwargs)


__all__ = ["PythonOp", "NumpyOp"]
