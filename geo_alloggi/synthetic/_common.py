"""Helpers shared by the generators: days, date columns, allocation, the label."""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo_alloggi import _schema as S
from geo_alloggi import config

_EPOCH = np.datetime64("1970-01-01", "D")


def day(text: str) -> int:
    """Return the day number (days since 1970-01-01) of an ISO date.

    Parameters
    ----------
    text : str
        ``YYYY-MM-DD``.

    Returns
    -------
    int
    """
    return int((np.datetime64(text, "D") - _EPOCH).astype(int))


def dates(days: list[int] | np.ndarray) -> pd.Series:
    """Return a datetime column from day numbers (negative: NaT).

    Parameters
    ----------
    days : list of int or numpy.ndarray
        Day numbers (:func:`day`); -1 for no date.

    Returns
    -------
    pandas.Series
        ``datetime64[ns]`` values on a default index.
    """
    arr = np.asarray(days, dtype=np.int64)
    out = (_EPOCH + arr.astype("timedelta64[D]")).astype("datetime64[ns]")
    out[arr < 0] = np.datetime64("NaT")
    return pd.Series(out)


def label(df: pd.DataFrame) -> pd.DataFrame:
    """Label a generated frame SYNTHETIC (``source`` column and attrs), in place.

    Parameters
    ----------
    df : pandas.DataFrame
        A frame this package just generated (never the caller's data).

    Returns
    -------
    pandas.DataFrame
        ``df`` itself.
    """
    df[S.SOURCE] = config.synthetic_label
    df.attrs["synthetic"] = True
    df.attrs["label"] = config.synthetic_label
    return df


def allocate(
    total: int, weights: np.ndarray, caps: np.ndarray | None = None
) -> np.ndarray:
    """Split ``total`` in integers proportional to ``weights`` (largest remainder).

    Parameters
    ----------
    total : int
        The integer to split.
    weights : numpy.ndarray
        Non-negative weights; a zero weight gets nothing.
    caps : numpy.ndarray, optional
        Largest share of each item; the excess goes to the others.

    Returns
    -------
    numpy.ndarray
        ``int64`` shares, summing to ``total`` unless the caps are too low.
    """
    w = np.asarray(weights, dtype=float)
    out = np.zeros(len(w), dtype=np.int64)
    caps = np.full(len(w), np.iinfo(np.int64).max) if caps is None else np.asarray(caps)
    remaining = int(total)
    free = (w > 0) & (caps > 0)
    for _ in range(50):
        if remaining <= 0 or not free.any():
            break
        share = np.where(free, w, 0.0)
        exact = remaining * share / share.sum()
        base = np.floor(exact).astype(np.int64)
        rest = remaining - int(base.sum())
        order = np.lexsort((np.arange(len(w)), -(exact - base)))
        base[order[:rest]] += 1
        room = caps - out
        take = np.minimum(base, room)
        out += take
        remaining -= int(take.sum())
        free = free & (out < caps)
    return out
