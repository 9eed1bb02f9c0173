"""``mx.model``: ``FeedForward`` (MXNet's model API: fit / predict / score / save / load), whose
``fit`` runs mxtrain's C++ training loop (data-parallel over a list of contexts, the optimizer's
updates on the engine), and the checkpoint files shared with MXNet and mxtrain:
``prefix-symbol.json`` and ``prefix-NNNN.params`` (``arg:`` / ``aux:`` keys)."""
import logging
import time
from collections import namedtuple

import numpy as np

from . import _core
from . import initializer as init
from . import io
from . import metric as _metric
from . import ndarray as nd
from . import optimizer as opt
from . import random as _random
from . import symbol as sym
from .context import Context, cpu

BatchEndParam = namedtuple('BatchEndParams', ['epoch', 'nbatch', 'eval_metric', 'locals'])


def save_checkpoint(prefix, epoch, symbol, arg_params, aux_params):
    """Writes prefix-symbol.json and prefix-%04d.params (each written atomically)."""
    symbol.save('%s-symbol.json' % prefix)
    save_dict = {('arg:%s' % k): v for k, v in arg_params.items()}
    save_dict.update({('aux:%s' % k): v for k, v in aux_params.items()})
    param_name = '%s-%04d.params' % (prefix, epoch)
    nd.save(param_name, save_dict)
    logging.info('Saved checkpoint to "%s"', param_name)


def load_checkpoint(prefix, epoch):
    """(symbol, arg_params, aux_params) of a checkpoint."""
    symbol = sym.load('%s-symbol.json' % prefix)
    save_dict = nd.load('%s-%04d.params' % (prefix, epoch))
    arg_params, aux_params = {}, {}
    for k, v in save_dict.items():
        tp, name = k.split(':', 1)
        if tp == 'arg':
            arg_params[name] = v
        if tp == 'aux':
            aux_params[name] = v
    return (symbol, arg_params, aux_params)


class _MetricValues(object):
    """The running metric values a batch-end callback sees (as an EvalMetric's get)."""

    def __init__(self, pairs):
        self._pairs = pairs

    def get(self):
        names = [n for n, _ in self._pairs]
        values = [v for _, v in self._pairs]
        if len(names) == 1:
            return names[0], values[0]
        return names, values

    def get_name_value(self):
        return list(self._pairs)


def _as_iter(X, y, batch_size, shuffle):
    if isinstance(X, io.DataIter):
        if y is not None:
            raise ValueError("y must be None when X is a DataIter (it provides the labels)")
        if not isinstance(X, io.MXDataIter):
            # A Python iterator: the C++ training loop calls its next().
            return io.MXDataIter(_core.io.python_iter(X))
        return X
    if isinstance(X, nd.NDArray):
        X = X.asnumpy()
    if not isinstance(X, np.ndarray):
        raise TypeError("X must be a DataIter, a NumPy array or an NDArray, got %s"
                        % type(X).__name__)
    if y is None:
        y = np.zeros(X.shape[0])
    if isinstance(y, nd.NDArray):
        y = y.asnumpy()
    if X.shape[0] != y.shape[0]:
        raise ValueError("X has %d samples but y has %d" % (X.shape[0], y.shape[0]))
    return io.NDArrayIter(X, y, min(X.shape[0], batch_size), shuffle=shuffle,
                          last_batch_handle='roll_over' if shuffle else 'pad')


def _metric_specs(eval_metric):
    metric = _metric.create(eval_metric)
    metrics = metric.metrics if isinstance(metric, _metric.CompositeEvalMetric) else [metric]
    specs = [m._spec() for m in metrics]
    if any(s is None for s in specs):
        raise TypeError("fit computes its metrics in C++: use built-in metrics ('acc', "
                        "'top_k_accuracy', 'f1', 'mae', 'mse', 'rmse', 'ce'); a CustomMetric "
                        "works with score()")
    return specs


