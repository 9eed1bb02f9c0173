"""``mx.optimizer``: MXNet's optimizers (SGD, NAG, Adam, AdaGrad, RMSProp) with their update
rules, computed by mx's C++ optimizers on the engine. ``update(index, weight, grad, state)``
updates one parameter; ``get_updater(opt)`` gives MXNet's ``updater(index, grad, weight)``.

``multi_precision=True`` keeps a float32 master copy of float16 weights in the state (MXNet 1.x's
mixed precision); without it a float16 weight is updated in float32 and rounded back each step.

As in MXNet 0.7+: the rate comes from ``lr_scheduler(num_update)`` when one is given, times the
parameter's ``lr_mult``; weight decay applies (``wd_mult`` 1) to names ending in ``_weight`` or
``_gamma`` and not to biases, when ``param_idx2name`` names the index (or the index is a
name)."""
import numpy as _np

from . import _core


class Optimizer(object):
    """Base class. Subclasses set ``_kind`` (the C++ optimizer) and pass their own parameters to
    ``__init__`` as ``extra``."""
    opt_registry = {}
    _kind = None

    def __init__(self, rescale_grad=1., param_idx2name=None, wd=0., clip_gradient=None,
                 learning_rate=0.01, lr_scheduler=None, sym=None, begin_num_update=0,
                 multi_precision=False, **extra):
        self.rescale_grad = rescale_grad
        self.multi_precision = multi_precision
        self.lr = learning_rate
        self.wd = wd
        self.clip_gradient = clip_gradient
        self.lr_scheduler = lr_scheduler
        if lr_scheduler is not None:
            lr_scheduler.base_lr = learning_rate
        self.idx2name = dict(param_idx2name or {})
        self.lr_mult = {}
        self.wd_mult = {}
        self._index_update_count = {}
        self.begin_num_update = begin_num_update
        self.num_update = begin_num_update
        self._extra = extra
        if sym is not None:
            self._mults_from_symbol(sym)
        self._impl = None
        if self._kind is not None:
            self._impl = _core.train.Optimizer(self._kind, **self._params())

    def _params(self):
        params = dict(self._extra, rescale_grad=self.rescale_grad, learning_rate=self.lr,
                      wd=self.wd)
        if self.clip_gradient is not None:
            params['clip_gradient'] = self.clip_gradient
        return params

    def _spec(self):
        """(name, params, lr_scheduler) for the C++ trainer."""
        if self._kind is None:
            return None
        params = self._params()
        if self.rescale_grad == 1.:
            del params['rescale_grad']  # the trainer uses 1 / batch size
        return self._kind, params, self.lr_scheduler

    @staticmethod
    def register(klass):
        """Registers an optimizer class under its lower-case name."""
        Optimizer.opt_registry[klass.__name__.lower()] = klass
        return klass

    @staticmethod
    def create_optimizer(name, rescale_grad=1, **kwargs):
        """The optimizer registered as ``name`` (case-insensitive)."""
        if name.lower() not in Optimizer.opt_registry:
            raise ValueError("Cannot find optimizer %s; known: %s"
                             % (name, ", ".join(sorted(Optimizer.opt_registry))))
        return Optimizer.opt_registry[name.lower()](rescale_grad=rescale_grad, **kwargs)

    def _mults_from_symbol(self, sym):
        """As MXNet: parameters not named *_weight / *_gamma take no weight decay; then the
        __lr_mult__ / __wd_mult__ attributes of the symbol's arguments (not of its ops)."""
        for name in self.idx2name.values():
            if not name.endswith(('_weight', '_gamma')):
                self.wd_mult[name] = 0.0
        attr_dict = sym.attr_dict()
        for name in sym.list_arguments():
            attrs = attr_dict.get(name, {})
            if '__lr_mult__' in attrs:
                self.lr_mult[name] = float(attrs['__lr_mult__'])
            if '__wd_mult__' in attrs:
                self.wd_mult[name] = float(attrs['__wd_mult__'])

    def set_lr_mult(self, args_lr_mult):
        """Per-parameter rate multipliers, by name (or index)."""
        self.lr_mult.update(args_lr_mult)

    def set_wd_mult(self, args_wd_mult):
        """Per-parameter weight-decay multipliers, by name (or index)."""
        self.wd_mult.update(args_wd_mult)

    def create_state(self, index, weight):
        """The optimizer state of one parameter (a list of arrays, empty for plain SGD). With
        ``multi_precision`` a float16 weight also gets a float32 master copy (the first array),
        which the updates accumulate into."""
        if self.multi_precision and weight.dtype == _np.float16:
            master = weight.astype(_np.float32)
            return [master] + list(self._impl.create_state(master))
        return self._impl.create_state(weight)

    def _update_count(self, index):
        count = self._index_update_count.get(index, self.begin_num_update) + 1
        self._index_update_count[index] = count
        self.num_update = max(count, self.num_update)
        return count

    def _name(self, index):
        return index if isinstance(index, str) else self.idx2name.get(index)

    def _get_lr(self, index):
        lr = self.lr_scheduler(self.num_update) if self.lr_scheduler is not None else self.lr
        name = self._name(index)
        return lr * self.lr_mult.get(index, self.lr_mult.get(name, 1.0))

    def _get_wd(self, index):
        name = self._name(index)
        if index in self.wd_mult or name in self.wd_mult:
            return self.wd * self.wd_mult.get(index, self.wd_mult.get(name))
        if name is not None and not name.endswith(('_weight', '_gamma')) and name != 'weight':
            return 0.0
        return self.wd

    def update(self, index, weight, grad, state):
        """weight <- update(weight, grad, state) (pushed to the engine)."""
        t = self._update_count(index)
        name = str(self._name(index) if self._name(index) is not None else index)
        if weight.dtype != _np.float16:
            self._impl.update(name, self._get_lr(index), self._get_wd(index), t, weight, grad,
                              state)
            return
        # Float16 weights update in float32: on the master copy (multi_precision), or on a
        # copy rounded back to half after every step.
        master, inner = (state[0], state[1:]) if self.multi_precision else \
            (weight.astype(_np.float32), state)
        self._impl.update(name, self._get_lr(index), self._get_wd(index), t, master,
                          grad.astype(_np.float32), inner)
        master.astype(_np.float16).copyto(weight)


