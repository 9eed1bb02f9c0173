"""Ports of MXNet's unit tests of the operators added in 2016 (test_operator.py of v0.7-v0.9:
swapaxes, sign, round/ceil/floor, rsqrt/cos/sin, abs, maximum/minimum, transpose, expand_dims,
crop, slice_axis, broadcast_*, reductions, broadcast_to/axis, dot, batch_dot, clip, BlockGrad,
MakeLoss, where, L2Normalization, InstanceNorm, topk / argmax, one_hot, take, softmax with axis,
random sampling, repeat / tile; and LayerNorm / log_softmax from v1.x). Behaviour, not text:
each test says what it checks; expected values come from NumPy, gradients from mx.test_utils'
central differences."""
import numpy as np
import pytest

import mxnet as mx
from mxnet.test_utils import (assert_almost_equal, check_numeric_gradient,
                              check_symbolic_backward, check_symbolic_forward, np_reduce,
                              reldiff, same)


def test_swapaxes():
    """Two SwapAxis in a row equal NumPy's swapaxes (forward)."""
    data = mx.symbol.Variable('data')
    shape = (2, 3, 4)
    data_tmp = np.ones(shape)
    data_tmp[0] = 1
    data_tmp[1] = 2
    swap0 = mx.symbol.SwapAxis(data=data, dim1=0, dim2=2)
    swap = mx.symbol.SwapAxis(data=swap0, dim1=1, dim2=2)
    exe_c = swap.bind(mx.cpu(), args=[mx.nd.array(data_tmp)])
    exe_c.forward()
    out = exe_c.outputs[0].asnumpy()
    assert reldiff(out, np.swapaxes(np.swapaxes(data_tmp, 0, 2), 1, 2)) < 1e-6


def _unary_check(sym, data_tmp, forward, grad=None):
    """Forward against NumPy; backward of out_grad 2 against 2 * grad(x) when given."""
    data = mx.symbol.Variable('data')
    test = sym(data)
    arr_grad = mx.nd.empty(data_tmp.shape)
    exe = test.bind(mx.cpu(), args=[mx.nd.array(data_tmp)], args_grad=[arr_grad])
    exe.forward(is_train=True)
    assert reldiff(exe.outputs[0].asnumpy(), forward(data_tmp)) < 1e-6
    if grad is not None:
        out_grad = mx.nd.ones(data_tmp.shape) * 2
        exe.backward(out_grad)
        assert_almost_equal(arr_grad.asnumpy(), 2 * grad(data_tmp), rtol=1e-5, atol=1e-6)


def test_sign():
    """sign gives -1/0/1 and a zero gradient."""
    x = np.array([[5, -3, 0, 2]], dtype=np.float32)
    _unary_check(mx.sym.sign, x, np.sign, lambda x: np.zeros_like(x))


def test_round_ceil_floor():
    """round + ceil + floor of 5.543 as NumPy."""
    data = mx.symbol.Variable('data')
    data_tmp = np.ones((3, 4)) * 5.543
    test = mx.sym.round(data) + mx.sym.ceil(data) + mx.sym.floor(data)
    exe = test.bind(mx.cpu(), args=[mx.nd.array(data_tmp)])
    exe.forward()
    npout = np.round(data_tmp) + np.ceil(data_tmp) + np.floor(data_tmp)
    assert reldiff(exe.outputs[0].asnumpy(), npout) < 1e-6


def test_rsqrt_cos_sin():
    """rsqrt + cos + sin and their summed gradient."""
    data = mx.symbol.Variable('data')
    data_tmp = np.ones((3, 4)) * 5
    test = mx.sym.rsqrt(data) + mx.sym.cos(data) + mx.sym.sin(data)
    arr_grad = mx.nd.empty((3, 4))
    exe = test.bind(mx.cpu(), args=[mx.nd.array(data_tmp)], args_grad=[arr_grad])
    exe.forward(is_train=True)
    npout = 1 / np.sqrt(data_tmp) + np.cos(data_tmp) + np.sin(data_tmp)
    assert reldiff(exe.outputs[0].asnumpy(), npout) < 1e-6
    exe.backward(mx.nd.ones((3, 4)) * 2)
    npout_grad = 2 * (-(1.0 / (2.0 * data_tmp * np.sqrt(data_tmp))) - np.sin(data_tmp) +
                      np.cos(data_tmp))
    assert reldiff(arr_grad.asnumpy(), npout_grad) < 1e-6


def test_abs():
    """abs and its gradient sign(x)."""
    x = np.array([[5, -3, 0.5, -2]], dtype=np.float32)
    _unary_check(mx.sym.abs, x, np.abs, np.sign)


@pytest.mark.parametrize("name,fn,grad,low,high", [
    ("sqrt", np.sqrt, lambda x: 0.5 / np.sqrt(x), 0.5, 3),
    ("square", np.square, lambda x: 2 * x, -2, 2),
    ("exp", np.exp, np.exp, -2, 2),
    ("log", np.log, lambda x: 1 / x, 0.5, 3),
    ("tanh", np.tanh, lambda x: 1 - np.tanh(x) ** 2, -2, 2),
    ("arctan", np.arctan, lambda x: 1 / (1 + x * x), -2, 2),
    ("log1p", np.log1p, lambda x: 1 / (1 + x), -0.5, 2),
    ("expm1", np.expm1, np.exp, -1, 1),
    ("reciprocal", np.reciprocal, lambda x: -1 / (x * x), 0.5, 2),
])
def test_unary_math(name, fn, grad, low, high):
    """Each unary op against NumPy, its gradient against the formula and central differences."""
    x = np.random.uniform(low, high, (4, 5)).astype(np.float32)
    _unary_check(getattr(mx.sym, name), x, lambda v: fn(v.astype(np.float32)), grad)
    check_numeric_gradient(getattr(mx.sym, name)(mx.sym.Variable('data')), [x])


