"""Area layers: basemaps, district outlines, choropleth, hot spots, emerging, density.

Each builder takes its data first, options keyword-only and an optional
``m: folium.Map`` to draw on, and returns the map. Builders draw; they never
compute statistics.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo_alloggi import _schema as S
from geo_alloggi import config
from geo_alloggi._errors import ValidationError
from geo_alloggi._i18n import (
    check_lang,
    column_label,
    emerging_label,
    fmt_number,
    hotspot_label,
    t,
)
from geo_alloggi._validate import require_columns, require_geodataframe
from geo_alloggi.maps._base import ensure_map
from geo_alloggi.maps._checks import (
    check_districts,
    check_options,
    check_threshold,
    require_numeric,
    row_dicts,
)
from geo_alloggi.maps._classification import (
    EMERGING_COLORS,
    HOTSPOT_COLORS,
    classify_column,
    extra_rows,
    fill_style,
    hotspot_bins,
    palette,
    value_text,
)
from geo_alloggi.maps._elements import (
    GeoJsonLayer,
    StreetTiles,
    popup_data,
    render_legend,
)
from geo_alloggi.maps._geometry import (
    DEFAULT_PRECISION,
    DEFAULT_SIMPLIFY_M,
    add_district_layer,
    feature_collection,
)

__all__ = [
    "basemap_layer",
    "choropleth_layer",
    "density_layer",
    "emerging_layer",
    "hotspot_layer",
    "outline_layer",
    "street_layer",
]


def _district_props(
    row: Mapping[str, Any], *, style: int, popup: Sequence[tuple[str, str]], text: str
) -> dict[str, Any]:
    """Return a district's feature properties: id, name, style, popup, tooltip."""
    return {
        "i": str(row[S.DISTRICT_ID]),
        "n": str(row[S.NAME]),
        "s": style,
        "p": popup_data(row[S.NAME], popup),
        "t": f"{row[S.NAME]}: {text}",
    }


def _classed_layer(
    m: folium.Map,
    gdf: gpd.GeoDataFrame,
    props: list[dict[str, Any]],
    *,
    title: str,
    styles: Sequence[Mapping[str, Any]],
    legend: Sequence[tuple[str, str]],
    show: bool,
    search: bool,
    simplify_m: float,
    precision: int,
) -> folium.Map:
    """Add districts coloured by class, named ``title``, with a legend of ``title``.

    The one tail of the choropleth, hot-spot and emerging layers: ``legend``
    holds the (colour, label) rows; ``search`` makes the districts findable.
    """
    return add_district_layer(
        m,
        gdf,
        props,
        simplify_m=simplify_m,
        precision=precision,
        name=title,
        styles=styles,
        show=show,
        legend_html=render_legend(title, legend),
        search_kind="district" if search else "",
    )


def basemap_layer(
    comuni: gpd.GeoDataFrame,
    *,
    m: folium.Map | None = None,
    name: str | None = None,
    labels: bool = True,
    lang: str = "it",
    synthetic: bool = False,
    simplify_m: float = 25.0,
    precision: int = DEFAULT_PRECISION,
) -> folium.Map:
    """Draw the comuni as a light vector basemap (no tiles, no network).

    Parameters
    ----------
    comuni : geopandas.GeoDataFrame
        Municipal boundaries in the district schema (``district_id``, ``name``),
        e.g. ``load_districts("comuni", all_comuni=True)``.
    m : folium.Map or None, default None
        Map to draw on; a new one when None.
    name : str or None, default None
        Layer name in the layer control (default ``"Comuni (base)"``).
    labels : bool, default True
        Write each comune's name at zoom levels 10 to 12 (the district
        labels take over from 13).
    lang : str, default 'it'
        See :func:`base_map`.
    synthetic : bool, default False
        See :func:`base_map`.
    simplify_m : float, default 25.0
        Simplification tolerance in metres.
    precision : int, default 5
        Decimals kept in coordinates.

    Returns
    -------
    folium.Map

    Raises
    ------
    ValidationError
        Missing columns, duplicated ids, bad options.
    CRSError
        ``comuni`` without CRS.
    """
    check_options(lang, simplify_m, precision)
    gdf = check_districts(comuni, "comuni")
    m = ensure_map(m, gdf, lang=lang, synthetic=synthetic)
    props = [
        {"i": str(r), "n": str(n)}
        for r, n in zip(gdf[S.DISTRICT_ID], gdf[S.NAME], strict=True)
    ]
    style = {
        "color": "#9e9e9e",
        "weight": 1,
        "opacity": 1,
        "fillColor": "#ececec",
        "fillOpacity": 0.6,
    }
    return add_district_layer(
        m,
        gdf,
        props,
        simplify_m=simplify_m,
        precision=precision,
        name=name or t("layer.comuni", lang),
        styles=[style],
        labels=labels,
        label_zoom=(10, 12) if labels else None,
        interactive=labels,
        minimap_source=True,
    )


