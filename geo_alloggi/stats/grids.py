"""Point records on a metric hexagon grid at an automatic scale.

* :func:`optimal_cell_size` — the cell size from the distances between
  incidents, in the spirit of ArcGIS's Optimized Hot Spot Analysis;
* :func:`hex_grid` — flat-topped hexagons on a lattice anchored at the metric
  CRS origin, stable across calls;
* :func:`aggregate_to_hexagons` — incidents counted per hexagon, empty cells
  kept, ready for :func:`geo_alloggi.stats.hotspots`.
"""

from __future__ import annotations

import logging
import math

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

from geo_alloggi import _schema as S
from geo_alloggi import config
from geo_alloggi._errors import ValidationError, warn
from geo_alloggi._validate import require_geodataframe
from geo_alloggi.stats._checks import distinct_places, metric_points
from geo_alloggi.stats._gistar import MIN_FEATURES

__all__ = ["aggregate_to_hexagons", "hex_grid", "optimal_cell_size"]

log = logging.getLogger(__name__)


def optimal_cell_size(
    points: gpd.GeoDataFrame,
    *,
    min_cells: int = MIN_FEATURES,
    max_cells: int = 20_000,
) -> float:
    """Hexagon cell size (metres) chosen from the distances between incidents.

    Parameters
    ----------
    points : geopandas.GeoDataFrame
        Incident points with a CRS.
    min_cells, max_cells : int
        Bounds on the number of hexagons covering the incidents' extent.

    Returns
    -------
    float
        Distance between the centres of adjacent hexagons (= width across
        flats), in metres, a multiple of 10.

    Raises
    ------
    ValidationError
        Fewer than 2 distinct incident locations.

    Notes
    -----
    Rule, in the spirit of ArcGIS's Optimized Hot Spot Analysis: the cell
    size is twice the mean distance from each distinct incident location to
    its nearest other incident location (so a typical incident and its
    nearest neighbour fall in the same or adjacent cells), rounded up to 10 m,
    then bounded so that hexagons over the bounding box of the incidents
    number at least ``min_cells`` (enough features for Gi*) and at most
    ``max_cells``. The size and the rule are logged.
    """
    _, places = distinct_places(metric_points(points))
    xy = places[np.lexsort((places[:, 1], places[:, 0]))]  # as np.unique(axis=0)
    if len(xy) < 2:
        raise ValidationError(
            f"points has {len(xy)} distinct location(s); at least 2 are needed to "
            "choose a cell size"
        )
    # k-nearest between metric points in memory: cKDTree (see stats/__init__)
    d, _ = cKDTree(xy).query(xy, k=2)
    mean_nn = float(d[:, 1].mean())
    size = 2.0 * mean_nn
    width = max(float(np.ptp(xy[:, 0])), 1.0)
    height = max(float(np.ptp(xy[:, 1])), 1.0)
    hex_area = math.sqrt(3) / 2  # per unit of size²
    largest = math.sqrt(width * height / (min_cells * hex_area))
    smallest = math.sqrt(width * height / (max_cells * hex_area))
    size = min(max(size, smallest), largest)
    size = max(10.0, math.ceil(size / 10.0) * 10.0)
    log.info(
        "hexagon cell size %.0f m: 2 × mean nearest-neighbour distance %.0f m over %d "
        "distinct locations, bounded to %d..%d cells",
        size,
        mean_nn,
        len(xy),
        min_cells,
        max_cells,
    )
    return size