def test_maximum_minimum():
    """maximum(a, b) + minimum(a, b) of two symbols: gradients go to the larger / smaller."""
    data1, data2 = mx.symbol.Variable('data'), mx.symbol.Variable('data2')
    shape = (3, 4)
    data_tmp1 = np.random.rand(3, 4)
    data_tmp2 = np.random.rand(3, 4)
    data_tmp1[:] = 2
    data_tmp2[:] = 3
    arr_grad1, arr_grad2 = mx.nd.empty(shape), mx.nd.empty(shape)
    test = mx.sym.maximum(data1, data2) + mx.sym.minimum(data1, data2)
    exe = test.bind(mx.cpu(), args=[mx.nd.array(data_tmp1), mx.nd.array(data_tmp2)],
                    args_grad=[arr_grad1, arr_grad2])
    exe.forward(is_train=True)
    npout = np.maximum(data_tmp1, data_tmp2) + np.minimum(data_tmp1, data_tmp2)
    assert reldiff(exe.outputs[0].asnumpy(), npout) < 1e-6
    exe.backward(mx.nd.ones(shape) * 2)
    mask1 = (data_tmp1 > data_tmp2).astype('float') + (data_tmp1 < data_tmp2).astype('float')
    mask2 = (data_tmp1 < data_tmp2).astype('float') + (data_tmp1 > data_tmp2).astype('float')
    assert reldiff(arr_grad1.asnumpy(), 2 * mask1) < 1e-6
    assert reldiff(arr_grad2.asnumpy(), 2 * mask2) < 1e-6


def test_maximum_minimum_scalar():
    """maximum / minimum against numbers on either side."""
    data1 = mx.symbol.Variable('data')
    shape = (3, 4)
    data_tmp1 = np.random.rand(3, 4)
    data_tmp1[:] = 2
    arr_grad1 = mx.nd.empty(shape)
    test = (mx.sym.maximum(data1, 3) + mx.sym.maximum(9, data1) + mx.sym.minimum(5, data1) +
            mx.sym.minimum(data1, 4))
    exe = test.bind(mx.cpu(), args=[mx.nd.array(data_tmp1)], args_grad=[arr_grad1])
    exe.forward(is_train=True)
    npout = (np.maximum(data_tmp1, 3) + np.maximum(9, data_tmp1) + np.minimum(5, data_tmp1) +
             np.minimum(data_tmp1, 4))
    assert reldiff(exe.outputs[0].asnumpy(), npout) < 1e-6
    exe.backward(mx.nd.ones(shape) * 2)
    mask = ((data_tmp1 > 3).astype('float') + (9 < data_tmp1).astype('float') +
            (5 > data_tmp1).astype('float') + (data_tmp1 < 4).astype('float'))
    assert reldiff(arr_grad1.asnumpy(), 2 * mask) < 1e-6


def test_transpose():
    """transpose with random permutations (and none: reversed) as NumPy."""
    for ndim in range(1, 6):
        for _ in range(3):
            dims = list(np.random.randint(1, 5, size=ndim))
            axes = list(range(ndim))
            np.random.shuffle(axes)
            axes = tuple(axes)
            x = mx.nd.array(np.random.normal(size=dims))
            y = mx.nd.transpose(x, axes=axes)
            assert same(y.asnumpy(), np.transpose(x.asnumpy(), axes=axes))
            y = mx.nd.transpose(x)
            assert same(y.asnumpy(), np.transpose(x.asnumpy()))
    data = mx.sym.Variable('data')
    check_numeric_gradient(mx.sym.transpose(data, axes=(1, 2, 0)), [np.random.rand(2, 3, 4)])


def test_expand_dims():
    """expand_dims at every position as NumPy."""
    for ndim in range(1, 5):
        for axis in range(-ndim - 1, ndim + 1):
            shape = list(np.random.randint(1, 5, size=ndim))
            x = mx.nd.array(np.random.normal(size=shape))
            y = mx.nd.expand_dims(x, axis=axis)
            assert same(y.asnumpy(), np.expand_dims(x.asnumpy(), axis=axis))


def test_crop():
    """Crop by h_w and offset, and by a crop_like symbol centered, as NumPy slicing; the
    gradient is the output gradient inside the window, zero outside."""
    data = mx.sym.Variable('data')
    x = np.random.rand(2, 3, 8, 9).astype(np.float32)
    y = mx.sym.Crop(data, num_args=1, offset=(1, 2), h_w=(4, 5))
    check_symbolic_forward(y, [x], [x[:, :, 1:5, 2:7]])
    expected = np.zeros_like(x)
    expected[:, :, 1:5, 2:7] = 1
    check_symbolic_backward(y, [x], [np.ones((2, 3, 4, 5))], [expected])
    like = mx.sym.Variable('like')
    z = mx.sym.Crop(data, like, center_crop=True)
    check_symbolic_forward(z, [x, np.zeros((2, 1, 4, 5))], [x[:, :, 2:6, 2:7]])


