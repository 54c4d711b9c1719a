"""The one district rule: each point's position in a district layer (-1: none).

A point goes to the district holding it (interior or boundary), the lowest
``district_id`` on a shared border; a point without a position goes to the one
district of its ``comune`` when that comune is exactly one district of the
layer. :func:`~geo_alloggi.overlay.assign_districts` and
:func:`~geo_alloggi.overlay.aggregate` both place points through
:func:`locate`.

Private to :mod:`geo_alloggi.overlay`; the names are public inside the package
so that its modules share them without reaching for another module's private
names.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo_alloggi import _schema as S
from geo_alloggi import config
from geo_alloggi._errors import ValidationError, warn
from geo_alloggi._validate import require_columns, require_geodataframe, require_unique


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


def check_districts(districts: Any) -> gpd.GeoDataFrame:
    """Check a district layer at the door: a GeoDataFrame with unique ids.

    Parameters
    ----------
    districts : Any
        What the caller passed as ``districts``.

    Returns
    -------
    geopandas.GeoDataFrame
        ``districts`` itself.

    Raises
    ------
    ValidationError
        Not a GeoDataFrame, no CRS, missing, empty or duplicated
        ``district_id``, no rows.
    """
    require_geodataframe(districts, "districts")
    require_columns(districts, [S.DISTRICT_ID], "districts")
    if districts[S.DISTRICT_ID].isna().any():
        raise ValidationError("districts has missing values in 'district_id'")
    require_unique(districts, S.DISTRICT_ID, "districts")
    if len(districts) == 0:
        raise ValidationError("districts is empty; expected at least one polygon")
    return districts


def sample(ids: Sequence[Any], k: int = 5) -> list[str]:
    """Return the first ``k`` ids as strings, to name a few rows in a message."""
    return [str(v) for v in list(ids)[:k]]


def record_ids(table: pd.DataFrame) -> pd.Series:
    """Return the ids that name rows in messages: ``record_id``, else the index."""
    return table[S.RECORD_ID] if S.RECORD_ID in table else pd.Series(table.index)


def warn_rows(
    rows: np.ndarray,
    ids: pd.Series,
    key: str,
    message: Callable[[int, list[str]], str],
    *,
    stacklevel: int,
) -> None:
    """Warn about some rows, with their count and a few ids; nothing when none.

    Parameters
    ----------
    rows : numpy.ndarray
        Boolean mask of the rows to warn about.
    ids : pandas.Series
        The ids naming every row (:func:`record_ids`).
    key : str
        Catalogue key of the warning (without ``note.``); its note takes ``n``
        and ``sample``.
    message : callable
        The English message from the count and the few ids.
    stacklevel : int
        What a :func:`~geo_alloggi._errors.warn` in the caller would pass.
    """
    if not rows.any():
        return
    n, few = int(rows.sum()), sample(ids[rows])
    warn(message(n, few), key, n=n, sample=few, stacklevel=stacklevel + 1)


def assign_xy(
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


def fold_comune(value: Any) -> str:
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


def single_district_comuni(districts: gpd.GeoDataFrame) -> dict[str, int]:
    """Folded comune name (and ISTAT code) -> position of its one district.

    Only comuni that are exactly one district of the layer are listed
    (Cinisello Balsamo in the study area; not Milano, which is 88 NIL).
    """
    if S.COMUNE not in districts.columns:
        return {}
    names = [fold_comune(v) for v in districts[S.COMUNE]]
    codes = (
        [fold_comune(v) for v in districts[S.COMUNE_ISTAT]]
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


def single_of(value: Any, single: dict[str, int]) -> int:
    """Position of the one district of a comune as written (-1: none).

    The folded name or ISTAT code first; else the comune the text names in
    any usual spelling (``CINISELLO BALSAMO (MI)``, ``Sesto S. Giovanni``),
    by its ISTAT code.
    """
    from geo_alloggi.address import find_comune

    folded = fold_comune(value)
    if not folded:
        return -1
    if folded in single:
        return single[folded]
    named = find_comune(str(value))
    return single.get(named.istat, -1) if named is not None else -1


def locate(
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
    idx[ok] = assign_xy(x[ok], y[ok], np.asarray(districts.geometry.values), order)
    by_comune = np.zeros(len(x), dtype=bool)
    if comune is not None and (~ok).any():
        single = single_district_comuni(districts)
        if single:
            rows = np.flatnonzero(~ok)
            codes, names = pd.factorize(pd.Series(comune.to_numpy()[rows]))
            each = np.array([single_of(v, single) for v in names], dtype=np.int64)
            found = np.where(codes >= 0, each[np.maximum(codes, 0)], -1)
            idx[rows] = found
            by_comune[rows] = found >= 0
    return idx, by_comune


def district_index(
    points: gpd.GeoDataFrame, districts: gpd.GeoDataFrame
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Locate each point's district by :func:`locate`.

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
    idx, by_comune = locate(x, y, comune, districts)
    return idx, ~(np.isfinite(x) & np.isfinite(y)), by_comune


def warn_by_comune(
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
        f"{sample(names[by_comune])!r}",
        "overlay.by_comune",
        kind=kind,
        n=int(by_comune.sum()),
        districts=sorted(Counter(ids)),
        stacklevel=stacklevel + 1,
    )
