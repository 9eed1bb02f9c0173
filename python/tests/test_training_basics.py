"""mx.init, mx.optimizer, mx.lr_scheduler, mx.metric, mx.model.FeedForward and mx.callback."""
import glob
import os

import numpy as np
import pytest

import mxnet as mx


def test_initializers_follow_the_name_suffix():
    mx.random.seed(1)
    w = mx.nd.zeros((200, 100))
    mx.init.Uniform(0.5)('fc_weight', w)
    v = w.asnumpy()
    assert v.min() >= -0.5 and v.max() <= 0.5 and v.std() > 0.25
    mx.init.Normal(0.2)('fc_weight', w)
    assert abs(w.asnumpy().std() - 0.2) < 0.01
    mx.init.Xavier(magnitude=3)('fc_weight', w)  # U(+-sqrt(3 / ((200 + 100) / 2)))
    assert abs(np.abs(w.asnumpy()).max() - np.sqrt(3 / 150.)) < 0.01
    b = mx.nd.ones((4,))
    mx.init.Uniform()('fc_bias', b)
    assert b.asnumpy().tolist() == [0, 0, 0, 0]
    mx.init.Uniform()('bn_gamma', b)
    assert b.asnumpy().tolist() == [1, 1, 1, 1]
    mx.init.Constant(0.25)('fc_weight', b)
    assert b.asnumpy().tolist() == [0.25] * 4
    with pytest.raises(mx.MXNetError, match="fc_state"):
        mx.init.Uniform()('fc_state', b)


def test_python_initializer_subclass():
    class Twos(mx.init.Initializer):
        def _init_weight(self, name, arr):
            arr[:] = 2
    w, b = mx.nd.zeros((2, 2)), mx.nd.ones((2,))
    Twos()('x_weight', w)
    Twos()('x_bias', b)
    assert w.asnumpy().tolist() == [[2, 2], [2, 2]] and b.asnumpy().tolist() == [0, 0]
    with pytest.raises(ValueError, match="Unknown initialization pattern for x_what"):
        Twos()('x_what', w)


def test_sgd_matches_mxnet_update_rule():
    lr, momentum, wd, rescale = 0.1, 0.9, 0.01, 0.5
    sgd = mx.optimizer.SGD(learning_rate=lr, momentum=momentum, wd=wd, rescale_grad=rescale,
                           param_idx2name={0: 'fc_weight', 1: 'fc_bias'})
    w0 = np.array([1.0, -2.0, 3.0], dtype=np.float32)
    g = np.array([0.5, 0.25, -1.0], dtype=np.float32)
    updater = mx.optimizer.get_updater(sgd)
    weight, bias = mx.nd.array(w0), mx.nd.array(w0)
    mom_w, mom_b, w_ref, b_ref = np.zeros(3), np.zeros(3), w0.astype(np.float64), w0.astype(
        np.float64)
    for _ in range(3):
        updater(0, mx.nd.array(g), weight)
        updater(1, mx.nd.array(g), bias)
        mom_w = momentum * mom_w - lr * (rescale * g + wd * w_ref)
        w_ref = w_ref + mom_w
        mom_b = momentum * mom_b - lr * (rescale * g)  # no decay for biases
        b_ref = b_ref + mom_b
    np.testing.assert_allclose(weight.asnumpy(), w_ref, rtol=1e-5)
    np.testing.assert_allclose(bias.asnumpy(), b_ref, rtol=1e-5)
    assert sgd.num_update == 3


def test_adam_first_step_and_registry():
    adam = mx.optimizer.create('adam', learning_rate=0.01)
    assert isinstance(adam, mx.optimizer.Adam)
    w = mx.nd.array([1.0, 1.0])
    state = adam.create_state(0, w)
    adam.update(0, w, mx.nd.array([0.3, -2.0]), state)
    # Adam's first step moves every weight by lr (sign of the gradient).
    np.testing.assert_allclose(w.asnumpy(), [0.99, 1.01], rtol=1e-5)
    with pytest.raises(ValueError, match="Cannot find optimizer bogus"):
        mx.optimizer.create('bogus')
    with pytest.raises(mx.MXNetError, match="momentum"):
        mx.optimizer.SGD(momentum=2)