def test_slice_axis():
    """slice_axis with random bounds on every axis (end None too) as NumPy; its gradient."""
    for ndim in range(1, 5):
        shape = np.random.randint(1, 6, size=ndim)
        for t in range(ndim):
            d = shape[t]
            b = np.random.randint(0, d)
            e = np.random.randint(b + 1, d + 1)
            idx = [slice(None)] * ndim
            idx[t] = slice(b, e)
            x = np.random.normal(size=shape)
            data = mx.sym.Variable('data')
            y = mx.sym.slice_axis(data, axis=t, begin=b, end=e)
            check_symbolic_forward(y, [x], [x[tuple(idx)]])
            grad = np.zeros_like(x)
            grad[tuple(idx)] = 1
            check_symbolic_backward(y, [x], [np.ones(x[tuple(idx)].shape)], [grad])
            y = mx.sym.slice_axis(data, axis=t, begin=b, end=None)
            idx[t] = slice(b, None)
            check_symbolic_forward(y, [x], [x[tuple(idx)]])


def _broadcast_shapes():
    ndim = np.random.randint(1, 5)
    shape = np.random.randint(1, 5, size=ndim)
    a, b = shape.copy(), shape.copy()
    for i in range(ndim):
        r = np.random.randint(3)
        if r == 1:
            a[i] = 1
        elif r == 2:
            b[i] = 1
    return tuple(a), tuple(b)


def _reduce_to(grad, shape):
    """Sums grad over the axes where shape has extent 1 (a broadcast operand's gradient)."""
    axes = tuple(i for i, d in enumerate(shape) if d == 1 and grad.shape[i] != 1)
    return grad.sum(axis=axes, keepdims=True) if axes else grad


@pytest.mark.parametrize("op,fn,gl,gr", [
    ("add", np.add, lambda a, b, g: g, lambda a, b, g: g),
    ("sub", np.subtract, lambda a, b, g: g, lambda a, b, g: -g),
    ("mul", np.multiply, lambda a, b, g: g * b, lambda a, b, g: g * a),
    ("div", np.divide, lambda a, b, g: g / b, lambda a, b, g: -g * a / (b * b)),
    ("power", np.power, lambda a, b, g: g * b * a ** (b - 1),
     lambda a, b, g: g * a ** b * np.log(a)),
    ("maximum", np.maximum, lambda a, b, g: g * (a >= b), lambda a, b, g: g * (a < b)),
    ("minimum", np.minimum, lambda a, b, g: g * (a <= b), lambda a, b, g: g * (a > b)),
    ("hypot", np.hypot, lambda a, b, g: g * a / np.hypot(a, b),
     lambda a, b, g: g * b / np.hypot(a, b)),
])
def test_broadcast_binary_op(op, fn, gl, gr):
    """broadcast_<op> on random broadcastable shapes: forward as NumPy, gradients summed back
    over the stretched axes."""
    lhs, rhs = mx.sym.Variable('lhs'), mx.sym.Variable('rhs')
    sym = getattr(mx.sym, 'broadcast_' + op)(lhs, rhs)
    for _ in range(5):
        sa, sb = _broadcast_shapes()
        a = np.random.uniform(0.5, 2, sa).astype(np.float32)
        b = np.random.uniform(0.5, 2, sb).astype(np.float32)
        out = fn(a, b)
        check_symbolic_forward(sym, [a, b], [out], rtol=1e-4, atol=1e-5)
        g = np.random.uniform(-1, 1, out.shape)
        check_symbolic_backward(sym, [a, b], [g],
                                [_reduce_to(gl(a, b, g), sa), _reduce_to(gr(a, b, g), sb)],
                                rtol=1e-4, atol=1e-5)


def test_broadcast_comparisons():
    """broadcast_equal / greater / lesser ... give 1 or 0 as NumPy's comparisons."""
    for op, fn in [("equal", np.equal), ("not_equal", np.not_equal),
                   ("greater", np.greater), ("greater_equal", np.greater_equal),
                   ("lesser", np.less), ("lesser_equal", np.less_equal)]:
        sa, sb = _broadcast_shapes()
        a = np.random.randint(0, 3, sa).astype(np.float32)
        b = np.random.randint(0, 3, sb).astype(np.float32)
        got = getattr(mx.nd, 'broadcast_' + op)(mx.nd.array(a), mx.nd.array(b)).asnumpy()
        assert same(got, fn(a, b).astype(np.float32))


def test_symbol_comparisons():
    """Comparison operators on symbols and numbers (both sides) as NumPy."""
    x, y = mx.sym.Variable('x'), mx.sym.Variable('y')
    a = np.random.randint(0, 3, (3, 4)).astype(np.float32)
    b = np.random.randint(0, 3, (3, 4)).astype(np.float32)
    for sym, expected in [(x == y, a == b), (x != y, a != b), (x > y, a > b), (x >= 1, a >= 1),
                          (1 < x, 1 < a), (x <= y, a <= b)]:
        check_symbolic_forward(sym, {'x': a, 'y': b} if 'y' in sym.list_arguments() else [a],
                               [expected.astype(np.float32)])


@pytest.mark.parametrize("op,np_fn", [
    ("sum", np.sum), ("mean", np.mean), ("prod", np.prod), ("max", np.max), ("min", np.min),
    ("nansum", np.nansum)])
