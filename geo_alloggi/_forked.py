"""Work done in a forked child process while the parent goes on (POSIX).

A bundle's tables and GeoPackage do not depend on its maps: a child process
writes them while the parent draws the maps and the report, on another core.
The geocoder parses half of a large batch of addresses in a child the same
way. Where ``os.fork`` is missing, or other Python threads run (a notebook kernel,
a progress bar), the work is done at once in the process. A child
that fails is not trusted: :meth:`Forked.result` then does the work again in
the process, so that an error is raised as it would be without a child.
Warnings a child raises come back with its value (:func:`warnings_of`) and are
raised again in the parent, in their order (:func:`say_again`).
"""

from __future__ import annotations

import logging
import os
import pickle
import select
import signal
import threading
import time
import warnings
from collections.abc import Callable, Iterable
from typing import Any, Generic, TypeVar

from geo_alloggi import _gc

__all__ = ["Forked", "Said", "can_fork", "say_again", "warnings_of"]

log = logging.getLogger(__name__)

T = TypeVar("T")

#: A warning as raised: message, category, file and line (it pickles, so it
#: can come back from a child process).
Said = tuple[Warning, type[Warning], str, int]

#: Seconds a child may take before it is stopped and the work done in process.
TIMEOUT_S = 300.0


class Forked(Generic[T]):
    """Start ``fn(*args)`` in a forked child; :meth:`result` waits for its value.

    Start it before any thread (a forked child holds only the thread that
    forked). The value travels back pickled through a pipe. The objects
    alive at the fork are frozen out of the garbage collector's reach
    (:func:`geo_alloggi._gc.hold`) until the value is back: a full collection would
    touch each of them and make both processes copy the memory they share.

    Parameters
    ----------
    fn : callable
        The work; its value must pickle.
    *args : object
        Its arguments.
    """

    def __init__(self, fn: Callable[..., T], *args: Any) -> None:
        self._fn, self._args = fn, args
        self._pid: int | None = None
        self._fd = -1
        self._value: tuple[T] | None = None
        if not can_fork():
            self._value = (fn(*args),)
            return
        read, write = os.pipe()
        _gc.hold()
        try:
            pid = os.fork()
        except OSError:  # no memory or process left for a child: in process
            _gc.release()
            os.close(read)
            os.close(write)
            self._value = (fn(*args),)
            return
        if pid == 0:  # the child: do the work, send the value, never return
            code = 1
            try:
                os.close(read)
                data = pickle.dumps(fn(*args))
                with os.fdopen(write, "wb") as pipe:
                    pipe.write(data)
                code = 0
            finally:
                os._exit(code)
        os.close(write)
        self._pid, self._fd = pid, read

    def __enter__(self) -> Forked[T]:
        return self

    def __exit__(self, exc_type: object, *rest: object) -> None:
        """On an error in the parent, stop the child (its work is not wanted)."""
        if exc_type is not None and self._pid is not None and self._value is None:
            os.kill(self._pid, signal.SIGKILL)
            os.close(self._fd)
            os.waitpid(self._pid, 0)
            self._pid = None
            _gc.release()

    def result(self) -> T:
        """Wait for the child and return the value (else do the work in process)."""
        if self._value is not None:
            return self._value[0]
        try:
            data, code = self._collect()
        finally:
            self._pid = None  # reaped: nothing left to stop
            _gc.release()
        if code == 0:
            value: T = pickle.loads(data)
        else:
            log.warning("a child process failed (exit %s): done again in process", code)
            value = self._fn(*self._args)
        self._value = (value,)
        return value

    def _collect(self) -> tuple[bytes, int]:
        """Read the value until the child closes the pipe; return it and the exit code.

        A child still running after :data:`TIMEOUT_S` is stopped.
        """
        assert self._pid is not None
        deadline = time.monotonic() + TIMEOUT_S
        chunks: list[bytes] = []
        try:
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    os.kill(self._pid, signal.SIGKILL)
                    break
                ready, _, _ = select.select([self._fd], [], [], min(left, 1.0))
                if ready:
                    chunk = os.read(self._fd, 1 << 16)
                    if not chunk:
                        break
                    chunks.append(chunk)
        finally:
            os.close(self._fd)
        _, status = os.waitpid(self._pid, 0)
        return b"".join(chunks), os.waitstatus_to_exitcode(status)


def can_fork() -> bool:
    """Tell whether :class:`Forked` would start a child now (else it works in process).

    No fork where ``os.fork`` is missing, nor beside other Python threads (a
    notebook kernel's, a progress bar's): a lock one of them holds would stay
    held forever in the child.

    Returns
    -------
    bool
        True when this process may fork.
    """
    return hasattr(os, "fork") and threading.active_count() == 1


def warnings_of(fn: Callable[..., T], *args: Any) -> tuple[T, list[Said]]:
    """Return ``fn(*args)`` and the warnings it raised, in order, none shown."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        value = fn(*args)
    said = [
        (w.message, w.category, w.filename, w.lineno)
        for w in caught
        if isinstance(w.message, Warning)
    ]
    return value, said


def say_again(said: Iterable[Said]) -> None:
    """Raise warnings caught by :func:`warnings_of` again, in their order."""
    for message, category, filename, lineno in said:
        warnings.warn_explicit(message, category, filename, lineno)
