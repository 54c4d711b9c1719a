"""Where estates lie: their district, and whether they sit in or near a hot spot.

:func:`estate_districts` links each estate to its district by the one district
rule of :func:`geo_alloggi.overlay.assign_districts` (so evictions and trends
are counted in the district where the district table counts the estate);
:func:`hot_districts` and :func:`near_hot_spots` flag the estates exposed to a
current hot spot, the strata of the renovation risk model.
"""

from __future__ import annotations

import math
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd

from geo_alloggi import _schema as S
from geo_alloggi import config
from geo_alloggi._errors import GeoAlloggiWarning, ValidationError, warn
from geo_alloggi._validate import require_columns
from geo_alloggi.linking import estate_points, placed_points
from geo_alloggi.overlay import assign_districts, lonlat_points
from geo_alloggi.priorities._common import emerging_series

__all__ = ["HOT_CATEGORIES", "estate_districts", "hot_districts", "near_hot_spots"]

#: The overlay's notes on points, said of estates (same values).
_AS_ESTATES = {
    "overlay.outside": "priorities.estates_outside",
    "overlay.no_position": "priorities.estates_unplaced",
}

#: Categories that count as "in a hot spot now" for the renovation risk model.
HOT_CATEGORIES: tuple[str, ...] = tuple(
    c
    for c in S.EMERGING_CATEGORIES
    if c.endswith("Hot Spot") and c != "Historical Hot Spot"
)


def _located_estates(estates: gpd.GeoDataFrame) -> gpd.GeoSeries:
    """Metric point of each placed estate, indexed by ``estate_id``.

    Estates without a position are left out, with a warning naming a few.
    """
    if not isinstance(estates, gpd.GeoDataFrame) or estates.crs is None:
        raise ValidationError(
            "estates must be a GeoDataFrame with a CRS "
            "(geo_alloggi never guesses a CRS)"
        )
    pts = estate_points(estates)
    placed = ~pts.isna().to_numpy()
    if (~placed).any():
        missing = estates.loc[~placed, S.ESTATE_ID].astype(str).tolist()
        warn(
            f"{len(missing)} estate(s) have no position and are left out of "
            f"the spatial link, e.g. {missing[:5]!r}",
            "priorities.estates_unplaced",
            n=len(missing),
            sample=missing[:5],
            stacklevel=3,
        )
    return gpd.GeoSeries(
        pts[placed].to_numpy(),
        index=estates.loc[placed, S.ESTATE_ID].astype(str).to_numpy(),
        crs=config.metric_crs,
    )


