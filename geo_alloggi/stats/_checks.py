"""Argument checks shared by the statistics: ids, numeric columns, levels, points.

Private to :mod:`geo_alloggi.stats`; the names are public inside the package so
that its modules share them without reaching for another module's private
names.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer

from geo_alloggi import _schema as S
from geo_alloggi import config
from geo_alloggi._errors import ValidationError, warn
from geo_alloggi._validate import require_geodataframe, require_unique


def feature_ids(
    gdf: pd.DataFrame,
    id_column: str | None,
    argument: str,
    *,
    names: Sequence[str] = (S.DISTRICT_ID, S.CELL_ID),
) -> tuple[list[str], str | None]:
    """Return the unique feature ids as text and the column holding them.

    The ids come from ``id_column``; without it from the first of ``names``
    that is a column; else from the frame's index (named or not), as libpysal
    and esda take ids from the index. An ``id_column`` that names the index
    (``gdf.index.name``) also reads the index. The column is None when the
    ids come from the index.
    """
    if id_column is not None and id_column not in gdf.columns:
        if gdf.index.name is None or gdf.index.name != id_column:
            raise ValidationError(
                f"{argument} has no column or index named {id_column!r} "
                f"(id_column); columns present: {list(map(str, gdf.columns))!r}"
            )
        column: str | None = None
    elif id_column is not None:
        column = id_column
    else:
        column = next((c for c in names if c in gdf.columns), None)
    if column is not None:
        require_unique(gdf, column, argument)
        return gdf[column].astype(str).tolist(), column
    if isinstance(gdf.index, pd.MultiIndex):
        raise ValidationError(
            f"{argument} has no id column and a MultiIndex; pass id_column= "
            "naming the column of unique ids, or give it a single index of ids"
        )
    ids = gdf.index.astype(str)
    dup = ids[ids.duplicated(keep=False)]
    if len(dup):
        raise ValidationError(
            f"{argument} has no id column, so its index gives the ids and must be "
            f"unique; duplicated values: {sorted(dup.unique())[:5]!r} (or pass "
            "id_column=)"
        )
    return ids.tolist(), None


def numeric_values(df: pd.DataFrame, column: str, argument: str) -> np.ndarray:
    """Return ``df[column]`` as floats (NaN where missing); refuse text."""
    try:
        return pd.to_numeric(df[column], errors="raise").to_numpy(
            dtype=float, na_value=np.nan
        )
    except (TypeError, ValueError) as exc:
        raise ValidationError(
            f"{argument}[{column!r}] must be numeric, "
            f"got dtype {str(df[column].dtype)!r}"
        ) from exc


def few(ids: Sequence[Any], k: int = 5) -> str:
    """Show the first ``k`` ids and how many more, for messages."""
    shown = [str(i) for i in list(ids)[:k]]
    more = f" and {len(ids) - k} more" if len(ids) > k else ""
    return f"{shown!r}{more}"


def check_alpha(
    alpha: float, allowed: Sequence[float], argument: str = "alpha"
) -> float:
    """Return the allowed level equal to ``alpha``; refuse any other."""
    for a in allowed:
        if math.isclose(alpha, a):
            return a
    raise ValidationError(f"{argument}={alpha!r} is not one of {list(allowed)!r}")


def metric_points(points: gpd.GeoDataFrame, argument: str = "points") -> np.ndarray:
    """Return the x, y of point records in the metric CRS; warn about unlocated ones.

    The coordinates are transformed as arrays (no new geometries: a million
    points cost two arrays, not a million shapes), as ``to_crs`` does.
    """
    require_geodataframe(points, argument)
    geom = points.geometry.to_numpy()
    ok = ~(shapely.is_missing(geom) | shapely.is_empty(geom))
    located = geom[ok]
    if (shapely.get_type_id(located) != shapely.GeometryType.POINT).any():
        types = set(gpd.GeoSeries(located).geom_type)
        raise ValidationError(
            f"{argument} must hold Point geometries, found {sorted(types)!r}"
        )
    if (~ok).any():
        warn(
            f"{int((~ok).sum())} record(s) without a location left out",
            "stats.no_location",
            n=int((~ok).sum()),
            stacklevel=3,
        )
    xy = shapely.get_coordinates(located)
    crs = points.crs
    metric = CRS.from_user_input(config.metric_crs)
    if crs is None or crs.is_exact_same(metric):
        return xy
    # records share places (the occupations of one estate): each place once
    codes, places = distinct_places(xy)
    x, y = _transformer(crs, metric).transform(places[:, 0], places[:, 1])
    return np.column_stack([x, y])[codes]


def distinct_places(xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the code of each point's place and the distinct places (x, y).

    Places are in order of first appearance; ``places[codes]`` equals ``xy``.
    """
    pairs = np.ascontiguousarray(xy, dtype=float).view(np.complex128).ravel()
    codes, uniques = pd.factorize(pairs)
    return codes, np.column_stack([uniques.real, uniques.imag])


@functools.lru_cache(maxsize=8)
def _transformer(source: CRS, target: CRS) -> Transformer:
    return Transformer.from_crs(source, target, always_xy=True)
