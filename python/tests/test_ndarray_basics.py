"""mx.nd basics: creation, NumPy views and copies, arithmetic, slicing, devices, files, errors."""
import pickle

import numpy as np
import pytest

import mxnet as mx


def test_creation_shape_context_dtype():
    a = mx.nd.zeros((2, 3))
    assert a.shape == (2, 3)
    assert a.context == mx.cpu()
    assert a.dtype == np.float32
    assert mx.nd.ones(4).shape == (4,)
    assert mx.nd.create((3, 1)).shape == (3, 1)
    b = mx.nd.array(np.arange(6).reshape(2, 3))
    assert b.dtype == np.float32  # MXNet's default type
    np.testing.assert_array_equal(b.asnumpy(), np.arange(6).reshape(2, 3))
    c = mx.nd.array([1, 2, 3], dtype=np.int32)
    assert c.dtype == np.int32
    assert mx.nd.full((2,), 7).asnumpy().tolist() == [7, 7]


def test_numpy_view_shares_memory():
    a = mx.nd.ones((2, 3))
    a.numpy[:] = 10  # as in the guide: writes into the array
    np.testing.assert_array_equal(a.asnumpy(), np.full((2, 3), 10))
    copy = a.asnumpy()
    copy[:] = 1  # asnumpy is a copy
    assert a.asnumpy()[0, 0] == 10


def test_arithmetic_with_arrays_and_scalars():
    a = mx.nd.array([[1, 2], [3, 4]])
    b = mx.nd.array([[4, 3], [2, 1]])
    np.testing.assert_array_equal((a + b).asnumpy(), [[5, 5], [5, 5]])
    np.testing.assert_array_equal((a - b).asnumpy(), [[-3, -1], [1, 3]])
    np.testing.assert_array_equal((a * b).asnumpy(), [[4, 6], [6, 4]])
    np.testing.assert_allclose((a / b).asnumpy(), [[0.25, 2 / 3], [1.5, 4]], rtol=1e-6)
    np.testing.assert_array_equal((2 * a + 1).asnumpy(), [[3, 5], [7, 9]])
    np.testing.assert_array_equal((1 - a).asnumpy(), [[0, -1], [-2, -3]])
    np.testing.assert_allclose((1 / a).asnumpy(), [[1, 0.5], [1 / 3, 0.25]], rtol=1e-6)
    np.testing.assert_array_equal((-a).asnumpy(), [[-1, -2], [-3, -4]])
    c = a.copyto(mx.cpu())
    c += b
    c *= 2
    np.testing.assert_array_equal(c.asnumpy(), [[10, 10], [10, 10]])
    np.testing.assert_array_equal(a.asnumpy(), [[1, 2], [3, 4]])  # copyto copied
    np.testing.assert_array_equal(mx.nd.dot(a, b).asnumpy(), [[8, 5], [20, 13]])


def test_slicing_reads_and_assigns():
    a = mx.nd.array(np.arange(10))
    np.testing.assert_array_equal(a[3:8].asnumpy(), [3, 4, 5, 6, 7])
    a[3:8] = 0
    np.testing.assert_array_equal(a.asnumpy(), [0, 1, 2, 0, 0, 0, 0, 0, 8, 9])
    a[:] = np.arange(10, 20)
    np.testing.assert_array_equal(a.asnumpy(), np.arange(10, 20))
    m = mx.nd.zeros((3, 2))
    m[1] = mx.nd.ones(2)
    np.testing.assert_array_equal(m.asnumpy(), [[0, 0], [1, 1], [0, 0]])
    with pytest.raises(mx.MXNetError, match="step 1"):
        a[::2]


def test_copyto_array_and_wait():
    a = mx.nd.ones((3,))
    b = mx.nd.zeros((3,))
    a.copyto(b)
    b.wait_to_read()
    mx.nd.waitall()
    np.testing.assert_array_equal(b.asnumpy(), [1, 1, 1])


def test_pickle_and_files(tmp_path):
    a = mx.nd.array([[1.5, 2], [3, 4]])
    b = pickle.loads(pickle.dumps(a))
    np.testing.assert_array_equal(b.asnumpy(), a.asnumpy())
    path = str(tmp_path / "arrays")
    mx.nd.save(path, [a, mx.nd.ones(3)])
    loaded = mx.nd.load(path)
    assert isinstance(loaded, list) and len(loaded) == 2
    np.testing.assert_array_equal(loaded[0].asnumpy(), a.asnumpy())
    mx.nd.save(path, {"w": a})
    named = mx.nd.load(path)
    assert list(named) == ["w"]
    np.testing.assert_array_equal(named["w"].asnumpy(), a.asnumpy())


def test_contexts():
    assert mx.Context("cpu", 0) == mx.cpu()
    assert str(mx.gpu(1)) == "gpu(1)"
    assert pickle.loads(pickle.dumps(mx.gpu(2))) == mx.gpu(2)
    with pytest.raises(mx.MXNetError, match="device type 'tpu'"):
        mx.Context("tpu", 0)


def test_errors_reach_python_with_the_message():
    assert issubclass(mx.MXNetError, Exception)
    with pytest.raises(mx.MXNetError, match=r"shape mismatch: lhs \(2,3\) vs rhs \(3,2\)"):
        mx.nd.ones((2, 3)) + mx.nd.ones((3, 2))
    with pytest.raises(mx.MXNetError, match="cannot assign an array of shape"):
        mx.nd.zeros((2, 2))[:] = np.ones((3, 3))
    with pytest.raises(mx.MXNetError):
        mx.nd.zeros((2,), mx.gpu(0)).asnumpy()
