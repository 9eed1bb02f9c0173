"""Port of MXNet's tests/python/unittest/check_utils.py (2015-12): numeric gradient checks and
symbolic forward / backward checks of one symbol on NumPy inputs.

check_numeric_gradient compares the executor's gradient of sum(sym * proj), for a random
projection proj, with one-sided finite differences of that sum. MXNet builds the sum into the
graph (sum and MakeLoss ops); here the sum is taken in NumPy and the backward pass is seeded with
proj, which is the same gradient."""
import numpy as np

import mxnet as mx
from common import reldiff


def _bind(sym, location, aux_states, grad_req='write'):
    args = {name: mx.nd.array(v) for name, v in zip(sym.list_arguments(), location)}
    grads = {name: mx.nd.zeros(v.shape) for name, v in args.items()}
    aux = [mx.nd.array(v) for v in aux_states] if aux_states else None
    return sym.bind(mx.cpu(), args=args, args_grad=grads, grad_req=grad_req, aux_states=aux)


def numeric_grad(executor, location, aux_states=None, proj=None, eps=1e-4):
    """Finite differences of sum(output * proj) for every element of every input."""
    def f():
        for k, v in location.items():
            executor.arg_dict[k][:] = v
        for k, v in (aux_states or {}).items():
            executor.aux_dict[k][:] = v
        executor.forward(is_train=True)
        return np.sum(executor.outputs[0].asnumpy().astype(np.float64) * proj)
    f_x = f()
    approx_grads = {k: np.zeros(v.shape, dtype=np.float32) for k, v in location.items()}
    for k, v in location.items():
        flat = v.reshape(-1)
        for i in range(flat.size):
            old = flat[i]
            flat[i] = old + eps
            approx_grads[k].ravel()[i] = (f() - f_x) / eps
            flat[i] = old
    return approx_grads


def check_numeric_gradient(sym, location, aux_states=None, numeric_eps=1e-4, check_eps=1e-2):
    """Relative error (reldiff) of every input's symbolic gradient against the numeric one must
    be at most check_eps."""
    def random_projection(shape):
        # random_projection should not have elements too small,
        # otherwise too much precision is lost in numerical gradient
        return np.random.rand(*shape) + 0.1

    location = [np.asarray(v, dtype=np.float32) for v in location]
    aux_states = [np.asarray(v, dtype=np.float32) for v in (aux_states or [])]
    executor = _bind(sym, location, aux_states)
    aux_npy = dict(zip(sym.list_auxiliary_states(), aux_states))
    executor.forward(is_train=True)
    proj = random_projection(executor.outputs[0].shape)
    executor.backward([mx.nd.array(proj)])
    names = sym.list_arguments()
    symbolic_grads = {k: executor.grad_dict[k].asnumpy() for k in names}
    location_npy = {k: v.copy() for k, v in zip(names, location)}
    numeric_gradients = numeric_grad(executor, location_npy, aux_npy, proj, eps=numeric_eps)
    for name in names:
        rel = reldiff(numeric_gradients[name], symbolic_grads[name])
        if rel > check_eps:
            raise Exception("Numeric check failed for %s. relative error of %f expected <= %f"
                            % (name, rel, check_eps))


def check_symbolic_forward(sym, location, expected, check_eps=1e-5):
    executor = _bind(sym, [np.asarray(v, dtype=np.float32) for v in location], None)
    outputs = executor.forward()
    for out, exp in zip(outputs, expected):
        rel = reldiff(exp, out.asnumpy())
        if rel > check_eps:
            raise Exception("Forward check failed: relative error %f > %f" % (rel, check_eps))


def check_symbolic_backward(sym, location, out_grads, expected, check_eps=1e-5):
    executor = _bind(sym, [np.asarray(v, dtype=np.float32) for v in location], None)
    executor.forward(is_train=True)
    executor.backward([mx.nd.array(g) for g in out_grads])
    for name, exp in zip(sym.list_arguments(), expected):
        rel = reldiff(exp, executor.grad_dict[name].asnumpy())
        if rel > check_eps:
            raise Exception("Backward check of %s failed: relative error %f > %f"
                            % (name, rel, check_eps))