def test_reduce(op, np_fn):
    """Reductions over random axes (keepdims, exclude) as NumPy; gradients by central
    differences."""
    for _ in range(5):
        ndim = np.random.randint(1, 5)
        shape = tuple(np.random.randint(1, 5, size=ndim))
        axes = [i for i in range(ndim) if np.random.randint(2)]
        keepdims = bool(np.random.randint(2))
        x = np.random.uniform(0.5, 1.5, shape).astype(np.float32)
        data = mx.sym.Variable('data')
        if axes:
            sym = getattr(mx.sym, op)(data, axis=tuple(axes), keepdims=keepdims)
            expected = np_reduce(x, axes, keepdims, np_fn)
        else:
            sym = getattr(mx.sym, op)(data, keepdims=keepdims)
            expected = np_reduce(x, None, keepdims, np_fn)
        if not keepdims and np.ndim(expected) == 0:
            expected = np.array([expected])
        check_symbolic_forward(sym, [x], [expected], rtol=1e-4, atol=1e-5)
        if op not in ("max", "min"):
            check_numeric_gradient(sym, [x], numeric_eps=1e-3, rtol=2e-2, atol=1e-3)
    x = np.random.rand(2, 3, 4).astype(np.float32)
    got = getattr(mx.nd, op)(mx.nd.array(x), axis=1, exclude=True).asnumpy()
    assert_almost_equal(got, np_reduce(x, [0, 2], False, np_fn), rtol=1e-4)


def test_norm():
    """norm of the flattened array and over an axis (ord 1 and 2)."""
    x = np.random.uniform(-1, 1, (3, 4)).astype(np.float32)
    data = mx.sym.Variable('data')
    check_symbolic_forward(mx.sym.norm(data), [x], [np.array([np.linalg.norm(x)])])
    check_symbolic_forward(mx.sym.norm(data, axis=1, ord=1), [x], [np.abs(x).sum(axis=1)])
    check_numeric_gradient(mx.sym.norm(data, axis=0), [x])


def test_broadcast():
    """broadcast_axis and broadcast_to as NumPy; gradients are the sums back."""
    for _ in range(5):
        ndim = np.random.randint(1, 5)
        target = np.random.randint(1, 5, size=ndim)
        axes = [i for i in range(ndim) if np.random.randint(2)]
        shape = target.copy()
        shape[axes] = 1
        x = np.random.normal(size=shape)
        data = mx.sym.Variable('data')
        if axes:
            y = mx.sym.broadcast_axis(data, axis=tuple(axes),
                                      size=tuple(int(target[a]) for a in axes))
            check_symbolic_forward(y, [x], [np.broadcast_to(x, target)])
            check_numeric_gradient(y, [x])
        z = mx.sym.broadcast_to(data, shape=tuple(int(t) for t in target))
        check_symbolic_forward(z, [x], [np.broadcast_to(x, target)])
        g = np.random.normal(size=target)
        check_symbolic_backward(z, [x], [g], [_reduce_to(g, tuple(shape))], rtol=1e-4,
                                atol=1e-5)


def test_dot():
    """dot of matrices with every transpose flag, and of vectors, as NumPy; gradients."""
    for m, k, n in [(1, 1, 1), (3, 4, 5), (7, 2, 6)]:
        a = np.random.uniform(-1, 1, (m, k)).astype(np.float32)
        b = np.random.uniform(-1, 1, (k, n)).astype(np.float32)
        lhs, rhs = mx.sym.Variable('lhs'), mx.sym.Variable('rhs')
        c = mx.sym.dot(lhs, rhs)
        check_symbolic_forward(c, [a, b], [np.dot(a, b)], rtol=1e-4, atol=1e-5)
        g = np.random.uniform(-1, 1, (m, n))
        check_symbolic_backward(c, [a, b], [g], [np.dot(g, b.T), np.dot(a.T, g)], rtol=1e-4,
                                atol=1e-5)
        for ta, tb in [(True, False), (False, True), (True, True)]:
            aa = a.T if ta else a
            bb = b.T if tb else b
            c = mx.sym.dot(lhs, rhs, transpose_a=ta, transpose_b=tb)
            check_symbolic_forward(c, [aa, bb], [np.dot(a, b)], rtol=1e-4, atol=1e-5)
            check_numeric_gradient(c, [aa, bb], numeric_eps=1e-2, rtol=2e-2, atol=1e-2)
    v = np.random.rand(5).astype(np.float32)
    got = mx.nd.dot(mx.nd.array(v), mx.nd.array(v)).asnumpy()
    assert_almost_equal(got, np.array([np.dot(v, v)]), rtol=1e-5)


def test_batch_dot():
    """batch_dot per batch entry as NumPy, with transposes; gradients."""
    for batch, m, k, n in [(1, 1, 1, 1), (3, 4, 5, 2)]:
        a = np.random.uniform(-1, 1, (batch, m, k)).astype(np.float32)
        b = np.random.uniform(-1, 1, (batch, k, n)).astype(np.float32)
        expected = np.stack([np.dot(a[i], b[i]) for i in range(batch)])
        lhs, rhs = mx.sym.Variable('lhs'), mx.sym.Variable('rhs')
        for ta, tb in [(False, False), (True, False), (False, True), (True, True)]:
            aa = a.transpose(0, 2, 1) if ta else a
            bb = b.transpose(0, 2, 1) if tb else b
            c = mx.sym.batch_dot(lhs, rhs, transpose_a=ta, transpose_b=tb)
            check_symbolic_forward(c, [aa, bb], [expected], rtol=1e-4, atol=1e-5)
            check_numeric_gradient(c, [aa, bb], numeric_eps=1e-2, rtol=2e-2, atol=1e-2)


