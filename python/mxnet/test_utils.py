"""``mx.test_utils``: MXNet's helpers for testing operators and models: NumPy comparisons,
random shapes and arrays, and the numeric / symbolic checks of one symbol on given inputs.

``check_numeric_gradient`` compares the executor's gradient of sum(output * proj), for a random
projection proj, with central differences of that sum computed in float64 from the outputs
(MXNet builds the sum into the graph with MakeLoss; seeding backward with proj gives the same
gradient)."""
import numpy as np

from .base import MXNetError
from .context import Context, cpu, current_context
from . import ndarray as nd

_default_ctx = [None]


def default_context():
    """The context tests run on: set_default_context's, else the current one (the CPU)."""
    return _default_ctx[0] or current_context()


def set_default_context(ctx):
    """Makes ``ctx`` the default_context of later checks."""
    _default_ctx[0] = ctx


def default_dtype():
    """The element type of test arrays: float32."""
    return np.float32


def list_gpus():
    """The ids of the GPUs this process can use (none in a build without CUDA)."""
    from .context import num_gpus
    return list(range(num_gpus()))


def np_reduce(dat, axis, keepdims, numpy_reduce_func):
    """``numpy_reduce_func`` over the axes ``axis`` (an int, a tuple or None for all), keeping
    reduced axes with extent 1 when ``keepdims``."""
    if isinstance(axis, int):
        axis = [axis]
    else:
        axis = list(axis) if axis is not None else range(len(dat.shape))
    ret = dat
    for i in reversed(sorted(axis)):
        ret = numpy_reduce_func(ret, axis=i)
    if keepdims:
        keepdims_shape = list(dat.shape)
        for i in axis:
            keepdims_shape[i] = 1
        ret = ret.reshape(tuple(keepdims_shape))
    return ret


def reldiff(a, b):
    """sum|a - b| / sum|a| (0 when equal)."""
    diff = np.sum(np.abs(a - b))
    norm = np.sum(np.abs(a))
    if diff == 0:
        return 0
    return diff / norm


def same(a, b):
    """True when the arrays are equal everywhere."""
    return np.array_equal(a, b)


def _as_numpy(a):
    return a.asnumpy() if isinstance(a, nd.NDArray) else np.asarray(a)


def almost_equal(a, b, rtol=None, atol=None, equal_nan=False):
    """|a - b| <= atol + rtol |b| everywhere (defaults 1e-5 and 1e-20)."""
    return np.allclose(_as_numpy(a), _as_numpy(b), rtol=1e-5 if rtol is None else rtol,
                       atol=1e-20 if atol is None else atol, equal_nan=equal_nan)


def find_max_violation(a, b, rtol=None, atol=None):
    """The index of the largest |a - b| / (atol + rtol |b|) and that ratio."""
    rtol = 1e-5 if rtol is None else rtol
    atol = 1e-20 if atol is None else atol
    diff = np.abs(a - b)
    tol = atol + rtol * np.abs(b)
    violation = diff / (tol + 1e-20)
    loc = np.argmax(violation)
    idx = np.unravel_index(loc, violation.shape)
    return idx, np.max(violation)


def assert_almost_equal(a, b, rtol=None, atol=None, names=('a', 'b'), equal_nan=False):
    """Raises AssertionError naming the worst element when a and b differ beyond the
    tolerances (see almost_equal)."""
    a, b = _as_numpy(a), _as_numpy(b)
    if a.shape != b.shape and a.size == b.size == 1:
        a, b = a.reshape(()), b.reshape(())
    if a.shape != b.shape:
        raise AssertionError("shapes differ: %s %s, %s %s" % (names[0], a.shape, names[1],
                                                               b.shape))
    if almost_equal(a, b, rtol, atol, equal_nan=equal_nan):
        return
    index, rel = find_max_violation(a, b, rtol, atol)
    raise AssertionError(
        "Items are not equal: error %f exceeds tolerance rtol=%s, atol=%s; location of "
        "maximum error: %s, %s=%f, %s=%f"
        % (rel, rtol, atol, str(index), names[0], a[index], names[1], b[index]))


def assert_exception(f, exception_type, *args, **kwargs):
    """Calls f(*args, **kwargs) and checks that it raises ``exception_type``."""
    try:
        f(*args, **kwargs)
    except exception_type:
        return
    raise AssertionError("%s was not raised" % exception_type.__name__)


def rand_shape_2d(dim0=10, dim1=10):
    """A random 2-d shape with extents in [1, dim]."""
    return np.random.randint(1, dim0 + 1), np.random.randint(1, dim1 + 1)


def rand_shape_3d(dim0=10, dim1=10, dim2=10):
    """A random 3-d shape with extents in [1, dim]."""
    return (np.random.randint(1, dim0 + 1), np.random.randint(1, dim1 + 1),
            np.random.randint(1, dim2 + 1))


