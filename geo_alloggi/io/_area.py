"""Test whether points fall inside the study area (polygons or a bounding box).

The study area is where record coordinates must fall: Milano's NIL plus
Cinisello Balsamo, widened by :data:`AREA_TOLERANCE_M` so that estates on a
border street are not rejected. :func:`area_test` turns it into a vectorised
``inside(lon, lat)`` function.
"""

from __future__ import annotations

import warnings
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from geo_alloggi import config
from geo_alloggi._errors import DataUnavailableError, ValidationError

#: Rough bounds (lon_min, lat_min, lon_max, lat_max) of the study area (Milano
#: and Cinisello Balsamo), used only when the official boundaries are missing.
STUDY_AREA_BOUNDS: tuple[float, float, float, float] = (9.035, 45.383, 9.283, 45.582)

#: Points this far outside the study-area boundary (metres) are still accepted:
#: geocoded estates on a border street sit a few metres off the line.
AREA_TOLERANCE_M = 50.0


_AREA_CACHE: dict[str, Any] = {}


def area_test(study_area: Any) -> Any:
    """Return a function (lon, lat) -> inside mask, and the area's bounds."""
    if study_area is None:
        if "default" not in _AREA_CACHE:
            try:
                from geo_alloggi.boundaries import load_districts

                study_area = load_districts("study_area")
            except DataUnavailableError as exc:
                warnings.warn(
                    "study-area boundaries unavailable "
                    f"({str(exc).split(';')[0]}); checking coordinates against the "
                    f"rough bounds {STUDY_AREA_BOUNDS} instead",
                    UserWarning,
                    stacklevel=5,
                )
                _AREA_CACHE["default"] = _bbox_test(STUDY_AREA_BOUNDS)
                return _AREA_CACHE["default"]
            _AREA_CACHE["default"] = _polygon_test(study_area)
        return _AREA_CACHE["default"]
    if isinstance(study_area, tuple | list) and len(study_area) == 4:
        return _bbox_test(tuple(float(v) for v in study_area))
    if isinstance(study_area, gpd.GeoDataFrame | gpd.GeoSeries):
        if study_area.crs is None:
            raise ValidationError(
                "study_area has no CRS; set it explicitly (geo_alloggi never "
                "guesses a CRS)"
            )
        return _polygon_test(study_area)
    raise ValidationError(
        f"study_area must be a GeoDataFrame, a (minx, miny, maxx, maxy) tuple or "
        f"None, got {type(study_area).__name__!r}"
    )


def _bbox_test(bounds: tuple[float, ...]) -> Any:
    minx, miny, maxx, maxy = bounds

    def inside(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return (x >= minx) & (x <= maxx) & (y >= miny) & (y <= maxy)

    return inside


def _polygon_test(study_area: gpd.GeoDataFrame | gpd.GeoSeries) -> Any:
    geoms = (
        study_area.geometry if isinstance(study_area, gpd.GeoDataFrame) else study_area
    )
    metric = geoms.to_crs(config.metric_crs)
    area = shapely.union_all(metric.to_numpy()).buffer(AREA_TOLERANCE_M, 4)
    area = gpd.GeoSeries([area], crs=config.metric_crs).to_crs(config.geographic_crs)
    poly = area.iloc[0]
    shapely.prepare(poly)
    minx, miny, maxx, maxy = poly.bounds

    def inside(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        out = (x >= minx) & (x <= maxx) & (y >= miny) & (y <= maxy)
        idx = np.flatnonzero(out)
        if len(idx):
            out[idx] = shapely.contains_xy(poly, x[idx], y[idx])
        return out

    return inside
