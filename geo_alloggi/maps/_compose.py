"""The coordination-meeting map composed in one call from whatever layers are given."""

from __future__ import annotations

from typing import Any

import folium
import geopandas as gpd
import pandas as pd

from geo_alloggi import _schema as S
from geo_alloggi import config
from geo_alloggi._errors import ValidationError
from geo_alloggi._i18n import t
from geo_alloggi._validate import require_geodataframe
from geo_alloggi.maps._base import add_controls, base_map
from geo_alloggi.maps._checks import check_districts
from geo_alloggi.maps._geometry import DEFAULT_PRECISION, DEFAULT_SIMPLIFY_M
from geo_alloggi.maps._layers import (
    basemap_layer,
    choropleth_layer,
    density_layer,
    emerging_layer,
    hotspot_layer,
    outline_layer,
    street_layer,
)
from geo_alloggi.maps._markers import estates_layer, priority_layer, renovation_layer
from geo_alloggi.maps._time_slider import time_slider_layer

__all__ = ["meeting_map"]


def meeting_map(
    districts: gpd.GeoDataFrame,
    *,
    column: str = S.OCCUPIED_PER_100,
    estates: gpd.GeoDataFrame | None = None,
    comuni: gpd.GeoDataFrame | None = None,
    contours: gpd.GeoDataFrame | None = None,
    periods: pd.DataFrame | None = None,
    slider_column: str = S.OCCUPIED,
    patrol: pd.DataFrame | None = None,
    renovation: Any = None,
    title: str | None = None,
    tiles: str | None = None,
    street_tiles: bool | str = True,
    street_attribution: str | None = None,
    lang: str = "it",
    synthetic: bool = False,
    threshold: int | None = None,
    allow_small: bool = False,
    simplify_m: float = DEFAULT_SIMPLIFY_M,
    precision: int = DEFAULT_PRECISION,
) -> folium.Map:
    """Compose the coordination-meeting map from whatever layers are given.

    Parameters
    ----------
    districts : geopandas.GeoDataFrame
        Districts joined with statistics: ``column`` is mapped as a
        choropleth; ``hotspot``/``gi_bin`` and ``emerging_category`` add the
        hot-spot and emerging layers when present; the outlines (labelled,
        searchable) are always drawn.
    column : str, default 'occupied_per_100'
        The rate of the main choropleth (default ``occupied_per_100``).
    estates : geopandas.GeoDataFrame or None, default None
        Estate points with aggregated counts (clustered markers).
    comuni : geopandas.GeoDataFrame or None, default None
        Comuni for the vector basemap (e.g. ``load_districts("comuni",
        all_comuni=True)``).
    contours : geopandas.GeoDataFrame or None, default None
        Density contours with a ``level`` column.
    periods : pandas.DataFrame or None, default None
        Per-period table (``district_id``, ``period``, ``slider_column``) for
        the time slider.
    slider_column : str, default 'occupied'
        Value shown by the time slider (default ``occupied``).
    patrol : pandas.DataFrame or None, default None
        Ranked patrol table (``rank``, ``priority_score``, ``reasons``, as made by
        :func:`geo_alloggi.priorities.patrol_priority`); a district table
        (``district_id``) takes its geometry from ``districts``, an estate table
        (``estate_id``) from ``estates``.
    renovation : pandas.DataFrame, RenovationPlan or None, default None
        Ranked renovation table, placed as ``patrol``; or a
        :class:`~geo_alloggi.priorities.RenovationPlan` (or its ``plan`` table).
    title : str or None, default None
        See :func:`base_map`.
    tiles : str or None, default None
        See :func:`base_map`.
    lang : str, default 'it'
        See :func:`base_map`.
    synthetic : bool, default False
        See :func:`base_map`.
    street_tiles : bool or str, default True
        Offer an online street basemap, switched off at opening (see
        :func:`street_layer`): ``True`` (default) uses
        ``config.street_tiles_url`` (OpenStreetMap's tiles; none when that is
        ``None``), a string is the tile URL template, ``False`` leaves it out.
        While it is off the page requests nothing.
    street_attribution : str or None, default None
        Attribution of a ``street_tiles`` server other than OpenStreetMap.
    threshold : int or None, default None
        Suppression threshold of small counts (see :func:`choropleth_layer`).
    allow_small : bool, default False
        Show counts below ``threshold`` (see :func:`choropleth_layer`).
    simplify_m : float, default 12.0
        Simplification tolerance in metres.
    precision : int, default 5
        Decimals kept in coordinates.

    Returns
    -------
    folium.Map
        Render it with :func:`save_offline`.

    Raises
    ------
    ValidationError, CRSError
        From the layer builders.
    """
    gdf = check_districts(districts, "districts", [column])
    frames = [gdf.geometry.to_crs(config.geographic_crs)]
    if estates is not None:
        frames.append(
            require_geodataframe(estates, "estates").geometry.to_crs(
                config.geographic_crs
            )
        )
    bounds = pd.concat(frames).total_bounds
    m = base_map(
        tuple(bounds),
        tiles=tiles,
        lang=lang,
        title=title or t("title.meeting", lang),
        synthetic=synthetic,
    )
    common: dict[str, Any] = {
        "lang": lang,
        "synthetic": synthetic,
        "precision": precision,
    }
    small: dict[str, Any] = {"threshold": threshold, "allow_small": allow_small}
    if not isinstance(street_tiles, (bool, str)):
        raise ValidationError(
            f"street_tiles must be True, False or a tile URL, got {street_tiles!r}"
        )
    street_url = (
        street_tiles
        if isinstance(street_tiles, str)
        else (config.street_tiles_url if street_tiles else None)
    )
    if street_url:
        street_layer(
            m,
            url=street_url,
            attribution=street_attribution,
            attribution_url="" if street_attribution else None,
            lang=lang,
        )
    if comuni is not None:
        basemap_layer(comuni, m=m, **common)
    choropleth_layer(
        gdf, column, m=m, search=False, simplify_m=simplify_m, **common, **small
    )
    if S.HOTSPOT in gdf.columns or S.GI_BIN in gdf.columns:
        hotspot_layer(gdf, m=m, show=False, simplify_m=simplify_m, **common)
    if S.EMERGING in gdf.columns:
        emerging_layer(gdf, m=m, show=False, simplify_m=simplify_m, **common)
    if periods is not None:
        time_slider_layer(
            gdf,
            periods,
            column=slider_column,
            m=m,
            show=False,
            simplify_m=simplify_m,
            **common,
            **small,
        )
    if contours is not None:
        density_layer(contours, m=m, show=False, **common)
    if renovation is not None and S.SELECTED in getattr(renovation, "plan", renovation):
        if estates is None:
            raise ValidationError("a renovation plan is per estate: pass estates=")
        renovation_layer(renovation, estates=estates, m=m, **common, **small)
        renovation = None
    for table, kind in ((patrol, "patrol"), (renovation, "renovation")):
        if table is not None:
            _add_priorities(
                m, table, kind, gdf, estates, simplify_m=simplify_m, common=common
            )
    outline_layer(gdf, m=m, simplify_m=simplify_m, **common)
    if estates is not None:
        estates_layer(estates, m=m, by_owner=True, **common, **small)
    return add_controls(m, lang=lang)


def _add_priorities(
    m: folium.Map,
    table: pd.DataFrame,
    kind: str,
    districts: gpd.GeoDataFrame,
    estates: gpd.GeoDataFrame | None,
    *,
    simplify_m: float,
    common: dict[str, Any],
) -> None:
    """Draw a ranked table per estate (on ``estates``) or per district."""
    if S.ESTATE_ID in table.columns and S.DISTRICT_ID not in table.columns:
        if estates is None:
            raise ValidationError(f"{kind} priorities are per estate: pass estates=")
        priority_layer(
            table,
            geometry=estates,
            id_column=S.ESTATE_ID,
            kind=kind,
            m=m,
            simplify_m=simplify_m,
            **common,
        )
    else:
        priority_layer(
            table,
            geometry=None if isinstance(table, gpd.GeoDataFrame) else districts,
            kind=kind,
            m=m,
            simplify_m=simplify_m,
            **common,
        )
