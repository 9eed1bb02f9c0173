"""``mx.metric``: evaluation metrics, updated batch by batch with ``update(labels, preds)``
(lists of NDArrays) and read with ``get()`` -> (name, value). Accuracy, TopKAccuracy, F1, MAE,
MSE, RMSE and CrossEntropy run in C++ (the same code as mxtrain's); ``CustomMetric(feval)``
evaluates a Python function on NumPy arrays; ``create`` takes a name, a function or a list."""

from . import _core


class EvalMetric(object):
    """Base class: ``sum_metric / num_inst`` over the updates since ``reset``."""

    def __init__(self, name, num=None):
        self.name = name
        self.num = num
        self.reset()

    def update(self, labels, preds):
        raise NotImplementedError()

    def reset(self):
        self.num_inst = 0
        self.sum_metric = 0.0

    def get(self):
        if self.num_inst == 0:
            return (self.name, float('nan'))
        return (self.name, self.sum_metric / self.num_inst)

    def get_name_value(self):
        name, value = self.get()
        if not isinstance(name, list):
            name, value = [name], [value]
        return list(zip(name, value))

    def _spec(self):
        """(name, params) of the C++ metric, or None for a Python one."""
        return None

    def __str__(self):
        return "EvalMetric: {}".format(dict(self.get_name_value()))


def _check_lists(labels, preds):
    if len(labels) != len(preds):
        raise ValueError("metric: %d labels but %d predictions" % (len(labels), len(preds)))


class _Builtin(EvalMetric):
    def __init__(self, kind, name, **params):
        self._kind = kind
        self._params = params
        self._impl = _core.train.EvalMetric(kind, **params)
        super(_Builtin, self).__init__(name)

    def update(self, labels, preds):
        _check_lists(labels, preds)
        for label, pred in zip(labels, preds):
            self._impl.update(label, pred)

    def reset(self):
        if hasattr(self, '_impl'):
            self._impl.reset()

    def get(self):
        return (self.name, self._impl.get()[1])

    def _spec(self):
        return self._kind, dict(self._params)


class Accuracy(_Builtin):
    """Fraction of rows whose argmax (axis 1) equals the label."""

    def __init__(self):
        super(Accuracy, self).__init__('accuracy', 'accuracy')


class TopKAccuracy(_Builtin):
    """Fraction of rows whose label is among the top_k scores."""

    def __init__(self, top_k=1):
        super(TopKAccuracy, self).__init__('top_k_accuracy', 'top_k_accuracy_%d' % top_k,
                                           top_k=top_k)


class F1(_Builtin):
    """F1 score of binary classification (class 1 positive)."""

    def __init__(self):
        super(F1, self).__init__('f1', 'f1')


class MAE(_Builtin):
    def __init__(self):
        super(MAE, self).__init__('mae', 'mae')


class MSE(_Builtin):
    def __init__(self):
        super(MSE, self).__init__('mse', 'mse')


class RMSE(_Builtin):
    def __init__(self):
        super(RMSE, self).__init__('rmse', 'rmse')


class CrossEntropy(_Builtin):
    """Mean of -log(probability of the label)."""

    def __init__(self):
        super(CrossEntropy, self).__init__('ce', 'cross-entropy')


class CustomMetric(EvalMetric):
    """``feval(label, pred)`` on NumPy arrays, averaged over updates (or a (sum, count) pair
    from feval)."""

    def __init__(self, feval, name=None, allow_extra_outputs=False):
        if name is None:
            name = feval.__name__
            if name.find('<') != -1:
                name = 'custom(%s)' % name
        super(CustomMetric, self).__init__(name)
        self._feval = feval
        self._allow_extra_outputs = allow_extra_outputs

    def update(self, labels, preds):
        if not self._allow_extra_outputs:
            _check_lists(labels, preds)
        for pred, label in zip(preds, labels):
            reval = self._feval(label.asnumpy(), pred.asnumpy())
            if isinstance(reval, tuple):
                (sum_metric, num_inst) = reval
                self.sum_metric += sum_metric
                self.num_inst += num_inst
            else:
                self.sum_metric += reval
                self.num_inst += 1


class CompositeEvalMetric(EvalMetric):
    """Several metrics updated together; ``get`` returns lists of names and values."""

    def __init__(self, metrics=None):
        self.metrics = list(metrics or [])
        super(CompositeEvalMetric, self).__init__('composite')

    def add(self, metric):
        self.metrics.append(create(metric))

    def update(self, labels, preds):
        for metric in self.metrics:
            metric.update(labels, preds)

    def reset(self):
        for metric in getattr(self, 'metrics', []):
            metric.reset()

    def get(self):
        names, values = [], []
        for metric in self.metrics:
            name, value = metric.get()
            names.append(name)
            values.append(value)
        return (names, values)


def np(numpy_feval, name=None, allow_extra_outputs=False):
    """A CustomMetric from a function of NumPy arrays (MXNet's mx.metric.np)."""
    def feval(label, pred):
        return numpy_feval(label, pred)
    feval.__name__ = numpy_feval.__name__
    return CustomMetric(feval, name, allow_extra_outputs)


_NAMES = {'acc': Accuracy, 'accuracy': Accuracy, 'top_k_accuracy': TopKAccuracy,
          'f1': F1, 'mae': MAE, 'mse': MSE, 'rmse': RMSE, 'ce': CrossEntropy,
          'cross-entropy': CrossEntropy}


def create(metric, **kwargs):
    """A metric from a name ('acc', 'top_k_accuracy', 'f1', 'mae', 'mse', 'rmse', 'ce'), a
    function (CustomMetric), a metric object, or a list of those (CompositeEvalMetric)."""
    if isinstance(metric, EvalMetric):
        return metric
    if callable(metric):
        return CustomMetric(metric)
    if isinstance(metric, list):
        return CompositeEvalMetric([create(m, **kwargs) for m in metric])
    if isinstance(metric, str) and metric.lower() in _NAMES:
        return _NAMES[metric.lower()](**kwargs)
    raise ValueError("Metric must be a name (%s), a function or an EvalMetric, got %r"
                     % (", ".join(sorted(_NAMES)), metric))


__all__ = ["EvalMetric", "Accuracy", "TopKAccuracy", "F1", "MAE", "MSE", "RMSE", "CrossEntropy",
           "CustomMetric", "CompositeEvalMetric", "create", "np"]
