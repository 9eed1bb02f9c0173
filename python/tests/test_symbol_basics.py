"""mx.sym basics: operators as functions, naming, listing, shape inference, JSON, groups, errors."""
import pickle

import numpy as np

import pytest

import mxnet as mx


def mlp():
    data = mx.sym.Variable("data")
    fc1 = mx.sym.FullyConnected(data=data, name="fc1", num_hidden=128)
    act1 = mx.sym.Activation(data=fc1, name="relu1", act_type="relu")
    fc2 = mx.sym.FullyConnected(data=act1, name="fc2", num_hidden=10)
    return mx.sym.SoftmaxOutput(data=fc2, name="softmax")


def test_arguments_outputs_and_inference():
    net = mlp()
    assert net.list_arguments() == ["data", "fc1_weight", "fc1_bias", "fc2_weight", "fc2_bias",
                                    "softmax_label"]
    assert net.list_outputs() == ["softmax_output"]
    arg_shapes, out_shapes, aux_shapes = net.infer_shape(data=(100, 784))
    assert arg_shapes == [(100, 784), (128, 784), (128,), (10, 128), (10,), (100,)]
    assert out_shapes == [(100, 10)]
    assert aux_shapes == []
    assert net.infer_shape() == (None, None, None)  # not enough known


def test_parameters_take_python_values():
    data = mx.sym.Variable("data")
    conv = mx.sym.Convolution(data=data, kernel=(3, 3), pad=(1, 1), num_filter=4, no_bias=True,
                              name="conv")
    assert conv.list_arguments() == ["data", "conv_weight"]
    assert conv.infer_shape(data=(2, 3, 5, 5))[1] == [(2, 4, 5, 5)]
    bn = mx.sym.BatchNorm(data=conv, name="bn")
    assert bn.list_auxiliary_states() == ["bn_moving_mean", "bn_moving_var"]


def test_arithmetic_groups_internals_and_composition():
    data = mx.sym.Variable("data")
    y = 2 * data - data / 4 + 1
    assert y.list_arguments() == ["data"]
    assert y.infer_shape(data=(3, 2))[1] == [(3, 2)]
    net = mlp()
    internals = net.get_internals()
    assert "fc1_output" in internals.list_outputs()
    fc1 = internals["fc1_output"]
    group = mx.sym.Group([fc1, net])
    assert group.list_outputs() == ["fc1_output", "softmax_output"]
    # Composition: a free variable replaced by another symbol.
    head = mx.sym.FullyConnected(data=mx.sym.Variable("x"), num_hidden=2, name="head")
    composed = head(x=fc1, name="head2")
    assert composed.list_arguments()[:3] == ["data", "fc1_weight", "fc1_bias"]


def test_json_files_and_pickling(tmp_path):
    net = mlp()
    again = mx.sym.load_json(net.tojson())
    assert again.list_arguments() == net.list_arguments()
    path = str(tmp_path / "net-symbol.json")
    net.save(path)
    assert mx.sym.load(path).tojson() == net.tojson()
    assert pickle.loads(pickle.dumps(net)).list_outputs() == ["softmax_output"]


def test_op_functions_carry_the_parameter_docs():
    doc = mx.sym.FullyConnected.__doc__
    assert doc.startswith("Fully connected layer")
    assert "num_hidden : int, required, value >= 1\n    Number of output units." in doc
    assert "no_bias : boolean, optional, default False" in doc
    assert "data : Symbol\n    An input.\nlabel : Symbol" in mx.sym.SoftmaxOutput.__doc__


def test_errors_name_the_node_and_parameter():
    data = mx.sym.Variable("data")
    with pytest.raises(mx.MXNetError, match="unknown parameter 'num_hiden'; did you mean "
                                            "'num_hidden'"):
        mx.sym.FullyConnected(data=data, num_hiden=3)
    with pytest.raises(mx.MXNetError):
        mlp().infer_shape(data=(100, 784), fc1_weight=(3, 3))


def test_infer_type_propagates_and_reports_incomplete():
    net = mx.sym.FullyConnected(mx.sym.Variable('data'), num_hidden=4, name='fc')
    arg, out, aux = net.infer_type(data=np.float64)
    assert arg == [np.float64, np.float64, np.float64]
    assert out == [np.float64]
    assert aux == []
    assert net.infer_type() == (None, None, None)
    with pytest.raises(mx.MXNetError):
        net.infer_type(data=np.float64, fc_weight=np.float32)


def test_variable_attributes_and_scopes():
    with mx.AttrScope(ctx_group='stage1'):
        w = mx.sym.Variable('w', lr_mult=0.5, wd_mult=0, attr={'mood': 'calm'})
        with mx.name.Prefix('p_'):
            fc = mx.sym.FullyConnected(mx.sym.Variable('data'), weight=w, num_hidden=2)
    attrs = fc.attr_dict()
    assert attrs['w'] == {'__ctx_group__': 'stage1', '__lr_mult__': '0.5', '__wd_mult__': '0',
                          'mood': 'calm'}
    assert fc.name == 'p_fullyconnected0'
    assert fc.list_attr()['__ctx_group__'] == 'stage1'
    assert mx.sym.Variable('x').attr_dict() == {}
