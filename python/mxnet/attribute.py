"""``mx.AttrScope``: ``with mx.AttrScope(ctx_group='stage1'):`` gives every symbol created inside
these attributes (stored as ``__ctx_group__``); nested scopes merge, the inner one winning."""
from ._core.symbol import AttrScope

__all__ = ["AttrScope"]