def test_clip():
    """clip's values and its gradient (1 inside the bounds, 0 outside)."""
    data = mx.symbol.Variable('data')
    shape = (30, 30)
    data_tmp = np.random.uniform(-1, 1, shape)
    test = mx.sym.clip(data, a_max=0.6, a_min=-0.6)
    check_symbolic_forward(test, [data_tmp], [np.clip(data_tmp, -0.6, 0.6)])
    check_symbolic_backward(test, [data_tmp], [np.ones(shape)],
                            [np.where(data_tmp < 0.6, [1], [0]) *
                             np.where(data_tmp > -0.6, [1], [0])])


def test_blockgrad():
    """BlockGrad passes values and stops gradients: what feeds it gets zero."""
    a = mx.sym.Variable('a')
    b = mx.sym.BlockGrad(a) * 2 + a
    x = np.random.rand(3, 4)
    check_symbolic_forward(b, [x], [3 * x])
    check_symbolic_backward(b, [x], [np.ones((3, 4))], [np.ones((3, 4))])


def test_make_loss():
    """MakeLoss is a loss head: backward needs no head gradient and gives grad_scale."""
    a = mx.sym.Variable('a')
    loss = mx.sym.MakeLoss(mx.sym.square(a), grad_scale=0.5)
    x = np.random.rand(3, 4)
    check_symbolic_forward(loss, [x], [x * x])
    check_symbolic_backward(loss, [x], None, [0.5 * 2 * x], rtol=1e-5)
    batch = mx.sym.MakeLoss(mx.sym.square(a), normalization='batch')
    check_symbolic_backward(batch, [x], None, [2 * x / 3], rtol=1e-5)


def test_where():
    """where with a same-shape and a row condition; x and y gradients split by it."""
    cond, x, y = mx.sym.Variable('condition'), mx.sym.Variable('x'), mx.sym.Variable('y')
    w = mx.sym.where(cond, x, y)
    c = np.random.randint(0, 2, (3, 4)).astype(np.float32)
    a = np.random.rand(3, 4)
    b = np.random.rand(3, 4)
    check_symbolic_forward(w, [c, a, b], [np.where(c, a, b)])
    g = np.random.rand(3, 4)
    check_symbolic_backward(w, {'condition': c, 'x': a, 'y': b}, [g],
                            {'x': g * (c != 0), 'y': g * (c == 0)})
    rows = np.array([1, 0, 1], dtype=np.float32)
    check_symbolic_forward(w, [rows, a, b], [np.where(rows[:, None], a, b)])


def test_l2_normalization():
    """L2Normalization in its three modes as NumPy; gradients by central differences."""
    data = mx.symbol.Variable('data')
    x = np.random.uniform(-1, 1, (2, 3, 4)).astype(np.float32)
    eps = 1e-10
    for mode, axes in [('instance', (1, 2)), ('channel', (1,)), ('spatial', (2,))]:
        norm = np.sqrt(np.sum(x * x, axis=axes, keepdims=True) + eps)
        y = mx.symbol.L2Normalization(data, mode=mode)
        check_symbolic_forward(y, [x], [x / norm], rtol=1e-5, atol=1e-6)
        check_numeric_gradient(y, [x], numeric_eps=1e-3, rtol=2e-2, atol=1e-3)


def test_instance_norm():
    """InstanceNorm as NumPy (mean and variance per sample and channel); gradients."""
    data = mx.symbol.Variable('data')
    x = np.random.normal(size=(2, 3, 5, 4)).astype(np.float32)
    gamma = np.random.uniform(0.5, 1.5, 3).astype(np.float32)
    beta = np.random.uniform(-1, 1, 3).astype(np.float32)
    eps = 1e-3
    mean = x.mean(axis=(2, 3), keepdims=True)
    var = x.var(axis=(2, 3), keepdims=True)
    expected = (gamma[None, :, None, None] * (x - mean) / np.sqrt(var + eps) +
                beta[None, :, None, None])
    y = mx.symbol.InstanceNorm(data, eps=eps, name='in')
    check_symbolic_forward(y, [x, gamma, beta], [expected], rtol=1e-4, atol=1e-4)
    check_numeric_gradient(y, [x[:1, :, :3, :3], gamma, beta], numeric_eps=1e-3, rtol=5e-2,
                           atol=5e-3)


def test_layer_norm():
    """LayerNorm over the last axis and over axis 1 as NumPy; gradients."""
    data = mx.symbol.Variable('data')
    for shape, axis in [((4, 6), -1), ((2, 5, 3), 1)]:
        x = np.random.normal(size=shape).astype(np.float32)
        n = shape[axis]
        gamma = np.random.uniform(0.5, 1.5, n).astype(np.float32)
        beta = np.random.uniform(-1, 1, n).astype(np.float32)
        mean = x.mean(axis=axis, keepdims=True)
        std = np.sqrt(x.var(axis=axis, keepdims=True) + 1e-5)
        bshape = [1] * len(shape)
        bshape[axis] = n
        expected = gamma.reshape(bshape) * (x - mean) / std + beta.reshape(bshape)
        y = mx.symbol.LayerNorm(data, axis=axis)
        check_symbolic_forward(y, [x, gamma, beta], [expected], rtol=1e-4, atol=1e-4)
        check_numeric_gradient(y, [x, gamma, beta], numeric_eps=1e-3, rtol=5e-2, atol=5e-3)


