"""mx.operator.NumpyOp: a Python softmax loss (MXNet's example/numpy-ops) against SoftmaxOutput,
training through FeedForward, gradients accumulated with grad_req 'add', and errors."""
import numpy as np
import pytest

import mxnet as mx


class NumpySoftmax(mx.operator.NumpyOp):
    def __init__(self):
        super(NumpySoftmax, self).__init__(False)

    def list_arguments(self):
        return ['data', 'label']

    def list_outputs(self):
        return ['output']

    def infer_shape(self, in_shape):
        data_shape = in_shape[0]
        label_shape = (in_shape[0][0],)
        output_shape = in_shape[0]
        return [data_shape, label_shape], [output_shape]

    def forward(self, in_data, out_data):
        x = in_data[0]
        y = out_data[0]
        y[:] = np.exp(x - x.max(axis=1).reshape((x.shape[0], 1)))
        y /= y.sum(axis=1).reshape((x.shape[0], 1))

    def backward(self, out_grad, in_data, out_data, in_grad):
        label = in_data[1].astype(int)
        y = out_data[0]
        dx = in_grad[0]
        dx[:] = y
        dx[np.arange(label.shape[0]), label] -= 1.0


def net(softmax):
    data = mx.sym.Variable('data')
    fc = mx.sym.FullyConnected(data, num_hidden=3, name='fc')
    return softmax(data=fc, name='softmax')


def test_numpy_softmax_matches_softmax_output():
    ours = net(NumpySoftmax())
    assert ours.list_arguments() == ['data', 'fc_weight', 'fc_bias', 'softmax_label']
    ref = net(mx.sym.SoftmaxOutput)
    exes = [s.simple_bind(mx.cpu(), data=(4, 5)) for s in (ours, ref)]
    np.random.seed(0)
    for name, arr in exes[0].arg_dict.items():
        arr[:] = np.random.uniform(-1, 1, arr.shape)
    exes[0].arg_dict['softmax_label'][:] = [0, 1, 2, 1]
    for name, arr in exes[1].arg_dict.items():
        arr[:] = exes[0].arg_dict[name]
    for e in exes:
        e.forward(is_train=True)
        e.backward()  # a loss: no head gradient
    np.testing.assert_allclose(exes[0].outputs[0].asnumpy(), exes[1].outputs[0].asnumpy(),
                               rtol=1e-5)
    for name in ('fc_weight', 'fc_bias'):
        np.testing.assert_allclose(exes[0].grad_dict[name].asnumpy(),
                                   exes[1].grad_dict[name].asnumpy(), rtol=1e-4, atol=1e-6)


def test_numpy_op_trains_in_feedforward():
    rng = np.random.RandomState(0)
    X = rng.uniform(-1, 1, (300, 4)).astype(np.float32)
    y = np.argmax(X.dot(rng.uniform(-1, 1, (4, 3))), axis=1).astype(np.float32)
    mx.random.seed(0)
    model = mx.model.FeedForward(net(NumpySoftmax()), num_epoch=20, numpy_batch_size=30,
                                 learning_rate=0.5)
    model.fit(X, y)
    assert model.score(mx.io.NDArrayIter(X, y, 30)) > 0.9


def test_identity_gradient_accumulates_with_grad_req_add():
    x = mx.sym.Variable('x')
    s = mx.operator.NumpyOp()(x)
    grad = mx.nd.ones((3,))
    exe = s.bind(mx.cpu(), args=[mx.nd.array([1, 2, 3])], args_grad=[grad], grad_req='add')
    for _ in range(2):
        exe.forward(is_train=True)
        exe.backward([mx.nd.array([1, 10, 100])])
    np.testing.assert_array_equal(grad.asnumpy(), [3, 21, 201])


def test_callback_errors_reach_python():
    class Broken(mx.operator.NumpyOp):
        def forward(self, in_data, out_data):
            raise ValueError("no forward today")
    exe = Broken()(mx.sym.Variable('x')).bind(mx.cpu(), args=[mx.nd.ones((2,))])
    exe.forward()
    with pytest.raises(mx.MXNetError, match="NumpyOp forward raised: ValueError: no forward today"):
        exe.outputs[0].asnumpy()

    class BadShapes(mx.operator.NumpyOp):
        def infer_shape(self, in_shape):
            return in_shape, [in_shape[0], in_shape[0]]
    with pytest.raises(mx.MXNetError, match="infer_shape returned 1 input and 2 output shapes"):
        BadShapes()(mx.sym.Variable('x')).infer_shape(x=(2,))
