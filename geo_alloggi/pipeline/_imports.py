"""Import the analysis' heavy libraries in a background thread while records are read.

The hot spots need ``esda`` and ``libpysal``, whose import takes about two
seconds (they bring scikit-learn, SQLAlchemy, requests...). Reading a large
record file spends much of its time in C code that lets other threads run
(pandas' tokenizer, NumPy's byte scans, file reads, hashing), so on a second
core the import is nearly free. The thread only warms ``sys.modules``: the
modules are imported again, as before, where they are used, so an import that
fails here (logged at DEBUG level) fails there with its usual error, and no
import runs differently. Warnings an import raises are caught by whatever
catches the main thread's warnings at the time (the reader's notes): the
libraries imported here raise none.

The thread is joined when the block ends, also on an error: no thread outlives
the block, so the forked children of the geocoder and of the bundle
(:class:`~geo_alloggi._forked.Forked`, which forks only when a single thread
runs) still fork.
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

__all__ = ["HEAVY_MODULES", "imports_ahead"]

log = logging.getLogger(__name__)

#: What the analysis imports late and slowly: the statistics package
#: (``libpysal``) and ``esda``, imported by the Gi* and Moran functions when
#: they run. Keep it in step with those imports.
HEAVY_MODULES: tuple[str, ...] = ("geo_alloggi.stats", "esda")


@contextmanager
def imports_ahead(modules: Sequence[str] = HEAVY_MODULES) -> Iterator[None]:
    """Import ``modules`` in a background thread for the duration of the block.

    Parameters
    ----------
    modules : sequence of str, default HEAVY_MODULES
        Module names, imported in order; the first that fails stops the
        thread (it is imported again, and fails again, where it is used).

    Yields
    ------
    None
        The block runs while the thread imports; the thread is joined when
        the block ends.

    Examples
    --------
    >>> import sys
    >>> with imports_ahead(["json"]):
    ...     pass
    >>> "json" in sys.modules
    True
    """
    thread = threading.Thread(
        target=_import_all, args=(tuple(modules),), name="imports-ahead", daemon=True
    )
    thread.start()
    try:
        yield
    finally:
        thread.join()


def _import_all(modules: tuple[str, ...]) -> None:
    """Import each module in turn; stop quietly at the first that fails."""
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:  # raised again where the module is used
            log.debug("importing %s ahead failed", name, exc_info=True)
            return
