"""Count occupations, evictions and vacancies per estate and period.

:func:`estate_panel` gives the per-estate panel that ranks estates for patrols
(:func:`~geo_alloggi.priorities.patrol_priority`) instead of districts: the
same columns as :func:`geo_alloggi.overlay.aggregate`, one row per estate.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from geo_alloggi import _schema as S
from geo_alloggi._errors import warn
from geo_alloggi._periods import (
    ordinal_bounds,
    ordinals,
    period_bucket,
    period_counts,
    period_stock,
)
from geo_alloggi._records import Records
from geo_alloggi._validate import require_choice, require_columns, require_unique
from geo_alloggi.priorities._common import require_records, source_label, to_dates

__all__ = ["estate_panel"]


def _warn_unlinked(tables: Mapping[str, tuple[pd.DataFrame, np.ndarray]]) -> None:
    """Warn about records whose estate id is missing or unknown (not counted).

    ``tables`` maps each kind to its records and the position of each
    record's estate among the estates (-1: unknown).
    """
    for name, (table, where) in tables.items():
        bad = table[S.ESTATE_ID].isna().to_numpy() | (where < 0)
        if bad.any():
            sample = (
                table.loc[bad, S.RECORD_ID].astype(str).tolist()[:5]
                if (S.RECORD_ID in table)
                else []
            )
            warn(
                f"{int(bad.sum())} {name} record(s) have no known estate_id and are "
                f"not counted per estate (link them first), e.g. {sample!r}",
                "priorities.no_estate",
                n=int(bad.sum()),
                kind=name,
                sample=sample,
                stacklevel=3,
            )


_ESTATE_PANEL_COLUMNS: tuple[str, ...] = (
    S.ESTATE_ID,
    S.NAME,
    S.PERIOD,
    S.UNITS,
    S.OCCUPIED,
    S.NEW_OCCUPATIONS,
    S.EVICTIONS,
    S.VACANT,
    S.OCCUPIED_PER_100,
)


class _EstateCells:
    """Counts per estate × period, for ``n`` periods from ordinal ``lo``.

    Dates fall into periods by their ordinal
    (:func:`geo_alloggi._periods.ordinals`): a date is at or before the end of
    period ``p`` exactly when its ordinal is at most ``p``. Records of estates
    not in ``ids`` are not counted. Each record's estate is looked up once
    (:meth:`positions`) and each date column read once, however many counts
    use them.
    """

    def __init__(self, ids: np.ndarray) -> None:
        self.distinct = pd.Index(pd.unique(ids))
        self.rows = self.distinct.get_indexer(ids)  # each estate's distinct id

    def positions(self, estate: pd.Series) -> np.ndarray:
        """Position of each record's estate among the distinct ids (-1 unknown)."""
        return self.distinct.get_indexer(estate.astype(str).to_numpy())

    def events(
        self, e: np.ndarray, when: tuple[np.ndarray, np.ndarray], lo: int, n: int
    ) -> np.ndarray:
        """Count the records dated in each period (NaT: none); estates × periods.

        ``e`` holds the records' :meth:`positions`, ``when`` the ordinals of
        their dates and the mask of missing ones.
        """
        buckets = period_bucket(when[0], when[1], lo, n, nat_after=False)
        cells = period_counts(e, buckets, len(self.distinct), n)
        return cells[:, 1 : n + 1][self.rows]

    def stock(
        self,
        e: np.ndarray,
        start: tuple[np.ndarray, np.ndarray],
        end: tuple[np.ndarray, np.ndarray],
        lo: int,
        n: int,
    ) -> np.ndarray:
        """Count the spells open at the end of each period: started, not ended.

        A spell counts in the periods from the one holding ``start`` up to the
        one before the period holding ``end`` (to the last period when ``end``
        is missing); ``start`` and ``end`` are ordinals and missing masks. A
        spell without a start, or said to end before it starts, is not counted.
        """
        uncounted = start[1] | (~end[1] & (end[0] < start[0]))
        held, _ = period_stock(
            np.where(uncounted, -1, e), start, end, lo, n, len(self.distinct)
        )
        return held[:, 1:][self.rows]


