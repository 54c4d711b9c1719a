"""Read files in turn, the smaller ones in a child while the parent reads the largest.

The records of a bundle are read one file after the other, and the warnings
and errors of a file come in that order. Where the files are large, the
largest (the occupations, 4 s for a million records) keeps one core busy
while the second is idle: :func:`read_in_turn` reads the others in a forked
child (:class:`geo_alloggi._forked.Forked`) meanwhile. What the caller sees
is the same as with a plain loop: the same values, the warnings raised in
the files' order, and the error of the first file that has one.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import TypeVar

from geo_alloggi._forked import Forked, Said, say_again, warnings_of

__all__ = ["FORK_MIN_BYTES", "read_in_turn"]

T = TypeVar("T")

#: Bytes that the largest file, and the other files together, must each reach
#: before the others are read in a forked child while the parent reads the
#: largest. Below it the fork and the pickled tables coming back cost about
#: what the overlap saves, and small files (tests, notebooks) are read in
#: process. On a million records (occupations 93 MB; evictions 9 MB and
#: vacancies 11 MB, read in 1.1 s and pickled both ways in 0.3 s) the child's
#: 1.4 s overlap the parent's 4 s.
FORK_MIN_BYTES = 4 * 2**20


def read_in_turn(
    read: Callable[[str], T], paths: Mapping[str, str | os.PathLike[str]]
) -> dict[str, T]:
    """Return ``read(kind)`` for every kind of ``paths``, as if read one by one.

    Parameters
    ----------
    read : callable
        ``read(kind)`` reads the file of ``kind``; its value must pickle.
    paths : mapping of str to str or os.PathLike
        Kind -> file, in the order the files are read.

    Returns
    -------
    dict of str to object
        Kind -> ``read(kind)``, in the order of ``paths``.

    Raises
    ------
    Exception
        The error of the first file (in order) whose reading raises, raised
        by reading it again here after the warnings of the files before it.

    Notes
    -----
    When the largest file and the others together each weigh
    :data:`FORK_MIN_BYTES` or more, the others are read in a forked child
    while the parent reads the largest; the warnings of every file are caught
    and raised again in the files' order. The child is stopped when the
    parent fails (its files are not needed then).
    """
    kinds = list(paths)
    sizes = {kind: _size(paths[kind]) for kind in kinds}
    largest = max(kinds, key=sizes.__getitem__, default="")
    others = [kind for kind in kinds if kind != largest]
    if min(sizes.get(largest, 0), sum(sizes[k] for k in others)) < FORK_MIN_BYTES:
        return _in_turn(read, kinds, {})
    with Forked(_read_quietly, read, others) as child:
        done = _read_quietly(read, [largest])
        if largest not in done and kinds.index(largest) < kinds.index(others[0]):
            # its error comes before any of the child's: raised here (its
            # warnings first, as in turn), which stops the child
            done[largest] = (read(largest), [])
        done |= child.result()
    return _in_turn(read, kinds, done)


def _read_quietly(
    read: Callable[[str], T], kinds: list[str]
) -> dict[str, tuple[T, list[Said]]]:
    """Read ``kinds`` in order with their warnings, up to the first that fails.

    The file that failed is read again by :func:`_in_turn`, in its turn, so
    that its error is raised after the warnings of the files before it.
    """
    done: dict[str, tuple[T, list[Said]]] = {}
    for kind in kinds:
        try:
            done[kind] = warnings_of(read, kind)
        except Exception:  # raised again in its turn
            break
    return done


def _in_turn(
    read: Callable[[str], T],
    kinds: list[str],
    done: Mapping[str, tuple[T, list[Said]]],
) -> dict[str, T]:
    """Go through ``kinds`` in order: say again a file's warnings, or read it here."""
    out: dict[str, T] = {}
    for kind in kinds:
        if kind in done:
            value, said = done[kind]
            say_again(said)
        else:
            value = read(kind)
        out[kind] = value
    return out


def _size(path: str | os.PathLike[str]) -> int:
    """Bytes of the file at ``path`` (0 when it cannot be told: read in turn)."""
    try:
        return os.stat(path).st_size
    except (OSError, TypeError, ValueError):
        return 0
