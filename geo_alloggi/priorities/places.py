"""Where estates lie: their district, and whether they sit in or near a hot spot.

:func:`estate_districts` links each estate to its district (so evictions and
trends can be counted per district); :func:`hot_districts` and
:func:`near_hot_spots` flag the estates exposed to a current hot spot, the
strata of the renovation risk model.
"""

from __future__ import annotations

import math
import warnings

import geopandas as gpd
import pandas as pd

from geo_alloggi import _schema as S
from geo_alloggi import config
from geo_alloggi._errors import ValidationError
from geo_alloggi._validate import require_columns
from geo_alloggi.linking import estate_points
from geo_alloggi.priorities._common import emerging_series

__all__ = ["HOT_CATEGORIES", "estate_districts", "hot_districts", "near_hot_spots"]

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
        warnings.warn(
            f"{len(missing)} estate(s) have no position and are left out of "
            f"the spatial link, e.g. {missing[:5]!r}",
            UserWarning,
            stacklevel=3,
        )
    return gpd.GeoSeries(
        pts[placed].to_numpy(),
        index=estates.loc[placed, S.ESTATE_ID].astype(str).to_numpy(),
        crs=config.metric_crs,
    )


def estate_districts(
    estates: gpd.GeoDataFrame, districts: gpd.GeoDataFrame
) -> pd.Series:
    """Return the district holding each estate (point in polygon, metric CRS).

    Parameters
    ----------
    estates : gpd.GeoDataFrame
        Estates with ``estate_id`` and point (or polygon) geometry and a CRS.
    districts : gpd.GeoDataFrame
        District layer with ``district_id`` and a CRS.

    Returns
    -------
    pandas.Series
        ``district_id`` indexed by ``estate_id`` (named ``district_id``); estates
        without a position or outside every district are absent (warning).

    Raises
    ------
    ValidationError, CRSError
        If a layer lacks its id column or its CRS.
    """
    require_columns(estates, [S.ESTATE_ID], "estates")
    require_columns(districts, [S.DISTRICT_ID], "districts")
    if not isinstance(districts, gpd.GeoDataFrame) or districts.crs is None:
        raise ValidationError("districts must be a GeoDataFrame with a CRS")
    pts = _located_estates(estates)
    polys = districts[[S.DISTRICT_ID, "geometry"]].to_crs(config.metric_crs)
    left = gpd.GeoDataFrame(
        {S.ESTATE_ID: pts.index}, geometry=pts.to_numpy(), crs=pts.crs
    )
    joined = gpd.sjoin(left, polys, how="left", predicate="within")
    joined = joined.sort_values([S.ESTATE_ID, S.DISTRICT_ID]).drop_duplicates(
        S.ESTATE_ID
    )
    outside = joined[joined[S.DISTRICT_ID].isna()][S.ESTATE_ID].tolist()
    if outside:
        warnings.warn(
            f"{len(outside)} estate(s) fall outside every district, "
            f"e.g. {outside[:5]!r}",
            UserWarning,
            stacklevel=2,
        )
    joined = joined.dropna(subset=[S.DISTRICT_ID])
    return pd.Series(
        joined[S.DISTRICT_ID].astype(str).to_numpy(),
        index=pd.Index(joined[S.ESTATE_ID].to_numpy(), name=S.ESTATE_ID),
        name=S.DISTRICT_ID,
    ).sort_index()


def hot_districts(emerging: pd.DataFrame | pd.Series) -> pd.Series:
    """Flag the areas whose emerging category is a current hot spot.

    Parameters
    ----------
    emerging : pd.DataFrame | pd.Series
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
