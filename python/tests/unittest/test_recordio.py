"""Port of MXNet's tests/python/unittest/test_recordio.py (2016-2017): sequential and indexed
RecordIO round trips, label packing; plus what the port adds: image records written with
pack_img read back by unpack_img and by ImageRecordIter, and bad records as MXNetError.
Changes: Python 3 bytes; files in pytest's tmp_path instead of tempfile.mktemp."""
import random

import numpy as np
import pytest

import mxnet as mx


def test_recordio(tmp_path):
    """255 records written then read back in order; None at the end."""
    frec = str(tmp_path / "a.rec")
    N = 255
    writer = mx.recordio.MXRecordIO(frec, 'w')
    for i in range(N):
        writer.write(bytes(str(chr(i)), 'utf-8'))
    del writer
    reader = mx.recordio.MXRecordIO(frec, 'r')
    for i in range(N):
        assert reader.read() == bytes(str(chr(i)), 'utf-8')
    assert reader.read() is None
    reader.reset()
    assert reader.read() == bytes(str(chr(0)), 'utf-8')


def test_indexed_recordio(tmp_path):
    """Records by key, read back in random order."""
    fidx, frec = str(tmp_path / "a.idx"), str(tmp_path / "a.rec")
    N = 255
    writer = mx.recordio.MXIndexedRecordIO(fidx, frec, 'w')
    for i in range(N):
        writer.write_idx(i, bytes(str(chr(i)), 'utf-8'))
    del writer
    reader = mx.recordio.MXIndexedRecordIO(fidx, frec, 'r')
    keys = reader.keys
    assert sorted(keys) == list(range(N))
    random.shuffle(keys)
    for i in keys:
        assert reader.read_idx(i) == bytes(str(chr(i)), 'utf-8')
    with pytest.raises(KeyError):
        reader.read_idx(N + 3)


def test_recordio_pack_label():
    """pack / unpack with a scalar label (flag 0) and label arrays of every length."""
    header, s = mx.recordio.unpack(mx.recordio.pack(mx.recordio.IRHeader(0, 3.0, 7, 0), b"xyz"))
    assert header.flag == 0 and header.label == 3.0 and header.id == 7 and s == b"xyz"
    for i in range(1, 100):
        content = bytes(''.join(random.choice("abcdefgh") for _ in range(i)), 'utf-8')
        label = np.random.randint(1, 100000, size=i).astype(np.float32)
        pkt = mx.recordio.pack(mx.recordio.IRHeader(0, label, i, 0), content)
        header, s = mx.recordio.unpack(pkt)
        assert header.flag == i and (header.label == label).all() and s == content


def test_pack_img_read_by_image_record_iter(tmp_path):
    """pack_img (PNG: lossless) round trip through unpack_img, and the same file read by
    ImageRecordIter with the labels given."""
    frec, fidx = str(tmp_path / "img.rec"), str(tmp_path / "img.idx")
    writer = mx.recordio.MXIndexedRecordIO(fidx, frec, 'w')
    images = [np.random.randint(0, 256, (6, 5, 3)).astype(np.uint8) for _ in range(4)]
    for i, img in enumerate(images):
        writer.write_idx(i, mx.recordio.pack_img((0, float(i % 2), i, 0), img, quality=3,
                                                 img_fmt='.png'))
    writer.close()
    reader = mx.recordio.MXIndexedRecordIO(fidx, frec, 'r')
    for i, img in enumerate(images):
        header, back = mx.recordio.unpack_img(reader.read_idx(i))
        assert header.label == float(i % 2) and (back == img).all()
    it = mx.io.ImageRecordIter(path_imgrec=frec, data_shape=(3, 6, 5), batch_size=4)
    batch = next(iter(it))
    assert list(batch.label[0].asnumpy()) == [0, 1, 0, 1]
    # OpenCV decodes BGR; ImageRecordIter gives RGB planes.
    data = batch.data[0].asnumpy()
    for i, img in enumerate(images):
        assert (data[i] == img[:, :, ::-1].transpose(2, 0, 1)).all()


def test_bad_records(tmp_path):
    """A truncated header, a garbage image and a bad file are MXNetErrors."""
    with pytest.raises(mx.MXNetError, match="shorter than its"):
        mx.recordio.unpack(b"abc")
    with pytest.raises(mx.MXNetError, match="not an image"):
        mx.recordio.unpack_img(mx.recordio.pack((0, 0, 0, 0), b"garbage"))
    bad = tmp_path / "bad.rec"
    bad.write_bytes(b"\x00" * 16)
    with pytest.raises(mx.MXNetError, match="bad.rec"):
        mx.recordio.MXRecordIO(str(bad), 'r').read()
    with pytest.raises(mx.MXNetError):
        mx.recordio.MXRecordIO(str(tmp_path / "missing.rec"), 'r')
