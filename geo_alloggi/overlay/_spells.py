"""Check the spells counted per district and period: a start, no end before it.

A spell (an occupation, a vacancy) runs from a start date to an end date (NaT:
still under way). The counting itself is the one rule of
:func:`geo_alloggi._periods.period_stock` and
:func:`geo_alloggi._periods.period_counts`; here spells are checked first.

Private to :mod:`geo_alloggi.overlay`; the names are public inside the package.
"""

from __future__ import annotations

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