def rand_shape_nd(num_dim, dim=10):
    """A random shape of ``num_dim`` axes with extents in [1, dim]."""
    return tuple(np.random.randint(1, dim + 1, size=num_dim))


def rand_ndarray(shape, stype='default', density=None, dtype=None, ctx=None):
    """An array of uniform [0, 1) values (dense storage only)."""
    if stype != 'default':
        raise MXNetError("rand_ndarray: storage type %r is not supported; use 'default'" % stype)
    return nd.array(np.random.uniform(0, 1, size=shape), ctx=ctx or default_context(),
                    dtype=dtype or default_dtype())


def random_arrays(*shapes):
    """NumPy arrays of normal draws of the given shapes (a scalar for shape ()); one array
    when one shape is given."""
    arrays = [np.array(np.random.randn(), dtype=default_dtype()) if len(s) == 0
              else np.random.randn(*s).astype(default_dtype()) for s in shapes]
    return arrays[0] if len(arrays) == 1 else arrays


def _parse_location(sym, location, ctx, dtype=np.float32):
    """{argument name: NDArray} from a list (in list_arguments order) or a dict."""
    names = sym.list_arguments()
    if isinstance(location, dict):
        unknown = set(location) - set(names)
        if unknown:
            raise ValueError("symbol has no arguments %s; its arguments are %s"
                             % (sorted(unknown), names))
    else:
        if len(location) != len(names):
            raise ValueError("%d values for the %d arguments %s"
                             % (len(location), len(names), names))
        location = dict(zip(names, location))
    return {k: nd.array(_as_numpy(v), ctx=ctx, dtype=dtype) for k, v in location.items()}


def _parse_aux_states(sym, aux_states, ctx, dtype=np.float32):
    if aux_states is None:
        return None
    names = sym.list_auxiliary_states()
    if not isinstance(aux_states, dict):
        aux_states = dict(zip(names, aux_states))
    return {k: nd.array(_as_numpy(v), ctx=ctx, dtype=dtype) for k, v in aux_states.items()}


def simple_forward(sym, ctx=None, is_train=False, **inputs):
    """The outputs (NumPy) of one forward pass of ``sym`` on NumPy ``inputs`` by name; one
    array when there is one output."""
    ctx = ctx or default_context()
    args = {k: nd.array(v, ctx=ctx) for k, v in inputs.items()}
    exe = sym.bind(ctx, args=args)
    exe.forward(is_train=is_train)
    outputs = [o.asnumpy() for o in exe.outputs]
    return outputs[0] if len(outputs) == 1 else outputs


def numeric_grad(executor, location, aux_states=None, eps=1e-4, use_forward_train=True,
                 proj=None):
    """Central differences of sum(output 0 * proj) (proj all ones when None) for every element
    of the NumPy arrays in ``location`` (by argument name)."""
    def f():
        for k, v in location.items():
            executor.arg_dict[k][:] = v
        for k, v in (aux_states or {}).items():
            executor.aux_dict[k][:] = v
        executor.forward(is_train=use_forward_train)
        out = executor.outputs[0].asnumpy().astype(np.float64)
        return np.sum(out * (1 if proj is None else proj))
    grads = {}
    for k, v in location.items():
        v = v.astype(np.float64)
        location[k] = v
        flat = v.reshape(-1)
        grad = np.zeros(flat.size)
        for i in range(flat.size):
            old = flat[i]
            flat[i] = old + eps / 2
            plus = f()
            flat[i] = old - eps / 2
            minus = f()
            flat[i] = old
            grad[i] = (plus - minus) / eps
        grads[k] = grad.reshape(v.shape)
        f()
    return grads