def test_softmax():
    """softmax / log_softmax along several axes as NumPy; SoftmaxActivation's two modes."""
    def np_softmax(x, axis=-1):
        x = x - np.max(x, axis=axis, keepdims=True)
        x = np.exp(x)
        return x / np.sum(x, axis=axis, keepdims=True)
    data = mx.sym.Variable('data')
    x = np.random.uniform(-1, 1, (2, 3, 4)).astype(np.float32)
    for axis in [0, 1, -1]:
        check_symbolic_forward(mx.sym.softmax(data, axis=axis), [x], [np_softmax(x, axis)])
        check_symbolic_forward(mx.sym.log_softmax(data, axis=axis), [x],
                               [np.log(np_softmax(x, axis))], rtol=1e-4, atol=1e-5)
        check_numeric_gradient(mx.sym.softmax(data, axis=axis), [x])
    check_symbolic_forward(mx.sym.SoftmaxActivation(data), [x],
                           [np_softmax(x.reshape(2, 12)).reshape(2, 3, 4)])
    check_symbolic_forward(mx.sym.SoftmaxActivation(data, mode='channel'), [x],
                           [np_softmax(x, axis=1)])


def test_order():
    """topk (values, indices, mask, both; ascending), argmax / argmin as NumPy's sorts."""
    x = np.random.permutation(60).reshape(3, 4, 5).astype(np.float32)
    a = mx.nd.array(x)
    order = np.argsort(-x, axis=1, kind='stable')[:, :2, :]
    assert same(mx.nd.topk(a, axis=1, k=2, ret_typ='indices').asnumpy(),
                order.astype(np.float32))
    assert same(mx.nd.topk(a, axis=1, k=2, ret_typ='value').asnumpy(),
                np.take_along_axis(x, order, axis=1))
    value, index = mx.nd.topk(a, axis=1, k=2, ret_typ='both')
    assert same(index.asnumpy(), order.astype(np.float32))
    mask = mx.nd.topk(a, axis=1, k=2, ret_typ='mask').asnumpy()
    assert mask.sum() == 3 * 2 * 5 and same(np.take_along_axis(mask, order, 1), np.ones_like(order))
    low = mx.nd.topk(a, k=3, ret_typ='value', is_ascend=True).asnumpy()
    assert same(low, np.sort(x, axis=-1)[:, :, :3])
    assert same(mx.nd.argmax(a, axis=2).asnumpy(), np.argmax(x, axis=2).astype(np.float32))
    assert same(mx.nd.argmin(a, axis=0).asnumpy(), np.argmin(x, axis=0).astype(np.float32))
    assert same(mx.nd.argmax_channel(mx.nd.array(x[0])).asnumpy(),
                np.argmax(x[0], axis=1).astype(np.float32))


def test_one_hot_take_pick():
    """one_hot, take (clip / wrap) and pick as NumPy; take's gradient adds up repeats."""
    idx = np.array([[0, 2], [4, 1]], dtype=np.float32)
    assert same(mx.nd.one_hot(mx.nd.array(idx), depth=5).asnumpy(),
                np.eye(5, dtype=np.float32)[idx.astype(int)])
    a = np.random.rand(5, 3).astype(np.float32)
    got = mx.nd.take(mx.nd.array(a), mx.nd.array([[0, 4], [7, -1]])).asnumpy()
    assert same(got, a[np.clip([[0, 4], [7, -1]], 0, 4)])
    got = mx.nd.take(mx.nd.array(a), mx.nd.array([7, -1]), mode='wrap').asnumpy()
    assert same(got, a[[2, 4]])
    data, indices = mx.sym.Variable('a'), mx.sym.Variable('indices')
    t = mx.sym.take(data, indices)
    check_symbolic_backward(t, {'a': a, 'indices': np.array([1, 1, 3])}, [np.ones((3, 3))],
                            {'a': np.array([[0] * 3, [2] * 3, [0] * 3, [1] * 3, [0] * 3])})
    labels = np.array([2, 0, 1, 1, 2], dtype=np.float32)
    got = mx.nd.pick(mx.nd.array(a), mx.nd.array(labels)).asnumpy()
    assert same(got, a[np.arange(5), labels.astype(int)])
    with pytest.raises(mx.MXNetError, match="out of range"):
        mx.nd.take(mx.nd.array(a), mx.nd.array([9]), mode='raise').asnumpy()


def test_random_ops():
    """Sampling ops from symbols and arrays: shapes, ranges, moments; the same seed gives the
    same draws."""
    s = mx.sym.random.uniform(low=-1, high=3, shape=(100, 100))
    exe = s.bind(mx.cpu(), args={})
    mx.random.seed(7)
    exe.forward()
    first = exe.outputs[0].asnumpy()
    assert first.shape == (100, 100) and first.min() >= -1 and first.max() < 3
    assert abs(first.mean() - 1) < 0.1
    mx.random.seed(7)
    exe.forward()
    assert same(first, exe.outputs[0].asnumpy())
    n = mx.nd.random.normal(2, 0.5, shape=(200, 100), dtype='float64').asnumpy()
    assert n.dtype == np.float64
    assert abs(n.mean() - 2) < 0.05 and abs(n.std() - 0.5) < 0.05
    u = mx.nd.uniform(0, 1, shape=(3, 2)).asnumpy()
    assert u.shape == (3, 2)