def street_layer(
    m: folium.Map,
    *,
    url: str | None = None,
    attribution: str | None = None,
    attribution_url: str | None = None,
    name: str | None = None,
    max_zoom: int = 19,
    lang: str = "it",
) -> folium.Map:
    """Offer an online street basemap, switched off: it loads only when turned on.

    The page keeps working offline and requests nothing while the layer is
    off. Switched on, the browser fetches the tiles of the area in view from
    the tile server (which therefore learns that area): the layer's name and a
    note in the layer control say so.

    Parameters
    ----------
    m : folium.Map
        The map.
    url : str or None, default None
        Tile URL template with ``{z}``, ``{x}``, ``{y}`` (default
        ``config.street_tiles_url``, OpenStreetMap's tile server).
    attribution, attribution_url : str or None, default None
        Attribution text shown while the layer is on, and the page it links
        to (default OpenStreetMap's; give the provider's for another server).
    name : str or None, default None
        Layer name (default: "Stradario online (host)").
    max_zoom : int, default 19
        Highest zoom level requested (OpenStreetMap serves up to 19).
    lang : str, default 'it'
        ``"it"`` (default) or ``"en"``.

    Returns
    -------
    folium.Map

    Raises
    ------
    ValidationError
        ``url`` not an ``http(s)`` template with ``{z}``, ``{x}`` and ``{y}``,
        or no URL configured.

    Notes
    -----
    OpenStreetMap's tile usage policy asks for a visible attribution, no bulk
    or prefetched downloads, a valid ``User-Agent`` and, from a web page, a
    valid ``Referer``. Leaflet loads only the tiles in view once panning ends;
    the browser sends its own headers. A page opened from a local file has no
    origin, so the browser sends no ``Referer``: serve ``map.html`` from a web
    server, or configure an institutional tile server, if the tiles are refused.
    """
    check_lang(lang)
    if not isinstance(m, folium.Map):
        raise ValidationError(f"m must be a folium.Map, got {type(m).__name__!r}")
    template = config.street_tiles_url if url is None else url
    if not isinstance(template, str) or not template:
        raise ValidationError(
            "no street tile URL: pass url= or set config.street_tiles_url"
        )
    parts = urlsplit(template)
    if (
        parts.scheme not in ("http", "https")
        or not parts.netloc
        or any(key not in template for key in ("{z}", "{x}", "{y}"))
    ):
        raise ValidationError(
            f"url={template!r} must be an http(s) tile template with {{z}}, {{x}} "
            "and {y}, e.g. 'https://tile.openstreetmap.org/{z}/{x}/{y}.png'"
        )
    if not isinstance(max_zoom, (int, np.integer)) or not 0 <= max_zoom <= 22:
        raise ValidationError(f"max_zoom={max_zoom!r} must be an integer in 0..22")
    host = parts.netloc
    m.add_child(
        StreetTiles(
            url=template,
            name=name or t("layer.streets", lang, host=host),
            note=t("layer.streets_note", lang, host=host),
            attribution=attribution or config.street_tiles_attribution,
            attribution_url=(
                config.street_tiles_attribution_url
                if attribution_url is None
                else attribution_url
            ),
            max_zoom=int(max_zoom),
        ),
        name="ga_streets",
    )
    return m


