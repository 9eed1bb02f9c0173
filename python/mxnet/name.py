"""``mx.name``: naming scopes. ``with mx.name.Prefix('p_'):`` prefixes the names of symbols created
inside; ``with mx.name.NameManager():`` restarts the automatic counters (``fullyconnected0``...)."""
from ._core import symbol as _symbol


def Prefix(prefix):
    """A naming scope whose names start with ``prefix``."""
    return _symbol.Prefix(prefix=prefix)


def NameManager():
    """A fresh naming scope without prefix."""
    return _symbol.Prefix(prefix="")


__all__ = ["Prefix", "NameManager"]
