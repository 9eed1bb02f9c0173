"""``mx.init``: parameter initializers. An initializer is called as ``init(name, arr)``; the
name's suffix decides (``*_weight``: the initializer's distribution; ``*_bias``, ``*_beta``,
``*_moving_mean``: 0; ``*_gamma``, ``*_moving_var``: 1), as in MXNet. Built-in initializers run
in C++ on the engine's generator (``mx.random.seed`` makes them reproducible); subclass
``Initializer`` and define ``_init_weight(name, arr)`` for your own."""
from . import _core


class Initializer(object):
    """Base class: the suffix rules, with ``_init_weight`` for weights."""

    def __call__(self, name, arr):
        if name.endswith(('bias', 'beta', 'moving_mean')):
            arr[:] = 0.0
        elif name.endswith(('gamma', 'moving_var', 'moving_inv_var')):
            arr[:] = 1.0
        elif name.endswith('weight'):
            self._init_weight(name, arr)
        else:
            raise ValueError("Unknown initialization pattern for %s: expected a name ending in "
                             "weight, bias, gamma, beta, moving_mean or moving_var" % name)

    def _init_weight(self, name, arr):
        raise NotImplementedError("Must override it")

    def _spec(self):
        """(name, params) of the C++ initializer, or None for a Python one."""
        return None


def _initialize(initializer, name, arr, init_attr=None):
    """Fills ``arr`` with ``initializer``, unless the variable's ``__init__`` attribute
    (``init_attr``, MXNet's JSON form) names another initializer, which then decides."""
    if init_attr:
        _core.train.Initializer('zero')(name, arr, init_attr=init_attr)
    else:
        initializer(name, arr)


class _Builtin(Initializer):
    def __init__(self, kind, **params):
        self._kind = kind
        self._params = params
        self._impl = _core.train.Initializer(kind, **params)

    def __call__(self, name, arr):
        self._impl(name, arr)

    def _spec(self):
        return self._kind, dict(self._params)

    def __repr__(self):
        args = ', '.join('%s=%r' % kv for kv in sorted(self._params.items()))
        return '%s(%s)' % (type(self).__name__, args)


class Uniform(_Builtin):
    """Weights from U(-scale, scale)."""

    def __init__(self, scale=0.07):
        super(Uniform, self).__init__('uniform', scale=scale)


class Normal(_Builtin):
    """Weights from N(0, sigma^2)."""

    def __init__(self, sigma=0.01):
        super(Normal, self).__init__('normal', sigma=sigma)


class Xavier(_Builtin):
    """Xavier/Glorot: scale = sqrt(magnitude / factor), factor from fan-in/out ('avg', 'in',
    'out'); 'uniform' draws U(-scale, scale), 'gaussian' N(0, scale^2)."""

    def __init__(self, rnd_type='uniform', factor_type='avg', magnitude=3):
        super(Xavier, self).__init__('xavier', rnd_type=rnd_type, factor_type=factor_type,
                                     magnitude=magnitude)


class MSRAPrelu(_Builtin):
    """He/MSRA initialization for (P)ReLU nets: Xavier gaussian with magnitude 2 / (1 + slope^2)."""

    def __init__(self, factor_type='avg', slope=0.25):
        super(MSRAPrelu, self).__init__('msra', factor_type=factor_type, slope=slope)


class Constant(_Builtin):
    """Weights all equal to ``value``."""

    def __init__(self, value):
        super(Constant, self).__init__('constant', value=value)


class Zero(_Builtin):
    def __init__(self):
        super(Zero, self).__init__('zero')


class One(_Builtin):
    def __init__(self):
        super(One, self).__init__('one')


class Bilinear(_Builtin):
    """Every (height, width) plane the bilinear interpolation kernel: the weight of
    UpSampling(sample_type='bilinear')."""

    def __init__(self):
        super(Bilinear, self).__init__('bilinear')


__all__ = ["Initializer", "Uniform", "Normal", "Xavier", "MSRAPrelu", "Constant", "Zero", "One",
           "Bilinear"]
