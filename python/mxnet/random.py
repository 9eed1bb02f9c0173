"""``mx.random``: random arrays from the engine's generator; ``seed`` makes draws reproducible."""
from ._core.random import seed, uniform, normal

__all__ = ["seed", "uniform", "normal"]