def check_numeric_gradient(sym, location, aux_states=None, numeric_eps=1e-3, rtol=1e-2,
                           atol=None, grad_nodes=None, use_forward_train=True, ctx=None,
                           dtype=np.float32):
    """Checks the symbolic gradient of every argument (or those in ``grad_nodes``: a list, or a
    dict of grad_req 'write' / 'add' / 'null' per argument) against central differences;
    AssertionError naming the argument and the worst element."""
    ctx = ctx or default_context()
    location = _parse_location(sym, location, ctx, dtype)
    location_npy = {k: v.asnumpy() for k, v in location.items()}
    aux = _parse_aux_states(sym, aux_states, ctx, dtype)
    aux_npy = {k: v.asnumpy() for k, v in aux.items()} if aux else None
    names = sym.list_arguments()
    grad_nodes = grad_nodes or [n for n in names if n in location]
    # A dict gives each node's grad_req ('write', 'add' or 'null': not checked).
    node_req = dict(grad_nodes) if isinstance(grad_nodes, dict) else {
        k: 'write' for k in grad_nodes}
    grad_nodes = [k for k, r in node_req.items() if r != 'null']
    # 'add' must add to what is there: start from random values, subtracted after.
    initial = {k: (np.random.normal(size=location[k].shape).astype(dtype)
                   if node_req[k] == 'add' else np.zeros(location[k].shape, dtype))
               for k in grad_nodes}
    grads = {k: nd.array(initial[k], ctx=ctx, dtype=dtype) for k in grad_nodes}
    req = {k: node_req.get(k, 'null') if k in grads else 'null' for k in names}
    exe = sym.bind(ctx, args=location, args_grad=grads, grad_req=req, aux_states=aux)
    exe.forward(is_train=True)
    out_shape = exe.outputs[0].shape
    # Not too small, so that the differences keep their precision.
    proj = np.random.rand(*out_shape) + 0.1
    exe.backward([nd.array(proj, ctx=ctx, dtype=dtype)] +
                 [nd.zeros(o.shape, ctx=ctx, dtype=dtype) for o in exe.outputs[1:]])
    symbolic = {k: grads[k].asnumpy() - initial[k] for k in grad_nodes}
    numeric = numeric_grad(exe, {k: location_npy[k] for k in grad_nodes}, aux_npy,
                           eps=numeric_eps, use_forward_train=use_forward_train, proj=proj)
    for name in grad_nodes:
        assert_almost_equal(numeric[name], symbolic[name], rtol,
                            atol if atol is not None else numeric_eps,
                            names=("NUMERICAL_%s" % name, "BACKWARD_%s" % name))


def check_symbolic_forward(sym, location, expected, rtol=1E-4, atol=None, aux_states=None,
                           ctx=None, equal_nan=False, dtype=np.float32):
    """Checks the outputs of one forward pass (is_train=False) against ``expected`` (a list,
    or a dict by output name); returns them (NumPy)."""
    ctx = ctx or default_context()
    location = _parse_location(sym, location, ctx, dtype)
    aux = _parse_aux_states(sym, aux_states, ctx, dtype)
    exe = sym.bind(ctx, args=location, aux_states=aux)
    exe.forward(is_train=False)
    outputs = [o.asnumpy() for o in exe.outputs]
    if isinstance(expected, dict):
        expected = [expected[k] for k in sym.list_outputs()]
    for name, out, exp in zip(sym.list_outputs(), outputs, expected):
        assert_almost_equal(exp, out, rtol, atol, ("EXPECTED_%s" % name, "FORWARD_%s" % name),
                            equal_nan=equal_nan)
    return outputs


def check_symbolic_backward(sym, location, out_grads, expected, rtol=1e-5, atol=None,
                            aux_states=None, grad_req='write', ctx=None, equal_nan=False,
                            dtype=np.float32):
    """Checks the gradients of one backward pass (after a training forward) seeded with
    ``out_grads`` against ``expected`` (a list in argument order, or a dict by name); with
    grad_req 'add' the gradients start from random values that must be added to. Returns the
    gradients (NumPy, by name)."""
    ctx = ctx or default_context()
    location = _parse_location(sym, location, ctx, dtype)
    aux = _parse_aux_states(sym, aux_states, ctx, dtype)
    names = sym.list_arguments()
    if not isinstance(expected, dict):
        expected = dict(zip(names, expected))
    if isinstance(grad_req, str):
        grad_req = {k: grad_req for k in names}
    start = {k: np.random.normal(size=location[k].shape) for k in expected}
    grads = {k: nd.array(start[k], ctx=ctx, dtype=dtype) for k in expected}
    req = {k: grad_req.get(k, 'null') if k in expected else 'null' for k in names}
    exe = sym.bind(ctx, args=location, args_grad=grads, grad_req=req, aux_states=aux)
    exe.forward(is_train=True)
    if isinstance(out_grads, dict):
        out_grads = [out_grads[k] for k in sym.list_outputs()]
    if out_grads is not None:
        out_grads = [nd.array(_as_numpy(g), ctx=ctx, dtype=dtype) for g in out_grads]
    exe.backward(out_grads)
    got = {k: v.asnumpy() for k, v in grads.items()}
    for name, exp in expected.items():
        if req[name] == 'write':
            want = exp
        elif req[name] == 'add':
            want = exp + start[name]
        else:
            want = start[name]
        assert_almost_equal(want, got[name], rtol, atol,
                            ("EXPECTED_%s" % name, "BACKWARD_%s" % name), equal_nan=equal_nan)
    return got


__all__ = ["default_context", "set_default_context", "default_dtype", "list_gpus", "np_reduce",
           "reldiff", "same", "almost_equal", "find_max_violation", "assert_almost_equal",
           "assert_exception", "rand_shape_2d", "rand_shape_3d", "rand_shape_nd",
           "rand_ndarray", "random_arrays", "simple_forward", "numeric_grad",
           "check_numeric_gradient", "check_symbolic_forward", "check_symbolic_backward"]
