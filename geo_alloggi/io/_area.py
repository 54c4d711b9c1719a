"""Test whether points fall inside the study area (polygons or a bounding box).

The study area is where record coordinates must fall: Milano's NIL plus
Cinisello Balsamo, widened by :data:`AREA_TOLERANCE_M` so that estates on a
border street are not rejected. :func:`area_test` turns it into a vectorised
``inside(lon, lat)`` function. The caller gives the area (for example
``load_districts("study_area")``): ``io`` reads files and never loads the
official boundaries itself.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import TypeAlias

import geopandas as gpd
import numpy as np
import shapely

from geo_alloggi import config
from geo_alloggi._errors import DataUnavailableError, ValidationError, warn

#: Rough bounds (lon_min, lat_min, lon_max, lat_max) of the study area (Milano
#: and Cinisello Balsamo), used when no study area is given.
STUDY_AREA_BOUNDS: tuple[float, float, float, float] = (9.035, 45.383, 9.283, 45.582)

#: Points this far outside the study-area boundary (metres) are still accepted:
#: geocoded estates on a border street sit a few metres off the line.
AREA_TOLERANCE_M = 50.0

#: A study area: polygons (any CRS), a ``(minx, miny, maxx, maxy)`` box in
#: EPSG:4326, or None for :data:`STUDY_AREA_BOUNDS`.
Area: TypeAlias = (
    gpd.GeoDataFrame | gpd.GeoSeries | tuple[float, float, float, float] | None
)
#: A study area, or a function without arguments returning one; the function
#: is called only when a file has coordinates to check.
StudyArea: TypeAlias = Area | Callable[[], Area]

#: ``inside(lon, lat)`` -> boolean array.
InsideTest: TypeAlias = Callable[[np.ndarray, np.ndarray], np.ndarray]

# polygon tests by fingerprint of the area: building one (union and buffer of
# the 89 districts) takes about a second, and the same area is given to every
# file of a bundle
_POLYGON_TESTS: dict[str, InsideTest] = {}
_POLYGON_TESTS_MAX = 4


def area_test(study_area: StudyArea, *, stacklevel: int = 2) -> InsideTest:
    """Return ``inside(lon, lat)``: True for points in the study area.

    Parameters
    ----------
    study_area : GeoDataFrame, GeoSeries, tuple, None or callable
        Polygons (any CRS; widened by :data:`AREA_TOLERANCE_M`), a
        ``(minx, miny, maxx, maxy)`` box in EPSG:4326, None for the rough
        :data:`STUDY_AREA_BOUNDS`, or a function without arguments returning
        one of these (when it raises :class:`DataUnavailableError`, the rough
        bounds are used with a warning).
    stacklevel : int
        Passed to :func:`warnings.warn`, counted from the caller of this
        function.

    Returns
    -------
    callable
        ``inside(lon, lat)`` on arrays of degrees (EPSG:4326).

    Raises
    ------
    ValidationError
        Polygons without a CRS, or a value of another type.
    """
    if callable(study_area):
        try:
            study_area = study_area()
        except DataUnavailableError as exc:
            warn(
                "study-area boundaries unavailable "
                f"({str(exc).split(';')[0]}); checking coordinates against the "
                f"rough bounds {STUDY_AREA_BOUNDS} instead",
                "io.no_study_area",
                stacklevel=stacklevel + 1,
            )
            return _bbox_test(STUDY_AREA_BOUNDS)
    if study_area is None:
        return _bbox_test(STUDY_AREA_BOUNDS)
    if isinstance(study_area, tuple | list) and len(study_area) == 4:
        return _bbox_test(tuple(float(v) for v in study_area))
    if isinstance(study_area, gpd.GeoDataFrame | gpd.GeoSeries):
        if study_area.crs is None:
            raise ValidationError(
                "study_area has no CRS; set it explicitly (geo_alloggi never "
                "guesses a CRS)"
            )
        return _cached_polygon_test(study_area)
    raise ValidationError(
        f"study_area must be a GeoDataFrame, a (minx, miny, maxx, maxy) tuple or "
        f"None (or a function returning one), got {type(study_area).__name__!r}"
    )


def _cached_polygon_test(study_area: gpd.GeoDataFrame | gpd.GeoSeries) -> InsideTest:
    """Return the polygon test of an area, built once per distinct area."""
    geoms = (
        study_area.geometry if isinstance(study_area, gpd.GeoDataFrame) else study_area
    )
    digest = hashlib.blake2b(digest_size=16)
    digest.update(str(geoms.crs).encode())
    for wkb in shapely.to_wkb(geoms.to_numpy()):
        digest.update(wkb or b"")
    key = digest.hexdigest()
    if key not in _POLYGON_TESTS:
        if len(_POLYGON_TESTS) >= _POLYGON_TESTS_MAX:
            _POLYGON_TESTS.pop(next(iter(_POLYGON_TESTS)))
        _POLYGON_TESTS[key] = _polygon_test(geoms)
    return _POLYGON_TESTS[key]


def _bbox_test(bounds: tuple[float, ...]) -> InsideTest:
    """Return the test of a (minx, miny, maxx, maxy) box in EPSG:4326."""
    minx, miny, maxx, maxy = bounds

    def inside(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return (x >= minx) & (x <= maxx) & (y >= miny) & (y <= maxy)

    return inside


def _polygon_test(geoms: gpd.GeoSeries) -> InsideTest:
    """Return the test of the union of polygons, widened by the tolerance.

    A point inside the union is inside; the widened union (a buffer, the
    costly part) is built only when a point falls outside the union.
    """
    union = shapely.union_all(geoms.to_crs(config.metric_crs).to_numpy())
    core = _prepared(union)
    widened: list[InsideTest] = []

    def inside(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        out = _within(core, x, y)
        rest = np.flatnonzero(~out)
        if len(rest):
            if not widened:
                wide = _prepared(union.buffer(AREA_TOLERANCE_M, 4))
                widened.append(lambda a, b: _within(wide, a, b))
            out[rest] = widened[0](x[rest], y[rest])
        return out

    return inside


def _prepared(metric: shapely.Geometry) -> shapely.Geometry:
    """Return a polygon in metres as a prepared polygon in degrees (EPSG:4326)."""
    area = gpd.GeoSeries([metric], crs=config.metric_crs).to_crs(config.geographic_crs)
    poly = area.iloc[0]
    shapely.prepare(poly)
    return poly


def _within(poly: shapely.Geometry, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Points (degrees) inside a prepared polygon, its bounds checked first."""
    minx, miny, maxx, maxy = poly.bounds
    out = (x >= minx) & (x <= maxx) & (y >= miny) & (y <= maxy)
    idx = np.flatnonzero(out)
    if len(idx):
        out[idx] = shapely.contains_xy(poly, x[idx], y[idx])
    return out
