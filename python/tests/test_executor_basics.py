"""Executors from Python: simple_bind and bind, forward with inputs by keyword, backward, arrays."""
import numpy as np
import pytest

import mxnet as mx


def fc_symbol():
    return mx.sym.FullyConnected(data=mx.sym.Variable("data"), num_hidden=3, name="fc")


def test_simple_bind_forward_backward():
    ex = fc_symbol().simple_bind(mx.cpu(), data=(2, 4))
    assert sorted(ex.arg_dict) == ["data", "fc_bias", "fc_weight"]
    assert [a.shape for a in ex.arg_arrays] == [(2, 4), (3, 4), (3,)]
    ex.arg_dict["fc_weight"][:] = 1
    ex.arg_dict["fc_bias"][:] = 0.5
    out = ex.forward(is_train=True, data=np.arange(8).reshape(2, 4))
    np.testing.assert_array_equal(out[0].asnumpy(), [[6.5] * 3, [22.5] * 3])
    ex.backward(mx.nd.ones((2, 3)))
    np.testing.assert_array_equal(ex.grad_dict["fc_weight"].asnumpy(), [[4, 6, 8, 10]] * 3)
    np.testing.assert_array_equal(ex.grad_dict["fc_bias"].asnumpy(), [2, 2, 2])
    np.testing.assert_array_equal(ex.grad_dict["data"].asnumpy(), [[3] * 4] * 2)


def test_bind_with_lists_and_dicts():
    sym = fc_symbol()
    args = [mx.nd.ones((2, 4)), mx.nd.ones((3, 4)), mx.nd.zeros(3)]
    grad = mx.nd.zeros((3, 4))
    ex = sym.bind(mx.cpu(), args=args, args_grad={"fc_weight": grad},
                  grad_req={"data": "null", "fc_bias": "null"})
    np.testing.assert_array_equal(ex.forward(is_train=True)[0].asnumpy(), [[4] * 3] * 2)
    ex.backward(mx.nd.ones((2, 3)))
    np.testing.assert_array_equal(grad.asnumpy(), [[2] * 4] * 3)  # the array given
    assert ex.grad_arrays[0] is None


def test_bind_errors_name_the_arguments():
    sym = fc_symbol()
    with pytest.raises(mx.MXNetError, match="args: 2 arrays for the 3 names data, fc_weight, "
                                            "fc_bias"):
        sym.bind(mx.cpu(), args=[mx.nd.ones((2, 4)), mx.nd.ones((3, 4))])
    ex = sym.simple_bind(mx.cpu(), data=(2, 4))
    with pytest.raises(mx.MXNetError, match="'label' is not an argument"):
        ex.forward(label=np.zeros(2))
    with pytest.raises(mx.MXNetError, match="grad_req"):
        sym.simple_bind(mx.cpu(), grad_req="sometimes", data=(2, 4))


def test_cast_runs_between_types_in_both_directions():
    x = mx.sym.Variable('x')
    y = mx.sym.Cast(x, dtype='float32') * 2
    data = mx.nd.array([1.5, -2.25, 3.0], dtype=np.float64)
    grad = mx.nd.zeros((3,), dtype=np.float64)
    exe = y.bind(mx.cpu(), args={'x': data}, args_grad={'x': grad})
    out = exe.forward(is_train=True)[0]
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out.asnumpy(), [3.0, -4.5, 6.0])
    exe.backward([mx.nd.array([1.0, 0.5, -1.0])])
    assert grad.dtype == np.float64
    np.testing.assert_array_equal(grad.asnumpy(), [2.0, 1.0, -2.0])


def test_simple_bind_type_dict():
    net = mx.sym.FullyConnected(mx.sym.Variable('data'), num_hidden=3, name='fc')
    exe = net.simple_bind(mx.cpu(), type_dict={'data': np.float64}, data=(2, 4))
    assert all(a.dtype == np.float64 for a in exe.arg_arrays)
    assert exe.outputs[0].dtype == np.float64
