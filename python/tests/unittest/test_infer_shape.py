"""Port of MXNet's tests/python/unittest/test_infer_shape.py (2015-2016: MLP shapes, a
contradiction as MXNetError, and the 2016 tests of incomplete shapes, where extents given as 0
are completed forward and backward through the graph). Changes: Python 3; a helper for the
argument-shape dict the incomplete tests each built."""
import pytest

import mxnet as mx
import common as models


def test_mlp2_infer_shape():
    # Build MLP
    out = models.mlp2()
    # infer shape
    data_shape = (100, 100)
    arg_shapes, out_shapes, aux_shapes = out.infer_shape(data=data_shape)
    arg_shape_dict = dict(zip(out.list_arguments(), arg_shapes))
    assert len(out_shapes) == 1
    assert out_shapes[0] == (100, 10)
    true_shapes = {'fc2_bias': (10,),
                   'fc2_weight': (10, 1000),
                   'fc1_bias': (1000,),
                   'fc1_weight': (1000, 100)}
    for k, v in true_shapes.items():
        assert arg_shape_dict[k] == v


def test_mlp2_infer_error():
    # Test shape inconsistent case
    out = models.mlp2()
    weight_shape = (1, 100)
    data_shape = (100, 100)
    with pytest.raises(mx.MXNetError):
        out.infer_shape(data=data_shape, fc1_weight=weight_shape)


def _arg_shapes(sym):
    arg_shapes, _, _ = sym.infer_shape()
    return dict(zip(sym.list_arguments(), arg_shapes))


def test_incomplete_infer_elewise():
    """Unknown extents (0) of two added variables complete each other."""
    a = mx.sym.Variable('a', shape=(0, 10))
    b = mx.sym.Variable('b', shape=(12, 0))
    shapes = _arg_shapes(a + b)
    assert shapes['a'] == (12, 10)
    assert shapes['b'] == (12, 10)


def test_incomplete_infer_mlp():
    """The batch of FullyConnected's data comes back from a later known shape."""
    a = mx.sym.Variable('a', shape=(0, 10))
    b = mx.sym.FullyConnected(data=a, num_hidden=21)
    c = mx.sym.Variable('c', shape=(5, 0))
    shapes = _arg_shapes(b + c)
    assert shapes['a'] == (5, 10)
    assert shapes['c'] == (5, 21)


def test_incomplete_infer_slicechannel():
    """SliceChannel's data follows from one known output (squeezed or not)."""
    a = mx.sym.Variable('a', shape=(0, 10))
    b = mx.sym.SliceChannel(data=a, num_outputs=10, axis=1, squeeze_axis=True)
    c = mx.sym.Variable('c', shape=(5,))
    assert _arg_shapes(b[1] + c)['a'] == (5, 10)

    a = mx.sym.Variable('a', shape=(0, 15, 0))
    b = mx.sym.SliceChannel(data=a, num_outputs=3, squeeze_axis=False)
    c = mx.sym.Variable('c', shape=(3, 5, 2))
    assert _arg_shapes(b[1] + c)['a'] == (3, 15, 2)


def test_incomplete_infer_convolution():
    """A stride-1 Convolution's data batch and spatial extents follow from its output."""
    a = mx.sym.Variable('a', shape=(0, 10, 0, 0))
    b = mx.sym.Convolution(data=a, num_filter=21, kernel=(3, 3), dilate=(1, 1), pad=(1, 1))
    c = mx.sym.Variable('c', shape=(5, 21, 32, 32))
    assert _arg_shapes(b + c)['a'] == (5, 10, 32, 32)


def test_incomplete_infer_concat():
    """Concat's inputs and a later variable complete each other."""
    a = mx.sym.Variable('a', shape=(0, 10))
    b = mx.sym.Variable('b', shape=(0, 5))
    c = mx.sym.Concat(a, b, num_args=2, dim=1)
    d = mx.sym.Variable('d', shape=(2, 0))
    shapes = _arg_shapes(d + c)
    assert shapes['a'] == (2, 10)
    assert shapes['b'] == (2, 5)
    assert shapes['d'] == (2, 15)
