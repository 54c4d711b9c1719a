"""Kernel density of incidents as contour polygons, masked below the threshold.

* :func:`default_bandwidth` — ArcGIS's default search radius;
* :func:`density_surface` — quartic kernel on a raster in the metric CRS,
  contoured into classes; cells with fewer incidents under the kernel than
  the suppression threshold are masked.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence

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

__all__ = ["default_bandwidth", "density_surface"]

log = logging.getLogger(__name__)


def default_bandwidth(xy: np.ndarray) -> float:
    """ArcGIS's default search radius for kernel density (metres).

    ``0.9 × min(SD, √(1/ln 2) × Dm) × n^(−0.2)``, with SD the standard
    distance of the points and Dm the median distance to their mean centre
    (Silverman's rule of thumb made robust to outliers).

    Parameters
    ----------
    xy : numpy.ndarray
        Point coordinates in metres, shape ``(n, 2)``.

    Returns
    -------
    float
        The search radius in metres.
    """
    n = len(xy)
    centre = xy.mean(axis=0)
    d = np.hypot(*(xy - centre).T)
    sd = math.sqrt(float(np.mean(np.sum((xy - centre) ** 2, axis=1))))
    dm = float(np.median(d))
    h = 0.9 * min(sd, math.sqrt(1 / math.log(2)) * dm) * n**-0.2
    return h if h > 0 else max(sd, 1.0)


def density_surface(
    points: gpd.GeoDataFrame,
    *,
    bandwidth: float | None = None,
    cell_size: float | None = None,
    levels: int | Sequence[float] = 5,
    min_count: int | None = None,
    area: gpd.GeoDataFrame | None = None,
) -> gpd.GeoDataFrame:
    """Kernel density of incidents as contour polygons, safe to draw on a map.

    Parameters
    ----------
    points : geopandas.GeoDataFrame
        Incident points (e.g. occupations) with a CRS.
    bandwidth : float, optional
        Kernel radius in metres; default :func:`default_bandwidth`.
    cell_size : float, optional
        Raster cell in metres; default bandwidth / 5 (coarser if the raster
        would exceed 250,000 cells).
    levels : int or sequence of float
        Number of equal-interval classes between 0 and the highest density,
        or the class breaks themselves (incidents per km², increasing).
    min_count : int, optional
        Suppression threshold (default
        :data:`geo_alloggi.config.suppression_threshold`).
    area : geopandas.GeoDataFrame, optional
        Polygons outside which the surface is masked (e.g. the study area).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per class with polygons: ``level`` (1 = lowest),
        ``density_min``, ``density_max`` (incidents per km²), ``geometry``
        (EPSG:4326). ``attrs`` holds ``bandwidth_m``, ``cell_size_m``,
        ``min_count`` and ``n_points``. Empty when no cell reaches
        ``min_count``.

    Raises
    ------
    ValidationError
        Non-point input, bad bandwidth, cell size or levels.

    Notes
    -----
    Quartic (biweight) kernel of radius ``bandwidth`` as in ArcGIS's Kernel
    Density, ``K(d) = 3/(π h²) (1 − d²/h²)²`` for d < h, evaluated at raster
    cell centres in the metric CRS, so the surface integrates to the number
    of incidents. Suppression: the kernel has compact support, so the density
    at a cell depends only on the incidents within ``bandwidth`` of it. Every
    cell with fewer than ``min_count`` incidents within that radius is masked
    before contouring, so no polygon edge is drawn from fewer incidents than
    the threshold (an isolated incident, or a group of fewer than
    ``min_count``, leaves no trace).

    Memory: incidents at the same place are summed once, weighted by their
    number, and the places are taken in chunks, so the extra memory does not
    grow with the number of (cell, incident) pairs (a million occupations
    at two thousand estates take a few tens of MB). The densities equal the
    sum over every pair to a relative 1e-12 (only the order of the additions
    differs); the counts that decide the mask are exact.
    """
    xy = metric_points(points)
    k_min = config.suppression_threshold if min_count is None else int(min_count)
    if k_min < 1:
        raise ValidationError(f"min_count={min_count!r} must be at least 1")
    empty = gpd.GeoDataFrame(
        {
            "level": pd.Series([], dtype="int64"),
            S.DENSITY_MIN: pd.Series([], dtype=float),
            S.DENSITY_MAX: pd.Series([], dtype=float),
        },
        geometry=gpd.GeoSeries([], crs=config.geographic_crs),
    )
    if len(xy) < k_min:
        warn(
            f"{len(xy)} incident(s), fewer than the suppression threshold {k_min}: "
            "empty density surface",
            "density.too_few",
            n=len(xy),
            minimum=k_min,
            stacklevel=2,
        )
        return empty
    h = default_bandwidth(xy) if bandwidth is None else float(bandwidth)
    if not h > 0:
        raise ValidationError(
            f"bandwidth={bandwidth!r} must be a positive number of metres"
        )
    gx, gy, cs = _raster(xy, h, cell_size)
    X, Y = np.meshgrid(gx, gy)
    centres = np.column_stack([X.ravel(), Y.ravel()])
    dens, near = _kernel_sums(centres, xy, h, cs)
    masked = near < k_min
    if area is not None:
        require_geodataframe(area, "area")
        region = shapely.union_all(area.geometry.to_crs(config.metric_crs).to_numpy())
        shapely.prepare(region)
        masked |= ~shapely.contains_xy(region, centres[:, 0], centres[:, 1])
    Z = np.ma.masked_array(dens.reshape(X.shape), mask=masked.reshape(X.shape))
    if Z.count() == 0:
        warn(
            f"no place has {k_min} or more incidents within {h:.0f} m: empty density "
            "surface",
            "density.sparse",
            minimum=k_min,
            radius_m=round(h),
            stacklevel=2,
        )
        return empty
    rows = _contour_classes(gx, gy, Z, _class_breaks(levels, float(Z.max())))
    if not rows:
        return empty
    out = gpd.GeoDataFrame(rows, geometry="geometry", crs=config.metric_crs).to_crs(
        config.geographic_crs
    )
    out["level"] = out["level"].astype("int64")
    out.attrs.update(
        {"bandwidth_m": h, "cell_size_m": cs, "min_count": k_min, "n_points": len(xy)}
    )
    log.info(
        "density surface: %d points, bandwidth %.0f m, cell %.0f m, %d classes, "
        "cells with fewer than %d incidents within the bandwidth masked",
        len(xy),
        h,
        cs,
        len(out),
        k_min,
    )
    return out


def _raster(
    xy: np.ndarray, h: float, cell_size: float | None
) -> tuple[np.ndarray, np.ndarray, float]:
    """Cell-centre coordinates along x and y, and the cell size, of the raster.

    The raster covers the points' extent grown by the bandwidth ``h``.
    """
    minx, miny = xy.min(axis=0) - h
    maxx, maxy = xy.max(axis=0) + h
    cs = h / 5 if cell_size is None else float(cell_size)
    if not cs > 0:
        raise ValidationError(
            f"cell_size={cell_size!r} must be a positive number of metres"
        )
    if cell_size is None:
        cs = max(cs, math.sqrt((maxx - minx) * (maxy - miny) / 250_000))
    gx = np.arange(minx, maxx + cs, cs)
    gy = np.arange(miny, maxy + cs, cs)
    if len(gx) * len(gy) > 4_000_000:
        raise ValidationError(
            f"cell_size={cell_size!r} gives {len(gx) * len(gy)} raster cells; "
            "expected at most 4,000,000"
        )
    return gx, gy, cs


#: Largest number of (cell, location) pairs held in memory at once.
_PAIRS_PER_CHUNK = 2_000_000


def _kernel_sums(
    centres: np.ndarray, xy: np.ndarray, h: float, cell_size: float
) -> tuple[np.ndarray, np.ndarray]:
    """Quartic-kernel density (per km²) and incident count within ``h`` per cell.

    Incidents at the same place (the occupations of one estate) are summed
    once, weighted by their number; the distinct places are taken in chunks
    so that at most about :data:`_PAIRS_PER_CHUNK` (cell, place) pairs are
    held at once, whatever the number of incidents. The sums equal those
    over every (cell, incident) pair up to floating-point rounding (the
    order of the additions changes): relative 1e-12 on the density, exact
    on the counts.
    """
    # pairs of metric points within a distance, in memory: cKDTree (see
    # stats/__init__); here every cell centre × place pair closer than h
    codes, places = distinct_places(xy)
    weight = np.bincount(codes, minlength=len(places))
    cells = cKDTree(centres)
    # cells within h of a place: about π h² / cell area (and 1 at least)
    per_place = min(len(centres), math.pi * (h / cell_size + 1) ** 2)
    step = max(1, int(_PAIRS_PER_CHUNK / max(per_place, 1.0)))
    dens = np.zeros(len(centres))
    near = np.zeros(len(centres))
    for start in range(0, len(places), step):
        w = weight[start : start + step].astype(float)
        sdm = cKDTree(places[start : start + step]).sparse_distance_matrix(
            cells, max_distance=h, output_type="coo_matrix"
        )
        u = (sdm.data / h) ** 2
        kern = 3.0 / (math.pi * h * h) * (1.0 - u) ** 2
        dens += np.bincount(sdm.col, weights=kern * w[sdm.row], minlength=len(dens))
        near += np.bincount(sdm.col, weights=w[sdm.row], minlength=len(near))
        # (the COO output keeps pairs at distance 0: a point on a cell centre counts)
    return dens * 1e6, near


def _class_breaks(levels: int | Sequence[float], top: float) -> np.ndarray:
    """Class breaks from 0 to the highest density ``top``."""
    if isinstance(levels, int):
        if levels < 1:
            raise ValidationError(f"levels={levels!r} must be at least 1")
        return np.linspace(0.0, top, levels + 1)
    breaks = np.asarray([0.0, *levels, top], dtype=float)
    breaks = np.unique(breaks[breaks <= top])
    if len(breaks) < 2:
        raise ValidationError(f"levels={levels!r} leaves no class below the maximum")
    return breaks


def _contour_classes(
    gx: np.ndarray, gy: np.ndarray, Z: np.ma.MaskedArray, breaks: np.ndarray
) -> list[dict[str, object]]:
    """One row (level, bounds, polygon) per class between consecutive breaks."""
    from contourpy import FillType, contour_generator

    gen = contour_generator(gx, gy, Z, fill_type=FillType.OuterOffset, corner_mask=True)
    rows: list[dict[str, object]] = []
    for k in range(len(breaks) - 1):
        lo, hi = float(breaks[k]), float(breaks[k + 1])
        filled = gen.filled(lo, hi if k < len(breaks) - 2 else hi * (1 + 1e-9))
        pts_list: list[np.ndarray] = list(filled[0])  # type: ignore[arg-type]
        offs_list: list[np.ndarray] = list(filled[1])  # type: ignore[arg-type]
        polys = []
        for pts, offs in zip(pts_list, offs_list, strict=True):
            rings = [pts[offs[j] : offs[j + 1]] for j in range(len(offs) - 1)]
            if len(rings[0]) >= 4:
                polys.append(
                    shapely.Polygon(rings[0], [r for r in rings[1:] if len(r) >= 4])
                )
        if not polys:
            continue
        geom = shapely.make_valid(shapely.union_all(polys))
        rows.append(
            {"level": k + 1, S.DENSITY_MIN: lo, S.DENSITY_MAX: hi, "geometry": geom}
        )
    return rows