def test_factor_scheduler_drives_the_rate():
    sched = mx.lr_scheduler.FactorScheduler(step=2, factor=0.5)
    sgd = mx.optimizer.SGD(learning_rate=1.0, lr_scheduler=sched)
    w = mx.nd.zeros((1,))
    rates = []
    for _ in range(6):
        sgd.update(0, w, mx.nd.ones((1,)), [])
        rates.append(sgd._get_lr(0))  # the rate of the update just made (counted from 1)
    # MXNet's FactorScheduler: x factor once num_update exceeds each multiple of step
    assert rates == [1.0, 1.0, 0.5, 0.5, 0.25, 0.25]
    np.testing.assert_allclose(w.asnumpy(), [-sum(rates)])
    with pytest.raises(mx.MXNetError, match="step"):
        mx.lr_scheduler.FactorScheduler(step=0)


def test_metrics():
    labels = [mx.nd.array([0, 1, 2, 1])]
    preds = [mx.nd.array([[0.9, 0.1, 0], [0.2, 0.7, 0.1], [0.5, 0.4, 0.1], [0.2, 0.1, 0.7]])]
    acc = mx.metric.create('acc')
    acc.update(labels, preds)
    assert acc.get() == ('accuracy', 0.5)
    top2 = mx.metric.TopKAccuracy(top_k=2)
    top2.update(labels, preds)
    assert top2.get()[1] == 0.5
    ce = mx.metric.create('ce')
    ce.update(labels, preds)
    expected = -np.mean(np.log([0.9, 0.7, 0.1, 0.1]))
    assert abs(ce.get()[1] - expected) < 1e-5
    custom = mx.metric.create(lambda label, pred: float((pred.argmax(1) == label).mean()))
    custom.update(labels, preds)
    assert custom.get()[1] == 0.5 and custom.get()[0].startswith('custom(')
    both = mx.metric.create(['acc', 'ce'])
    both.update(labels, preds)
    names, values = both.get()
    assert names == ['accuracy', 'cross-entropy'] and values == [0.5, ce.get()[1]]
    mse = mx.metric.MSE()
    mse.update([mx.nd.array([1.0, 2.0])], [mx.nd.array([1.5, 2.0])])
    assert abs(mse.get()[1] - 0.125) < 1e-7
    acc.reset()
    assert np.isnan(acc.get()[1])
    with pytest.raises(ValueError, match="Metric must be a name"):
        mx.metric.create('bogus')


