"""Count spells and dated events per district and period: stocks and flows.

A spell (an occupation, a vacancy) runs from a start date to an end date (NaT:
still under way). Dates arrive as period ordinals
(:func:`geo_alloggi._periods.ordinals`); :func:`stock` gives the stock at each
period end and the spells starting in each period, :func:`counts` the events
per district and period bucket.

Private to :mod:`geo_alloggi.overlay`; the names are public inside the package.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo_alloggi._errors import ValidationError
from geo_alloggi.overlay._rule import record_ids, sample


def check_spells(table: pd.DataFrame, start: str, end: str, kind: str) -> None:
    """Refuse spells that end before they start or have no start.

    Raises
    ------
    ValidationError
        Naming the count, the columns and a few record ids.
    """
    s = pd.to_datetime(table[start])
    e = pd.to_datetime(table[end])
    bad = (e < s).fillna(False).to_numpy(bool)
    if bad.any():
        rid = record_ids(table)
        raise ValidationError(
            f"{kind}: {int(bad.sum())} record(s) end before they start "
            f"({end!r} < {start!r}), e.g. {sample(rid[bad])!r}; "
            "validate the file first"
        )
    if s.isna().any():
        rid = record_ids(table)
        raise ValidationError(
            f"{kind}: {int(s.isna().sum())} record(s) without {start!r}, e.g. "
            f"{sample(rid[s.isna().to_numpy()])!r}"
        )


def bucket(
    ords: np.ndarray, nat: np.ndarray, p0: int, n_p: int, *, nat_after: bool
) -> np.ndarray:
    """0 = before the first period, 1..n_p = inside, n_p + 1 = after (or NaT)."""
    b = np.clip(ords - p0 + 1, 0, n_p + 1)
    return np.where(nat, n_p + 1 if nat_after else -1, b)


def counts(didx: np.ndarray, buckets: np.ndarray, n_d: int, n_p: int) -> np.ndarray:
    """Events per district (rows) and bucket (columns, as :func:`bucket`)."""
    keep = (didx >= 0) & (buckets >= 0)
    flat = didx[keep] * (n_p + 2) + buckets[keep]
    return np.bincount(flat, minlength=n_d * (n_p + 2)).reshape(n_d, n_p + 2)


def stock(
    didx: np.ndarray,
    start: tuple[np.ndarray, np.ndarray],
    end: tuple[np.ndarray, np.ndarray],
    p0: int,
    n_p: int,
    n_d: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Return the stock at each period end and the new spells per period.

    Stock columns: 0 = before the first period, then one per period.
    """
    sb = bucket(start[0], start[1], p0, n_p, nat_after=False)
    eb = bucket(end[0], end[1], p0, n_p, nat_after=True)
    starts = counts(didx, sb, n_d, n_p)
    ends = counts(didx, eb, n_d, n_p)
    held = np.cumsum(starts, axis=1) - np.cumsum(ends, axis=1)
    return held[:, : n_p + 1], starts[:, 1 : n_p + 1]