def outline_layer(
    districts: gpd.GeoDataFrame,
    *,
    m: folium.Map | None = None,
    name: str | None = None,
    labels: bool = True,
    label_zoom: int = 13,
    color: str = "#333333",
    search: bool = True,
    show: bool = True,
    lang: str = "it",
    synthetic: bool = False,
    simplify_m: float = DEFAULT_SIMPLIFY_M,
    precision: int = DEFAULT_PRECISION,
) -> folium.Map:
    """Draw district outlines, labelled with their names from ``label_zoom`` on.

    Parameters
    ----------
    districts : geopandas.GeoDataFrame
        District layer in the normalised schema (``district_id``, ``name``).
    m : folium.Map or None, default None
        Map to draw on; a new one when None.
    name : str or None, default None
        Layer name (default: a label in ``lang``).
    show : bool, default True
        Whether the layer is visible at opening.
    labels : bool, default True
        Write the district names (as text, never as HTML).
    label_zoom : int, default 13
        Zoom level from which the names are written.
    color : str, default '#333333'
        Outline colour.
    search : bool, default True
        Make the districts findable with the search box.
    lang : str, default 'it'
        See :func:`basemap_layer`.
    synthetic : bool, default False
        See :func:`basemap_layer`.
    simplify_m : float, default 12.0
        See :func:`basemap_layer`.
    precision : int, default 5
        See :func:`basemap_layer`.

    Returns
    -------
    folium.Map

    Raises
    ------
    ValidationError, CRSError
        As :func:`basemap_layer`.
    """
    check_options(lang, simplify_m, precision)
    gdf = check_districts(districts, "districts")
    m = ensure_map(m, gdf, lang=lang, synthetic=synthetic)
    props = []
    for row in row_dicts(gdf):
        rows = []
        if S.COMUNE in gdf.columns:
            rows.append((t("col.comune", lang), str(row[S.COMUNE])))
        rows.append((t("col.district_id", lang), str(row[S.DISTRICT_ID])))
        props.append(
            {
                "i": str(row[S.DISTRICT_ID]),
                "n": str(row[S.NAME]),
                "p": popup_data(row[S.NAME], rows),
            }
        )
    style = {
        "color": color,
        "weight": 1.6,
        "opacity": 0.9,
        "fill": True,
        "fillOpacity": 0.0,
    }
    return add_district_layer(
        m,
        gdf,
        props,
        simplify_m=simplify_m,
        precision=precision,
        name=name or t("layer.outlines", lang),
        styles=[style],
        show=show,
        labels=labels,
        label_zoom=(label_zoom, 99) if labels else None,
        search_kind="district" if search else "",
    )


