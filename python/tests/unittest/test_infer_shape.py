"""Port of MXNet's tests/python/unittest/test_infer_shape.py (2015). Changes: Python 3."""
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
