"""Ports of MXNet's tests/python/unittest/test_module.py (2016-2017): save/load with optimizer
states over two contexts, reshape, input gradients, set_params; plus what the port adds: one
context and two give the same training, and misuse is an MXNetError. Changes: Python 3; no
layouts, bucketing or RNN states (mx has no BucketingModule)."""
import numpy as np
import pytest

import mxnet as mx
from mxnet.test_utils import assert_almost_equal


def test_save_load(tmp_path):
    """A checkpoint with optimizer states restores parameters and momentum exactly."""
    prefix = str(tmp_path / 'test')

    def dict_equ(a, b):
        assert set(a) == set(b)
        for k in a:
            assert (a[k].asnumpy() == b[k].asnumpy()).all()

    sym = mx.sym.Variable('data')
    sym = mx.sym.FullyConnected(sym, num_hidden=100)
    mod = mx.mod.Module(sym, ('data',), None, context=[mx.cpu(0), mx.cpu(1)])
    mod.bind(data_shapes=[('data', (10, 10))])
    mod.init_params()
    mod.init_optimizer(optimizer_params={'learning_rate': 0.1, 'momentum': 0.9})
    mod.forward(mx.io.DataBatch(data=[mx.nd.ones((10, 10))], label=None))
    mod.backward([mx.nd.ones((10, 100))])
    mod.update()
    mod.save_checkpoint(prefix, 0, save_optimizer_states=True)
    mod2 = mx.mod.Module.load(prefix, 0, load_optimizer_states=True, data_names=('data',),
                              label_names=None)
    mod2.bind(data_shapes=[('data', (10, 10))])
    mod2.init_optimizer(optimizer_params={'learning_rate': 0.1, 'momentum': 0.9})
    assert mod._symbol.tojson() == mod2._symbol.tojson()
    dict_equ(mod.get_params()[0], mod2.get_params()[0])
    assert sorted(mod._opt_states) == sorted(mod2._opt_states)
    for k in mod._opt_states:
        for a, b in zip(mod._opt_states[k], mod2._opt_states[k]):
            assert (a.asnumpy() == b.asnumpy()).all()
    # One more identical step on both stays identical.
    for m in (mod, mod2):
        m.forward(mx.io.DataBatch(data=[mx.nd.ones((10, 10))], label=None))
        m.backward([mx.nd.ones((10, 100))])
        m.update()
    dict_equ(mod.get_params()[0], mod2.get_params()[0])


def test_module_reshape():
    """A module reshaped to another batch size keeps its parameters and optimizer."""
    data = mx.sym.Variable('data')
    sym = mx.sym.FullyConnected(data, num_hidden=20, name='fc')
    dshape = (7, 20)
    mod = mx.mod.Module(sym, ('data',), None, context=[mx.cpu(0), mx.cpu(1)])
    mod.bind(data_shapes=[('data', dshape)])
    mod.init_params()
    mod.init_optimizer(optimizer_params={'learning_rate': 1})
    mod.forward(mx.io.DataBatch(data=[mx.nd.ones(dshape)], label=None))
    mod.backward([mx.nd.ones(dshape)])
    mod.update()
    assert mod.get_outputs()[0].shape == dshape
    assert (mod.get_params()[0]['fc_bias'].asnumpy() == -1).all()
    dshape = (14, 20)
    mod.reshape(data_shapes=[('data', dshape)])
    mod.forward(mx.io.DataBatch(data=[mx.nd.ones(dshape)], label=None))
    mod.backward([mx.nd.ones(dshape)])
    mod.update()
    assert mod.get_outputs()[0].shape == dshape
    assert (mod.get_params()[0]['fc_bias'].asnumpy() == -3).all()


def test_module_input_grads():
    """inputs_need_grad: the gradients of a + 2b + 3c are 1, 2, 3."""
    a = mx.sym.Variable('a', __layout__='NC')
    b = mx.sym.Variable('b', __layout__='NC')
    c = mx.sym.Variable('c', __layout__='NC')
    c = a + 2 * b + 3 * c
    net = mx.mod.Module(c, data_names=['b', 'c', 'a'], label_names=None,
                        context=[mx.cpu(0), mx.cpu(1)])
    net.bind(data_shapes=[['b', (5, 5)], ['c', (5, 5)], ['a', (5, 5)]],
             label_shapes=None, inputs_need_grad=True)
    net.init_params()
    net.forward(data_batch=mx.io.DataBatch(data=[mx.nd.ones((5, 5)), mx.nd.ones((5, 5)),
                                                 mx.nd.ones((5, 5))], label=None))
    net.backward(out_grads=[mx.nd.ones((5, 5))])
    input_grads = net.get_input_grads()
    b_grad, c_grad, a_grad = [g.asnumpy() for g in input_grads]
    assert np.all(a_grad == 1), a_grad
    assert np.all(b_grad == 2), b_grad
    assert np.all(c_grad == 3), c_grad