def choropleth_layer(
    districts: gpd.GeoDataFrame,
    column: str = S.OCCUPIED_PER_100,
    *,
    m: folium.Map | None = None,
    scheme: str = "quantiles",
    k: int = 5,
    cmap: str = "YlOrRd",
    decimals: int | None = None,
    name: str | None = None,
    show: bool = True,
    popup_columns: Sequence[str] = (),
    search: bool = True,
    threshold: int | None = None,
    allow_small: bool = False,
    lang: str = "it",
    synthetic: bool = False,
    simplify_m: float = DEFAULT_SIMPLIFY_M,
    precision: int = DEFAULT_PRECISION,
) -> folium.Map:
    """Colour districts by classes of a rate or count, with a legend.

    Parameters
    ----------
    districts : geopandas.GeoDataFrame
        Districts (``district_id``, ``name``, geometry) joined with statistics.
    column : str, default 'occupied_per_100'
        Numeric column to map (default ``occupied_per_100``).
    m : folium.Map or None, default None
        Map to draw on; a new one when None.
    scheme : str, default 'quantiles'
        mapclassify scheme (``"quantiles"``, ``"natural_breaks"``, ``"equal_interval"``,
        ``"fisher_jenks"``...). Classes are computed on the values that may be shown.
    k : int, default 5
        Number of classes.
    cmap : str, default 'YlOrRd'
        matplotlib colormap name for the classes.
    decimals : int or None, default None
        Decimals in legend and popups (default 0 for counts, 1 otherwise).
    name : str or None, default None
        Layer name (default: the column's label).
    show : bool, default True
        Whether the layer is visible at opening.
    popup_columns : sequence of str, default ()
        Further columns listed in each district's popup (counts suppressed).
    search : bool, default True
        Make the districts findable with the search box.
    threshold : int or None, default None
        Counts from 1 to ``threshold - 1`` (default
        ``config.suppression_threshold``) are drawn grey and shown as withheld
        unless ``allow_small=True``. Values withheld upstream are always
        hidden: ``suppressed`` as a bool flag per row, or as the
        comma-separated column names written by
        :func:`geo_alloggi.disclosure.suppress`.
    allow_small : bool, default False
        Draw counts below ``threshold`` as they are (values withheld upstream stay
        hidden).
    lang : str, default 'it'
        See :func:`basemap_layer`.
    synthetic : bool, default False
        See :func:`basemap_layer`.
    simplify_m : float, default 12.0
        See :func:`basemap_layer`.
    precision : int, default 5
        See :func:`basemap_layer`.

    Returns
    -------
    folium.Map

    Raises
    ------
    ValidationError
        Missing or non-numeric column, unknown scheme or colormap, bad options.
    CRSError
        ``districts`` without CRS.

    Notes
    -----
    Polygons are simplified in ``config.metric_crs`` with
    :func:`shapely.coverage_simplify`, which keeps shared edges shared.
    """
    check_options(lang, simplify_m, precision)
    gdf = check_districts(districts, "districts", [column, *popup_columns])
    require_numeric(gdf, column, "districts")
    thr = check_threshold(threshold)
    cc = classify_column(
        gdf,
        column,
        scheme=scheme,
        k=k,
        cmap=cmap,
        decimals=decimals,
        threshold=thr,
        allow_small=allow_small,
        lang=lang,
    )
    m = ensure_map(m, gdf, lang=lang, synthetic=synthetic)
    label = column_label(column, lang)
    props = []
    for i, row in enumerate(row_dicts(gdf)):
        text = value_text(
            row[column],
            column,
            suppressed=bool(cc.hidden[i]),
            threshold=thr,
            allow_small=allow_small,
            decimals=cc.decimals,
            lang=lang,
        )
        rows = [(label, text)]
        if S.COMUNE in gdf.columns:
            rows.append((t("col.comune", lang), str(row[S.COMUNE])))
        rows += extra_rows(
            row, popup_columns, threshold=thr, allow_small=allow_small, lang=lang
        )
        props.append(
            _district_props(row, style=int(cc.classes.cls[i]), popup=rows, text=text)
        )
    return _classed_layer(
        m,
        gdf,
        props,
        title=name or label,
        styles=cc.classes.styles,
        legend=cc.legend,
        show=show,
        search=search,
        simplify_m=simplify_m,
        precision=precision,
    )


def hotspot_layer(
    districts: gpd.GeoDataFrame,
    *,
    column: str | None = None,
    m: folium.Map | None = None,
    name: str | None = None,
    show: bool = True,
    search: bool = False,
    lang: str = "it",
    synthetic: bool = False,
    simplify_m: float = DEFAULT_SIMPLIFY_M,
    precision: int = DEFAULT_PRECISION,
) -> folium.Map:
    """Colour districts by Gi* hot/cold-spot class (red/blue) with a categorical legend.

    Parameters
    ----------
    districts : geopandas.GeoDataFrame
        Districts with ``hotspot`` (labels of ``_schema.HOTSPOT_LABELS``) or
        ``gi_bin`` (-3..3); ``gi_z`` and ``gi_p`` are shown in popups when present.
    column : str or None, default None
        Column holding the classes (default ``hotspot``, else ``gi_bin``).
    m : folium.Map or None, default None
        See :func:`choropleth_layer`.
    name : str or None, default None
        See :func:`choropleth_layer`.
    show : bool, default True
        See :func:`choropleth_layer`.
    search : bool, default False
        See :func:`choropleth_layer`.
    lang : str, default 'it'
        See :func:`choropleth_layer`.
    synthetic : bool, default False
        See :func:`choropleth_layer`.
    simplify_m : float, default 12.0
        See :func:`choropleth_layer`.
    precision : int, default 5
        See :func:`choropleth_layer`.

    Returns
    -------
    folium.Map

    Raises
    ------
    ValidationError
        No class column, or values that are not hot-spot classes.
    """
    check_options(lang, simplify_m, precision)
    gdf = require_geodataframe(districts, "districts")
    if column is None:
        column = S.HOTSPOT if S.HOTSPOT in gdf.columns else S.GI_BIN
    gdf = check_districts(gdf, "districts", [column])
    m = ensure_map(m, gdf, lang=lang, synthetic=synthetic)
    bins = hotspot_bins(gdf, column)
    order = sorted(S.HOTSPOT_LABELS, reverse=True)
    styles = [fill_style(HOTSPOT_COLORS[b], opacity=0.8 if b else 0.35) for b in order]
    props = []
    for i, row in enumerate(row_dicts(gdf)):
        lab = hotspot_label(int(bins[i]), lang)
        rows = [(t("col.hotspot", lang), lab)]
        if S.GI_Z in gdf.columns:
            rows.append((t("col.gi_z", lang), fmt_number(row[S.GI_Z], 2, lang)))
        if S.GI_P in gdf.columns:
            rows.append(("p", fmt_number(row[S.GI_P], 3, lang)))
        props.append(
            _district_props(row, style=order.index(int(bins[i])), popup=rows, text=lab)
        )
    return _classed_layer(
        m,
        gdf,
        props,
        title=name or t("layer.hotspots", lang),
        styles=styles,
        legend=[(HOTSPOT_COLORS[b], hotspot_label(b, lang)) for b in order],
        show=show,
        search=search,
        simplify_m=simplify_m,
        precision=precision,
    )


