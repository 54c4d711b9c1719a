"""What a run publishes: the suppressed district table, and what the rest withholds.

The district × period table is protected first (primary and complementary
suppression, parent and grand totals included); every other table and layer of
the bundle (patrol rankings, estates) withholds what it withholds.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import pandas as pd

from geo_alloggi import _schema as S
from geo_alloggi._records import Records

__all__ = [
    "district_rows",
    "estate_summary",
    "protect_estates",
    "published_districts",
    "withheld_counts",
]


def published_districts(panel: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """Return the district × period table as published: suppressed, with totals.

    Parent and grand-total rows (``row_type`` ``parent`` / ``total``) are
    published in the meeting table, so the suppression accounts for them;
    every other table and layer withholds what this one withholds.

    Parameters
    ----------
    panel : pandas.DataFrame
        The raw district × period table (:func:`geo_alloggi.overlay.aggregate`).
    threshold : int
        Suppression threshold of small counts.

    Returns
    -------
    pandas.DataFrame
        The table protected by :func:`geo_alloggi.disclosure.suppress`, parent and
        grand-total rows included.
    """
    from geo_alloggi.disclosure import suppress

    raw = pd.DataFrame(panel.drop(columns="geometry", errors="ignore"))
    return suppress(raw, threshold=threshold, totals=True)


def district_rows(published: pd.DataFrame) -> pd.DataFrame:
    """Return the district rows of :func:`published_districts`."""
    rows = published[published[S.ROW_TYPE] == "district"]
    return rows.reset_index(drop=True)


def withheld_counts(
    shared: pd.DataFrame,
    epanel: pd.DataFrame,
    estate_district: pd.Series,
    periods: list[Any],
    threshold: int,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Cells of the patrol tables withheld by the published district table.

    The district table is protected with complementary suppression; the patrol
    rankings show the same counts (districts) and counts that add up to them
    (estates), so they must withhold what it withholds, and the estates get
    their own nested suppression (:func:`geo_alloggi.disclosure.suppress_nested`).
    ``shared`` holds the district rows of the published table
    (:func:`district_rows` of :func:`published_districts` at ``threshold``).
    Returns boolean frames indexed by district id and by estate id.
    """
    from geo_alloggi.disclosure import suppress_nested, withheld

    frames_d: list[pd.DataFrame] = []
    frames_e: list[pd.DataFrame] = []
    # (period, column in the patrol table, column of the district table)
    pairs = [(periods[-1], S.OCCUPIED), (periods[-1], S.NEW_OCCUPATIONS)]
    if len(periods) > 1:
        pairs.append((periods[-2], S.NEW_PREVIOUS))
    for when, col in pairs:
        source = S.NEW_OCCUPATIONS if col == S.NEW_PREVIOUS else col
        rows = shared[shared[S.PERIOD].astype(str) == str(when)]
        ids = rows[[S.DISTRICT_ID]].reset_index(drop=True)
        flags = withheld(ids, rows, key=S.DISTRICT_ID, columns={col: source})
        flags.index = ids[S.DISTRICT_ID].astype(str)
        frames_d.append(flags)
        est = epanel[epanel[S.PERIOD].astype(str) == str(when)]
        est = est[[S.ESTATE_ID, source]].reset_index(drop=True)
        est["_district"] = est[S.ESTATE_ID].map(estate_district)
        nested = suppress_nested(
            est,
            rows,
            parent_key="_district",
            columns={source: source},
            threshold=threshold,
        )
        eflags = pd.DataFrame({col: nested[source].isna().to_numpy()})
        eflags.index = est[S.ESTATE_ID].astype(str)
        frames_e.append(eflags)
    return pd.concat(frames_d, axis=1).fillna(False), pd.concat(
        frames_e, axis=1
    ).fillna(False)


def estate_summary(
    records: Records,
    districts: gpd.GeoDataFrame,
    period_end: pd.Timestamp,
    period_start: pd.Timestamp,
) -> gpd.GeoDataFrame:
    """Estates with counts at the end of the last period (aggregated, no names)."""
    est = records.estates
    keep = [
        c
        for c in (S.ESTATE_ID, S.NAME, S.ADDRESS, S.COMUNE, S.OWNER, S.UNITS)
        if c in est
    ]
    out = gpd.GeoDataFrame(est[keep].copy(), geometry=est.geometry.values, crs=est.crs)
    occ = records.occupations
    stock = occ[
        (occ[S.DETECTED_ON] <= period_end)
        & (occ[S.ENDED_ON].isna() | (occ[S.ENDED_ON] > period_end))
    ]
    vac = records.vacancies
    vstock = vac[
        (vac[S.VACANT_SINCE] <= period_end)
        & (vac[S.ENDED_ON].isna() | (vac[S.ENDED_ON] > period_end))
    ]
    ev = records.evictions
    evs = ev[
        (ev[S.EVICTION_DATE] >= period_start)
        & (ev[S.EVICTION_DATE] <= period_end)
        & (ev[S.OUTCOME] == "executed")
    ]
    for col, table in ((S.OCCUPIED, stock), (S.VACANT, vstock), (S.EVICTIONS, evs)):
        counts = table.groupby(S.ESTATE_ID).size()
        out[col] = out[S.ESTATE_ID].map(counts).fillna(0).astype("int64")
    return out


def protect_estates(
    estates: gpd.GeoDataFrame,
    estate_district: pd.Series,
    shared_last: pd.DataFrame,
    threshold: int,
) -> gpd.GeoDataFrame:
    """Withhold estate counts that are small or would reveal a district cell."""
    from geo_alloggi.disclosure import suppress_nested

    table = pd.DataFrame(estates.drop(columns="geometry"))
    table["_district"] = table[S.ESTATE_ID].map(estate_district)
    cols = {S.OCCUPIED: S.OCCUPIED, S.VACANT: S.VACANT, S.EVICTIONS: S.EVICTIONS}
    nested = suppress_nested(
        table, shared_last, parent_key="_district", columns=cols, threshold=threshold
    ).rename(columns={"_district": S.DISTRICT_ID})
    return gpd.GeoDataFrame(nested, geometry=estates.geometry.values, crs=estates.crs)