def _builtin(kind, doc, **defaults):
    def __init__(self, **kwargs):
        params = dict(defaults)
        params.update(kwargs)
        Optimizer.__init__(self, **params)
    name = {'sgd': 'SGD', 'nag': 'NAG', 'adam': 'Adam', 'adagrad': 'AdaGrad',
            'rmsprop': 'RMSProp'}[kind]
    klass = type(name, (Optimizer,), {'__init__': __init__, '_kind': kind, '__doc__': doc})
    return Optimizer.register(klass)


SGD = _builtin('sgd', "SGD with momentum: mom = momentum*mom - lr*(g + wd*w); w += mom.",
               momentum=0.0)
NAG = _builtin('nag', "Nesterov accelerated SGD.", momentum=0.0)
Adam = _builtin('adam', "Adam (Kingma & Ba): learning_rate 0.001, beta1 0.9, beta2 0.999, "
                "epsilon 1e-8.", learning_rate=0.001)
AdaGrad = _builtin('adagrad', "AdaGrad: learning_rate 0.01, eps 1e-7.")
RMSProp = _builtin('rmsprop', "RMSProp (Tieleman & Hinton): learning_rate 0.001, gamma1 0.9, "
                   "epsilon 1e-8.", learning_rate=0.001)

create = Optimizer.create_optimizer


def get_updater(optimizer):
    """MXNet's updater(index, grad, weight): creates each parameter's state on first use."""
    states = dict()

    def updater(index, grad, weight):
        if index not in states:
            states[index] = optimizer.create_state(index, weight)
        optimizer.update(index, weight, grad, states[index])
    return updater


__all__ = ["Optimizer", "SGD", "NAG", "Adam", "AdaGrad", "RMSProp", "create", "get_updater"]
