"""Package exceptions.

Every exception subclasses a built-in so that callers can catch either the
specific geo_alloggi error or the usual Python one. Messages are meant for a
person: they name the argument or file, show the bad value with ``!r`` and say
what was expected or how to fix it, on one line.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any


class GeoAlloggiError(Exception):
    """Base class of every error raised on purpose by geo_alloggi."""


class ValidationError(GeoAlloggiError, ValueError):
    """Input data or an argument does not meet the documented contract."""


class CRSError(ValidationError):
    """A layer has no CRS, or the wrong one; geo_alloggi never guesses a CRS."""


class DataUnavailableError(GeoAlloggiError, FileNotFoundError):
    """An official dataset is neither in the mirror, nor in the cache, nor reachable."""


class InputFileError(GeoAlloggiError, ValueError):
    """A user's file cannot be read as a table or layer (file-level problem)."""


class GeocodingError(GeoAlloggiError, RuntimeError):
    """The geocoder could not be built or queried."""


class SolverError(GeoAlloggiError, RuntimeError):
    """An optimisation did not reach a proved optimum (time limit, infeasible, stopped).

    Raised instead of returning a plan that could be taken for the optimal one.
    """


class GeoAlloggiWarning(UserWarning):
    """Suspect but usable data, said so that a person can read it in their language.

    The message (``str(warning)``) is English, for library users. ``key``
    names the sentence of the catalogue (:func:`geo_alloggi._i18n.t`, keys
    ``note.*``) and ``params`` fills it, so a meeting bundle and the command
    line say the same thing in Italian or English, without Python names.

    Parameters
    ----------
    message : str
        The English message.
    key : str
        Catalogue key without its ``note.`` prefix (e.g. ``"linking.unlinked"``).
    params : mapping, optional
        Values of the sentence's placeholders (counts, ids, file names).
    """

    def __init__(
        self, message: str, key: str = "", params: Mapping[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.key = key
        self.params: dict[str, Any] = dict(params or {})


def warn(message: str, key: str, /, *, stacklevel: int = 1, **params: Any) -> None:
    """Warn with a :class:`GeoAlloggiWarning` carrying its catalogue key and values.

    Parameters
    ----------
    message : str
        The English message (what ``warnings.warn`` would have said).
    key : str
        Catalogue key without the ``note.`` prefix.
    stacklevel : int
        As for :func:`warnings.warn`, counted from the caller of this function.
    **params
        Values of the sentence's placeholders.
    """
    warnings.warn(GeoAlloggiWarning(message, key, params), stacklevel=stacklevel + 1)
