"""Say what a run on few data leaves out and what it would need, in Italian or English.

A file that reads always gives a bundle: what needs more data than the records
hold (change, trends, hot spots, the back-test) is left out, and one of these
notes says what is missing. The layer of the last period keeps its hot-spot
columns, empty, so that maps and tables are written the same way.
"""

from __future__ import annotations

import re
import warnings
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geo_alloggi import _schema as S
from geo_alloggi._i18n import fmt_period, t

if TYPE_CHECKING:  # pragma: no cover
    from geo_alloggi.priorities import Backtest

__all__ = [
    "backtest_note",
    "hotspot_note",
    "moran_note",
    "period_notes",
    "restate_warnings",
    "trend_note",
    "usable_districts",
    "without_hot_spots",
]


def usable_districts(latest: pd.DataFrame) -> int:
    """Count the districts with public housing units (those the statistics use)."""
    if S.UNITS not in latest:
        return 0
    units = pd.to_numeric(latest[S.UNITS], errors="coerce").to_numpy(
        dtype=float, na_value=np.nan
    )
    return int((units > 0).sum())


def period_notes(n_periods: int, period: Any, lang: str) -> list[str]:
    """Return the note for records covering a single period (none otherwise).

    Parameters
    ----------
    n_periods : int
        Periods of the district table.
    period : Any
        The label of the only period, when there is one.
    lang : str
        ``"it"`` or ``"en"``.
    """
    if n_periods != 1:
        return []
    return [t("note.small.one_period", lang, period=fmt_period(period, lang))]


def hotspot_note(latest: pd.DataFrame, lang: str) -> str:
    """Return the note for hot spots left out: too few districts with units."""
    return t("note.small.no_hotspots", lang, n=usable_districts(latest))


def moran_note(error: Exception, lang: str) -> str:
    """Return the note for Moran's I left out, with the reason in words."""
    reason = "constant" if "constant" in str(error) else "other"
    return t("note.small.no_moran", lang, reason=t(f"note.small.moran_{reason}", lang))


def trend_note(n_periods: int, latest: pd.DataFrame, lang: str) -> str:
    """Return the note for emerging hot spots left out (the trend scores 0)."""
    return t(
        "note.small.no_trend",
        lang,
        periods=n_periods,
        districts=usable_districts(latest),
    )


def backtest_note(n_periods: int, backtest: Backtest | None, lang: str) -> str:
    """Return the note for the back-test left out.

    Either the records cover too few periods (``backtest`` None: it needs
    two periods of history, one origin and the period after), or no period it
    would predict holds a new occupation to score against.
    """
    if backtest is None:
        return t("note.small.no_backtest", lang, n=n_periods)
    scored = sorted(backtest.scores["scored_period"].astype(str).unique())
    return t(
        "note.small.backtest_nothing",
        lang,
        period=", ".join(fmt_period(p, lang) for p in scored),
    )


def without_hot_spots(latest: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return a copy of ``latest`` with the Gi* columns present and empty.

    Every district is then "left out of the statistics", as districts
    without units are when the statistics run.
    """
    out = latest.copy()
    for col in (S.GI_Z, S.GI_P, S.GI_Q):
        out[col] = np.nan
    out[S.GI_BIN] = pd.array([pd.NA] * len(out), dtype="Int64")
    out[S.HOTSPOT] = pd.array([pd.NA] * len(out), dtype="string")
    return out


#: mapclassify's warning when the values cannot fill the classes asked
_FEW_CLASSES = re.compile(
    r"Not enough unique values in array to form (\d+) classes\. Setting k to (\d+)"
)


def restate_warnings(caught: list[warnings.WarningMessage], lang: str) -> list[str]:
    """Turn the map classes' warnings into notes; warn the others again.

    mapclassify says in English when the values cannot fill the classes
    asked; a meeting reads instead that the legend has fewer classes and why.

    Returns
    -------
    list of str
        The notes, once each, in the order first seen.
    """
    notes: list[str] = []
    for w in caught:
        found = _FEW_CLASSES.search(str(w.message))
        if found is None:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
            continue
        note = t(
            "note.small.few_classes",
            lang,
            asked=int(found.group(1)),
            used=int(found.group(2)),
        )
        if note not in notes:
            notes.append(note)
    return notes
