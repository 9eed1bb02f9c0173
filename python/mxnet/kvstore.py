"""``mx.kv``: the key-value store of data-parallel training (MXNet's KVStore API). ``init`` stores
a value under a key (int or str); ``push`` sums the values pushed for a key (one per device) and
applies the updater to the stored value (or stores the sum when there is none); ``pull`` copies
the stored value out. Keys and values may be lists."""
from . import _core
from . import optimizer as opt
from .ndarray import NDArray


def _pairs(key, value):
    """[(key, [values...])] from a key or a list of keys and their value(s)."""
    if isinstance(key, (list, tuple)):
        if not isinstance(value, (list, tuple)) or len(value) != len(key):
            raise ValueError("kvstore: %d keys need a list of %d values" % (len(key), len(key)))
        return [(k, v if isinstance(v, (list, tuple)) else [v]) for k, v in zip(key, value)]
    if isinstance(value, NDArray):
        return [(key, [value])]
    return [(key, list(value))]


class KVStore(object):
    """A key-value store; create with ``mx.kv.create('local')``."""

    def __init__(self, kind):
        self._impl = _core.train.KVStore(kind)
        self._keys = {}
        self._updater = None

    @property
    def type(self):
        return self._impl.type

    @property
    def rank(self):
        return 0

    @property
    def num_workers(self):
        return 1

    def _key(self, key):
        if not isinstance(key, (int, str)):
            raise TypeError("kvstore keys are ints or strings, got %s" % type(key).__name__)
        self._keys[str(key)] = key
        return str(key)

    def init(self, key, value):
        """Stores a copy of each value under its key (each key once)."""
        for k, values in _pairs(key, value):
            if len(values) != 1:
                raise ValueError("kvstore: init takes one value per key")
            self._impl.init(self._key(k), values[0])

    def push(self, key, value, priority=0):
        """Sums the value(s) of each key and updates the stored value."""
        for k, values in _pairs(key, value):
            self._impl.push(self._key(k), values)

    def pull(self, key, out=None, priority=0):
        """Copies the stored value of each key into its out array(s)."""
        if out is None:
            raise ValueError("kvstore: pull needs out=")
        for k, outs in _pairs(key, out):
            self._impl.pull(self._key(k), outs)

    def _set_updater(self, updater):
        """updater(key, input, stored): applied by push to the summed input and stored value."""
        self._updater = updater
        keys = self._keys
        self._impl.set_updater(lambda key, grad, weight: updater(keys.get(key, key), grad,
                                                                 weight))

    def set_optimizer(self, optimizer):
        """Applies ``optimizer``'s update on push (MXNet's update_on_kvstore)."""
        self._set_updater(opt.get_updater(optimizer))


def create(name='local'):
    """A kvstore: 'local' (sums on the first value's device)."""
    return KVStore(name)


__all__ = ["KVStore", "create"]
