"""Overlay records on districts: assign points, aggregate per district and period.

:func:`assign_districts` puts points into districts (a point on a shared border
goes to exactly one district, the lowest ``district_id``); :func:`aggregate`
turns a :class:`~geo_alloggi._records.Records` into one row per district and
period with the stock of occupied units at the end of the period, the flows of
new occupations and executed evictions, the stock of vacant units, the rate per
100 units and the change against the previous period.

Suppression: :func:`aggregate` returns the **raw** table by default (what the
statistics need); pass ``suppress=True`` (or call
:func:`geo_alloggi.disclosure.suppress` on the raw table) for anything shared.
The ``suppressed`` column lists the suppressed columns of each row (``""`` when
none) and ``attrs["suppressed"]`` says whether disclosure control ran.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo_alloggi import _schema as S
from geo_alloggi import config
from geo_alloggi._errors import ValidationError, warn
from geo_alloggi._periods import ordinal_bounds, ordinal_of, ordinals, period_labels
from geo_alloggi._records import Records
from geo_alloggi._validate import (
    require_choice,
    require_columns,
    require_geodataframe,
    require_unique,
)

__all__ = ["aggregate", "assign_districts", "lonlat_points", "period_labels"]

log = logging.getLogger(__name__)


def lonlat_points(
    table: pd.DataFrame, rows: np.ndarray, crs: Any
) -> tuple[np.ndarray, np.ndarray]:
    """Return the points given by the ``lon``/``lat`` columns of some rows.

    Parameters
    ----------
    table : pandas.DataFrame
        Records or estates, maybe with ``lon`` and ``lat`` (EPSG:4326).
    rows : numpy.ndarray
        Boolean mask of the rows to place by their coordinates.
    crs : pyproj.CRS or str
        The CRS of the points returned.

    Returns
    -------
    tuple of numpy.ndarray
        The mask of the rows of ``rows`` with finite ``lon`` and ``lat``
        (none without those columns) and their points in ``crs``, in order.
    """
    if S.LON not in table or S.LAT not in table:
        return np.zeros(len(table), dtype=bool), np.empty(0, dtype=object)
    lon = pd.to_numeric(table[S.LON], errors="coerce").to_numpy(float)
    lat = pd.to_numeric(table[S.LAT], errors="coerce").to_numpy(float)
    found = rows & np.isfinite(lon) & np.isfinite(lat)
    if not found.any():
        return found, np.empty(0, dtype=object)
    points = gpd.GeoSeries(
        shapely.points(lon[found], lat[found]), crs=config.geographic_crs
    ).to_crs(crs)
    return found, points.to_numpy()


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


def _check_districts(districts: Any) -> gpd.GeoDataFrame:
    require_geodataframe(districts, "districts")
    require_columns(districts, [S.DISTRICT_ID], "districts")
    if districts[S.DISTRICT_ID].isna().any():
        raise ValidationError("districts has missing values in 'district_id'")
    require_unique(districts, S.DISTRICT_ID, "districts")
    if len(districts) == 0:
        raise ValidationError("districts is empty; expected at least one polygon")
    return districts


def _sample(ids: Sequence[Any], k: int = 5) -> list[str]:
    return [str(v) for v in list(ids)[:k]]


def _assign_xy(
    x: np.ndarray, y: np.ndarray, geoms: np.ndarray, order: np.ndarray
) -> np.ndarray:
    """Index into ``geoms`` of the district holding each (x, y); -1 when none.

    Districts are tested in ``order`` and a point keeps the first district that
    holds it (interior or boundary), so a border point is assigned once.
    """
    out = np.full(len(x), -1, dtype=np.int64)
    if len(x) == 0:
        return out
    by_x = np.argsort(x, kind="stable")
    xs = x[by_x]
    for g in order:
        geom = geoms[g]
        if geom is None or shapely.is_empty(geom):
            continue
        minx, miny, maxx, maxy = shapely.bounds(geom)
        lo = int(np.searchsorted(xs, minx, side="left"))
        hi = int(np.searchsorted(xs, maxx, side="right"))
        if hi <= lo:
            continue
        cand = by_x[lo:hi]
        cy = y[cand]
        cand = cand[(cy >= miny) & (cy <= maxy)]
        cand = cand[out[cand] < 0]
        if len(cand) == 0:
            continue
        shapely.prepare(geom)
        hit = shapely.intersects_xy(geom, x[cand], y[cand])
        out[cand[hit]] = g
    return out


def _fold_comune(value: Any) -> str:
    """Return the comparable form of a comune (``Cinisello Balsamo``, ``015077``)."""
    if (
        value is None
        or value is pd.NA
        or (isinstance(value, float) and np.isnan(value))
    ):
        return ""
    text = unicodedata.normalize("NFKD", str(value)).encode("ascii", "ignore").decode()
    text = " ".join(re.sub(r"[^A-Z0-9]+", " ", text.upper()).split())
    return text.zfill(6) if text.isdigit() else text


def _single_district_comuni(districts: gpd.GeoDataFrame) -> dict[str, int]:
    """Folded comune name (and ISTAT code) -> position of its one district.

    Only comuni that are exactly one district of the layer are listed
    (Cinisello Balsamo in the study area; not Milano, which is 88 NIL).
    """
    if S.COMUNE not in districts.columns:
        return {}
    names = [_fold_comune(v) for v in districts[S.COMUNE]]
    codes = (
        [_fold_comune(v) for v in districts[S.COMUNE_ISTAT]]
        if S.COMUNE_ISTAT in districts.columns
        else [""] * len(names)
    )
    count = Counter(n for n in names if n)
    out: dict[str, int] = {}
    for i, (name, code) in enumerate(zip(names, codes, strict=True)):
        if name and count[name] == 1:
            out[name] = i
            if code:
                out[code] = i
    return out


def _locate(
    x: np.ndarray,
    y: np.ndarray,
    comune: pd.Series | None,
    districts: gpd.GeoDataFrame,
) -> tuple[np.ndarray, np.ndarray]:
    """Apply the one district rule: each row's position in ``districts`` (-1: none).

    A row with a position (finite ``x``, ``y`` in the districts' CRS) goes to
    the district holding it, the lowest ``district_id`` on a shared border.
    A row without a position goes to the one district of its ``comune`` when
    that comune is exactly one district of the layer. Returns the positions
    and the mask of rows placed by their comune.
    """
    ok = np.isfinite(x) & np.isfinite(y)
    ids = districts[S.DISTRICT_ID].astype(str).to_numpy()
    order = np.argsort(ids, kind="stable")
    idx = np.full(len(x), -1, dtype=np.int64)
    idx[ok] = _assign_xy(x[ok], y[ok], np.asarray(districts.geometry.values), order)
    by_comune = np.zeros(len(x), dtype=bool)
    if comune is not None and (~ok).any():
        single = _single_district_comuni(districts)
        if single:
            rows = np.flatnonzero(~ok)
            found = np.array(
                [single.get(_fold_comune(v), -1) for v in comune.to_numpy()[rows]],
                dtype=np.int64,
            )
            idx[rows] = found
            by_comune[rows] = found >= 0
    return idx, by_comune


def _district_index(
    points: gpd.GeoDataFrame, districts: gpd.GeoDataFrame
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Locate each point's district by :func:`_locate`.

    Returns its position in ``districts`` (-1 for none), a mask of points
    without a usable position, and a mask of those placed by their comune
    (the ``comune`` column of ``points``).
    """
    geom = points.geometry
    if points.crs != districts.crs:
        geom = geom.to_crs(districts.crs)
    values = geom.values
    missing = np.asarray(geom.isna() | geom.is_empty)
    types = shapely.get_type_id(values[~missing])
    if len(types) and (types != 0).any():
        raise ValidationError(
            "points must hold Point geometries; found "
            f"{sorted(set(shapely.get_type_id(values[~missing]).tolist()) - {0})!r} "
            "(shapely type ids); use centroids or representative points first"
        )
    x = np.full(len(values), np.nan)
    y = np.full(len(values), np.nan)
    x[~missing] = shapely.get_x(values[~missing])
    y[~missing] = shapely.get_y(values[~missing])
    comune = points[S.COMUNE] if S.COMUNE in points.columns else None
    idx, by_comune = _locate(x, y, comune, districts)
    return idx, ~(np.isfinite(x) & np.isfinite(y)), by_comune


def _warn_by_comune(
    kind: str,
    by_comune: np.ndarray,
    idx: np.ndarray,
    districts: gpd.GeoDataFrame,
    names: pd.Series,
    stacklevel: int,
) -> None:
    """Warn once, with counts per district, about rows placed by their comune."""
    if not by_comune.any():
        return
    ids = districts[S.DISTRICT_ID].astype(str).to_numpy()[idx[by_comune]]
    counts = ", ".join(f"{d} {n}" for d, n in sorted(Counter(ids).items()))
    warn(
        f"{kind}: {int(by_comune.sum())} without a position placed in the one "
        f"district of their comune ({counts}; position_source 'comune'), e.g. "
        f"{_sample(names[by_comune])!r}",
        "overlay.by_comune",
        kind=kind,
        n=int(by_comune.sum()),
        districts=sorted(Counter(ids)),
        stacklevel=stacklevel + 1,
    )


def assign_districts(
    points: gpd.GeoDataFrame,
    districts: gpd.GeoDataFrame,
    *,
    id_column: str = S.RECORD_ID,
) -> gpd.GeoDataFrame:
    """Assign each point to the district holding it (or to its comune's one district).

    Parameters
    ----------
    points : geopandas.GeoDataFrame
        Points with a CRS (reprojected to the districts' CRS when different).
        Missing or empty geometries are kept and reported. An optional
        ``comune`` column places points without a position (see Notes).
    districts : geopandas.GeoDataFrame
        Layer with a unique ``district_id`` (any level, or a user layer).
    id_column : str, default 'record_id'
        Column used to name a few points in warnings (the index otherwise).

    Returns
    -------
    geopandas.GeoDataFrame
        A copy of ``points`` with a ``district_id`` column (string dtype); NA
        for points outside every district, or without a position and not
        placed by their comune. Points placed by their comune get
        ``position_source = "comune"`` (the column is added when absent and
        needed; other rows keep their value, NA when added). Same rows, same
        order, same index.

    Raises
    ------
    ValidationError
        Not GeoDataFrames, missing CRS, no or duplicated ``district_id``,
        geometries that are not points.

    Warns
    -----
    UserWarning
        Points outside every district, or without a position: the count and a
        few ids. They are never dropped. Points placed by their comune: the
        count per district and a few ids.

    Notes
    -----
    This is the one district rule of the package (:func:`aggregate` uses it
    for estates and records too):

    * a point inside a district or on its boundary belongs to it. A point on
      a border shared by several districts (or in an overlap) goes to the one
      with the lowest ``district_id`` in string order, so every point is
      counted once and the result does not depend on row order. Containment
      is a topological test and needs no metric CRS;
    * a point **without a position** whose ``comune`` is exactly one district
      of the layer (Cinisello Balsamo in the study area; not Milano, which is
      88 NIL) goes to that district. The comune is compared by name (case and
      accents aside) with the layer's ``comune`` column, or by ISTAT code with
      ``comune_istat``. A point with a position is never moved by its comune.
    """
    require_geodataframe(points, "points")
    _check_districts(districts)
    if S.DISTRICT_ID in points.columns:
        log.info("assign_districts: replacing the existing 'district_id' column")
    idx, missing, by_comune = _district_index(points, districts)
    ids = districts[S.DISTRICT_ID].astype("string").to_numpy()
    out = points.copy()
    values = pd.array([pd.NA] * len(points), dtype="string")
    inside = idx >= 0
    values[inside] = ids[idx[inside]]
    out[S.DISTRICT_ID] = values
    names = out[id_column] if id_column in out.columns else pd.Series(out.index)
    if by_comune.any() or S.POSITION_SOURCE in out.columns:
        source = (
            out[S.POSITION_SOURCE].astype("string")
            if S.POSITION_SOURCE in out.columns
            else pd.Series(pd.NA, index=out.index, dtype="string")
        )
        out[S.POSITION_SOURCE] = source.mask(by_comune, "comune")
    _warn_by_comune("points", by_comune, idx, districts, names, stacklevel=2)
    missing = missing & ~by_comune
    outside = ~inside & ~missing & ~by_comune
    if outside.any():
        warn(
            f"{int(outside.sum())} point(s) outside every district (district_id left "
            f"empty), e.g. {_sample(names[outside])!r}",
            "overlay.outside",
            n=int(outside.sum()),
            sample=_sample(names[outside]),
            stacklevel=2,
        )
    if missing.any():
        warn(
            f"{int(missing.sum())} point(s) without a position (missing or empty "
            f"geometry), e.g. {_sample(names[missing])!r}",
            "overlay.no_position",
            n=int(missing.sum()),
            sample=_sample(names[missing]),
            stacklevel=2,
        )
    return out


# --------------------------------------------------------------------------
# aggregation


def _record_districts(
    table: pd.DataFrame,
    estate_district: pd.Series,
    districts: gpd.GeoDataFrame,
    kind: str,
) -> tuple[np.ndarray, int]:
    """District position of each record: via its estate, else by the one rule.

    A record without an estate is placed by its own ``lon``/``lat``, else by
    its ``comune`` when that comune is one district (:func:`_locate`).
    Returns the positions and the number of records placed by their comune.
    """
    n = len(table)
    idx = np.full(n, -1, dtype=np.int64)
    has_estate = (
        table[S.ESTATE_ID].notna().to_numpy()
        if S.ESTATE_ID in table
        else np.zeros(n, bool)
    )
    unknown = np.zeros(n, dtype=bool)
    if has_estate.any():
        eids = table[S.ESTATE_ID].astype("string")[has_estate]
        mapped = eids.map(estate_district)
        unknown[has_estate] = ~eids.isin(estate_district.index).to_numpy()
        idx[has_estate] = mapped.fillna(-1).astype(np.int64).to_numpy()
    own = ~has_estate
    xy = np.zeros(n, dtype=bool)
    by_comune = np.zeros(n, dtype=bool)
    if own.any():
        x = np.full(n, np.nan)
        y = np.full(n, np.nan)
        xy, pts = lonlat_points(table, own, districts.crs)
        x[xy] = shapely.get_x(pts)
        y[xy] = shapely.get_y(pts)
        comune = table[S.COMUNE][own] if S.COMUNE in table else None
        own_idx, own_by_comune = _locate(x[own], y[own], comune, districts)
        idx[own] = own_idx
        by_comune[own] = own_by_comune
        rid = table[S.RECORD_ID] if S.RECORD_ID in table else pd.Series(table.index)
        _warn_by_comune(kind, by_comune, idx, districts, rid, stacklevel=3)
    unplaced = idx < 0
    if unplaced.any():
        rid = table[S.RECORD_ID] if S.RECORD_ID in table else pd.Series(table.index)
        reasons = {
            "with an estate_id not in the estates table": unknown,
            "of estates outside the districts": unplaced & has_estate & ~unknown,
            "with coordinates outside the districts": unplaced & xy,
            "with neither an estate_id nor coordinates nor a single-district "
            "comune (link them first with geo_alloggi.linking)": unplaced & own & ~xy,
        }
        parts = [f"{int(m.sum())} {why}" for why, m in reasons.items() if m.any()]
        if unknown.any():
            bad = table[S.ESTATE_ID].astype("string")[unknown].unique()
            parts[0] += f" ({_sample(bad)!r})"
        warn(
            f"{kind}: {int(unplaced.sum())} of {n} record(s) not counted: "
            f"{'; '.join(parts)}; e.g. {_sample(rid[unplaced])!r}",
            "overlay.not_counted",
            kind=kind,
            n=int(unplaced.sum()),
            total=n,
            sample=_sample(rid[unplaced]),
            stacklevel=3,
        )
    return idx, int(by_comune.sum())


def _check_spells(table: pd.DataFrame, start: str, end: str, kind: str) -> None:
    s = pd.to_datetime(table[start])
    e = pd.to_datetime(table[end])
    bad = (e < s).fillna(False).to_numpy(bool)
    if bad.any():
        rid = table[S.RECORD_ID] if S.RECORD_ID in table else pd.Series(table.index)
        raise ValidationError(
            f"{kind}: {int(bad.sum())} record(s) end before they start "
            f"({end!r} < {start!r}), e.g. {_sample(rid[bad])!r}; "
            "validate the file first"
        )
    if s.isna().any():
        rid = table[S.RECORD_ID] if S.RECORD_ID in table else pd.Series(table.index)
        raise ValidationError(
            f"{kind}: {int(s.isna().sum())} record(s) without {start!r}, e.g. "
            f"{_sample(rid[s.isna().to_numpy()])!r}"
        )


def _bucket(
    ords: np.ndarray, nat: np.ndarray, p0: int, n_p: int, *, nat_after: bool
) -> np.ndarray:
    """0 = before the first period, 1..n_p = inside, n_p + 1 = after (or NaT)."""
    b = np.clip(ords - p0 + 1, 0, n_p + 1)
    return np.where(nat, n_p + 1 if nat_after else -1, b)


def _counts(didx: np.ndarray, buckets: np.ndarray, n_d: int, n_p: int) -> np.ndarray:
    keep = (didx >= 0) & (buckets >= 0)
    flat = didx[keep] * (n_p + 2) + buckets[keep]
    return np.bincount(flat, minlength=n_d * (n_p + 2)).reshape(n_d, n_p + 2)


def _stock(
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
    sb = _bucket(start[0], start[1], p0, n_p, nat_after=False)
    eb = _bucket(end[0], end[1], p0, n_p, nat_after=True)
    starts = _counts(didx, sb, n_d, n_p)
    ends = _counts(didx, eb, n_d, n_p)
    stock = np.cumsum(starts, axis=1) - np.cumsum(ends, axis=1)
    return stock[:, : n_p + 1], starts[:, 1 : n_p + 1]


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
    _check_districts(districts)
    synthetic = False
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
    _check_spells(occ, S.DETECTED_ON, S.ENDED_ON, "occupations")
    if vac is not None:
        require_columns(
            vac, [S.ESTATE_ID, S.VACANT_SINCE, S.ENDED_ON], "records.vacancies"
        )
        _check_spells(vac, S.VACANT_SINCE, S.ENDED_ON, "vacancies")
    if evi is not None:
        require_columns(evi, [S.EVICTION_DATE, S.OUTCOME], "records.evictions")

    n_d = len(districts)
    unplaced: dict[str, int] = {}
    by_comune_counts: dict[str, int] = {}
    units = None
    if estates is not None:
        require_geodataframe(estates, "records.estates")
        require_columns(estates, [S.ESTATE_ID, S.UNITS], "records.estates")
        require_unique(estates, S.ESTATE_ID, "records.estates")
        epts = estates
        geom_missing = (estates.geometry.isna() | estates.geometry.is_empty).to_numpy()
        fill, filled = lonlat_points(estates, geom_missing, estates.crs)
        if fill.any():
            geoms = estates.geometry.values.copy()
            geoms[fill] = filled
            epts = estates.set_geometry(gpd.GeoSeries(geoms, crs=estates.crs))
        eidx, _, by_comune = _district_index(epts, districts)
        _warn_by_comune(
            "estates", by_comune, eidx, districts, estates[S.ESTATE_ID], stacklevel=2
        )
        by_comune_counts["estates"] = int(by_comune.sum())
        bad = eidx < 0
        if bad.any():
            warn(
                f"estates: {int(bad.sum())} estate(s) outside every district or "
                f"without a position, e.g. {_sample(estates[S.ESTATE_ID][bad])!r}; "
                "their units and records are not counted",
                "overlay.estates_outside",
                n=int(bad.sum()),
                sample=_sample(estates[S.ESTATE_ID][bad]),
                stacklevel=2,
            )
            unplaced["estates"] = int(bad.sum())
        estate_district = pd.Series(
            eidx, index=estates[S.ESTATE_ID].astype("string").to_numpy()
        )
        estate_district = estate_district.astype("Int64").where(estate_district >= 0)
        u = (
            pd.to_numeric(estates[S.UNITS], errors="coerce")
            .fillna(0)
            .to_numpy(np.int64)
        )
        units = np.bincount(eidx[~bad], weights=u[~bad], minlength=n_d).astype(np.int64)
        occ_idx, by_comune_counts["occupations"] = _record_districts(
            occ, estate_district, districts, "occupations"
        )
        evi_idx = vac_idx = np.empty(0, dtype=np.int64)
        if evi is not None:
            evi_idx, by_comune_counts["evictions"] = _record_districts(
                evi, estate_district, districts, "evictions"
            )
        if vac is not None:
            vac_idx, by_comune_counts["vacancies"] = _record_districts(
                vac, estate_district, districts, "vacancies"
            )
    else:
        occ_idx, _miss, occ_by_comune = _district_index(occ, districts)
        rid = occ[S.RECORD_ID] if S.RECORD_ID in occ else pd.Series(occ.index)
        _warn_by_comune(
            "occupations", occ_by_comune, occ_idx, districts, rid, stacklevel=2
        )
        by_comune_counts["occupations"] = int(occ_by_comune.sum())
        if (occ_idx < 0).any():
            rid = occ[S.RECORD_ID] if S.RECORD_ID in occ else pd.Series(occ.index)
            warn(
                f"occupations: {int((occ_idx < 0).sum())} point(s) outside every "
                f"district or without a position, e.g. {_sample(rid[occ_idx < 0])!r}; "
                "not counted",
                "overlay.occupations_outside",
                n=int((occ_idx < 0).sum()),
                sample=_sample(rid[occ_idx < 0]),
                stacklevel=2,
            )
        evi_idx = vac_idx = np.empty(0, dtype=np.int64)
    unplaced["occupations"] = int((occ_idx < 0).sum())
    if evi is not None:
        unplaced["evictions"] = int((evi_idx < 0).sum())
    if vac is not None:
        unplaced["vacancies"] = int((vac_idx < 0).sum())

    det = ordinals(occ[S.DETECTED_ON], period)
    fin = ordinals(occ[S.ENDED_ON], period)
    if evi is not None:
        counted = evi[S.OUTCOME].isin(list(eviction_outcomes)).to_numpy(bool)
        ev = ordinals(evi[S.EVICTION_DATE], period)
        undated = ev[1] & counted
        if undated.any():
            rid = evi[S.RECORD_ID] if S.RECORD_ID in evi else pd.Series(evi.index)
            warn(
                f"evictions: {int(undated.sum())} record(s) with outcome in "
                f"{list(eviction_outcomes)!r} but no date are not counted, e.g. "
                f"{_sample(rid[undated])!r}",
                "overlay.undated_evictions",
                n=int(undated.sum()),
                sample=_sample(rid[undated]),
                stacklevel=2,
            )
            unplaced["evictions_undated"] = int(undated.sum())
        ev_nat = ev[1] | ~counted
    if vac is not None:
        vs = ordinals(vac[S.VACANT_SINCE], period)
        ve = ordinals(vac[S.ENDED_ON], period)

    # period range
    if start is None or end is None:
        pieces = [det[0][~det[1]], fin[0][~fin[1]]]
        if evi is not None:
            pieces.append(ev[0][~ev_nat])
        if vac is not None:
            pieces += [vs[0][~vs[1]], ve[0][~ve[1]]]
        allo = np.concatenate(pieces) if pieces else np.empty(0, np.int64)
        if len(allo) == 0 and (start is None or end is None):
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
    if p1 < p0:
        raise ValidationError(f"end={end!r} is before start={start!r}")
    n_p = p1 - p0 + 1

    occ_stock, occ_new = _stock(occ_idx, det, fin, p0, n_p, n_d)
    if evi is not None:
        eb = _bucket(ev[0], ev_nat, p0, n_p, nat_after=False)
        evictions = _counts(evi_idx, eb, n_d, n_p)[:, 1 : n_p + 1]
    if vac is not None:
        vac_stock, _ = _stock(vac_idx, vs, ve, p0, n_p, n_d)

    # table
    ords = np.arange(p0, p1 + 1, dtype=np.int64)
    labels, pstart, pend = ordinal_bounds(ords, period)
    rep = np.repeat(np.arange(n_d), n_p)
    tile = np.tile(np.arange(n_p), n_d)

    def col(name: str) -> Any:
        if name in districts.columns:
            return districts[name].astype("string").to_numpy()[rep]
        return pd.array([pd.NA] * len(rep), dtype="string")

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
        S.UNITS: pd.array(units[rep], dtype="Int64")
        if units is not None
        else pd.array([pd.NA] * len(rep), dtype="Int64"),
        S.OCCUPIED: pd.array(occupied, dtype="Int64"),
        S.NEW_OCCUPATIONS: pd.array(occ_new.ravel(), dtype="Int64"),
        S.EVICTIONS: pd.array(evictions.ravel(), dtype="Int64")
        if evi is not None
        else pd.array([pd.NA] * len(rep), dtype="Int64"),
        S.VACANT: pd.array(vac_stock[:, 1:].ravel(), dtype="Int64")
        if vac is not None
        else pd.array([pd.NA] * len(rep), dtype="Int64"),
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
            "unplaced": unplaced,
            "placed_by_comune": {k: v for k, v in by_comune_counts.items() if v},
        }
    )
    if suppress:
        from geo_alloggi.disclosure import suppress as _suppress

        out = _suppress(out, threshold=threshold)
    return out