def test_module_set_params():
    """set_params: exact values; missing names refused unless allow_missing; extra names
    refused unless allow_extra."""
    data = mx.sym.Variable('data')
    net = mx.sym.FullyConnected(data, num_hidden=2, name='fc')
    mod = mx.mod.Module(net, label_names=None)
    mod.bind(data_shapes=[('data', (3, 4))])
    weight = mx.nd.array(np.arange(8).reshape(2, 4))
    bias = mx.nd.array([1, 2])
    mod.set_params({'fc_weight': weight, 'fc_bias': bias}, {})
    assert (mod.get_params()[0]['fc_weight'].asnumpy() == weight.asnumpy()).all()
    with pytest.raises(mx.MXNetError, match="'fc_bias' is missing"):
        mod.set_params({'fc_weight': weight}, {})
    mod.set_params({'fc_weight': weight}, {}, allow_missing=True)
    with pytest.raises(mx.MXNetError, match="does not have"):
        mod.set_params({'fc_weight': weight, 'fc_bias': bias, 'other': bias}, {})
    mod.set_params({'fc_weight': weight, 'fc_bias': bias, 'other': bias}, {},
                   allow_extra=True)
    with pytest.raises(mx.MXNetError, match="has shape"):
        mod.set_params({'fc_weight': bias, 'fc_bias': bias}, {})


def _train(contexts, X, y):
    data = mx.sym.Variable('data')
    net = mx.sym.FullyConnected(data, num_hidden=16, name='fc1')
    net = mx.sym.Activation(net, act_type='tanh')
    net = mx.sym.FullyConnected(net, num_hidden=3, name='fc2')
    net = mx.sym.SoftmaxOutput(net, name='softmax')
    it = mx.io.NDArrayIter(X, y, batch_size=20)
    mod = mx.mod.Module(net, context=contexts)
    mx.random.seed(3)
    mod.fit(it, optimizer='sgd', optimizer_params={'learning_rate': 0.3, 'momentum': 0.9},
            initializer=mx.init.Xavier(), num_epoch=3)
    return mod


def test_data_parallel_equals_one_context():
    """Training over two contexts (batch halves, summed gradients) gives one context's
    parameters, to float rounding; both learn the task."""
    rng = np.random.RandomState(0)
    X = rng.rand(200, 10).astype(np.float32)
    y = np.argmax(X.dot(rng.rand(10, 3)), axis=1).astype(np.float32)
    one = _train(mx.cpu(0), X, y)
    two = _train([mx.cpu(0), mx.cpu(1)], X, y)
    p1, p2 = one.get_params()[0], two.get_params()[0]
    for k in p1:
        assert_almost_equal(p1[k], p2[k], rtol=1e-4, atol=1e-5)
    it = mx.io.NDArrayIter(X, y, batch_size=20)
    assert one.score(it, 'acc')[0][1] > 0.8


def test_misuse_is_an_mxnet_error():
    """forward before bind / init_params, update before init_optimizer, a wrong batch size,
    data names that are not arguments."""
    data = mx.sym.Variable('data')
    net = mx.sym.FullyConnected(data, num_hidden=2, name='fc')
    mod = mx.mod.Module(net, label_names=None)
    batch = mx.io.DataBatch(data=[mx.nd.ones((3, 4))], label=None)
    with pytest.raises(mx.MXNetError, match="bind the module"):
        mod.forward(batch)
    mod.bind(data_shapes=[('data', (3, 4))])
    mod.init_params()
    with pytest.raises(mx.MXNetError, match="init_optimizer"):
        mod.update()
    with pytest.raises(mx.MXNetError, match="a batch of 5"):
        mod.forward(mx.io.DataBatch(data=[mx.nd.ones((5, 4))], label=None))
    with pytest.raises(ValueError, match="not an argument"):
        mx.mod.Module(net, data_names=['image'])
