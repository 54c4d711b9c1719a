"""Assign points to the districts holding them (:func:`assign_districts`).

The public face of the one district rule of :mod:`geo_alloggi.overlay._rule`:
a copy of the points with a ``district_id`` column, and warnings naming the
points left outside every district or without a position.
"""

from __future__ import annotations

import logging

import geopandas as gpd
import pandas as pd

from geo_alloggi import _schema as S
from geo_alloggi._validate import require_geodataframe
from geo_alloggi.overlay._rule import (
    check_districts,
    district_index,
    warn_by_comune,
    warn_rows,
)

__all__ = ["assign_districts"]

log = logging.getLogger(__name__)


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
    check_districts(districts)
    if S.DISTRICT_ID in points.columns:
        log.info("assign_districts: replacing the existing 'district_id' column")
    idx, missing, by_comune = district_index(points, districts)
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
    warn_by_comune("points", by_comune, idx, districts, names, stacklevel=2)
    missing = missing & ~by_comune
    outside = ~inside & ~missing & ~by_comune
    warn_rows(
        outside,
        names,
        "overlay.outside",
        lambda n, few: (
            f"{n} point(s) outside every district (district_id left "
            f"empty), e.g. {few!r}"
        ),
        stacklevel=2,
    )
    warn_rows(
        missing,
        names,
        "overlay.no_position",
        lambda n, few: (
            f"{n} point(s) without a position (missing or empty geometry), e.g. {few!r}"
        ),
        stacklevel=2,
    )
    return out
