"""Port of MXNet's tests/python/unittest/test_io.py (2015-2016). Changes: Python 3 (``//`` where
Python 2 divided integers); MNISTIter reads Fashion-MNIST (tools/setup.sh installs it; MXNet
downloaded MNIST) — both have 60000 training images. CSVIter's test writes its own files."""
import os

import numpy as np
import pytest

import mxnet as mx

FASHION_MNIST = '/usr/share/datasets/fashion-mnist'


@pytest.mark.skipif(not os.path.isdir(FASHION_MNIST),
                    reason='Fashion-MNIST is not installed (tools/setup.sh installs it)')
def test_MNISTIter():
    batch_size = 100
    train_dataiter = mx.io.MNISTIter(
        image=FASHION_MNIST + "/train-images-idx3-ubyte.gz",
        label=FASHION_MNIST + "/train-labels-idx1-ubyte.gz",
        data_shape=(784,),
        batch_size=batch_size, shuffle=1, flat=1, silent=0, seed=10)
    # test_loop
    nbatch = 60000 // batch_size
    batch_count = 0
    for batch in train_dataiter:
        batch_count += 1
    assert nbatch == batch_count
    # test_reset
    train_dataiter.reset()
    train_dataiter.iter_next()
    label_0 = train_dataiter.getlabel().asnumpy().flatten()
    train_dataiter.iter_next()
    train_dataiter.iter_next()
    train_dataiter.iter_next()
    train_dataiter.iter_next()
    train_dataiter.reset()
    train_dataiter.iter_next()
    label_1 = train_dataiter.getlabel().asnumpy().flatten()
    assert sum(label_0 - label_1) == 0


def test_NDArrayIter():
    datas = np.ones([1000, 2, 2])
    labels = np.ones([1000, 1])
    for i in range(1000):
        datas[i] = i // 100
        labels[i] = i // 100
    dataiter = mx.io.NDArrayIter(datas, labels, 128, True, last_batch_handle='pad')
    batchidx = 0
    for batch in dataiter:
        batchidx += 1
    assert batchidx == 8
    dataiter = mx.io.NDArrayIter(datas, labels, 128, False, last_batch_handle='pad')
    batchidx = 0
    labelcount = [0 for i in range(10)]
    for batch in dataiter:
        label = batch.label[0].asnumpy().flatten()
        assert (batch.data[0].asnumpy()[:, 0, 0] == label).all()
        for i in range(label.shape[0]):
            labelcount[int(label[i])] += 1

    for i in range(10):
        if i == 0:
            assert labelcount[i] == 124
        else:
            assert labelcount[i] == 100


def test_CSVIter():
    # MXNet's later test_io.test_CSVIter: 2000 rows of 8x8 ones (data) and 1 (label).
    data_path = 'data.t'
    label_path = 'label.t'
    with open(data_path, 'w') as fout:
        for i in range(1000):
            fout.write(','.join(['1' for _ in range(8 * 8)]) + '\n')
    with open(label_path, 'w') as fout:
        for i in range(1000):
            fout.write('0\n')

    data_train = mx.io.CSVIter(data_csv=data_path, data_shape=(8, 8),
                               label_csv=label_path, batch_size=100)
    expected = mx.nd.ones((100, 8, 8))
    for batch in iter(data_train):
        assert np.array_equal(batch.data[0].asnumpy(), expected.asnumpy())
