"""``mx.io``: data iterators. ``MNISTIter``, ``CSVIter`` and ``ImageRecordIter`` run mx's C++
iterators (threaded decoding, prefetch); ``NDArrayIter`` batches arrays in memory. Subclass
``DataIter`` for iterators of your own.

Iterate with ``for batch in it`` (a new epoch needs ``it.reset()``), or with ``iter_next()`` and
``getdata()`` / ``getlabel()`` / ``getpad()``, as in MXNet."""
import numpy as np

from . import _core
from .ndarray import NDArray, array


class DataBatch(object):
    """One batch: lists of data and label arrays, ``pad`` (trailing samples that only fill the
    batch) and ``index`` (each sample's position in its data set)."""

    def __init__(self, data, label, pad=0, index=None):
        self.data = data
        self.label = label
        self.pad = pad
        self.index = index


class DataIter(object):
    """The iterator protocol: ``reset``, ``iter_next`` and the ``get*`` accessors; ``next`` and
    ``for`` loops build ``DataBatch`` objects from them."""

    def __init__(self):
        self.batch_size = 0

    def __iter__(self):
        return self

    def reset(self):
        """Starts the next epoch."""

    def next(self):
        """The next batch; StopIteration at the end of the epoch."""
        if self.iter_next():
            return DataBatch(data=[self.getdata()], label=[self.getlabel()],
                             pad=self.getpad(), index=self.getindex())
        raise StopIteration

    def __next__(self):
        return self.next()

    def iter_next(self):
        """Advances to the next batch; False at the end of the epoch."""
        raise NotImplementedError

    def getdata(self):
        """The current batch's data (NDArray)."""
        raise NotImplementedError

    def getlabel(self):
        """The current batch's label (NDArray)."""
        raise NotImplementedError

    def getindex(self):
        """The positions of the current batch's samples, or None."""
        return None

    def getpad(self):
        """How many trailing samples of the current batch only fill it."""
        return 0


class MXDataIter(DataIter):
    """An iterator running in mx's C++ io module."""

    def __init__(self, handle):
        super(MXDataIter, self).__init__()
        self._handle = handle
        self._started = False
        self.provide_data = handle.provide_data()
        self.provide_label = handle.provide_label()
        self.batch_size = self.provide_data[0][1][0]

    def reset(self):
        self._handle.reset()

    def next(self):
        if not self.iter_next():
            raise StopIteration
        return DataBatch(data=self._handle.data(), label=self._handle.label(),
                         pad=self._handle.pad(), index=self._handle.index())

    def iter_next(self):
        self._started = True
        return self._handle.next()

    def _current(self, arrays):
        if not self._started:
            raise RuntimeError("no current batch: call iter_next() first")
        return arrays[0]

    def getdata(self):
        return self._current(self._handle.data())

    def getlabel(self):
        return self._current(self._handle.label())

    def getindex(self):
        return np.array(self._handle.index(), dtype=np.int64)

    def getpad(self):
        return self._handle.pad()


class NDArrayIter(MXDataIter):
    """Batches over arrays in memory (NumPy arrays or NDArrays, read as float32): ``data``
    (N, ...), ``label`` (N,) or (N, k) (zeros when None). ``last_batch_handle``: 'pad' (fill
    the last batch from the start, as MXNet), 'discard', or 'roll_over' (fill it from the next
    epoch). ``shuffle`` draws a new order every epoch, reproducibly from ``seed``. A network of
    several loss heads takes a dict of named labels, ``{'softmax_label': y, 'box_label': b}``,
    each (N,) or (N, k) (a one-column label is batched as (batch,))."""

    def __init__(self, data, label=None, batch_size=1, shuffle=False, last_batch_handle='pad',
                 seed=0, data_name='data', label_name='softmax_label'):
        data = _as_ndarray(data, 'data')
        columns = []
        if isinstance(label, dict):
            label, columns = _label_columns(label)
        if label is not None:
            label = _as_ndarray(label, 'label')
        super(NDArrayIter, self).__init__(_core.io.ndarray_iter(
            data, label, batch_size, shuffle, last_batch_handle, seed, data_name, label_name,
            columns))
        self.num_data = data.shape[0]


def _label_columns(labels):
    """Named labels as the columns of one (N, K) array, and each name's columns."""
    if not labels:
        raise ValueError("NDArrayIter: the label dict is empty")
    parts, columns = [], []
    for name, value in labels.items():
        a = value.asnumpy() if isinstance(value, NDArray) else np.asarray(value, np.float32)
        if a.ndim not in (1, 2):
            raise ValueError("NDArrayIter: label '%s' has shape %s; expected (N,) or (N, k)"
                             % (name, a.shape))
        a = a.reshape(a.shape[0], -1).astype(np.float32)
        at = sum(p.shape[1] for p in parts)
        columns.append((str(name), list(range(at, at + a.shape[1]))))
        parts.append(a)
    if len({p.shape[0] for p in parts}) != 1:
        raise ValueError("NDArrayIter: the labels hold different numbers of samples (%s)" % ", ".join(
            "%s %d" % (c[0], p.shape[0]) for c, p in zip(columns, parts)))
    return np.concatenate(parts, axis=1), columns


def _as_ndarray(value, what):
    if isinstance(value, NDArray):
        return value
    if isinstance(value, (np.ndarray, list, tuple)):
        return array(np.asarray(value, dtype=np.float32))
    raise TypeError("NDArrayIter: %s must be a NumPy array or an NDArray, got %s"
                    % (what, type(value).__name__))


def _make_iter(kind):
    defaults = {}
    if kind == 'MNISTIter':
        # MXNet's MNISTIter shuffles once at load; reset keeps that order.
        defaults['reshuffle'] = False

    def create(**kwargs):
        params = dict(defaults)
        params.update(kwargs)
        return MXDataIter(_core.io.create_iter(kind, **params))
    create.__name__ = kind
    doc = "mx's %s (C++, prefetched). Keyword parameters:\n\n" % kind
    if defaults:
        doc += "As MXNet's Python API, reshuffle defaults to False here.\n\n"
    create.__doc__ = doc + _core.io.iter_doc(kind)
    return create


for _kind in _core.io.list_iters():
    globals()[_kind] = _make_iter(_kind)

__all__ = ["DataBatch", "DataIter", "MXDataIter", "NDArrayIter"] + _core.io.list_iters()