def _estate_positions(estates: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return one point per estate in the estates' own CRS, with id and comune.

    A point stays itself (never reprojected here, so a point on a border stays
    on it); another geometry gives its representative point; an estate
    without geometry takes its ``lon``/``lat`` when it has them (as
    :func:`geo_alloggi.overlay.aggregate` does), else has no position (its
    ``comune`` may still place it).
    """
    placed, present = placed_points(estates.geometry)
    points = np.full(len(estates), None, dtype=object)
    points[present] = placed.to_numpy()
    fill, filled = lonlat_points(estates, ~present, estates.crs)
    points[fill] = filled
    keep = [c for c in (S.ESTATE_ID, S.COMUNE, S.COMUNE_ISTAT) if c in estates]
    return gpd.GeoDataFrame(
        pd.DataFrame(estates[keep]).assign(
            **{S.ESTATE_ID: estates[S.ESTATE_ID].astype(str)}
        ),
        geometry=gpd.GeoSeries(points, index=estates.index, crs=estates.crs),
        crs=estates.crs,
    )


def estate_districts(
    estates: gpd.GeoDataFrame, districts: gpd.GeoDataFrame
) -> pd.Series:
    """Return the district holding each estate, by the package's one district rule.

    Parameters
    ----------
    estates : geopandas.GeoDataFrame
        Estates with ``estate_id`` and point (or polygon) geometry and a CRS;
        optional ``lon``/``lat`` (used when the geometry is missing) and
        ``comune``.
    districts : geopandas.GeoDataFrame
        District layer with ``district_id`` and a CRS.

    Returns
    -------
    pandas.Series
        ``district_id`` indexed by ``estate_id`` (named ``district_id``);
        estates without a position or outside every district are absent
        (warning).

    Raises
    ------
    ValidationError, CRSError
        If a layer lacks its id column or its CRS.

    Notes
    -----
    The district comes from :func:`geo_alloggi.overlay.assign_districts`,
    the rule :func:`geo_alloggi.overlay.aggregate` places estates and their
    records with: a point on a border shared by several districts goes to
    the lowest ``district_id``; an estate without a position goes to the one
    district of its ``comune`` when that comune is a single district of the
    layer. So an estate's evictions count in the same district here as in the
    district table.
    """
    require_columns(estates, [S.ESTATE_ID], "estates")
    require_columns(districts, [S.DISTRICT_ID], "districts")
    if not isinstance(estates, gpd.GeoDataFrame) or estates.crs is None:
        raise ValidationError(
            "estates must be a GeoDataFrame with a CRS "
            "(geo_alloggi never guesses a CRS)"
        )
    if not isinstance(districts, gpd.GeoDataFrame) or districts.crs is None:
        raise ValidationError("districts must be a GeoDataFrame with a CRS")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        placed = assign_districts(
            _estate_positions(estates), districts, id_column=S.ESTATE_ID
        )
    for w in caught:  # said again as estates, from the caller's line
        said = w.message
        text = str(said).replace("point(s)", "estate(s)").replace("points:", "estates:")
        if isinstance(said, GeoAlloggiWarning) and said.key:
            key = _AS_ESTATES.get(said.key, said.key)
            warn(text, key, stacklevel=2, **said.params)
        else:
            warnings.warn(text, w.category, stacklevel=2)
    placed = placed[placed[S.DISTRICT_ID].notna()]
    return pd.Series(
        placed[S.DISTRICT_ID].astype(str).to_numpy(),
        index=pd.Index(placed[S.ESTATE_ID].to_numpy(), name=S.ESTATE_ID),
        name=S.DISTRICT_ID,
    ).sort_index()


def hot_districts(emerging: pd.DataFrame | pd.Series) -> pd.Series:
    """Flag the areas whose emerging category is a current hot spot.

    Parameters
    ----------
    emerging : pandas.DataFrame or pandas.Series
        Output of :func:`geo_alloggi.stats.emerging_hotspots` (``district_id``
        and ``emerging_category``) or a Series of categories indexed by id.

    Returns
    -------
    pandas.Series
        Boolean, indexed by area id: True for the categories in
        :data:`HOT_CATEGORIES` (every hot-spot category but "Historical").
    """
    ser = emerging_series(emerging, S.DISTRICT_ID)
    return ser.isin(HOT_CATEGORIES).rename("hot")


def near_hot_spots(
    estates: gpd.GeoDataFrame,
    districts: gpd.GeoDataFrame,
    hot: pd.Series,
    *,
    distance_m: float = 500.0,
) -> pd.Series:
    """Flag estates lying in, or within ``distance_m`` of, a hot district.

    Parameters
    ----------
    estates : gpd.GeoDataFrame
        Estates with ``estate_id``, geometry and CRS.
    districts : gpd.GeoDataFrame
        District layer with ``district_id``, geometry and CRS.
    hot : pd.Series
        Boolean Series indexed by ``district_id`` (e.g. :func:`hot_districts`
        or ``districts.set_index("district_id").hotspot > 0``).
    distance_m : float, optional
        Distance in metres, measured in :data:`geo_alloggi.config.metric_crs`.

    Returns
    -------
    pandas.Series
        Boolean indexed by ``estate_id`` (every estate; unplaced ones False).
    """
    require_columns(estates, [S.ESTATE_ID], "estates")
    require_columns(districts, [S.DISTRICT_ID], "districts")
    if not isinstance(districts, gpd.GeoDataFrame) or districts.crs is None:
        raise ValidationError("districts must be a GeoDataFrame with a CRS")
    if not math.isfinite(distance_m) or distance_m < 0:
        raise ValidationError(f"distance_m={distance_m!r} must be a finite number >= 0")
    flags = pd.Series(hot).astype(bool)
    flags.index = flags.index.astype(str)
    out = pd.Series(
        False, index=pd.Index(estates[S.ESTATE_ID].astype(str), name=S.ESTATE_ID)
    )
    ids = districts[S.DISTRICT_ID].astype(str)
    hot_polys = districts[ids.map(flags).fillna(False).astype(bool).to_numpy()]
    if hot_polys.empty:
        return out.rename("near_hot_spot")
    pts = _located_estates(estates)
    union = hot_polys.to_crs(config.metric_crs).geometry.union_all()
    near = pts.distance(union) <= distance_m
    out.loc[near.index[near.to_numpy()]] = True
    return out.rename("near_hot_spot")