def estate_panel(records: Records, *, period: str = "year") -> pd.DataFrame:
    """Count occupations, evictions and vacancies per estate × period.

    Parameters
    ----------
    records : Records
        Canonical record tables.
    period : str, optional
        ``"year"``, ``"quarter"`` or ``"month"``.

    Returns
    -------
    pandas.DataFrame
        One row per estate × period from the first to the last period with a
        dated event (detections, ends, executed evictions, vacancy starts and
        ends; scheduled evictions do not extend the span): ``estate_id``,
        ``name``, ``period`` (label ``2019``, ``2019Q3`` or ``2019-07``),
        ``units``, ``occupied`` (stock at the period's end),
        ``new_occupations`` (detected during the period), ``evictions``
        (executed during the period), ``vacant`` (stock at the period's end),
        ``occupied_per_100``, ``source`` (``"SYNTHETIC"`` for generated
        records, else empty).
        The same columns as :func:`geo_alloggi.overlay.aggregate`, per estate.

    Raises
    ------
    ValidationError
        If ``records`` is not a :class:`Records` or a table lacks a column.
    """
    records = require_records(records)
    require_choice(period, S.PERIODS, "period")
    est = records.estates
    require_columns(est, [S.ESTATE_ID, S.UNITS], "records.estates")
    require_unique(est, S.ESTATE_ID, "records.estates")
    occ, ev, vac = records.occupations, records.evictions, records.vacancies
    require_columns(
        occ, [S.ESTATE_ID, S.DETECTED_ON, S.ENDED_ON], "records.occupations"
    )
    require_columns(ev, [S.ESTATE_ID, S.EVICTION_DATE, S.OUTCOME], "records.evictions")
    require_columns(vac, [S.ESTATE_ID, S.VACANT_SINCE, S.ENDED_ON], "records.vacancies")
    ids = est[S.ESTATE_ID].astype(str).to_numpy()
    # where each record's estate is, and the period of each date: once each
    cells = _EstateCells(ids)
    where = {
        "occupations": cells.positions(occ[S.ESTATE_ID]),
        "evictions": cells.positions(ev[S.ESTATE_ID]),
        "vacancies": cells.positions(vac[S.ESTATE_ID]),
    }
    _warn_unlinked(
        {
            "occupations": (occ, where["occupations"]),
            "evictions": (ev, where["evictions"]),
            "vacancies": (vac, where["vacancies"]),
        }
    )
    detected, occ_end = to_dates(occ[S.DETECTED_ON]), to_dates(occ[S.ENDED_ON])
    ev_date, vac_since, vac_end = (
        to_dates(ev[S.EVICTION_DATE]),
        to_dates(vac[S.VACANT_SINCE]),
        to_dates(vac[S.ENDED_ON]),
    )
    executed = (ev[S.OUTCOME].astype(str) == "executed").to_numpy()
    # the span of the dated events, as in overlay tables: scheduled evictions
    # lie in the future and do not open a period of their own
    dated = [
        d.dropna() for d in (detected, occ_end, ev_date[executed], vac_since, vac_end)
    ]
    dated = [d for d in dated if len(d)]
    if not dated:
        return pd.DataFrame(columns=list(_ESTATE_PANEL_COLUMNS))
    first = min(d.min() for d in dated)
    last = max(d.max() for d in dated)
    (lo, hi), _ = ordinals(pd.Series([first, last]), period)
    labels = ordinal_bounds(np.arange(lo, hi + 1), period)[0]
    # one pass over the records: each event counted in its (estate, period)
    # cell, each spell added to the periods it spans (see _EstateCells)
    n = hi - lo + 1
    det = ordinals(detected, period)
    counts = {
        S.OCCUPIED: cells.stock(
            where["occupations"], det, ordinals(occ_end, period), lo, n
        ),
        S.NEW_OCCUPATIONS: cells.events(where["occupations"], det, lo, n),
        S.EVICTIONS: cells.events(
            where["evictions"], ordinals(ev_date.where(executed), period), lo, n
        ),
        S.VACANT: cells.stock(
            where["vacancies"],
            ordinals(vac_since, period),
            ordinals(vac_end, period),
            lo,
            n,
        ),
    }
    out = pd.DataFrame(
        {
            S.ESTATE_ID: np.tile(ids, len(labels)),
            **{col: c.T.ravel() for col, c in counts.items()},
            S.PERIOD: np.repeat(np.asarray(labels, dtype=object), len(ids)),
        }
    )
    units = pd.Series(est[S.UNITS].to_numpy(), index=ids)
    out[S.UNITS] = out[S.ESTATE_ID].map(units).astype("int64")
    names = pd.Series(est[S.NAME].to_numpy(), index=ids) if S.NAME in est else None
    out[S.NAME] = out[S.ESTATE_ID].map(names) if names is not None else pd.NA
    out[S.OCCUPIED_PER_100] = (
        100.0 * out[S.OCCUPIED] / out[S.UNITS].where(out[S.UNITS] > 0)
    )
    cols = [*_ESTATE_PANEL_COLUMNS, S.SOURCE]
    out[S.SOURCE] = source_label(records)
    return out[cols].sort_values([S.PERIOD, S.ESTATE_ID], ignore_index=True)