def emerging_layer(
    districts: gpd.GeoDataFrame,
    *,
    column: str = S.EMERGING,
    m: folium.Map | None = None,
    name: str | None = None,
    show: bool = True,
    search: bool = False,
    lang: str = "it",
    synthetic: bool = False,
    simplify_m: float = DEFAULT_SIMPLIFY_M,
    precision: int = DEFAULT_PRECISION,
) -> folium.Map:
    """Colour districts by emerging hot-spot category, with a legend of those present.

    Parameters
    ----------
    districts : geopandas.GeoDataFrame
        Districts with ``emerging_category`` (values of
        ``_schema.EMERGING_CATEGORIES``; missing values count as no pattern).
    column : str, default 'emerging_category'
        See :func:`choropleth_layer`.
    m : folium.Map or None, default None
        See :func:`choropleth_layer`.
    name : str or None, default None
        See :func:`choropleth_layer`.
    show : bool, default True
        See :func:`choropleth_layer`.
    search : bool, default False
        See :func:`choropleth_layer`.
    lang : str, default 'it'
        See :func:`choropleth_layer`.
    synthetic : bool, default False
        See :func:`choropleth_layer`.
    simplify_m : float, default 12.0
        See :func:`choropleth_layer`.
    precision : int, default 5
        See :func:`choropleth_layer`.

    Returns
    -------
    folium.Map

    Raises
    ------
    ValidationError
        Values that are not emerging categories.
    """
    check_options(lang, simplify_m, precision)
    gdf = check_districts(districts, "districts", [column])
    values = [
        "No Pattern Detected"
        if (v is None or (not isinstance(v, str) and pd.isna(v)))
        else v
        for v in gdf[column]
    ]
    bad = sorted({str(v) for v in values if v not in EMERGING_COLORS})
    if bad:
        raise ValidationError(
            f"districts[{column!r}] has values {bad[:5]!r}; expected "
            f"{list(S.EMERGING_CATEGORIES)!r}"
        )
    m = ensure_map(m, gdf, lang=lang, synthetic=synthetic)
    cats = list(S.EMERGING_CATEGORIES)
    styles = [
        fill_style(
            EMERGING_COLORS[c], opacity=0.3 if c == "No Pattern Detected" else 0.8
        )
        for c in cats
    ]
    props = []
    for row, v in zip(row_dicts(gdf), values, strict=True):
        lab = emerging_label(v, lang)
        rows = [(t("col.emerging_category", lang), lab)]
        props.append(_district_props(row, style=cats.index(v), popup=rows, text=lab))
    present = [c for c in cats if c in set(values)]
    return _classed_layer(
        m,
        gdf,
        props,
        title=name or t("layer.emerging", lang),
        styles=styles,
        legend=[(EMERGING_COLORS[c], emerging_label(c, lang)) for c in present],
        show=show,
        search=search,
        simplify_m=simplify_m,
        precision=precision,
    )


