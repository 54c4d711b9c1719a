"""Keep long-lived objects out of the garbage collector's full passes during long work.

A full collection walks every tracked object alive: after a run has imported
pandas, geopandas, PySAL and matplotlib that is a quarter of a million objects,
and each pass over them costs a few tenths of a second. Objects alive when long
work starts (modules, functions, caches) outlive it anyway, so :func:`held`
moves them to the collector's permanent generation (:func:`gc.freeze`) for the
duration; objects made during the work are collected as usual, and on leaving
the outermost hold everything returns to the collector (:func:`gc.unfreeze`).
Holds nest: a forked child started inside a run (:mod:`geo_alloggi._forked`)
holds too, and only the last release unfreezes.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import threading
from collections.abc import Callable, Iterator
from typing import ParamSpec, TypeVar

__all__ = ["held", "hold", "holding", "release"]

P = ParamSpec("P")
R = TypeVar("R")

_lock = threading.Lock()
_depth = 0


def hold() -> None:
    """Freeze the objects alive now out of the collector's passes (nestable)."""
    global _depth
    with _lock:
        _depth += 1
        gc.freeze()


def release() -> None:
    """End one :func:`hold`; the last one gives every object back to the collector."""
    global _depth
    with _lock:
        if _depth == 0:
            return
        _depth -= 1
        if _depth == 0:
            gc.unfreeze()


@contextlib.contextmanager
def held() -> Iterator[None]:
    """Hold the objects alive on entry for the duration of the block.

    Examples
    --------
    >>> import gc
    >>> with held():
    ...     gc.get_freeze_count() > 0
    True
    """
    hold()
    try:
        yield
    finally:
        release()


def holding(fn: Callable[P, R]) -> Callable[P, R]:
    """Decorate a long piece of work so that it runs :func:`held`."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with held():
            return fn(*args, **kwargs)

    return wrapper
