"""``mx.mod``: MXNet's Module API (``mx.mod.Module``), the training interface most MXNet code
of 2016-2020 uses: ``bind`` executors for the data shapes, ``init_params``,
``init_optimizer``, then ``forward`` / ``backward`` / ``update`` per batch, or ``fit`` /
``score`` / ``predict`` over iterators, and checkpoints (``save_checkpoint`` /
``Module.load``) in MXNet's file formats.

It runs on mx's executors (memory-planned graphs on the engine) and mx's C++ optimizers. With a
list of contexts each batch is split along its first axis (``work_load_list`` weighs the
parts), gradients are summed on the first context, updated there and the weights copied to the
others: MXNet's 'local' kvstore. ``fit`` is MXNet's Python loop, so callbacks see
``BatchEndParam`` with the live metric and custom metrics work."""
import logging
import pickle
import time

import numpy as np

from . import initializer as init
from . import metric as _metric
from . import model as _model
from . import ndarray as nd
from . import optimizer as opt
from .base import MXNetError
from .context import Context, cpu
from .model import BatchEndParam


def _as_list(obj):
    if obj is None:
        return []
    return list(obj) if isinstance(obj, (list, tuple)) else [obj]


def _shapes(descs):
    """[(name, shape)] from provide_data-style lists (tuples or DataDesc-like objects)."""
    out = []
    for d in descs or []:
        if hasattr(d, 'name') and hasattr(d, 'shape'):
            out.append((d.name, tuple(d.shape)))
        else:
            out.append((d[0], tuple(d[1])))
    return out


def _split(batch_size, work_load_list):
    """Slices of the batch per context, in proportion to the work loads."""
    total = float(sum(work_load_list))
    bounds = [0]
    for i, load in enumerate(work_load_list):
        end = batch_size if i == len(work_load_list) - 1 else \
            int(round(bounds[-1] + batch_size * load / total))
        bounds.append(end)
    slices = [slice(bounds[i], bounds[i + 1]) for i in range(len(work_load_list))]
    if any(s.stop <= s.start for s in slices):
        raise MXNetError("a batch of %d cannot be split over %d contexts (work loads %s)"
                         % (batch_size, len(work_load_list), work_load_list))
    return slices