def test_ndarray_functions():
    """Every op as an array function: positional parameters, keyword inputs, out=, errors as
    MXNetError naming the op."""
    x = mx.nd.array(np.arange(12).reshape(3, 4))
    assert same(mx.nd.clip(x, 2, 5).asnumpy(), np.clip(np.arange(12).reshape(3, 4), 2, 5))
    assert same(mx.nd.sum(x, axis=0).asnumpy(), np.arange(12).reshape(3, 4).sum(axis=0))
    assert same(x.sum(axis=1, keepdims=True).asnumpy(),
                np.arange(12).reshape(3, 4).sum(axis=1, keepdims=True))
    assert x.T.shape == (4, 3)
    out = mx.nd.zeros((3, 4))
    mx.nd.broadcast_mul(lhs=x, rhs=mx.nd.array([[2]]), out=out)
    assert same(out.asnumpy(), 2 * np.arange(12).reshape(3, 4))
    assert same((x > 5).asnumpy(), (np.arange(12).reshape(3, 4) > 5).astype(np.float32))
    with pytest.raises(mx.MXNetError, match="transpose 'transpose': axes"):
        mx.nd.transpose(x, axes=(0, 0))
    with pytest.raises(mx.MXNetError, match="takes 2 inputs"):
        mx.nd.dot(x)


def test_attr_scope_and_attr():
    """AttrScope with plain keys and attr={...} on ops (MXNet's test_attr): kept as attributes,
    not parameters; explicit ones win; they survive pickling."""
    import pickle as pkl
    with mx.AttrScope(group='4', data='great'):
        data = mx.symbol.Variable('data', attr={'dtype': 'data', 'group': '1'})
        gdata = mx.symbol.Variable('data2')
    assert gdata.attr('group') == '4'
    assert data.attr('group') == '1'
    data2 = pkl.loads(pkl.dumps(data))
    assert data.attr('dtype') == data2.attr('dtype')
    data = mx.symbol.Variable('data')
    with mx.AttrScope(group='4', data='great'):
        fc1 = mx.symbol.Activation(data, act_type='relu')
        with mx.AttrScope(init_bias='0.0'):
            fc2 = mx.symbol.FullyConnected(fc1, num_hidden=10, name='fc2')
    assert fc1.attr('data') == 'great'
    fc2copy = pkl.loads(pkl.dumps(fc2))
    assert fc2copy.tojson() == fc2.tojson()
    fc3 = mx.sym.FullyConnected(data, num_hidden=2, attr={'ctx_group': 'dev1'})
    assert fc3.attr('ctx_group') == 'dev1'
    with pytest.raises(mx.MXNetError, match="unknown parameter 'num_hiden'"):
        mx.sym.FullyConnected(data, num_hiden=2)


def test_debug_str_and_partial_types():
    """debug_str lists outputs, variables and ops with inputs and parameters;
    infer_type_partial leaves unknown types None."""
    data = mx.sym.Variable('data')
    fc = mx.sym.FullyConnected(data, num_hidden=10, name='fc1')
    text = fc.debug_str()
    assert "output[0]=fc1(0)" in text and "Variable:fc1_weight" in text
    assert "Op:FullyConnected, Name=fc1" in text and "num_hidden=10" in text
    args, outs, _ = fc.infer_type_partial()
    assert args == [None, None, None] and outs == [None]
    args, outs, _ = fc.infer_type_partial(data=np.float64)
    assert args == [np.float64] * 3 and outs == [np.float64]


def test_default_ctx():
    """Context.default_ctx is the default of array creation outside `with` blocks."""
    assert mx.Context.default_ctx == mx.cpu()
    assert mx.nd.zeros((2,)).context == mx.cpu()
    with mx.cpu(0):
        assert mx.current_context() == mx.cpu(0)


@pytest.mark.parametrize("fn,np_fn", [
    (lambda a, b: a + b, np.add), (lambda a, b: a - b, np.subtract),
    (lambda a, b: a * b, np.multiply), (lambda a, b: a / b, np.divide),
    (lambda a, b: mx.nd.maximum(a, b), np.maximum), (lambda a, b: a ** b, np.power)])
def test_float16_elementwise(fn, np_fn):
    """MXNet's elementwise checks in float16 (test_ndarray's check_with_uniform with
    type_list float16): arrays stay float16 and match NumPy's float16 arithmetic."""
    for dim in range(1, 4):
        shape = tuple(np.random.randint(1, 10, size=dim))
        a = np.random.uniform(0.5, 2, shape).astype(np.float16)
        b = np.random.uniform(0.5, 2, shape).astype(np.float16)
        out = fn(mx.nd.array(a, dtype=np.float16), mx.nd.array(b, dtype=np.float16))
        assert out.dtype == np.float16
        assert_almost_equal(out.asnumpy(), np_fn(a, b), rtol=1e-3, atol=1e-3)


