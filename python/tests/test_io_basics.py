"""mx.io beyond MXNet's test_io: ImageRecordIter on a RecordIO file written here, iterator errors,
and the DataBatch fields."""
import struct

import numpy as np
import pytest

import mxnet as mx


def bmp(rgb, size=8):
    """A size x size 24-bit BMP of one colour (OpenCV decodes it like a JPEG)."""
    row = bytes([rgb[2], rgb[1], rgb[0]]) * size  # BGR; 24 bytes, no row padding
    pixels = row * size
    header = struct.pack('<2sIHHI', b'BM', 54 + len(pixels), 0, 0, 54)
    dib = struct.pack('<IiiHHIIiiII', 40, size, size, 1, 24, 0, len(pixels), 2835, 2835, 0, 0)
    return header + dib + pixels


def write_rec(path, images):
    """MXNet's RecordIO: magic, length, IRHeader(flag, label, id, id2) + image, padded to 4."""
    with open(path, 'wb') as f:
        for i, (label, img) in enumerate(images):
            payload = struct.pack('<IfQQ', 0, label, i, 0) + img
            f.write(struct.pack('<II', 0xced7230a, len(payload)))
            f.write(payload + b'\0' * (-len(payload) % 4))


def test_image_record_iter_reads_a_rec_file():
    colours = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (10, 20, 30), (200, 100, 50), (7, 7, 7)]
    write_rec('tiny.rec', [(float(i), bmp(c)) for i, c in enumerate(colours)])
    it = mx.io.ImageRecordIter(path_imgrec='tiny.rec', data_shape=(3, 8, 8), batch_size=3,
                               preprocess_threads=2)
    assert it.provide_data == [('data', (3, 3, 8, 8))]
    assert it.provide_label == [('softmax_label', (3,))]
    labels, firsts = [], []
    for batch in it:
        labels += batch.label[0].asnumpy().tolist()
        data = batch.data[0].asnumpy()
        for k in range(3):
            assert (data[k] == data[k][:, :1, :1]).all()  # one colour per image
            firsts.append(tuple(data[k][:, 0, 0]))
    assert labels == [0, 1, 2, 3, 4, 5]
    assert firsts == [tuple(float(v) for v in c) for c in colours]  # RGB planes in [0, 255]
    it = mx.io.ImageRecordIter(path_imgrec='tiny.rec', data_shape=(3, 8, 8), batch_size=4,
                               mean_r=10, mean_g=20, mean_b=30, scale=0.5)
    batch = it.next()
    np.testing.assert_array_equal(batch.data[0].asnumpy()[3], np.zeros((3, 8, 8)))


def test_iterator_errors_name_the_problem():
    with pytest.raises(mx.MXNetError, match="no-such-file"):
        mx.io.MNISTIter(image='no-such-file', label='no-such-file')
    with pytest.raises(mx.MXNetError, match="batch_size"):
        mx.io.CSVIter(data_csv='x.csv', data_shape=(2,), batch_size=0)
    with pytest.raises(mx.MXNetError, match="unknown parameter"):
        mx.io.CSVIter(data_csv='x.csv', data_shape=(2,), bogus=1)
    with pytest.raises(mx.MXNetError, match="last_batch_handle"):
        mx.io.NDArrayIter(np.zeros((4, 2)), batch_size=2, last_batch_handle='sideways')
    with pytest.raises(TypeError, match="NumPy array or an NDArray"):
        mx.io.NDArrayIter('not data')


def test_batch_fields_and_copies():
    X = np.arange(10, dtype=np.float32).reshape(5, 2)
    it = mx.io.NDArrayIter(X, np.arange(5), batch_size=2)
    batches = list(it)
    assert [b.pad for b in batches] == [0, 0, 1]
    assert batches[0].data[0].asnumpy().tolist() == [[0, 1], [2, 3]]  # kept batches stay valid
    assert batches[2].data[0].asnumpy().tolist() == [[8, 9], [0, 1]]  # padded from the start
    assert list(batches[1].index) == [2, 3]
    assert it.iter_next() is False
    it.reset()
    assert it.iter_next() and it.getpad() == 0
    assert it.getlabel().asnumpy().tolist() == [0, 1]


def test_named_labels_for_several_loss_heads():
    X = np.arange(10, dtype=np.float32).reshape(5, 2)
    box = np.arange(10, dtype=np.float32).reshape(5, 2) * 10
    it = mx.io.NDArrayIter(X, {'softmax_label': np.arange(5), 'box_label': box}, batch_size=2)
    assert [(name, tuple(shape)) for name, shape in it.provide_label] == [
        ('softmax_label', (2,)), ('box_label', (2, 2))]
    batch = next(it)
    assert batch.label[0].asnumpy().tolist() == [0, 1]
    assert batch.label[1].asnumpy().tolist() == [[0, 10], [20, 30]]
    with pytest.raises(ValueError, match="different numbers of samples"):
        mx.io.NDArrayIter(X, {'softmax_label': np.arange(5), 'box_label': box[:4]})
    with pytest.raises(ValueError, match="label dict is empty"):
        mx.io.NDArrayIter(X, {})
