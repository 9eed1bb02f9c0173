"""Ports of MXNet's unit tests of the layers and shape codes added in 2016 (test_operator.py of
v0.7-v0.8): grouped and dilated Convolution, Reshape's special codes, flip, Pad, SVMOutput,
ROIPooling, Correlation, SpatialTransformer and the sequence ops (SequenceMask, SequenceLast,
SequenceReverse). Behaviour, not text: each test says what it checks; expected values come from NumPy
or from an equivalent graph, gradients from mx.test_utils' central differences. Changes:
Python 3; Pad also in 'reflect' mode (MXNet added it in 2017)."""
import random

import numpy as np

import mxnet as mx
from mxnet.test_utils import assert_almost_equal, check_numeric_gradient, default_context


def test_convolution_grouping():
    """A grouped Convolution equals Concat of Convolutions over the SliceChannel'd data,
    weight and bias: outputs and every gradient."""
    num_filter = 4
    num_group = 2
    kernel = (3, 3)
    shape = (1, 4, 9, 9)

    x = mx.sym.Variable('x')
    w = mx.sym.Variable('w')
    b = mx.sym.Variable('b')
    y1 = mx.sym.Convolution(data=x, weight=w, bias=b, num_filter=num_filter,
                            num_group=num_group, kernel=kernel)
    xslice = mx.sym.SliceChannel(data=x, num_outputs=num_group, axis=1)
    wslice = mx.sym.SliceChannel(data=w, num_outputs=num_group, axis=0)
    bslice = mx.sym.SliceChannel(data=b, num_outputs=num_group, axis=0)
    y2 = mx.sym.Concat(*[mx.sym.Convolution(data=xslice[i], weight=wslice[i], bias=bslice[i],
                                            num_filter=num_filter // num_group, kernel=kernel)
                         for i in range(num_group)])

    exe1 = y1.simple_bind(default_context(), x=shape)
    exe2 = y2.simple_bind(default_context(), x=shape,
                          w=(num_filter, shape[1] // num_group, kernel[0], kernel[1]),
                          b=(num_filter,))
    for arr1, arr2 in zip(exe1.arg_arrays, exe2.arg_arrays):
        arr1[:] = np.random.normal(size=arr1.shape)
        arr2[:] = arr1
    exe1.forward(is_train=True)
    exe1.backward(exe1.outputs[0])
    exe2.forward(is_train=True)
    exe2.backward(exe2.outputs[0])

    for arr1, arr2 in zip(exe1.outputs + exe1.grad_arrays, exe2.outputs + exe2.grad_arrays):
        np.testing.assert_allclose(arr1.asnumpy(), arr2.asnumpy(), rtol=1e-3, atol=1e-4)


def check_convolution_dilated_impulse_response(dil, kernel_shape):
    """With all-one weights, a spike convolves to the kernel's taps placed `dil` apart (their
    count is prod(kernel)); a spike of output gradient goes back to the same taps; and the
    weight gradient of an impulse error, added to the weights, raises that output by the
    gradient's sum (the output is linear in the weights)."""
    size = (1, 1, 33, 33)
    spike = np.zeros(size, dtype=np.float32)
    spike[0, 0, 16, 16] = 1.0
    ones = np.ones((1, 1) + kernel_shape, dtype=np.float32)
    net = mx.sym.Convolution(mx.sym.Variable('input'), num_filter=1, kernel=kernel_shape,
                             dilate=dil, no_bias=True, name='test_convolution')
    data_grad = mx.nd.zeros(size)
    exe = net.bind(default_context(),
                   args={'input': mx.nd.array(spike),
                         'test_convolution_weight': mx.nd.array(ones)},
                   args_grad={'input': data_grad,
                              'test_convolution_weight': mx.nd.zeros(ones.shape)})
    exe.forward(is_train=True)
    out = exe.outputs[0].asnumpy()
    assert out.sum() == np.prod(kernel_shape)
    # Each tap (i, j) of the kernel reads the spike at output (16 - i*dy, 16 - j*dx).
    expected = np.zeros_like(out)
    for i in range(kernel_shape[0]):
        for j in range(kernel_shape[1]):
            expected[0, 0, 16 - i * dil[0], 16 - j * dil[1]] = 1
    assert_almost_equal(out, expected)

    out_grad = np.zeros(out.shape, dtype=np.float32)
    out_grad[0, 0, 16, 16] = 1.0
    exe.backward([mx.nd.array(out_grad)])
    back = data_grad.asnumpy()
    expected = np.zeros(size, dtype=np.float32)
    for i in range(kernel_shape[0]):
        for j in range(kernel_shape[1]):
            expected[0, 0, 16 + i * dil[0], 16 + j * dil[1]] = 1
    assert_almost_equal(back, expected)

    # The weight gradient of an impulse error on a white input.
    weights = np.random.uniform(0, 1, (1, 1) + kernel_shape).astype(np.float32)
    impulse = np.zeros(out.shape, dtype=np.float32)
    impulse[0, 0, 16, 16] = 1.0
    weight_grad = mx.nd.zeros(weights.shape)
    exe = net.bind(default_context(), args={'input': mx.nd.ones(size),
                                            'test_convolution_weight': mx.nd.array(weights)},
                   args_grad={'input': mx.nd.zeros(size),
                              'test_convolution_weight': weight_grad})
    exe.forward(is_train=True)
    exe.backward([mx.nd.array(impulse)])
    before = exe.outputs[0].asnumpy()[0, 0, 16, 16]
    gradient = weight_grad.asnumpy()
    exe = net.bind(default_context(), args={'input': mx.nd.ones(size),
                                            'test_convolution_weight':
                                            mx.nd.array(weights + gradient)})
    exe.forward()
    after = exe.outputs[0].asnumpy()[0, 0, 16, 16]
    assert abs(after - before - gradient.sum()) < 1e-3


def test_convolution_dilated_impulse_response():
    for dil in [(1, 1), (2, 2), (3, 3)]:
        for ks in [(3, 3), (4, 4), (2, 3), (3, 2), (1, 1)]:
            check_convolution_dilated_impulse_response(dil, ks)


def test_reshape():
    """Reshape's special codes (0 keep, -1 infer, -2 copy the rest, -3 merge two, -4 split
    one) after a JSON round trip: inferred shape, forward and backward equal NumPy's reshape;
    and the old target_shape parameter."""
    def check_reshape_new(src_shape, shape_args, dst_shape):
        net = mx.sym.Variable("data")
        net = mx.sym.Reshape(net, shape=shape_args)
        net = mx.sym.load_json(net.tojson())
        _, output_shape, __ = net.infer_shape(data=src_shape)
        assert output_shape[0] == dst_shape, (src_shape, shape_args, output_shape)
        dat_npy = np.random.rand(*src_shape)
        grad_npy = np.random.rand(*dst_shape)
        exe = net.simple_bind(default_context(), data=src_shape)
        exe.arg_dict['data'][:] = dat_npy
        exe.forward(is_train=True)
        assert np.square(exe.outputs[0].asnumpy() - dat_npy.reshape(dst_shape)).mean() < 1E-7
        exe.backward(out_grads=mx.nd.array(grad_npy))
        assert np.square(exe.grad_dict['data'].asnumpy()
                         - grad_npy.reshape(src_shape)).mean() < 1E-7

    test_cases = [[(2, 3, 5, 5), (0, -1), (2, 75)],
                  [(2, 3, 5, 5), (0, 0, -1), (2, 3, 25)],
                  [(5, 3, 4, 5), (0, -1, 0), (5, 15, 4)],
                  [(2, 3, 5, 4), (-1, 0, 0), (8, 3, 5)],
                  [(2, 3, 5, 5), (0, 0, 0, 0), (2, 3, 5, 5)],
                  [(2, 4, 5, 3), (-1, 2, 2, 1), (30, 2, 2, 1)],
                  [(2, 3, 5, 6), (-2,), (2, 3, 5, 6)],
                  [(2, 3, 5, 6), (6, 1, -2), (6, 1, 5, 6)],
                  [(2, 3, 5, 6), (-3, -3), (6, 30)],
                  [(2, 3, 5, 6), (-3, -1), (6, 30)],
                  [(64,), (-4, 16, 4), (16, 4)],
                  [(64,), (-4, 16, -1), (16, 4)],
                  [(64, 1, 2, 3), (-4, 16, -1, -2), (16, 4, 1, 2, 3)]]
    for test_case in test_cases:
        check_reshape_new(*test_case)
    # The old API (target_shape).
    net = mx.sym.Variable("data")
    net = mx.sym.Reshape(net, target_shape=(2, 0))
    net = mx.sym.load_json(net.tojson())
    _, output_shape, __ = net.infer_shape(data=(2, 3, 5, 5))
    assert output_shape[0] == (2, 75)


def test_flip():
    """mx.nd.flip along one random axis of 1- to 5-d arrays equals NumPy's [::-1] there."""
    for ndim in range(1, 6):
        for _ in range(5):
            dims = [random.randint(1, 10) for _ in range(ndim)]
            axis = random.randint(0, ndim - 1)
            idx = tuple(slice(None, None, -1) if i == axis else slice(None, None)
                        for i in range(ndim))
            x = mx.nd.array(np.random.normal(size=dims))
            y = mx.nd.flip(x, axis=axis)
            np.testing.assert_allclose(x.asnumpy()[idx], y.asnumpy())


def check_pad_with_shape(shape, xpu, pad_width, mode):
    """Pad's output equals np.pad's in `mode`; its gradient matches central differences."""
    X = mx.symbol.Variable('X')
    Y = mx.symbol.Pad(data=X, mode=mode, pad_width=pad_width)
    x = mx.random.uniform(-1, 1, shape, ctx=mx.cpu()).copyto(xpu)
    pad_grouped = list(zip(*[iter(list(pad_width))] * 2))
    np_out = np.pad(x.asnumpy(), pad_grouped, mode)
    grad = mx.nd.empty(shape, ctx=xpu)
    exec1 = Y.bind(xpu, args=[x], args_grad={'X': grad})
    exec1.forward(is_train=True)
    assert_almost_equal(exec1.outputs[0].asnumpy(), np_out)
    check_numeric_gradient(Y, [x.asnumpy()], numeric_eps=1e-2, rtol=1e-2)


def test_pad():
    shape1 = (2, 3, 3, 5)
    pad1 = (0, 0, 0, 0, 1, 2, 3, 4)
    shape2 = (2, 3, 3, 5, 4)
    pad2 = (0, 0, 0, 0, 1, 2, 3, 4, 3, 1)
    for mode in ('constant', 'edge'):
        check_pad_with_shape(shape1, default_context(), pad1, mode)
        check_pad_with_shape(shape2, default_context(), pad2, mode)
    # reflect: each pad below the axis' extent.
    check_pad_with_shape(shape1, default_context(), (0, 0, 0, 0, 1, 2, 2, 4), 'reflect')
    check_pad_with_shape(shape2, default_context(), (0, 0, 0, 0, 1, 2, 2, 4, 3, 1), 'reflect')


def _svm_problem(shape):
    x_np = np.random.rand(*shape).astype(np.float32)
    l_np = np.random.randint(0, shape[1], (shape[0],))
    # +1 for the label's class, -1 for the others.
    l_mask = np.array(np.equal(l_np.reshape(shape[0], 1), range(shape[1])),
                      dtype=np.float32) * 2 - 1
    return x_np, l_np, l_mask


def _svm_forward_backward(sym, x_np, l_np):
    xpu = default_context()
    grad = mx.nd.empty(x_np.shape, ctx=xpu)
    exec1 = sym.bind(xpu, args=[mx.nd.array(x_np, ctx=xpu), mx.nd.array(l_np, ctx=xpu)],
                     args_grad={'X': grad})
    exec1.forward(is_train=True)
    assert_almost_equal(x_np, exec1.outputs[0].asnumpy())
    exec1.backward()
    return grad.asnumpy()


def test_support_vector_machine_l1_svm():
    """SVMOutput use_linear: identity forward; gradient -t * [1 - t*x > 0] (t = +-1)."""
    X = mx.symbol.Variable('X')
    L = mx.symbol.Variable('L')
    Y = mx.symbol.SVMOutput(data=X, label=L, use_linear=True)
    x_np, l_np, l_mask = _svm_problem((20, 10))
    grad_np = (-1) * l_mask * np.greater(1 - l_mask * x_np, 0)
    assert_almost_equal(grad_np, _svm_forward_backward(Y, x_np, l_np))


def test_support_vector_machine_l2_svm():
    """SVMOutput (squared hinge): identity forward; gradient -2t * max(1 - t*x, 0)."""
    X = mx.symbol.Variable('X')
    L = mx.symbol.Variable('L')
    Y = mx.symbol.SVMOutput(data=X, label=L)
    x_np, l_np, l_mask = _svm_problem((20, 10))
    grad_np = ((-2) * l_mask * np.maximum(1 - l_mask * x_np, 0)).astype(np.float32)
    assert_almost_equal(grad_np, _svm_forward_backward(Y, x_np, l_np))


def test_roipooling():
    """ROIPooling's gradient to the data matches central differences (write and add), over
    regions of several batch entries, fractional corners and one single-pixel region."""
    np.random.seed(1234)
    data = mx.symbol.Variable(name='data')
    rois = mx.symbol.Variable(name='rois')
    test = mx.symbol.ROIPooling(data=data, rois=rois, pooled_size=(4, 4), spatial_scale=1)
    x1 = np.random.rand(4, 3, 12, 8).astype('float32')
    x2 = np.array([[0, 1.1, 1.1, 6.2, 6.2], [2, 6.1, 2.1, 8.2, 11.2],
                   [1, 3.1, 1.1, 5.2, 10.2], [0, 3, 3, 3, 3]], dtype='float32')
    check_numeric_gradient(sym=test, location=[x1, x2],
                           grad_nodes={'data': 'write', 'rois': 'null'},
                           numeric_eps=1e-4, rtol=1e-1, atol=1e-4)
    check_numeric_gradient(sym=test, location=[x1, x2],
                           grad_nodes={'data': 'add', 'rois': 'null'},
                           numeric_eps=1e-4, rtol=1e-1, atol=1E-4)


def test_roipooling_forward_and_errors():
    """(Added by the port.) Each pooled cell is its bin's maximum, with Fast R-CNN's bins
    (corners rounded after spatial_scale); a batch index out of range is an MXNetError."""
    data = np.arange(2 * 1 * 6 * 6, dtype=np.float32).reshape(2, 1, 6, 6)
    rois = np.array([[1, 0, 0, 11, 11]], dtype=np.float32)  # the whole map at scale 0.5
    sym = mx.sym.ROIPooling(mx.sym.Variable('data'), mx.sym.Variable('rois'),
                            pooled_size=(2, 3), spatial_scale=0.5)
    exe = sym.bind(mx.cpu(), args={'data': mx.nd.array(data), 'rois': mx.nd.array(rois)})
    exe.forward()
    # Corners (0, 0) and round(5.5) = 6: a 7 x 7 region, bins 3.5 rows x 2.33 columns, each
    # from floor(start) to ceil(end), clipped to the 6 x 6 map (neighbouring bins overlap).
    rows = [(0, 4), (3, 6)]
    cols = [(0, 3), (2, 5), (4, 6)]
    expected = np.array([[data[1, 0, r0:r1, c0:c1].max() for c0, c1 in cols]
                         for r0, r1 in rows])
    assert_almost_equal(exe.outputs[0].asnumpy()[0, 0], expected)
    rois[0, 0] = 2
    exe = sym.bind(mx.cpu(), args={'data': mx.nd.array(data), 'rois': mx.nd.array(rois)})
    try:
        exe.forward()
        exe.outputs[0].asnumpy()
        assert False, "expected an MXNetError"
    except mx.MXNetError as e:
        assert "batch index 2" in str(e)


def test_svm_output_bad_label():
    """(Added by the port.) A label that is not a class index is an MXNetError naming it."""
    X = mx.symbol.Variable('X')
    Y = mx.symbol.SVMOutput(data=X, label=mx.symbol.Variable('L'))
    x_np, l_np, _ = _svm_problem((4, 3))
    l_np = l_np.astype(np.float32)
    l_np[2] = 3
    try:
        _svm_forward_backward(Y, x_np, l_np)
        assert False, "expected an MXNetError"
    except mx.MXNetError as e:
        assert "label 3 at position 2 is not a class in [0, 3)" in str(e)


def test_slice_and_slice_assign():
    """(Added by the port: MXNet 1.x's slice with step.) slice equals NumPy's basic slicing
    (None ends, negative indices and steps, fewer entries than axes); _slice_assign writes rhs
    into that slice; both gradients match central differences; an empty slice is an
    MXNetError."""
    a = np.random.rand(5, 6, 7)
    cases = [((1, None), (4, None), (2, -1)), ((None,), (None,), (-1,)),
             ((-2, 1, 6), (None, -1, 0), (-1, 2, -3)), ((0,), (5,), ())]
    for begin, end, step in cases:
        steps = step or (None,) * len(begin)
        index = tuple(slice(b, e, s) for b, e, s in zip(begin, end, steps))
        got = mx.nd.slice(mx.nd.array(a), begin=begin, end=end, step=step).asnumpy()
        assert_almost_equal(got, a[index])
        sym = mx.sym.slice(mx.sym.Variable('data'), begin=begin, end=end, step=step)
        check_numeric_gradient(sym, [a])
        rhs = np.random.rand(*a[index].shape)
        assign = mx.sym._internal._slice_assign(mx.sym.Variable('lhs'), mx.sym.Variable('rhs'),
                                                begin=begin, end=end, step=step)
        exe = assign.bind(mx.cpu(), args={'lhs': mx.nd.array(a), 'rhs': mx.nd.array(rhs)})
        exe.forward()
        expected = a.copy()
        expected[index] = rhs
        assert_almost_equal(exe.outputs[0].asnumpy(), expected)
        check_numeric_gradient(assign, {'lhs': a, 'rhs': rhs})
    try:
        mx.nd.slice(mx.nd.array(a), begin=(3,), end=(1,))
        assert False, "expected an MXNetError"
    except mx.MXNetError as e:
        assert "axis 0 (extent 5) sliced by begin (3,), end (1,) is empty" in str(e)


def _correlation_padded(data1, data2, pad_size):
    """Both inputs zero-padded by pad_size on each side of H and W."""
    shape = data1.shape[:2] + (data1.shape[2] + 2 * pad_size, data1.shape[3] + 2 * pad_size)
    tmp1, tmp2 = np.zeros(shape), np.zeros(shape)
    inside = (slice(None), slice(None), slice(pad_size, pad_size + data1.shape[2]),
              slice(pad_size, pad_size + data1.shape[3]))
    tmp1[inside] = data1
    tmp2[inside] = data2
    return tmp1, tmp2, inside


def _correlation_patches(batch, top_channels, top_height, top_width, kernel_size, stride1,
                         stride2, max_displacement):
    """(n, top_channel, i, j, patch of data1, patch of data2) index tuples of every output
    element, in padded coordinates (MXNet's test loops)."""
    neighborhood_grid_radius = max_displacement // stride2
    neighborhood_grid_width = neighborhood_grid_radius * 2 + 1
    for i in range(top_height):
        for j in range(top_width):
            for nbatch in range(batch):
                # (x1, y1): the patch in data1 of output (i, j)
                x1 = j * stride1 + max_displacement
                y1 = i * stride1 + max_displacement
                for top_channel in range(top_channels):
                    s2o = (top_channel % neighborhood_grid_width
                           - neighborhood_grid_radius) * stride2
                    s2p = (top_channel // neighborhood_grid_width
                           - neighborhood_grid_radius) * stride2
                    x2 = x1 + s2o
                    y2 = y1 + s2p
                    yield (nbatch, top_channel, i, j,
                           (nbatch, slice(None), slice(y1, y1 + kernel_size),
                            slice(x1, x1 + kernel_size)),
                           (nbatch, slice(None), slice(y2, y2 + kernel_size),
                            slice(x2, x2 + kernel_size)))


def correlation_forward(data1, data2, pad_size, kernel_size, stride1, stride2, max_displacement,
                        is_multiply):
    """NumPy reference of FlowNet's correlation (MXNet's test): the output and both padded
    inputs."""
    kernel_radius = (kernel_size - 1) // 2
    border_size = max_displacement + kernel_radius
    top_width = (data1.shape[3] + 2 * pad_size - border_size * 2) // stride1
    top_height = (data1.shape[2] + 2 * pad_size - border_size * 2) // stride1
    top_channels = (max_displacement // stride2 * 2 + 1) ** 2
    out = np.zeros((data1.shape[0], top_channels, top_height, top_width))
    tmp1, tmp2, _ = _correlation_padded(data1, data2, pad_size)
    for n, c, i, j, p1, p2 in _correlation_patches(data1.shape[0], top_channels, top_height,
                                                   top_width, kernel_size, stride1, stride2,
                                                   max_displacement):
        a, b = tmp1[p1], tmp2[p2]
        out[n, c, i, j] = (a * b).sum() if is_multiply else np.abs(a - b).sum()
    out /= float(kernel_size ** 2 * data1.shape[1])
    return out, tmp1, tmp2


def correlation_backward(out_grad, tmp1, tmp2, data1, data2, pad_size, kernel_size, stride1,
                         stride2, max_displacement, is_multiply):
    """NumPy reference of the correlation's gradients to both inputs (MXNet's test)."""
    tmp1_grad = np.zeros(tmp1.shape)
    tmp2_grad = np.zeros(tmp2.shape)
    for n, c, i, j, p1, p2 in _correlation_patches(data1.shape[0], *out_grad.shape[1:],
                                                   kernel_size, stride1, stride2,
                                                   max_displacement):
        g = out_grad[n, c, i, j]
        a, b = tmp1[p1], tmp2[p2]
        if is_multiply:
            tmp1_grad[p1] += g * b
            tmp2_grad[p2] += g * a
        else:
            sgn = np.sign(a - b)
            tmp1_grad[p1] += g * sgn
            tmp2_grad[p2] -= g * sgn
    norm = float(kernel_size ** 2 * data1.shape[1])
    _, _, inside = _correlation_padded(data1, data2, pad_size)
    return tmp1_grad[inside] / norm, tmp2_grad[inside] / norm


def unittest_correlation(data_shape, kernel_size, max_displacement, stride1, stride2, pad_size,
                         is_multiply):
    """Correlation's forward and both input gradients (all-one head gradient) equal the NumPy
    reference."""
    img1 = np.random.random(data_shape)
    img2 = np.random.random(data_shape)
    net = mx.sym.Correlation(data1=mx.sym.Variable('img1'), data2=mx.sym.Variable('img2'),
                             kernel_size=kernel_size, max_displacement=max_displacement,
                             stride1=stride1, stride2=stride2, pad_size=pad_size,
                             is_multiply=is_multiply)
    exe1 = net.simple_bind(default_context(), img1=img1.shape, img2=img1.shape)
    exe1.arg_dict['img1'][:] = img1
    exe1.arg_dict['img2'][:] = img2
    exe1.forward(is_train=True)
    forward_result, tmp1, tmp2 = correlation_forward(img1, img2, pad_size, kernel_size, stride1,
                                                     stride2, max_displacement, is_multiply)
    assert_almost_equal(exe1.outputs[0].asnumpy(), forward_result, rtol=1e-4, atol=1e-4)
    a = np.ones(forward_result.shape)
    exe1.backward(out_grads=mx.nd.array(a, default_context()))
    grad1, grad2 = correlation_backward(a, tmp1, tmp2, img1, img2, pad_size, kernel_size,
                                        stride1, stride2, max_displacement, is_multiply)
    assert_almost_equal(exe1.grad_dict['img1'].asnumpy(), grad1, rtol=1e-3, atol=1e-4)
    assert_almost_equal(exe1.grad_dict['img2'].asnumpy(), grad2, rtol=1e-3, atol=1e-4)


def test_correlation():
    unittest_correlation((1, 3, 10, 10), kernel_size=1, max_displacement=4, stride1=1,
                         stride2=1, pad_size=4, is_multiply=False)
    unittest_correlation((5, 1, 15, 15), kernel_size=1, max_displacement=5, stride1=1,
                         stride2=1, pad_size=5, is_multiply=False)
    unittest_correlation((5, 1, 15, 15), kernel_size=1, max_displacement=5, stride1=1,
                         stride2=1, pad_size=5, is_multiply=True)
    unittest_correlation((5, 1, 15, 15), kernel_size=1, max_displacement=10, stride1=1,
                         stride2=2, pad_size=10, is_multiply=True)
    unittest_correlation((5, 1, 4, 4), kernel_size=3, max_displacement=1, stride1=1,
                         stride2=1, pad_size=2, is_multiply=True)
    unittest_correlation((5, 1, 4, 4), kernel_size=3, max_displacement=1, stride1=2,
                         stride2=1, pad_size=2, is_multiply=True)
    unittest_correlation((5, 1, 4, 4), kernel_size=3, max_displacement=1, stride1=2,
                         stride2=1, pad_size=2, is_multiply=False)
    unittest_correlation((5, 1, 6, 4), kernel_size=3, max_displacement=1, stride1=2,
                         stride2=1, pad_size=2, is_multiply=False)
    unittest_correlation((5, 1, 11, 11), kernel_size=5, max_displacement=1, stride1=1,
                         stride2=1, pad_size=2, is_multiply=False)


def _sequence_case(axis):
    """Time-first data (5 steps, 3 sequences, 2 features), its lengths, and data laid out
    along ``axis`` (1: batch first)."""
    x = np.random.rand(5, 3, 2)
    lengths = np.array([2, 5, 1], dtype=np.float32)
    return x, lengths, (x if axis == 0 else x.transpose(1, 0, 2))


def _time_first(a, axis):
    return a if axis == 0 else a.transpose(1, 0, 2)


def test_sequence_mask():
    """SequenceMask sets the steps past each sequence's length to `value` (NumPy reference),
    time first or batch first; its gradient to the data matches central differences."""
    for axis in (0, 1):
        x, lengths, data = _sequence_case(axis)
        sym = mx.sym.SequenceMask(mx.sym.Variable('data'), mx.sym.Variable('len'),
                                  use_sequence_length=True, value=-1, axis=axis)
        exe = sym.bind(default_context(), args={'data': mx.nd.array(data),
                                                'len': mx.nd.array(lengths)})
        exe.forward()
        expected = x.copy()
        for n, length in enumerate(lengths):
            expected[int(length):, n] = -1
        assert_almost_equal(exe.outputs[0].asnumpy(), _time_first(expected, axis))
        check_numeric_gradient(sym, {'data': data, 'len': lengths},
                               grad_nodes={'data': 'write', 'len': 'null'})
    # Without lengths every step is kept.
    x = np.random.rand(4, 2, 3)
    assert_almost_equal(mx.nd.SequenceMask(mx.nd.array(x)).asnumpy(), x)


def test_sequence_last_and_reverse():
    """SequenceLast takes each sequence's step at its length; SequenceReverse reverses the
    steps up to the length and keeps the padding; gradients match central differences; a
    length beyond the time axis is an MXNetError."""
    for axis in (0, 1):
        x, lengths, data = _sequence_case(axis)
        args = {'data': mx.nd.array(data), 'len': mx.nd.array(lengths)}
        last = mx.sym.SequenceLast(mx.sym.Variable('data'), mx.sym.Variable('len'),
                                   use_sequence_length=True, axis=axis)
        exe = last.bind(default_context(), args=args)
        exe.forward()
        expected = np.stack([x[int(length) - 1, n] for n, length in enumerate(lengths)])
        assert_almost_equal(exe.outputs[0].asnumpy(), expected)
        check_numeric_gradient(last, {'data': data, 'len': lengths},
                               grad_nodes={'data': 'write', 'len': 'null'})
        reverse = mx.sym.SequenceReverse(mx.sym.Variable('data'), mx.sym.Variable('len'),
                                         use_sequence_length=True, axis=axis)
        exe = reverse.bind(default_context(), args=args)
        exe.forward()
        expected = x.copy()
        for n, length in enumerate(lengths):
            expected[:int(length), n] = x[:int(length), n][::-1]
        assert_almost_equal(exe.outputs[0].asnumpy(), _time_first(expected, axis))
        check_numeric_gradient(reverse, {'data': data, 'len': lengths},
                               grad_nodes={'data': 'write', 'len': 'null'})
    x = np.random.rand(5, 3, 2)
    try:
        mx.nd.SequenceLast(mx.nd.array(x), mx.nd.array([1, 6, 2]),
                           use_sequence_length=True).asnumpy()
        assert False, "expected an MXNetError"
    except mx.MXNetError as e:
        assert "sequence_length 6 of sequence 1 is not an integer in [1, 5]" in str(e)


def test_stn():
    """SpatialTransformer (2016) with a localisation net whose zero weights and bias
    (0.5, 0, 0, 0, 0.5, 0) shrink the grid by half: the output is the data's central crop
    (rows and columns h//4 .. h - h//4 for extents 4k + 1, which the grid hits exactly), and
    the data gradient of an all-one head gradient is 1 on that crop."""
    num_filter = 2  # conv of loc net
    kernel = (3, 3)  # conv of loc net
    num_hidden = 6  # fc of loc net
    for n in [1, 2, 3, 4]:
        for c in [1, 2, 3, 4]:
            for h in [5, 9, 13, 17]:  # the third and fourth extents are 4x + 1
                for w in [5, 9, 13, 17]:
                    data_shape = (n, c, h, w)
                    target_shape = (int((data_shape[2] + 1) / 2), int((data_shape[3] + 1) / 2))
                    data = mx.sym.Variable(name="data")
                    loc = mx.sym.Convolution(data=data, kernel=kernel, pad=(1, 1),
                                             num_filter=num_filter, name="loc_conv")
                    loc = mx.sym.Flatten(data=loc)
                    loc = mx.sym.FullyConnected(data=loc, num_hidden=num_hidden, name="loc_fc")
                    stn = mx.sym.SpatialTransformer(data=data, loc=loc, target_shape=target_shape,
                                                    transform_type="affine",
                                                    sampler_type="bilinear")
                    arg_shapes, out_shapes, _ = stn.infer_shape(data=data_shape)
                    assert out_shapes[0] == (data_shape[0], data_shape[1], target_shape[0],
                                             target_shape[1])
                    dev = default_context()
                    args = {}
                    args['data'] = mx.random.normal(0, 1, data_shape, ctx=mx.cpu()).copyto(dev)
                    args['loc_conv_weight'] = mx.nd.zeros(
                        (num_filter, data_shape[1], kernel[0], kernel[1]), ctx=dev)
                    args['loc_conv_bias'] = mx.nd.zeros((num_filter,), ctx=dev)
                    args['loc_fc_weight'] = mx.nd.zeros(
                        (6, num_filter * data_shape[2] * data_shape[3]), ctx=dev)
                    args['loc_fc_bias'] = mx.nd.array([0.5, 0, 0, 0, 0.5, 0], ctx=dev)
                    grad_grad = [mx.nd.zeros(shape, ctx=dev) for shape in arg_shapes]
                    exe = stn.bind(dev, args=args, args_grad=grad_grad)
                    exe.forward(is_train=True)
                    out = exe.outputs[0].asnumpy()
                    assert_almost_equal(out, args['data'].asnumpy()[:, :, h // 4:h - h // 4,
                                                                     w // 4:w - w // 4],
                                        rtol=1e-2, atol=1e-4)
                    out_grad = mx.nd.ones(out.shape, ctx=dev)
                    exe.backward([out_grad])
                    assert_almost_equal(out_grad.asnumpy(),
                                        grad_grad[0].asnumpy()[:, :, h // 4:h - h // 4,
                                                               w // 4:w - w // 4],
                                        rtol=1e-2, atol=1e-4)


def test_stn_gradients():
    """(Added by the port.) The gradients of data and of the affine matrices match central
    differences at a transform that samples between pixels."""
    data = np.random.rand(2, 2, 5, 6)
    # Entries that put no grid point on a whole pixel (a kink of the bilinear weights).
    loc = np.array([[0.8137, 0.1093, 0.0517, -0.0971, 0.7129, -0.0533],
                    [0.6211, -0.1877, 0.1039, 0.1461, 0.8923, 0.0217]])
    sym = mx.sym.SpatialTransformer(mx.sym.Variable('data'), mx.sym.Variable('loc'),
                                    target_shape=(4, 3), transform_type='affine',
                                    sampler_type='bilinear')
    check_numeric_gradient(sym, {'data': data, 'loc': loc}, numeric_eps=1e-4, rtol=1e-2,
                           atol=1e-3, dtype=np.float64)
