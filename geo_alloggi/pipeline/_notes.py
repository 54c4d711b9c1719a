"""Notes for the meeting: warnings raised during a run, and what few data left out.

Every warning of geo_alloggi carries a catalogue key
(:class:`~geo_alloggi._errors.GeoAlloggiWarning`); known third-party
warnings are restated (:data:`geo_alloggi._i18n.THIRD_PARTY`); anything else
is logged at INFO level and not published (:func:`collect_notes`).

A file that reads always gives a bundle: what needs more data than the records
hold (change, trends, hot spots, the back-test) is left out, and one of the
``small.*`` notes says what is missing. The layer of the last period keeps its
hot-spot columns, empty, so that maps and tables are written the same way.
Notes are :class:`~geo_alloggi._i18n.Note` (key and values), said in the
bundle's language when the bundle is written.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geo_alloggi import _schema as S
from geo_alloggi._i18n import Note, note_of

if TYPE_CHECKING:  # pragma: no cover
    from geo_alloggi.priorities import Backtest

__all__ = [
    "backtest_note",
    "collect_notes",
    "hotspot_note",
    "moran_note",
    "period_notes",
    "trend_note",
    "usable_districts",
    "without_hot_spots",
]

log = logging.getLogger(__name__)


@contextmanager
def collect_notes(notes: list[Note]) -> Iterator[list[Note]]:
    """Catch the warnings of the block and append their notes to ``notes``.

    Parameters
    ----------
    notes : list of Note
        Appended to in place, each note once, in the order raised.

    Yields
    ------
    list of Note
        ``notes`` itself.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield notes
    for w in caught:
        note = note_of(w.message) if isinstance(w.message, Warning) else None
        if note is None:
            log.info("not published (%s): %s", w.category.__name__, w.message)
            continue
        log.debug("note %s restates: %s", note.key, w.message)
        if note not in notes:
            notes.append(note)


def usable_districts(latest: pd.DataFrame) -> int:
    """Count the districts with public housing units (those the statistics use)."""
    if S.UNITS not in latest:
        return 0
    units = pd.to_numeric(latest[S.UNITS], errors="coerce").to_numpy(
        dtype=float, na_value=np.nan
    )
    return int((units > 0).sum())


def period_notes(n_periods: int, period: Any) -> list[Note]:
    """Return the note for records covering a single period (none otherwise).

    Parameters
    ----------
    n_periods : int
        Periods of the district table.
    period : Any
        The label of the only period, when there is one.
    """
    if n_periods != 1:
        return []
    return [Note("small.one_period", {"period": period})]


def hotspot_note(latest: pd.DataFrame) -> Note:
    """Return the note for hot spots left out: too few districts with units."""
    return Note("small.no_hotspots", {"n": usable_districts(latest)})


def moran_note(error: Exception) -> Note:
    """Return the note for Moran's I left out, with the reason."""
    reason = "constant" if "constant" in str(error) else "other"
    return Note(f"small.no_moran_{reason}")


def trend_note(n_periods: int, latest: pd.DataFrame) -> Note:
    """Return the note for emerging hot spots left out (the trend scores 0)."""
    return Note(
        "small.no_trend",
        {"periods": n_periods, "with_units": usable_districts(latest)},
    )


def backtest_note(n_periods: int, backtest: Backtest | None) -> Note:
    """Return the note for the back-test left out.

    Either the records cover too few periods (``backtest`` None: it needs
    two periods of history, one origin and the period after), or no period it
    would predict holds a new occupation to score against.
    """
    if backtest is None:
        return Note("small.no_backtest", {"n": n_periods})
    scored = sorted(backtest.scores["scored_period"].astype(str).unique())
    return Note("small.backtest_nothing", {"period": scored})


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