def hex_grid(
    area: gpd.GeoDataFrame | gpd.GeoSeries, cell_size: float
) -> gpd.GeoDataFrame:
    """Flat-topped hexagons of a metric lattice covering an area.

    Parameters
    ----------
    area : geopandas.GeoDataFrame or GeoSeries
        Polygons (or points) with a CRS; hexagons intersecting them are kept.
    cell_size : float
        Distance between centres of adjacent hexagons, metres.

    Returns
    -------
    geopandas.GeoDataFrame
        ``cell_id`` (``H<col>_<row>`` on a lattice anchored at the metric
        CRS origin, stable across calls), ``geometry`` in EPSG:4326.

    Raises
    ------
    ValidationError
        Non-positive ``cell_size`` or a grid of more than a million cells.

    Notes
    -----
    Vertices are computed on an integer lattice, so adjacent hexagons share
    bit-identical vertices and queen/rook contiguity finds them.
    """
    if not cell_size > 0:
        raise ValidationError(
            f"cell_size={cell_size!r} must be a positive number of metres"
        )
    if isinstance(area, gpd.GeoDataFrame):
        require_geodataframe(area, "area")
        geoms = area.geometry
    else:
        if area.crs is None:
            require_geodataframe(gpd.GeoDataFrame(geometry=area), "area")
        geoms = area
    metric = geoms.to_crs(config.metric_crs)
    s = cell_size / math.sqrt(3)  # side = circumradius
    hx, hy = s / 2.0, cell_size / 2.0  # lattice steps of vertices
    minx, miny, maxx, maxy = metric.total_bounds
    c0, c1 = math.floor(minx / (3 * hx)) - 1, math.ceil(maxx / (3 * hx)) + 1
    r0, r1 = math.floor(miny / (2 * hy)) - 1, math.ceil(maxy / (2 * hy)) + 1
    ncells = (c1 - c0 + 1) * (r1 - r0 + 1)
    if ncells > 1_000_000:
        raise ValidationError(
            f"cell_size={cell_size!r} gives {ncells} hexagons over the area; "
            "expected at most 1,000,000"
        )
    cgrid, rgrid = np.meshgrid(
        np.arange(c0, c1 + 1), np.arange(r0, r1 + 1), indexing="ij"
    )
    cols, rows = cgrid.ravel(), rgrid.ravel()
    kx = 3 * cols
    ky = 2 * rows + (cols % 2)
    dx = np.array([2, 1, -1, -2, -1, 1])
    dy = np.array([0, 1, 1, 0, -1, -1])
    vx = (kx[:, None] + dx[None, :]) * hx
    vy = (ky[:, None] + dy[None, :]) * hy
    rings = np.stack([vx, vy], axis=-1)
    polys = shapely.polygons(rings)
    parts = metric.to_numpy()
    parts = parts[~(shapely.is_missing(parts) | shapely.is_empty(parts))]
    # a geometry predicate on polygons: STRtree (see stats/__init__)
    hit = shapely.STRtree(parts).query(polys, predicate="intersects")[0]
    keep = np.zeros(len(polys), dtype=bool)
    keep[hit] = True
    ids = [f"H{c}_{r}" for c, r in zip(cols[keep], rows[keep], strict=True)]
    grid = gpd.GeoDataFrame(
        {S.CELL_ID: pd.array(ids, dtype="string")},
        geometry=polys[keep],
        crs=config.metric_crs,
    )
    return grid.to_crs(config.geographic_crs)


def aggregate_to_hexagons(
    points: gpd.GeoDataFrame,
    *,
    cell_size: float | None = None,
    area: gpd.GeoDataFrame | None = None,
) -> gpd.GeoDataFrame:
    """Count incident points per hexagon of a metric grid.

    Parameters
    ----------
    points : geopandas.GeoDataFrame
        Incident points with a CRS.
    cell_size : float, optional
        Distance between adjacent hexagon centres in metres; default
        :func:`optimal_cell_size`.
    area : geopandas.GeoDataFrame, optional
        Where incidents are possible (e.g. the districts): every hexagon
        touching it is returned, with count 0 where nothing happened, so that
        Gi* sees the empty cells. Default: the convex hull of the incidents.

    Returns
    -------
    geopandas.GeoDataFrame
        ``cell_id``, ``count``, ``geometry`` (EPSG:4326); ``attrs`` holds
        ``cell_size_m`` and ``cell_size_rule``. Ready for
        ``hotspots(grid, "count")``.

    Raises
    ------
    ValidationError
        Points that are not points, bad ``cell_size``.

    Notes
    -----
    Counts are raw: the grid is an analysis layer, not a table for a meeting;
    apply the suppression threshold before showing it.
    """
    xy = metric_points(points)
    rule = "given"
    if cell_size is None:
        cell_size = optimal_cell_size(points)
        rule = "2 × mean nearest-neighbour distance between distinct incident locations"
    if area is None:
        hull = shapely.convex_hull(shapely.multipoints(xy)).buffer(cell_size / 2)
        region = gpd.GeoSeries([hull], crs=config.metric_crs)
    else:
        region = area
    grid = hex_grid(region, cell_size)
    gm = grid.to_crs(config.metric_crs)
    # point-in-hexagon is a geometry predicate: STRtree (see stats/__init__)
    tree = shapely.STRtree(gm.geometry.to_numpy())
    pt_idx, cell_idx = tree.query(shapely.points(xy), predicate="intersects")
    first = pd.Series(cell_idx).groupby(pt_idx).min()
    counts = np.bincount(first.to_numpy(), minlength=len(grid))
    outside = len(xy) - len(first)
    if outside:
        warn(
            f"{outside} incident(s) fall outside the area and are not counted",
            "grids.outside",
            n=outside,
            stacklevel=2,
        )
    grid[S.COUNT] = counts.astype("int64")
    grid = grid[[S.CELL_ID, S.COUNT, "geometry"]]
    grid.attrs["cell_size_m"] = float(cell_size)
    grid.attrs["cell_size_rule"] = rule
    log.info(
        "%d incidents on %d hexagons of %.0f m (%s)",
        int(counts.sum()),
        len(grid),
        cell_size,
        rule,
    )
    return grid
