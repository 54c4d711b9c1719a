"""Place the record tables in districts: estates by the one rule, records via them.

:func:`place_records` serves :func:`~geo_alloggi.overlay.aggregate`: estates go
to districts by :func:`~geo_alloggi.overlay._rule.locate`, each record to its
estate's district, and a record without an estate by its own ``lon``/``lat``
or its comune. What cannot be placed is counted and warned about, never
dropped silently.

Private to :mod:`geo_alloggi.overlay`; the names are public inside the package.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo_alloggi import _schema as S
from geo_alloggi._errors import warn
from geo_alloggi._validate import require_columns, require_geodataframe, require_unique
from geo_alloggi.overlay._rule import (
    district_index,
    locate,
    lonlat_points,
    record_ids,
    sample,
    warn_by_comune,
    warn_rows,
)


@dataclass
class Placement:
    """District positions (-1: none) of the rows of each record table.

    Attributes
    ----------
    occupations, evictions, vacancies : numpy.ndarray
        Position in ``districts`` of each row (empty for a missing table).
    units : numpy.ndarray or None
        Units per district (None without estates).
    unplaced : dict of str to int
        Rows not counted, per table.
    by_comune : dict of str to int
        Rows without a position placed in the one district of their comune.
    """

    occupations: np.ndarray
    evictions: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    vacancies: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    units: np.ndarray | None = None
    unplaced: dict[str, int] = field(default_factory=dict)
    by_comune: dict[str, int] = field(default_factory=dict)


def record_districts(
    table: pd.DataFrame,
    estate_district: pd.Series,
    districts: gpd.GeoDataFrame,
    kind: str,
    *,
    stacklevel: int,
) -> tuple[np.ndarray, int]:
    """District position of each record: via its estate, else by the one rule.

    A record without an estate is placed by its own ``lon``/``lat``, else by
    its ``comune`` when that comune is one district (:func:`locate`).
    Returns the positions and the number of records placed by their comune.
    ``stacklevel`` is what a :func:`~geo_alloggi._errors.warn` here passes.
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
        own_idx, own_by_comune = locate(x[own], y[own], comune, districts)
        idx[own] = own_idx
        by_comune[own] = own_by_comune
        warn_by_comune(
            kind, by_comune, idx, districts, record_ids(table), stacklevel=stacklevel
        )
    unplaced = idx < 0
    if unplaced.any():
        rid = record_ids(table)
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
            parts[0] += f" ({sample(bad)!r})"
        warn(
            f"{kind}: {int(unplaced.sum())} of {n} record(s) not counted: "
            f"{'; '.join(parts)}; e.g. {sample(rid[unplaced])!r}",
            "overlay.not_counted",
            kind=kind,
            n=int(unplaced.sum()),
            total=n,
            sample=sample(rid[unplaced]),
            stacklevel=stacklevel,
        )
    return idx, int(by_comune.sum())


def _estate_districts(
    estates: gpd.GeoDataFrame,
    districts: gpd.GeoDataFrame,
    placement: Placement,
    *,
    stacklevel: int,
) -> pd.Series:
    """Place the estates; set ``placement.units``; estate id -> district position.

    ``stacklevel`` is what a :func:`~geo_alloggi._errors.warn` here passes.
    """
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
    eidx, _, by_comune = district_index(epts, districts)
    warn_by_comune(
        "estates",
        by_comune,
        eidx,
        districts,
        estates[S.ESTATE_ID],
        stacklevel=stacklevel,
    )
    placement.by_comune["estates"] = int(by_comune.sum())
    bad = eidx < 0
    warn_rows(
        bad,
        estates[S.ESTATE_ID],
        "overlay.estates_outside",
        lambda n, few: (
            f"estates: {n} estate(s) outside every district or "
            f"without a position, e.g. {few!r}; their units and records are not counted"
        ),
        stacklevel=stacklevel,
    )
    if bad.any():
        placement.unplaced["estates"] = int(bad.sum())
    u = pd.to_numeric(estates[S.UNITS], errors="coerce").fillna(0).to_numpy(np.int64)
    placement.units = np.bincount(
        eidx[~bad], weights=u[~bad], minlength=len(districts)
    ).astype(np.int64)
    estate_district = pd.Series(
        eidx, index=estates[S.ESTATE_ID].astype("string").to_numpy()
    )
    return estate_district.astype("Int64").where(estate_district >= 0)


def place_records(
    estates: gpd.GeoDataFrame | None,
    occupations: gpd.GeoDataFrame,
    evictions: pd.DataFrame | None,
    vacancies: pd.DataFrame | None,
    districts: gpd.GeoDataFrame,
    *,
    stacklevel: int,
) -> Placement:
    """Place every record table in ``districts``.

    With ``estates``, estates go to districts by the one rule and records
    follow their estate (:func:`record_districts`); without, ``occupations``
    are points placed by the rule. ``stacklevel`` is what a
    :func:`~geo_alloggi._errors.warn` here passes (3: the caller's caller).
    """
    level = stacklevel
    if estates is not None:
        placement = Placement(np.empty(0, np.int64))
        estate_district = _estate_districts(
            estates, districts, placement, stacklevel=level + 1
        )
        tables = {
            "occupations": occupations,
            "evictions": evictions,
            "vacancies": vacancies,
        }
        for kind, table in tables.items():
            if table is None:
                continue
            idx, placement.by_comune[kind] = record_districts(
                table, estate_district, districts, kind, stacklevel=level + 1
            )
            setattr(placement, kind, idx)
    else:
        occ_idx, _miss, occ_by_comune = district_index(occupations, districts)
        rid = record_ids(occupations)
        warn_by_comune(
            "occupations", occ_by_comune, occ_idx, districts, rid, stacklevel=level
        )
        placement = Placement(occ_idx)
        placement.by_comune["occupations"] = int(occ_by_comune.sum())
        warn_rows(
            occ_idx < 0,
            rid,
            "overlay.occupations_outside",
            lambda n, few: (
                f"occupations: {n} point(s) outside every district or "
                f"without a position, e.g. {few!r}; not counted"
            ),
            stacklevel=level,
        )
    placement.unplaced["occupations"] = int((placement.occupations < 0).sum())
    if evictions is not None:
        placement.unplaced["evictions"] = int((placement.evictions < 0).sum())
    if vacancies is not None:
        placement.unplaced["vacancies"] = int((placement.vacancies < 0).sum())
    return placement