def toy_data(n=600, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.uniform(-1, 1, (n, 10)).astype(np.float32)
    y = (X[:, 0] + X[:, 1] > 0).astype(np.float32)
    return X, y


def toy_net():
    data = mx.sym.Variable('data')
    fc1 = mx.sym.FullyConnected(data, num_hidden=16, name='fc1')
    act = mx.sym.Activation(fc1, act_type='relu', name='relu1')
    fc2 = mx.sym.FullyConnected(act, num_hidden=2, name='fc2')
    return mx.sym.SoftmaxOutput(fc2, name='softmax')


def test_feedforward_fit_predict_score_save_load():
    X, y = toy_data()
    mx.random.seed(3)
    batches, epochs = [], []
    model = mx.model.FeedForward(toy_net(), num_epoch=8, numpy_batch_size=30, learning_rate=0.5,
                                 momentum=0.9, initializer=mx.init.Xavier())
    model.fit(X, y, eval_data=(X, y),
              batch_end_callback=lambda p: batches.append((p.epoch, p.nbatch)),
              epoch_end_callback=[mx.callback.do_checkpoint('toy'),
                                  lambda epoch, sym, arg, aux: epochs.append(epoch)])
    assert epochs == list(range(8))
    assert batches[0] == (0, 1) and batches[-1] == (7, 20)
    assert model.score(mx.io.NDArrayIter(X, y, 50)) > 0.95
    prob = model.predict(X)
    assert prob.shape == (600, 2)
    np.testing.assert_allclose(prob.sum(axis=1), 1, rtol=1e-5)
    assert sorted(glob.glob('toy-*')) == ['toy-%04d.params' % e for e in range(1, 9)] + [
        'toy-symbol.json']
    loaded = mx.model.FeedForward.load('toy', 8)
    for name, value in model.arg_params.items():
        np.testing.assert_array_equal(loaded.arg_params[name].asnumpy(), value.asnumpy())
    # The same parameters; BLAS may round differently at another batch size.
    np.testing.assert_allclose(loaded.predict(X), prob, rtol=1e-5, atol=1e-6)
    assert loaded.begin_epoch == 8
    model.save('saved', 3)
    sym, arg, aux = mx.model.load_checkpoint('saved', 3)
    assert sym.tojson() == model.symbol.tojson()
    assert sorted(arg) == ['fc1_bias', 'fc1_weight', 'fc2_bias', 'fc2_weight'] and aux == {}
    # a padded last batch: predict drops the padding rows
    assert model.predict(mx.io.NDArrayIter(X[:70], y[:70], 30)).shape == (70, 2)


def test_feedforward_resumes_from_given_params():
    X, y = toy_data()
    first = mx.model.FeedForward(toy_net(), num_epoch=1, numpy_batch_size=30, learning_rate=0.1)
    first.fit(X, y)
    second = mx.model.FeedForward(toy_net(), num_epoch=1, numpy_batch_size=30,
                                  learning_rate=0.0, arg_params=first.arg_params)
    second.fit(X, y)  # learning rate 0: parameters stay as given
    for name, value in first.arg_params.items():
        np.testing.assert_array_equal(second.arg_params[name].asnumpy(), value.asnumpy())


def test_feedforward_errors_name_the_problem():
    X, y = toy_data(60)
    with pytest.raises(ValueError, match="num_epoch is required"):
        mx.model.FeedForward(toy_net()).fit(X, y)
    with pytest.raises(TypeError, match="CustomMetric works with score"):
        mx.model.FeedForward(toy_net(), num_epoch=1).fit(X, y, eval_metric=lambda l, p: 0)
    with pytest.raises(ValueError, match="X has 60 samples but y has 59"):
        mx.model.FeedForward(toy_net(), num_epoch=1).fit(X, y[:59])
    bad = {'fc1_weight': mx.nd.zeros((3, 3))}
    with pytest.raises(ValueError, match=r"arg_params\['fc1_weight'\] has shape \(3, 3\)"):
        mx.model.FeedForward(toy_net(), num_epoch=1, arg_params=bad).fit(X, y)
    with pytest.raises(ValueError, match="does not have: \\['nope'\\]"):
        mx.model.FeedForward(toy_net(), num_epoch=1, arg_params={'nope': mx.nd.zeros(1)}).fit(
            X, y)
    with pytest.raises(mx.MXNetError, match="momentum"):
        mx.model.FeedForward(toy_net(), num_epoch=1, momentum=-1).fit(X, y)


FASHION_MNIST = '/usr/share/datasets/fashion-mnist'


@pytest.mark.skipif(not os.path.isdir(FASHION_MNIST), reason='Fashion-MNIST is not installed')
def test_feedforward_trains_an_mlp_on_fashion_mnist():
    def it(prefix, shuffle):
        return mx.io.MNISTIter(image='%s/%s-images-idx3-ubyte.gz' % (FASHION_MNIST, prefix),
                               label='%s/%s-labels-idx1-ubyte.gz' % (FASHION_MNIST, prefix),
                               batch_size=100, flat=True, shuffle=shuffle)
    data = mx.sym.Variable('data')
    net = mx.sym.FullyConnected(data, num_hidden=128, name='fc1')
    net = mx.sym.Activation(net, act_type='relu', name='relu1')
    net = mx.sym.FullyConnected(net, num_hidden=10, name='fc2')
    net = mx.sym.SoftmaxOutput(net, name='softmax')
    mx.random.seed(0)
    model = mx.model.FeedForward(net, num_epoch=1, learning_rate=0.1, momentum=0.9,
                                 initializer=mx.init.Xavier())
    model.fit(it('train', True), eval_data=it('t10k', False))
    assert model.score(it('t10k', False)) > 0.8


class NumpyBatches(mx.io.DataIter):
    """A Python iterator (MXNet's DataIter protocol) over NumPy arrays."""

    def __init__(self, X, y, batch_size, fail_at=None):
        super(NumpyBatches, self).__init__()
        self.X, self.y, self.batch_size, self.fail_at = X, y, batch_size, fail_at
        self.provide_data = [('data', (batch_size, X.shape[1]))]
        self.provide_label = [('softmax_label', (batch_size,))]
        self.cursor = 0

    def reset(self):
        self.cursor = 0

    def next(self):
        if self.cursor + self.batch_size > len(self.X):
            raise StopIteration
        if self.fail_at is not None and self.cursor >= self.fail_at:
            raise IOError("disk on fire at sample %d" % self.cursor)
        s = slice(self.cursor, self.cursor + self.batch_size)
        self.cursor += self.batch_size
        return mx.io.DataBatch(data=[self.X[s]], label=[mx.nd.array(self.y[s])], pad=0)


def test_feedforward_trains_on_a_python_iterator():
    X, y = toy_data()
    mx.random.seed(5)
    model = mx.model.FeedForward(toy_net(), num_epoch=8, learning_rate=0.5, momentum=0.9,
                                 initializer=mx.init.Xavier())
    model.fit(NumpyBatches(X, y, 30), eval_data=NumpyBatches(X, y, 30))
    assert model.score(NumpyBatches(X, y, 60)) > 0.95
    assert model.predict(NumpyBatches(X, y, 60)).shape == (600, 2)
    with pytest.raises(mx.MXNetError, match=r"the data of a batch is \(60,10\) but the network "
                       r"is bound to \(30,10\)"):
        model.fit(NumpyBatches(X, y, 30), eval_data=NumpyBatches(X, y, 60))
    with pytest.raises(mx.MXNetError, match="disk on fire at sample 300"):
        model.fit(NumpyBatches(X, y, 30, fail_at=300))


def test_variable_init_attribute_decides_initialization():
    w = mx.sym.Variable('fc_weight', init=mx.init.Constant(0.5))
    net = mx.sym.FullyConnected(mx.sym.Variable('data'), weight=w, num_hidden=2, name='fc')
    assert net.attr_dict()['fc_weight']['__init__'] == '["constant", {"value": 0.5}]'
    model = mx.model.FeedForward(mx.sym.LinearRegressionOutput(net, name='lro'), num_epoch=1,
                                 learning_rate=0.0, initializer=mx.init.Uniform(1))
    X, _ = toy_data(60)
    model.fit(mx.io.NDArrayIter(X, np.zeros((60, 2)), 30, label_name='lro_label'))
    np.testing.assert_array_equal(model.arg_params['fc_weight'].asnumpy(), np.full((2, 10), 0.5))


def test_feedforward_trains_two_loss_heads_on_named_labels():
    X, y = toy_data()
    data = mx.sym.Variable('data')
    act = mx.sym.Activation(mx.sym.FullyConnected(data, num_hidden=16, name='fc1'),
                            act_type='relu', name='relu1')
    main = mx.sym.SoftmaxOutput(mx.sym.FullyConnected(act, num_hidden=2, name='fc2'),
                                name='softmax')
    aux = mx.sym.SoftmaxOutput(mx.sym.FullyConnected(data, num_hidden=2, name='aux_fc'),
                               name='aux', grad_scale=0.3)
    labels = {'softmax_label': y, 'aux_label': y}
    mx.random.seed(3)
    model = mx.model.FeedForward(mx.sym.Group([main, aux]), num_epoch=8, learning_rate=0.5,
                                 momentum=0.9, initializer=mx.init.Xavier())
    model.fit(mx.io.NDArrayIter(X, labels, 30, shuffle=True))
    assert model.score(mx.io.NDArrayIter(X, labels, 50)) > 0.95
    # Outputs pair with their labels by name, not position: paired in order, the first output
    # would be measured against the zeros.
    extra = {'other_label': np.zeros_like(y), 'aux_label': y, 'softmax_label': y}
    assert model.score(mx.io.NDArrayIter(X, extra, 50)) > 0.95
    # A label the network reads that the iterator does not give.
    with pytest.raises(ValueError, match="label input 'aux_label' gets no array"):
        mx.model.FeedForward(mx.sym.Group([main, aux]), num_epoch=1).fit(
            mx.io.NDArrayIter(X, y, 30))
