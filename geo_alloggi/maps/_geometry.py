"""Geometries for the page: simplified, reprojected, rounded, written once per map.

District polygons are simplified with :func:`shapely.coverage_simplify`
(shared edges stay shared) in ``config.metric_crs``, reprojected to
``config.geographic_crs`` and rounded to ``precision`` decimals. Several
layers draw the same districts; their coordinates go into the map's
:class:`~geo_alloggi.maps._elements.GeometryStore` once and each layer
carries only properties that point at them.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import shapely

from geo_alloggi import config
from geo_alloggi.maps._elements import GeoJsonLayer, GeometryStore

__all__ = [
    "DEFAULT_PRECISION",
    "DEFAULT_SIMPLIFY_M",
    "GEOMETRY_CACHE",
    "add_district_layer",
    "feature_collection",
    "prepare_geometry",
    "shared_features",
]

#: Tolerance (metres) of the topology-preserving simplification of polygons.
DEFAULT_SIMPLIFY_M: float = 12.0
#: Decimal places kept in coordinates (5 ≈ 1 m).
DEFAULT_PRECISION: int = 5

_GeometryKey = tuple[str, str, float, int]
#: Prepared geometries by WKB digest, CRS and options (the 16 most recent).
GEOMETRY_CACHE: OrderedDict[_GeometryKey, np.ndarray] = OrderedDict()


def _geometry_key(
    gdf: gpd.GeoDataFrame, *, simplify_m: float, precision: int
) -> _GeometryKey:
    geom = gdf.geometry
    wkb = shapely.to_wkb(np.asarray(geom.values, dtype=object))
    digest = hashlib.sha1(b"|".join(b"" if w is None else w for w in wkb)).hexdigest()
    return (digest, str(geom.crs), float(simplify_m), int(precision))


def prepare_geometry(
    gdf: gpd.GeoDataFrame, *, simplify_m: float, precision: int
) -> np.ndarray:
    """Simplify polygons keeping shared edges shared, reproject, round coordinates.

    The result is cached by the geometries' WKB (the same districts are drawn
    by several layers of a meeting map).
    """
    geom = gdf.geometry
    key = _geometry_key(gdf, simplify_m=simplify_m, precision=precision)
    if key in GEOMETRY_CACHE:
        GEOMETRY_CACHE.move_to_end(key)
        return GEOMETRY_CACHE[key].copy()
    out = _simplify_round(geom, simplify_m=simplify_m, precision=precision)
    GEOMETRY_CACHE[key] = out
    while len(GEOMETRY_CACHE) > 16:
        GEOMETRY_CACHE.popitem(last=False)
    return out.copy()


def _simplify_round(
    geom: gpd.GeoSeries, *, simplify_m: float, precision: int
) -> np.ndarray:
    arr = np.asarray(geom.to_crs(config.metric_crs).values, dtype=object)
    ok = ~(shapely.is_missing(arr) | shapely.is_empty(arr))
    polygonal = ok & np.isin(shapely.get_type_id(arr), [3, 6])
    if simplify_m > 0 and polygonal.any():
        part = arr[polygonal]
        try:
            simplified = shapely.coverage_simplify(part, simplify_m)
        except shapely.errors.GEOSException:  # not a clean coverage
            simplified = shapely.simplify(part, simplify_m, preserve_topology=True)
        arr = arr.copy()
        arr[polygonal] = simplified
    out = gpd.GeoSeries(arr, crs=config.metric_crs).to_crs(config.geographic_crs)
    values = np.asarray(out.values, dtype=object)
    return shapely.transform(values, lambda c: np.round(c, precision))


def shared_features(
    m: folium.Map,
    gdf: gpd.GeoDataFrame,
    props: list[dict[str, Any]],
    *,
    simplify_m: float,
    precision: int,
) -> dict[str, Any]:
    """Layer data referring to geometries stored once per map (``GA.geoms``).

    The districts are drawn by several layers; their coordinates are written
    once and each layer carries only its properties, each with ``gi``, the
    index of its geometry. Empty geometries are left out.
    """
    key = _geometry_key(gdf, simplify_m=simplify_m, precision=precision)
    geoms = prepare_geometry(gdf, simplify_m=simplify_m, precision=precision)
    store = m._children.get("ga_geometry")
    if not isinstance(store, GeometryStore):
        store = GeometryStore()
        m.add_child(store, name="ga_geometry")
        m._children.move_to_end("ga_geometry", last=False)  # before every layer
    short = store.keys.get(key)
    if short is None:
        short = f"g{len(store.keys) + 1}"
        store.keys[key] = short
        store.geoms[short] = [
            None if g is None or shapely.is_empty(g) else shapely.geometry.mapping(g)
            for g in geoms
        ]
    features = [
        {**p, "gi": i}
        for i, (g, p) in enumerate(zip(geoms, props, strict=True))
        if not (g is None or shapely.is_empty(g))
    ]
    return {"g": short, "f": features}


def add_district_layer(
    m: folium.Map,
    gdf: gpd.GeoDataFrame,
    props: list[dict[str, Any]],
    *,
    simplify_m: float,
    precision: int,
    **layer_kwds: Any,
) -> folium.Map:
    """Add a layer of the districts, their geometry shared with the other layers."""
    m.add_child(
        GeoJsonLayer(
            shared_features(m, gdf, props, simplify_m=simplify_m, precision=precision),
            **layer_kwds,
        )
    )
    return m


def feature_collection(
    geoms: np.ndarray, props: list[dict[str, Any]]
) -> dict[str, Any]:
    """Return a GeoJSON FeatureCollection of the non-empty geometries."""
    features = []
    for g, p in zip(geoms, props, strict=True):
        if g is None or shapely.is_empty(g):
            continue
        features.append(
            {
                "type": "Feature",
                "properties": p,
                "geometry": shapely.geometry.mapping(g),
            }
        )
    return {"type": "FeatureCollection", "features": features}
