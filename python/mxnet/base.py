"""Errors: every error raised by the C++ core arrives as MXNetError, with its full message."""
from ._core import MXNetError

__all__ = ["MXNetError"]
