"""Nearest estate to a point: estates' metric points and an R-tree over them.

An R-tree (:mod:`rtree`) answers the nearest-estate query with a distance
bound directly (``nearest_v`` with ``max_dists``), which is the one question
linking asks of it; ties between equidistant estates go to the smallest id.
"""

from __future__ import annotations

import functools

import geopandas as gpd
import numpy as np
import shapely
from pyproj import Transformer
from rtree import index as rtree_index

from geo_alloggi import _schema as S
from geo_alloggi import config
from geo_alloggi._validate import require_geodataframe

__all__ = ["Nearest", "estate_points", "placed_points", "to_metric"]


def estate_points(estates: gpd.GeoDataFrame) -> gpd.GeoSeries:
    """Return one point per estate in the metric CRS, None where it has no position.

    Parameters
    ----------
    estates : geopandas.GeoDataFrame
        Estates with point (or polygon) geometry and a CRS.

    Returns
    -------
    geopandas.GeoSeries
        Aligned with ``estates`` (same index), in
        :data:`geo_alloggi.config.metric_crs`: a point stays itself, any other
        geometry gives its representative point (taken before reprojection);
        missing or empty geometries give None.

    Raises
    ------
    ValidationError, CRSError
        If ``estates`` is not a GeoDataFrame or has no CRS.
    """
    require_geodataframe(estates, "estates")
    placed, present = placed_points(estates.geometry)
    points = np.full(len(estates), None, dtype=object)
    if present.any():
        points[present] = placed.to_crs(config.metric_crs).to_numpy()
    return gpd.GeoSeries(points, index=estates.index, crs=config.metric_crs)


def placed_points(geom: gpd.GeoSeries) -> tuple[gpd.GeoSeries, np.ndarray]:
    """Return a point for each present geometry, in its CRS, and where they are.

    Parameters
    ----------
    geom : geopandas.GeoSeries
        Estate geometries (points, polygons...), some maybe missing or empty.

    Returns
    -------
    tuple of (geopandas.GeoSeries, numpy.ndarray)
        The points of the present geometries (a point stays itself, any other
        geometry gives its representative point; never reprojected) and the
        boolean mask of the present ones in ``geom``.
    """
    present = (geom.notna() & ~geom.is_empty).to_numpy()
    placed = geom[present]
    non_point = (placed.geom_type != "Point").to_numpy()
    if non_point.any():
        placed = placed.copy()
        placed[non_point] = placed[non_point].representative_point()
    return placed, present


class Nearest:
    """Nearest estate within a tolerance, with an R-tree on metric points."""

    def __init__(self, estates: gpd.GeoDataFrame) -> None:
        points = estate_points(estates).to_numpy()
        x, y = shapely.get_x(points), shapely.get_y(points)
        self.ids = estates[S.ESTATE_ID].astype(str).to_numpy()
        self.x, self.y = x, y
        ok = np.flatnonzero(np.isfinite(x) & np.isfinite(y))
        self.empty = len(ok) == 0
        if not self.empty:
            self.tree = rtree_index.Index(
                (int(i), (x[i], y[i], x[i], y[i]), None) for i in ok
            )

    def query(
        self, qx: np.ndarray, qy: np.ndarray, tolerance_m: float
    ) -> tuple[np.ndarray, np.ndarray]:
        """Return the position of the nearest estate (-1 if none) and the distance."""
        n = len(qx)
        pos = np.full(n, -1, dtype=np.int64)
        dist = np.full(n, np.nan)
        valid = np.isfinite(qx) & np.isfinite(qy)
        if self.empty or not valid.any():
            return pos, dist
        # many records share a point (the same estate): query each point once
        pts = np.column_stack([qx[valid], qy[valid]])
        uniq, inverse = np.unique(pts, axis=0, return_inverse=True)
        ids, counts = self.tree.nearest_v(
            uniq, uniq, num_results=1, max_dists=np.full(len(uniq), float(tolerance_m))
        )
        upos = np.full(len(uniq), -1, dtype=np.int64)
        udist = np.full(len(uniq), np.nan)
        offsets = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
        ids = np.asarray(ids, dtype=np.int64)
        counts = np.asarray(counts, dtype=np.int64)
        # one nearest estate: vectorised
        single = np.flatnonzero(counts == 1)
        if len(single):
            choice = ids[offsets[single]]
            d = np.hypot(
                self.x[choice] - uniq[single, 0], self.y[choice] - uniq[single, 1]
            )
            ok = d <= tolerance_m
            upos[single[ok]] = choice[ok]
            udist[single[ok]] = d[ok]
        # several equidistant estates: one by one
        for k in np.flatnonzero(counts > 1).tolist():
            cand = ids[offsets[k] : offsets[k + 1]]
            if not len(cand):
                continue
            d = np.hypot(self.x[cand] - uniq[k, 0], self.y[cand] - uniq[k, 1])
            best = d.min()
            if best > tolerance_m:
                continue
            # equidistant estates: the smallest estate id, deterministically
            tied = cand[d <= best + 1e-9]
            choice = tied[np.argsort(self.ids[tied], kind="stable")[0]]
            upos[k] = choice
            udist[k] = float(
                np.hypot(self.x[choice] - uniq[k, 0], self.y[choice] - uniq[k, 1])
            )
        inv = inverse.reshape(-1)
        pos[valid] = upos[inv]
        dist[valid] = udist[inv]
        return pos, dist


@functools.cache
def _metric_transformer(geographic: str, metric: str) -> Transformer:
    return Transformer.from_crs(geographic, metric, always_xy=True)


def to_metric(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return metric x/y of lon/lat arrays (NaN where either is missing)."""
    x = np.full(len(lon), np.nan)
    y = np.full(len(lon), np.nan)
    ok = np.isfinite(lon) & np.isfinite(lat)
    if ok.any():
        t = _metric_transformer(str(config.geographic_crs), str(config.metric_crs))
        x[ok], y[ok] = t.transform(lon[ok], lat[ok])
    return x, y