class BaseModule(object):
    """The loops shared by modules: fit, score, predict, iter_predict."""

    def __init__(self, logger=logging):
        self.logger = logger
        self.binded = False
        self.for_training = False
        self.inputs_need_grad = False
        self.params_initialized = False
        self.optimizer_initialized = False

    def forward_backward(self, data_batch):
        """forward (training) then backward."""
        self.forward(data_batch, is_train=True)
        self.backward()

    def score(self, eval_data, eval_metric, num_batch=None, batch_end_callback=None,
              score_end_callback=None, reset=True, epoch=0):
        """[(metric name, value)] over ``eval_data`` (padding excluded)."""
        if not (self.binded and self.params_initialized):
            raise MXNetError("score: bind the module and initialize its parameters first")
        if reset:
            eval_data.reset()
        eval_metric = _metric.create(eval_metric)
        eval_metric.reset()
        for nbatch, batch in enumerate(eval_data):
            if num_batch is not None and nbatch == num_batch:
                break
            self.forward(batch, is_train=False)
            self.update_metric(eval_metric, batch.label, pad=batch.pad)
            for callback in _as_list(batch_end_callback):
                callback(BatchEndParam(epoch=epoch, nbatch=nbatch, eval_metric=eval_metric,
                                       locals=locals()))
        for callback in _as_list(score_end_callback):
            callback(BatchEndParam(epoch=epoch, nbatch=0, eval_metric=eval_metric,
                                   locals=locals()))
        return eval_metric.get_name_value()

    def iter_predict(self, eval_data, num_batch=None, reset=True):
        """Yields (outputs without padding, batch index, batch) per batch."""
        if not (self.binded and self.params_initialized):
            raise MXNetError("iter_predict: bind the module and initialize its parameters first")
        if reset:
            eval_data.reset()
        for nbatch, batch in enumerate(eval_data):
            if num_batch is not None and nbatch == num_batch:
                break
            self.forward(batch, is_train=False)
            keep = batch.data[0].shape[0] - batch.pad
            yield [out[0:keep] for out in self.get_outputs()], nbatch, batch

    def predict(self, eval_data, num_batch=None, merge_batches=True, reset=True,
                always_output_list=False):
        """The outputs over ``eval_data`` (NDArrays, padding dropped), concatenated over
        batches when ``merge_batches``; one array when there is one output."""
        outputs = [[o.copyto(o.context) for o in outs]
                   for outs, _, _ in self.iter_predict(eval_data, num_batch, reset)]
        if not outputs:
            return []
        if not merge_batches:
            return outputs
        merged = [nd.concat(*[batch[i] for batch in outputs], dim=0)
                  if len(outputs) > 1 else outputs[0][i] for i in range(len(outputs[0]))]
        if len(merged) == 1 and not always_output_list:
            return merged[0]
        return merged

    def fit(self, train_data, eval_data=None, eval_metric='acc', epoch_end_callback=None,
            batch_end_callback=None, kvstore='local', optimizer='sgd',
            optimizer_params=(('learning_rate', 0.01),), eval_end_callback=None,
            eval_batch_end_callback=None, initializer=init.Uniform(0.01), arg_params=None,
            aux_params=None, allow_missing=False, force_rebind=False, force_init=False,
            begin_epoch=0, num_epoch=None, validation_metric=None, monitor=None):
        """Trains from ``begin_epoch`` to ``num_epoch``: binds, initializes parameters and the
        optimizer, then per batch forward, backward, update and the metric; after each epoch
        the epoch callbacks (epoch, symbol, arg_params, aux_params) and a score of
        ``eval_data``."""
        if num_epoch is None:
            raise ValueError("fit: num_epoch is required")
        if monitor is not None:
            raise NotImplementedError("fit: monitor is not supported")
        self.bind(data_shapes=train_data.provide_data, label_shapes=train_data.provide_label,
                  for_training=True, force_rebind=force_rebind)
        self.init_params(initializer=initializer, arg_params=arg_params,
                         aux_params=aux_params, allow_missing=allow_missing,
                         force_init=force_init)
        self.init_optimizer(kvstore=kvstore, optimizer=optimizer,
                            optimizer_params=optimizer_params)
        validation_metric = validation_metric or eval_metric
        eval_metric = _metric.create(eval_metric)
        for epoch in range(begin_epoch, num_epoch):
            tic = time.time()
            eval_metric.reset()
            train_data.reset()
            for nbatch, data_batch in enumerate(train_data):
                self.forward_backward(data_batch)
                self.update()
                self.update_metric(eval_metric, data_batch.label, pad=data_batch.pad)
                for callback in _as_list(batch_end_callback):
                    callback(BatchEndParam(epoch=epoch, nbatch=nbatch, eval_metric=eval_metric,
                                           locals=locals()))
            for name, val in eval_metric.get_name_value():
                self.logger.info('Epoch[%d] Train-%s=%f', epoch, name, val)
            self.logger.info('Epoch[%d] Time cost=%.3f', epoch, time.time() - tic)
            arg_params, aux_params = self.get_params()
            for callback in _as_list(epoch_end_callback):
                callback(epoch, self.symbol, arg_params, aux_params)
            if eval_data is not None:
                res = self.score(eval_data, validation_metric,
                                 score_end_callback=eval_end_callback,
                                 batch_end_callback=eval_batch_end_callback, epoch=epoch)
                for name, val in res:
                    self.logger.info('Epoch[%d] Validation-%s=%f', epoch, name, val)


