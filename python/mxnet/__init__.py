"""mx's Python package: MXNet's Python API (``import mxnet as mx``) on mx's C++ core."""
from . import _core
from ._errors import wrap_core as _wrap_core
_wrap_core(_core)  # before any module takes names from _core
from .base import MXNetError
from .context import Context, cpu, gpu, current_context
from . import ndarray
from . import ndarray as nd
from . import ndarray as narray  # the name in MXNet's first Python guide
from . import symbol
from . import symbol as sym
from . import io
from . import random
from . import name
from .attribute import AttrScope
from . import initializer
from . import initializer as init
from . import lr_scheduler
from . import optimizer
from . import metric
from . import model
from . import callback
from . import kvstore
from . import kvstore as kv
from . import operator
from . import test_utils
from . import recordio
from . import module
from . import module as mod
from . import visualization
from . import visualization as viz
from . import onnx

__all__ = ["MXNetError", "Context", "cpu", "gpu", "current_context", "nd", "ndarray", "narray", "sym", "symbol", "io", "random", "name", "AttrScope",
           "init", "initializer", "lr_scheduler", "optimizer", "metric", "model", "callback",
           "kvstore", "kv", "operator", "test_utils", "recordio", "mod", "module", "viz",
           "visualization"]
