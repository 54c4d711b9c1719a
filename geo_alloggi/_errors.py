"""Package exceptions.

Every exception subclasses a built-in so that callers can catch either the
specific geo_alloggi error or the usual Python one. Messages are meant for a
person: they name the argument or file, show the bad value with ``!r`` and say
what was expected or how to fix it, on one line.
"""

from __future__ import annotations


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
