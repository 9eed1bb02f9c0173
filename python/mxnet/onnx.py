"""ONNX import and export (MXNet's ``mx.onnx`` / ``mx.contrib.onnx``), on mx's C++ converter
(interop/onnx, docs/onnx.md).

    sym, arg_params, aux_params = mx.onnx.import_model("resnet.onnx")
    mx.onnx.export_model(sym, params, [(1, 1, 28, 28)], onnx_file_path="lenet.onnx")

An operator, attribute or data type mx does not convert raises ``mx.onnx.UnsupportedError`` (an
``MXNetError``) naming the node, its op type and the opset.
"""
from ._core import onnx as _onnx
from . import ndarray as _nd
from . import symbol as _sym
from .base import MXNetError

UnsupportedError = _onnx.UnsupportedError
EXPORT_OPSET = _onnx.EXPORT_OPSET

__all__ = ["import_model", "export_model", "get_model_metadata", "UnsupportedError"]


def import_model(model_file):
    """(sym, arg_params, aux_params) of the ONNX model in `model_file`; the symbol reads the
    graph's data inputs by their ONNX names (get_model_metadata lists them)."""
    sym, args, aux, _, _ = _onnx.import_model(str(model_file))
    return sym, dict(args), dict(aux)


def get_model_metadata(model_file):
    """{'input_tensor_data': [(name, shape)], 'output_tensor_data': [names]} of an ONNX model
    (-1 marks a symbolic extent such as the batch)."""
    _, _, _, inputs, outputs = _onnx.import_model(str(model_file))
    return {"input_tensor_data": [(n, tuple(d)) for n, d in inputs],
            "output_tensor_data": list(outputs)}


def _split_params(params):
    """arg and aux dicts from a dict (keys 'arg:x' / 'aux:x' or plain) or a .params path."""
    if isinstance(params, str):
        params = _nd.load(params)
    if isinstance(params, (list, tuple)) and len(params) == 2:
        return dict(params[0]), dict(params[1])
    args, aux = {}, {}
    for k, v in dict(params).items():
        if k.startswith("aux:"):
            aux[k[4:]] = v
        elif k.startswith("arg:"):
            args[k[4:]] = v
        else:
            args[k] = v
    return args, aux


def export_model(sym, params, input_shape, input_type=None, onnx_file_path="model.onnx",
                 verbose=False):
    """Writes `sym` (a Symbol or a -symbol.json path) with `params` (a dict, (arg, aux), or a
    .params path) as an ONNX model (opset 11) and returns its path. `input_shape` is a list of
    shapes, one per data input (the arguments that are neither parameters nor labels), in
    list_arguments order; the batch axis stays symbolic in the model."""
    if isinstance(sym, str):
        sym = _sym.load(sym)
    args, aux = _split_params(params)
    if input_type is not None:
        import numpy as np
        if np.dtype(input_type) != np.float32:
            raise MXNetError("export_model: input_type %s is not supported (float32 only)"
                             % (input_type,))
    data = [a for a in sym.list_arguments()
            if a not in args and a not in aux and not a.endswith("_label")]
    shapes = list(input_shape)
    if shapes and isinstance(shapes[0], int):
        shapes = [tuple(shapes)]
    if len(shapes) != len(data):
        raise MXNetError("export_model: %d input shape(s) for the data inputs %s"
                         % (len(shapes), data))
    _onnx.export_model(sym, args, aux, {n: list(s) for n, s in zip(data, shapes)},
                       str(onnx_file_path))
    if verbose:
        print("exported %s (data inputs %s)" % (onnx_file_path, data))
    return str(onnx_file_path)