class Module(BaseModule):
    """A symbol bound for training or inference: ``data_names`` and ``label_names`` are its
    inputs (labels may be absent: pass ``label_names=None``), every other argument is a
    parameter (those in ``fixed_param_names`` are not updated)."""

    def __init__(self, symbol, data_names=('data',), label_names=('softmax_label',),
                 logger=logging, context=cpu(), work_load_list=None, fixed_param_names=None,
                 state_names=None):
        super(Module, self).__init__(logger=logger)
        self._symbol = symbol
        self._context = _as_list(context) if not isinstance(context, Context) else [context]
        self._work_load_list = work_load_list or [1] * len(self._context)
        if len(self._work_load_list) != len(self._context):
            raise ValueError("work_load_list has %d entries for %d contexts"
                             % (len(self._work_load_list), len(self._context)))
        arguments = symbol.list_arguments()
        self._data_names = list(data_names or [])
        self._label_names = [n for n in (label_names or []) if n in arguments]
        for name in self._data_names:
            if name not in arguments:
                raise ValueError("data name '%s' is not an argument of the symbol; its "
                                 "arguments are %s" % (name, arguments))
        inputs = set(self._data_names) | set(self._label_names)
        self._param_names = [n for n in arguments if n not in inputs]
        self._fixed_param_names = list(fixed_param_names or [])
        for name in self._fixed_param_names:
            if name not in self._param_names:
                raise ValueError("fixed parameter '%s' is not a parameter of the symbol"
                                 % name)
        self._aux_names = symbol.list_auxiliary_states()
        self._output_names = symbol.list_outputs()
        self._arg_params = None
        self._aux_params = None
        self._execs = []
        self._slices = []
        self._data_shapes = None
        self._label_shapes = None
        self._optimizer = None
        self._opt_states = {}
        self._preload_opt_states = None

    # ----- properties -----

    @property
    def symbol(self):
        return self._symbol

    @property
    def data_names(self):
        return self._data_names

    @property
    def label_names(self):
        return self._label_names

    @property
    def output_names(self):
        return self._output_names

    @property
    def data_shapes(self):
        return self._data_shapes

    @property
    def label_shapes(self):
        return self._label_shapes

    @property
    def output_shapes(self):
        if not self.binded:
            raise MXNetError("output_shapes: the module is not bound")
        shapes = self._symbol.infer_shape(**dict(self._data_shapes + self._label_shapes))[1]
        return list(zip(self._output_names, shapes))

    # ----- binding -----

    def bind(self, data_shapes, label_shapes=None, for_training=True, inputs_need_grad=False,
             force_rebind=False, shared_module=None, grad_req='write'):
        """Creates one executor per context for the batch shapes (split along axis 0)."""
        if self.binded and not force_rebind:
            self.logger.warning('Already bound, ignoring bind()')
            return
        # Parameters from Module.load (CPU arrays, checked against the executors below).
        loaded = None
        if self.params_initialized and not self._execs:
            loaded = (self._arg_params, self._aux_params)
            self.params_initialized = False
        self.for_training = for_training
        self.inputs_need_grad = inputs_need_grad
        self._data_shapes = _shapes(data_shapes)
        self._label_shapes = [s for s in _shapes(label_shapes) if s[0] in self._label_names]
        given = [n for n, _ in self._data_shapes]
        if sorted(given) != sorted(self._data_names):
            raise ValueError("data_shapes name %s; the module's data_names are %s"
                             % (given, self._data_names))
        batch = self._data_shapes[0][1][0]
        self._slices = _split(batch, self._work_load_list)
        reqs = {}
        for name in self._symbol.list_arguments():
            if name in self._param_names:
                reqs[name] = 'null' if (not for_training or name in self._fixed_param_names) \
                    else grad_req
            elif name in self._data_names and inputs_need_grad and for_training:
                reqs[name] = grad_req
            else:
                reqs[name] = 'null'
        self._execs = []
        for ctx, part in zip(self._context, self._slices):
            n = part.stop - part.start
            shapes = {name: (n,) + tuple(shape[1:])
                      for name, shape in self._data_shapes + self._label_shapes}
            self._execs.append(self._symbol.simple_bind(ctx, grad_req=reqs, **shapes))
        self.binded = True
        if loaded is not None:
            self.set_params(*loaded)
        elif shared_module is not None and shared_module.params_initialized:
            arg_params, aux_params = shared_module.get_params()
            self.set_params(arg_params, aux_params)
        elif self.params_initialized:
            self._push_params()

    def reshape(self, data_shapes, label_shapes=None):
        """Binds again for other batch shapes, keeping parameters and optimizer."""
        self.bind(data_shapes, label_shapes, self.for_training, self.inputs_need_grad,
                  force_rebind=True)

    # ----- parameters -----

    def init_params(self, initializer=init.Uniform(0.01), arg_params=None, aux_params=None,
                    allow_missing=False, force_init=False, allow_extra=False):
        """Fills the parameters from ``arg_params`` / ``aux_params`` where given, else with
        ``initializer`` (a variable's ``__init__`` attribute wins); a parameter missing from
        given params is an error unless ``allow_missing``."""
        if self.params_initialized and not force_init:
            return
        if not self.binded:
            raise MXNetError("init_params: call bind first")
        exe = self._execs[0]
        attrs = self._symbol.attr_dict()
        known = set(self._param_names) | set(self._aux_names)
        if not allow_extra:
            extra = sorted((set(arg_params or {}) | set(aux_params or {})) - known)
            if extra:
                raise MXNetError("init_params: the params name %s, which the symbol does not "
                                 "have (allow_extra=True ignores them)" % extra)

        def fill(name, arr, given):
            if given is not None and name in given:
                src = given[name]
                if tuple(src.shape) != tuple(arr.shape):
                    raise MXNetError("init_params: '%s' has shape %s, the network needs %s"
                                     % (name, tuple(src.shape), tuple(arr.shape)))
                src.copyto(arr)
            elif given is not None and not allow_missing:
                raise MXNetError("init_params: '%s' is missing from the given params "
                                 "(allow_missing=True initializes it)" % name)
            elif initializer is not None:
                init._initialize(initializer, name, arr, attrs.get(name, {}).get('__init__'))
            elif name in previous:
                previous[name].copyto(arr)  # set_params(allow_missing): kept
        previous = dict(self._arg_params or {})
        previous.update(self._aux_params or {})
        self._arg_params = {}
        for name in self._param_names:
            arr = nd.zeros(exe.arg_dict[name].shape, dtype=exe.arg_dict[name].dtype)
            fill(name, arr, arg_params)
            self._arg_params[name] = arr
        self._aux_params = {}
        for name in self._aux_names:
            arr = nd.zeros(exe.aux_dict[name].shape, dtype=exe.aux_dict[name].dtype)
            fill(name, arr, aux_params)
            self._aux_params[name] = arr
        self.params_initialized = True
        self._push_params()

    def set_params(self, arg_params, aux_params, allow_missing=False, force_init=True,
                   allow_extra=False):
        """Sets the parameters (as init_params with these values)."""
        self.init_params(initializer=None, arg_params=arg_params, aux_params=aux_params,
                         allow_missing=allow_missing, force_init=force_init,
                         allow_extra=allow_extra)

    def _push_params(self):
        for exe in self._execs:
            for name, arr in self._arg_params.items():
                arr.copyto(exe.arg_dict[name])
            for name, arr in self._aux_params.items():
                arr.copyto(exe.aux_dict[name])

    def _pull_params(self):
        exe = self._execs[0]
        for name, arr in self._arg_params.items():
            exe.arg_dict[name].copyto(arr)
        for name, arr in self._aux_params.items():
            # Moving statistics: the mean over the contexts.
            if len(self._execs) == 1:
                exe.aux_dict[name].copyto(arr)
            else:
                total = sum(e.aux_dict[name].copyto(cpu()) for e in self._execs)
                (total / len(self._execs)).copyto(arr)

    def get_params(self):
        """(arg_params, aux_params): copies on the CPU of the current values."""
        if not (self.binded and self.params_initialized):
            raise MXNetError("get_params: bind the module and initialize its parameters first")
        self._pull_params()
        return ({k: v.copyto(cpu()) for k, v in self._arg_params.items()},
                {k: v.copyto(cpu()) for k, v in self._aux_params.items()})

    def save_params(self, fname):
        """The parameters as a .params file (arg: / aux: keys)."""
        arg_params, aux_params = self.get_params()
        save_dict = {('arg:%s' % k): v for k, v in arg_params.items()}
        save_dict.update({('aux:%s' % k): v for k, v in aux_params.items()})
        nd.save(fname, save_dict)

    def load_params(self, fname):
        """Sets the parameters from a .params file."""
        arg_params, aux_params = {}, {}
        for key, value in nd.load(fname).items():
            kind, name = key.split(':', 1)
            (arg_params if kind == 'arg' else aux_params)[name] = value
        self.set_params(arg_params, aux_params)

    # ----- optimizer -----

    def init_optimizer(self, kvstore='local', optimizer='sgd',
                       optimizer_params=(('learning_rate', 0.01),), force_init=False):
        """Creates the optimizer (a name and its parameters, or an Optimizer); rescale_grad
        defaults to 1 / batch size, as MXNet."""
        if self.optimizer_initialized and not force_init:
            self.logger.warning('optimizer already initialized, ignoring...')
            return
        if not (self.binded and self.params_initialized):
            raise MXNetError("init_optimizer: bind the module and initialize its parameters "
                             "first")
        if kvstore not in (None, 'local', 'device') and not isinstance(kvstore, str):
            raise NotImplementedError("init_optimizer: kvstore objects are not supported; "
                                      "use 'local'")
        batch_size = self._data_shapes[0][1][0]
        idx2name = dict(enumerate(self._param_names))
        if isinstance(optimizer, str):
            params = dict(optimizer_params)
            params.setdefault('rescale_grad', 1.0 / batch_size)
            optimizer = opt.create(optimizer, sym=self._symbol, param_idx2name=idx2name,
                                   **params)
        else:
            optimizer.idx2name.update(idx2name)
        self._optimizer = optimizer
        self._opt_states = {}
        self.optimizer_initialized = True
        if self._preload_opt_states is not None:
            self.load_optimizer_states(self._preload_opt_states)
            self._preload_opt_states = None

    def save_optimizer_states(self, fname):
        """The optimizer's per-parameter states (momentum, ...) and update counts, pickled."""
        states = {index: [s.asnumpy() for s in state]
                  for index, state in self._opt_states.items()}
        with open(fname, 'wb') as f:
            pickle.dump({'states': states,
                         'counts': dict(self._optimizer._index_update_count),
                         'num_update': self._optimizer.num_update}, f)

    def load_optimizer_states(self, fname):
        """Restores what save_optimizer_states wrote."""
        with open(fname, 'rb') as f:
            saved = pickle.load(f)
        states = self._opt_states
        exe = self._execs[0]
        for index, arrays in saved['states'].items():
            weight = exe.arg_dict[self._param_names[index]]
            state = self._optimizer.create_state(index, weight)
            for dst, src in zip(state, arrays):
                dst[:] = src
            states[index] = state
        self._optimizer._index_update_count = dict(saved['counts'])
        self._optimizer.num_update = saved['num_update']

    # ----- computation -----

    def forward(self, data_batch, is_train=None):
        """Runs the executors on a batch (is_train defaults to for_training)."""
        if not (self.binded and self.params_initialized):
            raise MXNetError("forward: bind the module and initialize its parameters first")
        if is_train is None:
            is_train = self.for_training
        names = self._data_names + (self._label_names if data_batch.label else [])
        arrays = list(data_batch.data) + list(data_batch.label or [])[:len(self._label_names)]
        batch = arrays[0].shape[0]
        expected = self._data_shapes[0][1][0]
        if batch != expected:
            raise MXNetError("forward: a batch of %d, the module is bound for %d (reshape it)"
                             % (batch, expected))
        for exe, part in zip(self._execs, self._slices):
            whole = len(self._execs) == 1
            inputs = {name: (arr if whole else arr[part.start:part.stop])
                      for name, arr in zip(names, arrays)}
            exe.forward(is_train=is_train, **inputs)

    def backward(self, out_grads=None):
        """Backward of the last training forward (out_grads split like the batch)."""
        if not self.for_training:
            raise MXNetError("backward: the module is bound for inference")
        for exe, part in zip(self._execs, self._slices):
            grads = None
            if out_grads is not None:
                grads = [g if len(self._execs) == 1 else
                         g[part.start:part.stop].as_in_context(exe.outputs[0].context)
                         for g in _as_list(out_grads)]
            exe.backward(grads)

    def update(self):
        """Applies the optimizer to every trainable parameter."""
        if not self.optimizer_initialized:
            raise MXNetError("update: call init_optimizer first")
        first = self._execs[0]
        for index, name in enumerate(self._param_names):
            if name in self._fixed_param_names:
                continue
            grad = first.grad_dict[name]
            for exe in self._execs[1:]:
                grad += exe.grad_dict[name].as_in_context(grad.context)
            weight = first.arg_dict[name]
            if index not in self._opt_states:
                self._opt_states[index] = self._optimizer.create_state(index, weight)
            self._optimizer.update(index, weight, grad, self._opt_states[index])
            for exe in self._execs[1:]:
                first.arg_dict[name].copyto(exe.arg_dict[name])

    def get_outputs(self, merge_multi_context=True):
        """The outputs of the last forward (merged over contexts along axis 0)."""
        per_exec = [exe.outputs for exe in self._execs]
        if len(per_exec) == 1:
            return per_exec[0] if merge_multi_context else [[o] for o in per_exec[0]]
        if not merge_multi_context:
            return [[outs[i] for outs in per_exec] for i in range(len(per_exec[0]))]
        return [nd.concat(*[outs[i].as_in_context(self._context[0]) for outs in per_exec],
                          dim=0) for i in range(len(per_exec[0]))]

    def get_input_grads(self, merge_multi_context=True):
        """Gradients of the data inputs (bind with inputs_need_grad=True)."""
        if not self.inputs_need_grad:
            raise MXNetError("get_input_grads: bind with inputs_need_grad=True")
        grads = [[exe.grad_dict[name] for exe in self._execs] for name in self._data_names]
        if not merge_multi_context:
            return grads
        return [g[0] if len(g) == 1 else
                nd.concat(*[x.as_in_context(self._context[0]) for x in g], dim=0)
                for g in grads]

    def update_metric(self, eval_metric, labels, pad=0):
        """Adds the last forward's outputs against ``labels`` to the metric (the last ``pad``
        samples are left out)."""
        outputs = self.get_outputs()
        labels = _as_list(labels)
        keep = outputs[0].shape[0] - pad
        if pad:
            labels = [label[0:keep] for label in labels]
            outputs = [out[0:keep] for out in outputs]
        eval_metric.update(labels, outputs)

    # ----- checkpoints -----

    def save_checkpoint(self, prefix, epoch, save_optimizer_states=False):
        """prefix-symbol.json and prefix-%04d.params (and prefix-%04d.states)."""
        self._symbol.save('%s-symbol.json' % prefix)
        self.save_params('%s-%04d.params' % (prefix, epoch))
        if save_optimizer_states:
            self.save_optimizer_states('%s-%04d.states' % (prefix, epoch))
        self.logger.info('Saved checkpoint to "%s-%04d.params"', prefix, epoch)

    @staticmethod
    def load(prefix, epoch, load_optimizer_states=False, **kwargs):
        """A Module of a checkpoint; its parameters are set at bind (and the optimizer states
        at init_optimizer)."""
        sym, args, auxs = _model.load_checkpoint(prefix, epoch)
        mod = Module(symbol=sym, **kwargs)
        mod._arg_params = args
        mod._aux_params = auxs
        mod.params_initialized = True
        if load_optimizer_states:
            mod._preload_opt_states = '%s-%04d.states' % (prefix, epoch)
        return mod

__all__ = ["BaseModule", "Module"]
