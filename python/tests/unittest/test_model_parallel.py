"""Ports of MXNet's tests/python/unittest/test_model_parallel.py and test_multi_device_exec.py
(2015-2016): ctx_group attributes with bind(group2ctx=...) and simple_bind(group2ctx=...) on host
contexts (cpu(0), cpu(1), cpu(2)). On the host every context shares memory and workers, so the
placement is where simple_bind allocates each group's arrays and the result equals a plain bind;
groups on a GPU next to a host executor are refused (mx inserts no copies between devices yet).
Changes: Python 3; the errors checked at the end are the port's."""
import numpy as np
import pytest

import mxnet as mx
from mxnet.test_utils import reldiff


def test_chain():
    """A chain split over two groups gives a plain bind's outputs and gradients."""
    n = 2
    data1 = mx.sym.Variable('data1')
    data2 = mx.sym.Variable('data2')
    with mx.AttrScope(ctx_group='dev1'):
        net = data1 + data2
        net = net * 3
    with mx.AttrScope(ctx_group='dev2'):
        net = net + data1
    with mx.Context(mx.cpu(0)):
        shape = (4, 5)
        arr = [mx.nd.empty(shape) for i in range(n)]
        arr_grad = [mx.nd.empty(shape) for i in range(n)]
    exec1 = net.bind(mx.cpu(), args=arr, args_grad=arr_grad,
                     group2ctx={'dev1': mx.cpu(0), 'dev2': mx.cpu(1)})
    arr[0][:] = 1.0
    arr[1][:] = 2.0
    arr2 = [a.copyto(mx.cpu()) for a in arr]
    arr_grad2 = [a.copyto(mx.cpu()) for a in arr_grad]
    exec2 = net.bind(mx.cpu(), args=arr2, args_grad=arr_grad2)
    exec1.forward()
    exec2.forward()
    assert reldiff(exec1.outputs[0].asnumpy(), exec2.outputs[0].asnumpy()) < 1e-6
    out_grad = mx.nd.empty(shape, mx.cpu(1))
    out_grad[:] = 1.0
    exec1.backward([out_grad])
    exec2.backward([out_grad.copyto(mx.cpu())])
    for a, b in zip(arr_grad, arr_grad2):
        assert reldiff(a.asnumpy(), b.asnumpy()) < 1e-6


def test_ctx_group():
    """simple_bind allocates each group's arguments on its context."""
    with mx.AttrScope(ctx_group='stage1'):
        data = mx.symbol.Variable('data')
        fc1 = mx.symbol.FullyConnected(data=data, name='fc1', num_hidden=128)
        act1 = mx.symbol.Activation(data=fc1, name='relu1', act_type="relu")
    set_stage1 = set(act1.list_arguments())
    with mx.AttrScope(ctx_group='stage2'):
        fc2 = mx.symbol.FullyConnected(data=act1, name='fc2', num_hidden=64)
        act2 = mx.symbol.Activation(data=fc2, name='relu2', act_type="relu")
        fc3 = mx.symbol.FullyConnected(data=act2, name='fc3', num_hidden=10)
        fc3 = mx.symbol.BatchNorm(fc3)
        mlp = mx.symbol.SoftmaxOutput(data=fc3, name='softmax')
    set_stage2 = set(mlp.list_arguments()) - set_stage1
    group2ctx = {'stage1': mx.cpu(1), 'stage2': mx.cpu(2)}
    texec = mlp.simple_bind(mx.cpu(0), group2ctx=group2ctx, data=(1, 200))
    for arr, name in zip(texec.arg_arrays, mlp.list_arguments()):
        if name in set_stage1:
            assert arr.context == group2ctx['stage1']
        else:
            assert arr.context == group2ctx['stage2']
    assert set_stage2
    texec.arg_dict['data'][:] = np.random.rand(1, 200)
    texec.forward(is_train=True)
    texec.backward()
    assert texec.outputs[0].shape == (1, 10)


def test_group2ctx_errors():
    """group2ctx that is not a dict of contexts, or puts a group on a GPU next to a host
    executor, is an MXNetError (never a raw binding error)."""
    with mx.AttrScope(ctx_group='dev1'):
        net = mx.sym.Variable('x') * 2
    with pytest.raises(mx.MXNetError, match="group2ctx must be a dict"):
        net.simple_bind(mx.cpu(), group2ctx=['dev1'], x=(2,))
    with pytest.raises(mx.MXNetError, match="expected group name -> Context"):
        net.simple_bind(mx.cpu(), group2ctx={'dev1': 'cpu'}, x=(2,))
    with pytest.raises(mx.MXNetError, match="copies between devices"):
        net.simple_bind(mx.cpu(), group2ctx={'dev1': mx.gpu(0)}, x=(2,))
    with pytest.raises(mx.MXNetError, match="copies between devices"):
        net.bind(mx.cpu(), args=[mx.nd.ones((2,))], group2ctx={'dev1': mx.gpu(0)})
