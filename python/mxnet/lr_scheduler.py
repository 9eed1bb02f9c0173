"""``mx.lr_scheduler``: learning rate as a function of the update count (MXNet's schedulers,
computed by mx's C++ schedules). The optimizer sets ``base_lr`` from its learning_rate."""
from . import _core


class LRScheduler(object):
    """A schedule ``kind`` with its parameters; ``sched(num_update)`` is the rate."""

    def __init__(self, kind, **params):
        self._kind = kind
        self._params = params
        self.base_lr = 0.01
        self._impl = _core.train.LRScheduler(kind, self.base_lr, **params)  # checks params
        self._impl_lr = self.base_lr

    def __call__(self, num_update):
        if self._impl_lr != self.base_lr:
            self._impl = _core.train.LRScheduler(self._kind, self.base_lr, **self._params)
            self._impl_lr = self.base_lr
        return self._impl(num_update)

    def _spec(self):
        return self._kind, dict(self._params)


class FactorScheduler(LRScheduler):
    """Multiplies the rate by ``factor`` every ``step`` updates (not below stop_factor_lr)."""

    def __init__(self, step, factor=1, stop_factor_lr=1e-8):
        super(FactorScheduler, self).__init__('factor', step=step, factor=factor,
                                              stop_factor_lr=stop_factor_lr)


class MultiFactorScheduler(LRScheduler):
    """Multiplies the rate by ``factor`` when the update count passes each of ``step`` (an
    increasing list)."""

    def __init__(self, step, factor=1):
        super(MultiFactorScheduler, self).__init__('multifactor', steps=tuple(step),
                                                   factor=factor)


__all__ = ["LRScheduler", "FactorScheduler", "MultiFactorScheduler"]
