"""Aggregate records per district and period (:func:`aggregate`).

One row per district and period: the stock of occupied units at the end of the
period, the flows of new occupations and executed evictions, the stock of
vacant units, the rate per 100 units and the change against the previous
period. Records are placed by :mod:`geo_alloggi.overlay._placing` and counted
by :mod:`geo_alloggi.overlay._spells`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geo_alloggi import _schema as S
from geo_alloggi import config
from geo_alloggi._errors import ValidationError
from geo_alloggi._periods import (
    ordinal_bounds,
    ordinal_of,
    ordinals,
    period_bucket,
    period_counts,
    period_stock,
)
from geo_alloggi._records import Records
from geo_alloggi._validate import require_choice, require_columns, require_geodataframe
from geo_alloggi.overlay._placing import Placement, place_records
from geo_alloggi.overlay._rule import check_districts, record_ids, warn_rows
from geo_alloggi.overlay._spells import check_spells

__all__ = ["aggregate"]

_TABLE_COLUMNS: tuple[str, ...] = (
    S.DISTRICT_ID,
    S.NAME,
    S.PARENT_ID,
    S.COMUNE,
    S.PERIOD,
    S.PERIOD_START,
    S.PERIOD_END,
    S.UNITS,
    S.OCCUPIED,
    S.NEW_OCCUPATIONS,
    S.EVICTIONS,
    S.VACANT,
    S.OCCUPIED_PER_100,
    S.OCCUPIED_CHANGE,
    S.SUPPRESSED,
    S.SOURCE,
)

#: Ordinals of a dated column and the mask of its missing dates.
Ordinals = tuple[np.ndarray, np.ndarray]


def aggregate(
    records: Records | gpd.GeoDataFrame,
    districts: gpd.GeoDataFrame,
    *,
    period: str = "year",
    start: Any = None,
    end: Any = None,
    suppress: bool = False,
    threshold: int | None = None,
    eviction_outcomes: Sequence[str] = ("executed",),
) -> gpd.GeoDataFrame:
    """One row per district and period: stock, flows, rate and change.

    Parameters
    ----------
    records : Records or geopandas.GeoDataFrame
        A :class:`~geo_alloggi._records.Records` (records link to estates by
        ``estate_id``; estates carry the geometry; a record without an estate
        id but with ``lon``/``lat`` is placed by its own coordinates), or a
        GeoDataFrame of occupation points (``detected_on``, ``ended_on``): then
        ``units``, ``evictions`` and ``vacant`` are NA.
    districts : geopandas.GeoDataFrame
        Any district layer (official level or user layer) with unique
        ``district_id``; ``name``, ``parent_id``, ``comune`` are carried when
        present. Milan's NIL and Cinisello Balsamo together: the ``study_area``
        level.
    period : str, default 'year'
        ``"month"``, ``"quarter"`` or ``"year"``.
    start, end : int, str, date or None, default None
        First and last period (anything :class:`pandas.Period` reads: ``2014``,
        ``"2019Q3"``, ``"2019-07"``, a date). Default: the span of the dated
        events (detections, ends, executed evictions, vacancy starts and ends).
    suppress : bool, default False
        Apply :func:`geo_alloggi.disclosure.suppress` before returning (for
        anything meant to be shared). Default False: the raw table, for
        statistics.
    threshold : int or None, default None
        Suppression threshold (default
        :data:`geo_alloggi.config.suppression_threshold`); only used with
        ``suppress=True``.
    eviction_outcomes : sequence of str, default ('executed',)
        Eviction outcomes counted in ``evictions`` (default executed only).

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``district_id, name, parent_id, comune, period, period_start,
        period_end, units, occupied, new_occupations, evictions, vacant,
        occupied_per_100, occupied_change, suppressed, source`` and the district
        geometry (the districts' CRS); districts in input order, periods in
        time order, every district × period present (zeros included).
        ``attrs`` holds ``period``, ``synthetic``, ``suppressed``,
        ``threshold``, ``unplaced`` (records not counted, per table) and
        ``placed_by_comune`` (estates and records without a position placed in
        the one district of their comune, per table; see
        :func:`assign_districts`).

    Raises
    ------
    ValidationError
        Bad ``period``, ``start``/``end``, districts, or records ending before
        they start.

    Warns
    -----
    UserWarning
        Estates or records that cannot be placed in a district (counted in
        ``attrs["unplaced"]``, never silently).

    Notes
    -----
    ``occupied`` is the stock at the end of the period's last day: records with
    ``detected_on <= day`` and ``ended_on`` missing or ``> day`` (a record ending
    on the last day is not counted). It is computed from the dates, not by
    counting events, so occupations detected before ``start`` and still under
    way are included. ``vacant`` is the same stock for vacancies (``since`` /
    ``ended_on``). ``new_occupations`` counts detections in the period and
    ``evictions`` evictions with an outcome in ``eviction_outcomes`` dated in
    the period. ``units`` is the sum of estate units in the district (estates
    have no dates). ``occupied_per_100 = 100 * occupied / units`` (NA without
    units); ``occupied_change`` is against the previous period, also for the
    first one (its stock is computed the same way).

    Examples
    --------
    >>> from geo_alloggi import load_districts
    >>> from geo_alloggi.synthetic import make_demo
    >>> table = aggregate(make_demo(messy=False), load_districts("study_area"),
    ...                   start=2014, end=2025)  # doctest: +SKIP
    """
    require_choice(period, S.PERIODS, "period")
    check_districts(districts)
    synthetic, estates, occ, evi, vac = _tables(records)
    placed = place_records(estates, occ, evi, vac, districts, stacklevel=3)
    unplaced = placed.unplaced

    det = ordinals(occ[S.DETECTED_ON], period)
    fin = ordinals(occ[S.ENDED_ON], period)
    dated = [det, fin]
    if evi is not None:
        counted = evi[S.OUTCOME].isin(list(eviction_outcomes)).to_numpy(bool)
        ev = ordinals(evi[S.EVICTION_DATE], period)
        undated = ev[1] & counted
        warn_rows(
            undated,
            record_ids(evi),
            "overlay.undated_evictions",
            lambda n, few: (
                f"evictions: {n} record(s) with outcome in "
                f"{list(eviction_outcomes)!r} but no date are not counted, e.g. {few!r}"
            ),
            stacklevel=2,
        )
        if undated.any():
            unplaced["evictions_undated"] = int(undated.sum())
        ev = (ev[0], ev[1] | ~counted)
        dated.append(ev)
    if vac is not None:
        vs = ordinals(vac[S.VACANT_SINCE], period)
        ve = ordinals(vac[S.ENDED_ON], period)
        dated += [vs, ve]
    p0, p1 = _period_span(dated, period, start, end)
    n_p = p1 - p0 + 1
    n_d = len(districts)

    occ_stock, occ_new = period_stock(placed.occupations, det, fin, p0, n_p, n_d)
    evictions = vac_stock = None
    if evi is not None:
        eb = period_bucket(ev[0], ev[1], p0, n_p, nat_after=False)
        evictions = period_counts(placed.evictions, eb, n_d, n_p)[:, 1 : n_p + 1]
    if vac is not None:
        vac_stock = period_stock(placed.vacancies, vs, ve, p0, n_p, n_d)[0][:, 1:]
    out = _district_period_table(
        districts,
        np.arange(p0, p1 + 1, dtype=np.int64),
        period,
        placed,
        occ_stock=occ_stock,
        occ_new=occ_new,
        evictions=evictions,
        vac_stock=vac_stock,
        synthetic=synthetic,
    )
    if suppress:
        from geo_alloggi.disclosure import suppress as _suppress

        out = _suppress(out, threshold=threshold)
    return out


def _tables(
    records: Any,
) -> tuple[
    bool,
    gpd.GeoDataFrame | None,
    gpd.GeoDataFrame,
    pd.DataFrame | None,
    pd.DataFrame | None,
]:
    """Return ``synthetic``, estates, occupations, evictions, vacancies, checked."""
    if isinstance(records, Records):
        synthetic = bool(records.synthetic)
        estates = records.estates
        occ = records.occupations
        evi = records.evictions
        vac = records.vacancies
    elif isinstance(records, gpd.GeoDataFrame):
        require_geodataframe(records, "records")
        synthetic = bool(records.attrs.get("synthetic", False)) or (
            S.SOURCE in records and (records[S.SOURCE] == config.synthetic_label).any()
        )
        estates = None
        occ, evi, vac = records, None, None
    else:
        raise ValidationError(
            "records must be a geo_alloggi Records or a GeoDataFrame of occupation "
            f"points, got {type(records).__name__!r}"
        )
    require_columns(occ, [S.DETECTED_ON, S.ENDED_ON], "records.occupations")
    check_spells(occ, S.DETECTED_ON, S.ENDED_ON, "occupations")
    if vac is not None:
        require_columns(
            vac, [S.ESTATE_ID, S.VACANT_SINCE, S.ENDED_ON], "records.vacancies"
        )
        check_spells(vac, S.VACANT_SINCE, S.ENDED_ON, "vacancies")
    if evi is not None:
        require_columns(evi, [S.EVICTION_DATE, S.OUTCOME], "records.evictions")
    return synthetic, estates, occ, evi, vac


def _period_span(
    dated: Sequence[Ordinals], period: str, start: Any, end: Any
) -> tuple[int, int]:
    """First and last period ordinal: ``start``/``end``, else the span of the dates."""
    if start is None or end is None:
        pieces = [ords[~nat] for ords, nat in dated]
        allo = np.concatenate(pieces) if pieces else np.empty(0, np.int64)
        if len(allo) == 0:
            raise ValidationError(
                "records hold no dated event; pass start= and end= to choose "
                "the periods"
            )
    p0 = (
        ordinal_of(start, period, "start", last=False)
        if start is not None
        else int(allo.min())
    )
    p1 = (
        ordinal_of(end, period, "end", last=True)
        if end is not None
        else int(allo.max())
    )
    if p1 < p0 and end is None:
        raise ValidationError(
            f"start={start!r} is after the last dated record; give an earlier "
            "start, or end= as well"
        )
    if p1 < p0 and start is None:
        raise ValidationError(
            f"end={end!r} is before the first dated record; give a later end, "
            "or start= as well"
        )
    if p1 < p0:
        raise ValidationError(f"end={end!r} is before start={start!r}")
    return p0, p1


def _district_period_table(
    districts: gpd.GeoDataFrame,
    ords: np.ndarray,
    period: str,
    placed: Placement,
    *,
    occ_stock: np.ndarray,
    occ_new: np.ndarray,
    evictions: np.ndarray | None,
    vac_stock: np.ndarray | None,
    synthetic: bool,
) -> gpd.GeoDataFrame:
    """Lay the district × period counts out as the table :func:`aggregate` returns."""
    n_d, n_p = len(districts), len(ords)
    labels, pstart, pend = ordinal_bounds(ords, period)
    rep = np.repeat(np.arange(n_d), n_p)
    tile = np.tile(np.arange(n_p), n_d)

    def col(name: str) -> Any:
        if name in districts.columns:
            return districts[name].astype("string").to_numpy()[rep]
        return pd.array([pd.NA] * len(rep), dtype="string")

    def counts_or_na(values: np.ndarray | None) -> Any:
        if values is None:
            return pd.array([pd.NA] * len(rep), dtype="Int64")
        return pd.array(values, dtype="Int64")

    units = placed.units
    occupied = occ_stock[:, 1:].ravel()
    previous = occ_stock[:, :-1].ravel()
    data: dict[str, Any] = {
        S.DISTRICT_ID: districts[S.DISTRICT_ID].astype("string").to_numpy()[rep],
        S.NAME: col(S.NAME),
        S.PARENT_ID: col(S.PARENT_ID),
        S.COMUNE: col(S.COMUNE),
        S.PERIOD: np.asarray(labels, dtype=object)[tile],
        S.PERIOD_START: pstart.to_numpy()[tile],
        S.PERIOD_END: pend.to_numpy()[tile],
        S.UNITS: counts_or_na(None if units is None else units[rep]),
        S.OCCUPIED: pd.array(occupied, dtype="Int64"),
        S.NEW_OCCUPATIONS: pd.array(occ_new.ravel(), dtype="Int64"),
        S.EVICTIONS: counts_or_na(None if evictions is None else evictions.ravel()),
        S.VACANT: counts_or_na(None if vac_stock is None else vac_stock.ravel()),
    }
    table = pd.DataFrame(data)
    table[S.PERIOD] = table[S.PERIOD].astype("string")
    u_f = table[S.UNITS].astype("Float64")
    rate = 100.0 * table[S.OCCUPIED].astype("Float64") / u_f.where(u_f > 0)
    table[S.OCCUPIED_PER_100] = rate
    table[S.OCCUPIED_CHANGE] = pd.array(occupied - previous, dtype="Int64")
    table[S.SUPPRESSED] = pd.array([""] * len(table), dtype="string")
    table[S.SOURCE] = pd.array(
        [config.synthetic_label if synthetic else ""] * len(table), dtype="string"
    )
    out = gpd.GeoDataFrame(
        table[list(_TABLE_COLUMNS)],
        geometry=districts.geometry.to_numpy()[rep],
        crs=districts.crs,
    )
    out.attrs.update(
        {
            "period": period,
            "synthetic": synthetic,
            "label": config.synthetic_label if synthetic else "",
            "suppressed": False,
            "threshold": None,
            "unplaced": placed.unplaced,
            "placed_by_comune": {k: v for k, v in placed.by_comune.items() if v},
        }
    )
    return out