def density_layer(
    contours: gpd.GeoDataFrame,
    *,
    level_column: str = "level",
    m: folium.Map | None = None,
    name: str | None = None,
    show: bool = True,
    cmap: str = "Reds",
    decimals: int = 1,
    lang: str = "it",
    synthetic: bool = False,
    simplify_m: float = 5.0,
    precision: int = DEFAULT_PRECISION,
) -> folium.Map:
    """Draw density contours (filled polygons, one colour per level).

    Parameters
    ----------
    contours : geopandas.GeoDataFrame
        Polygons with a numeric level column (e.g. a KDE's contour bands).
    level_column : str, default 'level'
        The level column; higher levels are drawn darker and on top.
    m : folium.Map or None, default None
        See :func:`choropleth_layer`.
    name : str or None, default None
        See :func:`choropleth_layer`.
    show : bool, default True
        See :func:`choropleth_layer`.
    cmap : str, default 'Reds'
        See :func:`choropleth_layer`.
    lang : str, default 'it'
        See :func:`choropleth_layer`.
    synthetic : bool, default False
        See :func:`choropleth_layer`.
    simplify_m : float, default 5.0
        See :func:`choropleth_layer`.
    precision : int, default 5
        See :func:`choropleth_layer`.
    decimals : int, default 1
        Decimals of the levels in the legend.

    Returns
    -------
    folium.Map

    Raises
    ------
    ValidationError
        Missing or non-numeric level column, non-polygon geometries.
    """
    check_options(lang, simplify_m, precision)
    gdf = require_geodataframe(contours, "contours")
    require_columns(gdf, [level_column], "contours")
    require_numeric(gdf, level_column, "contours")
    types = set(gdf.geometry[gdf.geometry.notna() & ~gdf.geometry.is_empty].geom_type)
    if types - {"Polygon", "MultiPolygon"}:
        raise ValidationError(f"contours must hold polygons, found {sorted(types)!r}")
    m = ensure_map(m, gdf, lang=lang, synthetic=synthetic)
    gdf = gdf.sort_values(level_column, kind="stable")
    levels = sorted(set(gdf[level_column].dropna().astype(float)))
    colors = palette(cmap, len(levels))
    styles = [
        {"color": c, "weight": 0.6, "opacity": 0.8, "fillColor": c, "fillOpacity": 0.35}
        for c in colors
    ]
    arr = np.asarray(gdf.geometry.to_crs(config.metric_crs).values, dtype=object)
    if simplify_m > 0:
        arr = shapely.simplify(arr, simplify_m, preserve_topology=True)
    geo = gpd.GeoSeries(arr, crs=config.metric_crs).to_crs(config.geographic_crs)
    geoms = shapely.transform(
        np.asarray(geo.values, dtype=object), lambda c: np.round(c, precision)
    )
    ranged = S.DENSITY_MIN in gdf.columns and S.DENSITY_MAX in gdf.columns
    label = t("legend.density_km2" if ranged else "legend.density", lang)
    texts: dict[float, str] = {}
    for row in row_dicts(gdf):
        v = float(row[level_column])
        if np.isnan(v) or v in texts:
            continue
        if ranged:
            texts[v] = (
                f"{fmt_number(row[S.DENSITY_MIN], decimals, lang)} – "
                f"{fmt_number(row[S.DENSITY_MAX], decimals, lang)}"
            )
        else:
            texts[v] = fmt_number(v, decimals, lang)
    props = []
    for v in gdf[level_column].astype(float):
        if np.isnan(v):
            props.append({"s": 0, "t": ""})
            continue
        props.append({"s": levels.index(v), "t": f"{label}: {texts[v]}"})
    title = name or t("layer.density", lang)
    legend = render_legend(
        label, [(c, texts[v]) for c, v in zip(colors, levels, strict=True)]
    )
    m.add_child(
        GeoJsonLayer(
            feature_collection(geoms, props),
            name=title,
            styles=styles,
            show=show,
            legend_html=legend,
        )
    )
    return m