class FeedForward(object):
    """A network with its parameters, trained by ``fit`` and used by ``predict`` / ``score``.
    ``kwargs`` go to the optimizer (learning_rate, momentum, wd, lr_scheduler, ...)."""

    def __init__(self, symbol, ctx=None, num_epoch=None, epoch_size=None, optimizer='sgd',
                 initializer=init.Uniform(0.01), numpy_batch_size=128, arg_params=None,
                 aux_params=None, allow_extra_params=False, begin_epoch=0, **kwargs):
        self.symbol = symbol
        if ctx is None:
            ctx = [cpu()]
        elif isinstance(ctx, Context):
            ctx = [ctx]
        self.ctx = ctx
        self.num_epoch = num_epoch
        if epoch_size is not None:
            raise NotImplementedError("epoch_size: an epoch is one pass over the iterator")
        self.optimizer = optimizer
        self.initializer = initializer
        self.numpy_batch_size = numpy_batch_size
        self.arg_params = arg_params
        self.aux_params = aux_params
        self.allow_extra_params = allow_extra_params
        self.begin_epoch = begin_epoch
        self.kwargs = kwargs.copy()
        self._pred_exec = None

    # ----- parameters -----

    def _init_params(self, input_shapes, overwrite=False):
        """Fills arg_params / aux_params for the shapes the data gives (kept ones are checked)."""
        arg_shapes, _, aux_shapes = self.symbol.infer_shape(**input_shapes)
        if arg_shapes is None:
            raise ValueError("cannot infer the parameter shapes from the inputs %s"
                             % input_shapes)
        arg_names = self.symbol.list_arguments()
        input_names = set(input_shapes)
        missing = [n for n in arg_names if n.endswith('_label') and n not in input_names]
        if missing:
            raise ValueError("the network's label input '%s' gets no array from the data "
                             "iterator, which gives %s: pass the labels as a dict "
                             "(NDArrayIter(X, {'softmax_label': y, '%s': ...}))"
                             % (missing[0], ", ".join(sorted(input_names)), missing[0]))
        param_shapes = [(n, s) for n, s in zip(arg_names, arg_shapes) if n not in input_names]
        aux_names = self.symbol.list_auxiliary_states()
        given_args = dict(self.arg_params or {})
        given_aux = dict(self.aux_params or {})
        if not self.allow_extra_params:
            known = set(arg_names) | set(aux_names)
            extra = sorted((set(given_args) | set(given_aux)) - known)
            if extra:
                raise ValueError("arg_params / aux_params name parameters the network does not "
                                 "have: %s (allow_extra_params=True ignores them)" % extra)
        attrs = self.symbol.attr_dict()
        arg_params, aux_params = {}, {}
        for name, shape in param_shapes:
            if name in given_args and not overwrite:
                if given_args[name].shape != tuple(shape):
                    raise ValueError("arg_params['%s'] has shape %s, the network needs %s"
                                     % (name, given_args[name].shape, tuple(shape)))
                arg_params[name] = given_args[name]
            else:
                arg_params[name] = nd.zeros(shape)
                init._initialize(self.initializer, name, arg_params[name],
                                 attrs.get(name, {}).get('__init__'))
        for name, shape in zip(aux_names, aux_shapes):
            if name in given_aux and not overwrite:
                aux_params[name] = given_aux[name]
            else:
                aux_params[name] = nd.zeros(shape)
                init._initialize(self.initializer, name, aux_params[name],
                                 attrs.get(name, {}).get('__init__'))
        self.arg_params, self.aux_params = arg_params, aux_params

    def _optimizer_spec(self, batch_size):
        if isinstance(self.optimizer, str):
            kwargs = dict(self.kwargs)
            self.optimizer = opt.create(self.optimizer, rescale_grad=1.0 / batch_size,
                                        **kwargs)
        spec = self.optimizer._spec()
        if spec is None:
            raise TypeError("fit runs mx's C++ optimizers (sgd, nag, adam, adagrad, rmsprop); "
                            "got a Python %s" % type(self.optimizer).__name__)
        return spec

    # ----- training -----

    def fit(self, X, y=None, eval_data=None, eval_metric='acc', epoch_end_callback=None,
            batch_end_callback=None, kvstore='local', logger=None, work_load_list=None,
            monitor=None, eval_batch_end_callback=None):
        """Trains num_epoch epochs from begin_epoch on X (a DataIter, or NumPy data with labels
        y), evaluating eval_data (a DataIter or an (X, y) pair) after each. Callbacks:
        batch_end_callback(BatchEndParam) after every batch, epoch_end_callback(epoch, symbol,
        arg_params, aux_params) after every epoch."""
        if logger is None:
            logger = logging
        if self.num_epoch is None:
            raise ValueError("FeedForward: num_epoch is required for fit")
        if work_load_list is not None or monitor is not None:
            raise NotImplementedError("work_load_list / monitor are not supported")
        train = _as_iter(X, y, self.numpy_batch_size, shuffle=True)
        if isinstance(eval_data, (tuple, list)) and len(eval_data) == 2:
            eval_data = _as_iter(eval_data[0], eval_data[1], self.numpy_batch_size, False)
        elif eval_data is not None:
            eval_data = _as_iter(eval_data, None, self.numpy_batch_size, False)
        input_shapes = dict(train.provide_data + train.provide_label)
        self._init_params(input_shapes)
        name, params, scheduler = self._optimizer_spec(train.batch_size)
        lr_schedule, lr_params = ('constant', {}) if scheduler is None else scheduler._spec()
        options = {
            'ctx': self.ctx, 'kvstore': kvstore if isinstance(kvstore, str) else 'local',
            'optimizer': name, 'optimizer_params': params,
            'lr_schedule': lr_schedule, 'lr_schedule_params': lr_params,
            'metrics': _metric_specs(eval_metric),
            # Draws (dropout) follow mx.random.seed.
            'seed': int(_random.uniform(0, 2**31, shape=(1,)).asscalar()),
            'arg_params': self.arg_params, 'aux_params': self.aux_params,
        }
        trainer = _core.train.Trainer(self.symbol, train._handle, options)
        callbacks = batch_end_callback
        if callbacks is not None and not isinstance(callbacks, list):
            callbacks = [callbacks]
        for epoch in range(self.begin_epoch, self.num_epoch):
            on_batch = None
            if callbacks:
                def on_batch(ep, nbatch, samples, seconds, values, epoch=epoch):
                    param = BatchEndParam(epoch=epoch, nbatch=nbatch,
                                          eval_metric=_MetricValues(values), locals=locals())
                    for callback in callbacks:
                        callback(param)
            report = trainer.train_epoch(train._handle,
                                         eval_data._handle if eval_data is not None else None,
                                         on_batch, 1)
            for mname, value in report['train']:
                logger.info('Epoch[%d] Train-%s=%f', epoch, mname, value)
            logger.info('Epoch[%d] Time cost=%.3f', epoch, report['seconds'])
            for mname, value in report['val']:
                logger.info('Epoch[%d] Validation-%s=%f', epoch, mname, value)
            self.arg_params = trainer.args()
            self.aux_params = trainer.aux()
            if epoch_end_callback is not None:
                fns = epoch_end_callback if isinstance(epoch_end_callback, list) \
                    else [epoch_end_callback]
                for callback in fns:
                    callback(epoch, self.symbol, self.arg_params, self.aux_params)
        self._pred_exec = None

    # ----- inference -----

    def _predict_executor(self, data_shapes):
        if self.arg_params is None:
            raise ValueError("the model has no parameters: fit it or give arg_params")
        key = tuple(sorted(data_shapes.items()))
        if self._pred_exec is not None and self._pred_exec[0] == key:
            return self._pred_exec[1]
        exe = self.symbol.simple_bind(self.ctx[0], grad_req='null', **data_shapes)
        for name, arr in exe.arg_dict.items():
            if name in self.arg_params:
                self.arg_params[name].copyto(arr)
        for name, arr in exe.aux_dict.items():
            if name in self.aux_params:
                self.aux_params[name].copyto(arr)
        self._pred_exec = (key, exe)
        return exe

    def _batches(self, X, num_batch, reset):
        data = _as_iter(X, None, self.numpy_batch_size, shuffle=False)
        if reset:
            data.reset()
        shapes = dict(data.provide_data)
        # Labels are bound too when the network takes them (a loss head).
        for name, shape in data.provide_label:
            if name in self.symbol.list_arguments():
                shapes[name] = shape
        exe = self._predict_executor(shapes)
        self._label_names = [name for name, _ in data.provide_label]
        for i, batch in enumerate(data):
            if num_batch is not None and i == num_batch:
                break
            inputs = {data.provide_data[0][0]: batch.data[0]}
            for (name, _), label in zip(data.provide_label, batch.label):
                if name in shapes:
                    inputs[name] = label
            outputs = exe.forward(is_train=False, **inputs)
            yield batch, outputs

    def predict(self, X, num_batch=None, return_data=False, reset=True):
        """The network's outputs for X as NumPy arrays (padding rows dropped); with
        return_data, also the data and labels."""
        outputs, datas, labels = None, [], []
        for batch, outs in self._batches(X, num_batch, reset):
            keep = batch.data[0].shape[0] - batch.pad
            if outputs is None:
                outputs = [[] for _ in outs]
            for lst, out in zip(outputs, outs):
                lst.append(out.asnumpy()[:keep])
            if return_data:
                datas.append(batch.data[0].asnumpy()[:keep])
                labels.append(batch.label[0].asnumpy()[:keep])
        if outputs is None:
            raise ValueError("predict: the data yielded no batch")
        outputs = [np.concatenate(o) for o in outputs]
        if len(outputs) == 1:
            outputs = outputs[0]
        if return_data:
            return outputs, np.concatenate(datas), np.concatenate(labels)
        return outputs

    def score(self, X, eval_metric='acc', num_batch=None, batch_end_callback=None, reset=True):
        """The metric's value over X (a DataIter with labels)."""
        metric = _metric.create(eval_metric)
        metric.reset()
        # Each output is measured against the label its loss layer reads ("<layer>_label")
        # when the data names it, else against the label in its position (MXNet's pairing).
        heads = [n[:-len('_output')] + '_label' if n.endswith('_output') else None
                 for n in self.symbol.list_outputs()]
        for i, (batch, outs) in enumerate(self._batches(X, num_batch, reset)):
            keep = batch.data[0].shape[0] - batch.pad
            by_name = dict(zip(self._label_names, batch.label))
            if len(batch.label) > 1 and all(h in by_name for h in heads):
                labels = [by_name[h] for h in heads]
            else:
                labels = batch.label
            metric.update([label[0:keep] for label in labels],
                          [out[0:keep] for out in outs[:len(labels)]])
            if batch_end_callback is not None:
                batch_end_callback(BatchEndParam(epoch=0, nbatch=i, eval_metric=metric,
                                                 locals=locals()))
        return metric.get()[1]

    # ----- files -----

    def save(self, prefix, epoch=None):
        """Checkpoint prefix-symbol.json + prefix-%04d.params (epoch defaults to num_epoch)."""
        if epoch is None:
            epoch = self.num_epoch
        save_checkpoint(prefix, epoch, self.symbol, self.arg_params, self.aux_params)

    @staticmethod
    def load(prefix, epoch, ctx=None, **kwargs):
        """A FeedForward from a checkpoint (training would continue from ``epoch``)."""
        symbol, arg_params, aux_params = load_checkpoint(prefix, epoch)
        return FeedForward(symbol, ctx=ctx, arg_params=arg_params, aux_params=aux_params,
                           begin_epoch=epoch, **kwargs)

    @staticmethod
    def create(symbol, X, y=None, ctx=None, num_epoch=None, epoch_size=None, optimizer='sgd',
               initializer=init.Uniform(0.01), eval_data=None, eval_metric='acc',
               epoch_end_callback=None, batch_end_callback=None, kvstore='local', logger=None,
               work_load_list=None, **kwargs):
        """A FeedForward trained on X (MXNet's functional form)."""
        model = FeedForward(symbol, ctx=ctx, num_epoch=num_epoch, epoch_size=epoch_size,
                            optimizer=optimizer, initializer=initializer, **kwargs)
        model.fit(X, y, eval_data=eval_data, eval_metric=eval_metric,
                  epoch_end_callback=epoch_end_callback, batch_end_callback=batch_end_callback,
                  kvstore=kvstore, logger=logger, work_load_list=work_load_list)
        return model


__all__ = ["FeedForward", "BatchEndParam", "save_checkpoint", "load_checkpoint"]