def test_float16_symbols():
    """A float16 graph (unary, broadcast, reduction, FullyConnected, softmax) forward and
    backward matches the float32 graph to half precision."""
    data = mx.sym.Variable('data')
    net = mx.sym.FullyConnected(mx.sym.sqrt(mx.sym.abs(data) + 1), num_hidden=6, name='fc')
    net = mx.sym.softmax(mx.sym.broadcast_mul(net, mx.sym.sum(data, axis=1, keepdims=True)))
    x = np.random.uniform(-1, 1, (4, 5))
    outs, grads = {}, {}
    for dtype in (np.float32, np.float16):
        exe = net.simple_bind(mx.cpu(), data=(4, 5), type_dict={'data': dtype})
        exe.arg_dict['data'][:] = x
        exe.arg_dict['fc_weight'][:] = np.linspace(-1, 1, 30).reshape(6, 5)
        exe.arg_dict['fc_bias'][:] = 0.1
        exe.forward(is_train=True)
        exe.backward([mx.nd.array(np.linspace(0, 1, 24).reshape(4, 6), dtype=dtype)])
        assert exe.outputs[0].dtype == dtype and exe.grad_dict['data'].dtype == dtype
        outs[dtype] = exe.outputs[0].asnumpy().astype(np.float32)
        grads[dtype] = exe.grad_dict['data'].asnumpy().astype(np.float32)
    assert_almost_equal(outs[np.float16], outs[np.float32], rtol=1e-2, atol=1e-3)
    assert_almost_equal(grads[np.float16], grads[np.float32], rtol=5e-2, atol=5e-3)


def test_multi_precision_sgd():
    """multi_precision keeps a float32 master of a float16 weight: steps smaller than half's
    spacing accumulate there (and reach the weight), while without it they round away."""
    for multi, expect_moved in ((True, True), (False, False)):
        opt = mx.optimizer.SGD(learning_rate=1e-4, multi_precision=multi)
        weight = mx.nd.ones((4,), dtype='float16')
        grad = mx.nd.ones((4,), dtype='float16')
        state = opt.create_state(0, weight)
        assert len(state) == (1 if multi else 0)
        for _ in range(30):
            opt.update(0, weight, grad, state)
        assert weight.dtype == np.float16
        moved = bool((weight.asnumpy() < 1).all())
        assert moved == expect_moved, weight.asnumpy()
        if multi:
            assert_almost_equal(state[0].asnumpy(), np.full(4, 1 - 30e-4), rtol=1e-5)
    # A float32 weight ignores the option.
    opt = mx.optimizer.SGD(learning_rate=0.1, multi_precision=True)
    w = mx.nd.ones((2,))
    opt.update(0, w, mx.nd.ones((2,)), opt.create_state(0, w))
    assert_almost_equal(w.asnumpy(), [0.9, 0.9])


def test_repeat():
    """repeat (MXNet v0.9) equals NumPy's repeat, flattened and along every axis (negative
    too); its gradient adds the copies back (central differences)."""
    for ndim in range(1, 6):
        shape = tuple(np.random.randint(1, 4, size=ndim))
        a = np.random.random_sample(size=shape)
        b = mx.nd.array(a)
        assert_almost_equal(np.repeat(a, 3), mx.nd.repeat(b, 3).asnumpy())
        for axis in range(-ndim, ndim):
            assert_almost_equal(np.repeat(a, 3, axis), mx.nd.repeat(b, 3, axis).asnumpy())
    sym = mx.sym.repeat(mx.sym.Variable('data'), repeats=2, axis=1)
    check_numeric_gradient(sym, [np.random.rand(2, 3, 2)])


def test_tile():
    """tile (MXNet v0.9) equals NumPy's tile, with reps shorter than, as long as and longer
    than the axes; its gradient adds the tiles back."""
    for ndim in range(1, 5):
        shape = tuple(np.random.randint(1, 4, size=ndim))
        a = np.random.random_sample(size=shape)
        for reps in [(2,), (1, 3), (2, 1, 2, 3, 1), tuple(np.random.randint(1, 4, size=ndim))]:
            assert_almost_equal(np.tile(a, reps), mx.nd.tile(mx.nd.array(a), reps=reps).asnumpy())
    sym = mx.sym.tile(mx.sym.Variable('data'), reps=(2, 1, 3))
    check_numeric_gradient(sym, [np.random.rand(3, 2)])


def test_smooth_l1():
    """smooth_l1 (MXNet v0.8, Fast R-CNN's box loss) equals its formula with sigma as the
    scalar: 0.5 (sigma x)^2 inside |x| < 1 / sigma^2, |x| - 0.5 / sigma^2 outside; the
    gradient sigma^2 x inside and sign(x) outside."""
    x = np.array([-3.0, -0.5, -0.1, 0.0, 0.2, 0.24, 0.3, 2.0])
    for sigma in (1.0, 2.0):
        inside = np.abs(x) < 1.0 / sigma ** 2
        expected = np.where(inside, 0.5 * (sigma * x) ** 2, np.abs(x) - 0.5 / sigma ** 2)
        assert_almost_equal(mx.nd.smooth_l1(mx.nd.array(x), scalar=sigma).asnumpy(), expected)
        check_symbolic_backward(mx.sym.smooth_l1(mx.sym.Variable('data'), scalar=sigma), [x],
                                [np.ones_like(x)],
                                [np.where(inside, sigma ** 2 * x, np.sign(x))])
