"""Maps for coordination meetings: folium layers, offline HTML, static export.

The builders draw; they never compute statistics. Each takes its data first,
options keyword-only, an optional ``m: folium.Map`` to draw on, and returns
the map, so they chain::

    m = maps.basemap_layer(comuni)
    m = maps.choropleth_layer(districts, "occupied_per_100", m=m)
    m = maps.estates_layer(estates, m=m)
    m = maps.add_controls(m)
    maps.save_offline(m, "map.html")

or, in one call, :func:`meeting_map`. Every string that comes from input data
is escaped before it reaches HTML: popups, tooltips, labels and search
results travel as JSON data and the browser sets them with ``textContent``;
legends and the page title are escaped with :func:`html.escape`; and the
rendered macros are never re-parsed as Jinja templates. Counts
from 1 to ``threshold - 1`` are shown as ``< threshold`` unless the caller
passes ``allow_small=True``. Labels are Italian by default, English with
``lang="en"`` (see :mod:`geo_alloggi._i18n`).

:func:`save_offline` writes one HTML file that loads nothing from the network:
Leaflet and MarkerCluster come from the installed XStatic packages, the
controls (full screen, search, time slider, minimap, legends) from
``geo_alloggi/resources``. District geometries are simplified with
:func:`shapely.coverage_simplify` (shared edges stay shared), rounded to
``precision`` decimals and written once per page however many layers draw
them. Element ids are deterministic: the same inputs give the same bytes.
:func:`export_static` draws the main map with matplotlib for printed handouts.

Inputs (column names from :mod:`geo_alloggi._schema`)
-----------------------------------------------------
districts
    GeoDataFrame with a CRS, ``district_id`` (unique) and ``name``, optionally
    ``comune``; joined with statistics: a numeric column for the choropleth
    (``occupied_per_100`` by default), ``suppressed`` (bool, value withheld),
    ``hotspot`` (labels of ``HOTSPOT_LABELS``) or ``gi_bin`` (-3..3) with
    ``gi_z``/``gi_p``, ``emerging_category`` (``EMERGING_CATEGORIES``).
estates
    Point GeoDataFrame: ``estate_id`` (unique), ``name``; optional ``address``,
    ``comune``, ``owner`` (``Aler``/``Comune-MM``), ``units`` and the
    aggregated counts ``occupied``, ``vacant``, ``evictions``.
periods
    DataFrame ``district_id``, ``period`` (int year, ``pandas.Period``, date
    or text), a numeric value column (``occupied`` by default), optional
    ``suppressed``.
comuni
    The comuni in the district schema, e.g. ``load_districts("comuni",
    all_comuni=True)``, drawn as the vector basemap.
contours
    Polygons with a numeric ``level`` column (e.g.
    :func:`geo_alloggi.stats.density_surface`; ``density_min`` and
    ``density_max`` label the legend when present).
patrol, renovation
    :func:`geo_alloggi.priorities.patrol_priority` tables (``rank``,
    ``priority_score``, ``reasons`` and ``district_id`` or ``estate_id``) and
    :class:`geo_alloggi.priorities.RenovationPlan` (or its ``plan`` table).

Counts (``occupied``, ``new_occupations``, ``evictions``, ``vacant``) from 1
to ``threshold - 1`` never reach the page unless ``allow_small=True``.
"""

from __future__ import annotations

import hashlib
import html
import logging
import os
import warnings
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import CssLink, Element, Figure, JavascriptLink, MacroElement
from folium.elements import ElementAddToElement, JSCSSMixin
from folium.map import Layer
from folium.template import Template

from geo_alloggi import _schema as S
from geo_alloggi import config
from geo_alloggi._errors import ValidationError
from geo_alloggi._i18n import (
    check_lang,
    column_label,
    emerging_label,
    fmt_count,
    fmt_int,
    fmt_number,
    fmt_period,
    hotspot_label,
    is_small,
    owner_label,
    small_mask,
    t,
)
from geo_alloggi._offline import (
    OfflineError,
    RawHTML,
    Shared,
    SharedList,
    render_offline,
    resource_text,
)
from geo_alloggi._validate import require_columns, require_geodataframe, require_unique

__all__ = [
    "OfflineError",
    "add_controls",
    "base_map",
    "basemap_layer",
    "choropleth_layer",
    "density_layer",
    "emerging_layer",
    "estates_layer",
    "export_static",
    "hotspot_layer",
    "map_html",
    "meeting_map",
    "outline_layer",
    "priority_layer",
    "renovation_layer",
    "save_offline",
    "time_slider_layer",
]

log = logging.getLogger(__name__)

PathLike = str | os.PathLike[str]

#: Tolerance (metres) of the topology-preserving simplification of polygons.
DEFAULT_SIMPLIFY_M: float = 12.0
#: Decimal places kept in coordinates (5 ≈ 1 m).
DEFAULT_PRECISION: int = 5

#: Counts, as opposed to rates: small values are suppressed.
COUNT_COLUMNS: frozenset[str] = frozenset(S.COUNT_COLUMNS)

#: Red/blue palette of the Gi* bins (ColorBrewer RdBu).
HOTSPOT_COLORS: dict[int, str] = {
    3: "#b2182b",
    2: "#ef8a62",
    1: "#fddbc7",
    0: "#f7f7f7",
    -1: "#d1e5f0",
    -2: "#67a9cf",
    -3: "#2166ac",
}

#: Colours of the emerging hot-spot categories: reds for hot, blues for cold.
EMERGING_COLORS: dict[str, str] = {
    "New Hot Spot": "#fb6a4a",
    "Consecutive Hot Spot": "#ef3b2c",
    "Intensifying Hot Spot": "#a50f15",
    "Persistent Hot Spot": "#cb181d",
    "Diminishing Hot Spot": "#fc9272",
    "Sporadic Hot Spot": "#fdae6b",
    "Oscillating Hot Spot": "#e6550d",
    "Historical Hot Spot": "#fcbba1",
    "New Cold Spot": "#6baed6",
    "Consecutive Cold Spot": "#4292c6",
    "Intensifying Cold Spot": "#08306b",
    "Persistent Cold Spot": "#2171b5",
    "Diminishing Cold Spot": "#9ecae1",
    "Sporadic Cold Spot": "#9e9ac8",
    "Oscillating Cold Spot": "#756bb1",
    "Historical Cold Spot": "#c6dbef",
    "No Pattern Detected": "#f0f0f0",
}

#: Estate marker colours by owner.
OWNER_COLORS: dict[str, str] = {"Aler": "#6a3d9a", "Comune-MM": "#1b9e77"}
_OTHER_OWNER_COLOR = "#636363"
_NO_DATA_COLOR = "#ffffff"
_SUPPRESSED_COLOR = "#bdbdbd"
_PRIORITY_COLORS = {"patrol": "#b2182b", "renovation": "#2166ac"}


def _esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


# ---------------------------------------------------------------------------
# elements


def _map_of(element: Element) -> folium.Map:
    el: Element | None = element
    while el is not None and not isinstance(el, folium.Map):
        el = el._parent
    if el is None:
        raise ValidationError("a geo_alloggi layer must be added to a folium.Map")
    return el


def _add_controls_assets(element: Element) -> None:
    figure = element.get_root()
    if (
        isinstance(figure, Figure)
        and "geo_alloggi_controls" not in figure.header._children
    ):
        figure.header.add_child(
            RawHTML(
                "<style>\n" + resource_text("ga_map.css") + "\n</style>\n"
                "<script>\n" + resource_text("ga_map.js") + "\n</script>"
            ),
            name="geo_alloggi_controls",
        )


def _parent(element: Element) -> Element:
    if element._parent is None:
        raise ValidationError(f"{type(element).__name__} must be added to a map first")
    return element._parent


def _render_raw(element: MacroElement, **kwargs: Any) -> None:
    """Render a MacroElement like branca does, but never re-parse its output.

    branca wraps each macro's output in ``Element(output)``, which compiles the
    output as a Jinja template: a ``{{ ... }}`` in an estate's name would then
    be evaluated (template injection). Here the output is kept as raw text.
    """
    figure = element.get_root()
    if not isinstance(figure, Figure):
        raise ValidationError("a geo_alloggi layer must be added to a map in a Figure")
    if isinstance(element, JSCSSMixin):
        for name, url in element.default_js:
            figure.header.add_child(JavascriptLink(url), name=name)
        for name, url in element.default_css:
            figure.header.add_child(CssLink(url), name=name)
    module = element._template.module.__dict__
    for part in ("header", "html", "script"):
        macro = module.get(part)
        if macro is not None:
            target = getattr(figure, part)
            target.add_child(
                RawHTML(str(macro(element, kwargs))), name=element.get_name()
            )
    for child in element._children.values():
        child.render(**kwargs)


class _GAMacro(MacroElement):
    """A MacroElement that brings the in-house controls' JS/CSS and knows its map."""

    map_name: str = ""

    def render(self, **kwargs: Any) -> Any:
        self.map_name = _map_of(self).get_name()
        _add_controls_assets(self)
        _render_raw(self, **kwargs)


# Jinja lines of a layer's script that attach its legend and make it searchable.
_LEGEND_AND_SEARCH_JS = """
        {%- if this.legend_html %}
        GA.legend({{ this.map_name }}, {{ n }}, {{ this.legend_html|tojson }});
        {%- endif %}
        {%- if this.search_kind %}
        GA.searchable({{ this.map_name }}, {{ n }}, {{ this.search_kind|tojson }});
        {%- endif %}"""


class _GALayer(Layer):
    """A Layer rendered without re-parsing its output (see :func:`_render_raw`)."""

    map_name: str = ""

    def __init__(
        self, *, name: str, show: bool, legend_html: str, search_kind: str
    ) -> None:
        """Set the overlay's name, visibility, legend and search kind."""
        super().__init__(name=name, overlay=True, control=True, show=show)
        self.legend_html = legend_html
        self.search_kind = search_kind
        self.map_name = ""

    def render(self, **kwargs: Any) -> Any:
        self.map_name = _map_of(self).get_name()
        _add_controls_assets(self)
        if self.show:
            self.add_child(
                ElementAddToElement(
                    element_name=self.get_name(),
                    element_parent_name=_parent(self).get_name(),
                ),
                name=self.get_name() + "_add",
            )
        _render_raw(self, **kwargs)


class _LayerControl(folium.LayerControl):
    """folium's layer control, rendered without re-parsing (layer names are input)."""

    def render(self, **kwargs: Any) -> Any:
        self.reset()
        for item in _parent(self)._children.values():
            if not isinstance(item, Layer) or not item.control:
                continue
            if item.overlay:
                self.overlays[item.layer_name] = item.get_name()
            else:
                self.base_layers[item.layer_name] = item.get_name()
        _render_raw(self, **kwargs)


class _Setup(_GAMacro):
    _template = Template(
        """
        {% macro script(this, kwargs) %}
        GA.setup({{ this.map_name }}, {{ this.opts|tojson }});
        {%- if this.banner %}
        GA.banner({{ this.map_name }}, {{ this.banner|tojson }});
        {%- endif %}
        {%- if this.title %}
        GA.banner({{ this.map_name }}, {{ this.title|tojson }}, "ga-title");
        {%- endif %}
        {% endmacro %}
        """
    )

    def __init__(self, *, attribution: str) -> None:
        super().__init__()
        self._name = "GASetup"
        self.opts = {"attribution": attribution}
        self.banner: str = ""
        self.title: str = ""


class _GeometryStore(_GAMacro):
    """Geometries shared by the layers of a map, written once."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        GA.addGeoms({{ this.geoms|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "GAGeometry"
        self.geoms = Shared()
        self.keys: dict[tuple[str, str, float, int], str] = {}


class _GeoJsonLayer(_GALayer):
    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {%- set n = this.get_name() %}
        var {{ n }} = GA.geojson(
            {{ this.data|tojson }}, {{ this.opts|tojson }});
        {%- if this.label_zoom is not none %}
        GA.labelZoom({{ this.map_name }}, {{ n }}, {{ this.label_zoom[0]|tojson }},
                     {{ this.label_zoom[1]|tojson }});
        {%- endif %}"""
        + _LEGEND_AND_SEARCH_JS
        + """
        {%- if this.slider %}
        GA.timeslider({{ this.map_name }}, {{ n }}, {{ this.slider|tojson }});
        {%- endif %}
        {% endmacro %}
        """
    )

    def __init__(
        self,
        data: dict[str, Any],
        *,
        name: str,
        styles: list[dict[str, Any]],
        show: bool = True,
        labels: bool = False,
        label_zoom: tuple[int, int] | None = None,
        interactive: bool = True,
        legend_html: str = "",
        search_kind: str = "",
        slider: dict[str, Any] | None = None,
        minimap_source: bool = False,
    ) -> None:
        super().__init__(
            name=name, show=show, legend_html=legend_html, search_kind=search_kind
        )
        self._name = "GAGeoJson"
        self.data = Shared(data)
        self.opts = {
            "styles": styles,
            "labels": labels,
            "interactive": interactive,
            "name": name,
        }
        self.label_zoom = label_zoom
        self.slider = Shared(slider) if slider is not None else None
        self.minimap_source = minimap_source


class _MarkerLayer(JSCSSMixin, _GALayer):
    """Clustered estate markers, or numbered priority markers."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {%- set n = this.get_name() %}
        {%- if this.kind == "cluster" %}
        var {{ n }} = GA.cluster({{ this.rows|tojson }}, {{ this.opts|tojson }});
        {%- else %}
        var {{ n }} = GA.ranks(
            {{ this.rows|tojson }}, {{ this.opts|tojson }}, {{ this.areas|tojson }});
        {%- endif %}"""
        + _LEGEND_AND_SEARCH_JS
        + """
        {% endmacro %}
        """
    )

    _CLUSTER_JS: tuple[tuple[str, str], ...] = (
        (
            "markerclusterjs",
            "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.4.1/"
            "leaflet.markercluster.js",
        ),
    )
    _CLUSTER_CSS: tuple[tuple[str, str], ...] = (
        (
            "markerclustercss",
            "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.4.1/"
            "MarkerCluster.css",
        ),
        (
            "markerclusterdefaultcss",
            "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.4.1/"
            "MarkerCluster.Default.css",
        ),
    )

    def __init__(
        self,
        rows: list[list[Any]],
        *,
        kind: str,
        name: str,
        opts: dict[str, Any],
        show: bool = True,
        legend_html: str = "",
        search_kind: str = "",
        areas: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(
            name=name, show=show, legend_html=legend_html, search_kind=search_kind
        )
        self._name = "GAMarkers"
        self.kind = kind
        self.rows = SharedList(rows)
        self.opts = {**opts, "name": name}
        self.areas = Shared(areas) if areas is not None else None
        if kind == "cluster" and opts.get("cluster", True):
            self.default_js = list(self._CLUSTER_JS)
            self.default_css = list(self._CLUSTER_CSS)
        else:
            self.default_js = []
            self.default_css = []


class _Controls(_GAMacro):
    """Search, full screen and minimap; rendered after every layer."""

    _ga_last = True
    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {%- if this.fullscreen %}
        GA.fullscreen({{ this.map_name }}, {{ this.fullscreen|tojson }});
        {%- endif %}
        {%- if this.search %}
        GA.search({{ this.map_name }}, {{ this.search|tojson }});
        {%- endif %}
        {%- if this.minimap_source %}
        GA.minimap(
            {{ this.map_name }}, {{ this.minimap_source }}, {{ this.minimap|tojson }});
        {%- endif %}
        {% endmacro %}
        """
    )

    def __init__(
        self, *, lang: str, fullscreen: bool, search: bool, minimap: bool
    ) -> None:
        super().__init__()
        self._name = "GAControls"
        self.fullscreen = (
            {"title": t("control.fullscreen", lang)} if fullscreen else None
        )
        self.search = (
            {
                "placeholder": t("control.search", lang),
                "none": t("control.search_none", lang),
                "kinds": {
                    "estate": t("kind.estate", lang),
                    "district": t("kind.district", lang),
                },
            }
            if search
            else None
        )
        self.want_minimap = minimap
        self.minimap = {
            "style": {
                "color": "#555",
                "weight": 1,
                "fillColor": "#ddd",
                "fillOpacity": 0.5,
            }
        }
        self.minimap_source = ""

    def render(self, **kwargs: Any) -> Any:
        self.minimap_source = ""
        if self.want_minimap:
            layers = [
                c
                for c in _parent(self)._children.values()
                if isinstance(c, _GeoJsonLayer)
            ]
            chosen = [c for c in layers if c.minimap_source] or layers
            if chosen:
                self.minimap_source = chosen[0].get_name()
        super().render(**kwargs)


# ---------------------------------------------------------------------------
# input preparation


def _threshold(threshold: int | None) -> int:
    value = config.suppression_threshold if threshold is None else threshold
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
        raise ValidationError(f"threshold={value!r} must be an integer >= 1")
    return int(value)


def _check_common(lang: str, simplify_m: float, precision: int) -> None:
    check_lang(lang)
    if not np.isfinite(simplify_m) or simplify_m < 0:
        raise ValidationError(
            f"simplify_m={simplify_m!r} must be a number >= 0 (metres)"
        )
    if not isinstance(precision, (int, np.integer)) or not 0 <= precision <= 9:
        raise ValidationError(f"precision={precision!r} must be an integer from 0 to 9")


def _require_numeric(df: pd.DataFrame, column: str, argument: str) -> None:
    if not (
        pd.api.types.is_numeric_dtype(df[column])
        and not pd.api.types.is_bool_dtype(df[column])
    ):
        raise ValidationError(
            f"{argument}[{column!r}] must be numeric, "
            f"got dtype {str(df[column].dtype)!r}"
        )


_GeometryKey = tuple[str, str, float, int]
_GEOMETRY_CACHE: OrderedDict[_GeometryKey, np.ndarray] = OrderedDict()


def _geometry_key(
    gdf: gpd.GeoDataFrame, *, simplify_m: float, precision: int
) -> _GeometryKey:
    geom = gdf.geometry
    wkb = shapely.to_wkb(np.asarray(geom.values, dtype=object))
    digest = hashlib.sha1(b"|".join(b"" if w is None else w for w in wkb)).hexdigest()
    return (digest, str(geom.crs), float(simplify_m), int(precision))


def _prepare_geometry(
    gdf: gpd.GeoDataFrame, *, simplify_m: float, precision: int
) -> np.ndarray:
    """Simplify polygons keeping shared edges shared, reproject, round coordinates.

    The result is cached by the geometries' WKB (the same districts are drawn
    by several layers of a meeting map).
    """
    geom = gdf.geometry
    key = _geometry_key(gdf, simplify_m=simplify_m, precision=precision)
    if key in _GEOMETRY_CACHE:
        _GEOMETRY_CACHE.move_to_end(key)
        return _GEOMETRY_CACHE[key].copy()
    out = _simplify_round(geom, simplify_m=simplify_m, precision=precision)
    _GEOMETRY_CACHE[key] = out
    while len(_GEOMETRY_CACHE) > 16:
        _GEOMETRY_CACHE.popitem(last=False)
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


def _shared_features(
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
    geoms = _prepare_geometry(gdf, simplify_m=simplify_m, precision=precision)
    store = m._children.get("ga_geometry")
    if not isinstance(store, _GeometryStore):
        store = _GeometryStore()
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


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts (attributes only), much faster than ``iterrows``."""
    cols = [c for c in df.columns if c != getattr(df, "_geometry_column_name", None)]
    return pd.DataFrame(df[cols]).to_dict("records")


def _district_props(
    row: Mapping[str, Any], *, style: int, popup: Sequence[tuple[str, str]], text: str
) -> dict[str, Any]:
    """Return a district's feature properties: id, name, style, popup, tooltip."""
    return {
        "i": str(row[S.DISTRICT_ID]),
        "n": str(row[S.NAME]),
        "s": style,
        "p": _popup(row[S.NAME], popup),
        "t": f"{row[S.NAME]}: {text}",
    }


def _add_district_layer(
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
        _GeoJsonLayer(
            _shared_features(m, gdf, props, simplify_m=simplify_m, precision=precision),
            **layer_kwds,
        )
    )
    return m


def _feature_collection(
    geoms: np.ndarray, props: list[dict[str, Any]]
) -> dict[str, Any]:
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


def _districts(
    districts: Any, argument: str, extra: Sequence[str] = ()
) -> gpd.GeoDataFrame:
    gdf = require_geodataframe(districts, argument)
    require_columns(gdf, [S.DISTRICT_ID, S.NAME, *extra], argument)
    require_unique(gdf, S.DISTRICT_ID, argument)
    return gdf


def _palette(cmap: str, n: int) -> list[str]:
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    try:
        cm = colormaps[cmap]
    except KeyError:
        raise ValidationError(
            f"cmap={cmap!r} is not a matplotlib colormap name (e.g. 'YlOrRd', 'Reds')"
        ) from None
    if n <= 0:
        return []
    if n == 1:
        return [to_hex(cm(0.75))]
    return [to_hex(cm(0.12 + 0.83 * i / (n - 1))) for i in range(n)]


def _classify(values: np.ndarray, scheme: str, k: int) -> np.ndarray:
    """Upper bounds of the classes (mapclassify), at most ``k``, unique, increasing."""
    import mapclassify

    values = np.asarray(values, dtype=float)
    if values.size == 0:
        return np.array([], dtype=float)
    uniq = np.unique(values)
    k = int(min(k, uniq.size))
    if k <= 1:
        return np.array([uniq.max()])
    try:
        classifier = mapclassify.classify(values, scheme, k=k)
    except (ValueError, KeyError, TypeError) as exc:
        raise ValidationError(
            f"scheme={scheme!r} could not classify the values ({exc}); use one of "
            "'quantiles', 'natural_breaks', 'equal_interval', 'fisher_jenks'"
        ) from None
    bins = np.unique(np.asarray(classifier.bins, dtype=float))
    bins[-1] = max(bins[-1], uniq.max())
    return bins


def _range_labels(
    shown_values: np.ndarray, bins: np.ndarray, decimals: int, lang: str
) -> list[str]:
    """``low – high`` label of each class (the first starts at the minimum)."""
    if not len(bins):
        return []
    lows = [float(np.min(shown_values)), *bins[:-1]]
    return [
        f"{fmt_number(lo, decimals, lang)} – {fmt_number(hi, decimals, lang)}"
        for lo, hi in zip(lows, bins, strict=True)
    ]


def _class_of(values: np.ndarray, bins: np.ndarray) -> np.ndarray:
    idx = np.searchsorted(bins, values, side="left")
    return np.minimum(idx, len(bins) - 1)


def _decimals(df: pd.DataFrame, column: str, decimals: int | None) -> int:
    if decimals is not None:
        return int(decimals)
    if column in COUNT_COLUMNS or pd.api.types.is_integer_dtype(df[column]):
        return 0
    return 1


def _fill(color: str, *, opacity: float = 0.75, line: str = "#555") -> dict[str, Any]:
    return {
        "color": line,
        "weight": 0.8,
        "opacity": 0.9,
        "fillColor": color,
        "fillOpacity": opacity,
    }


class _Classes(NamedTuple):
    """Classes of a numeric column: bounds, colours, styles and each row's style."""

    shown: np.ndarray
    bins: np.ndarray
    colors: list[str]
    styles: list[dict[str, Any]]
    cls: np.ndarray
    no_data: int


def _class_styles(
    values: np.ndarray, hidden: np.ndarray, *, scheme: str, k: int, cmap: str
) -> _Classes:
    """Classify the values that may be shown; the rest get no-data or withheld."""
    shown = ~hidden & ~np.isnan(values)
    bins = _classify(values[shown], scheme, k)
    colors = _palette(cmap, len(bins))
    styles = [_fill(c) for c in colors]
    no_data, withheld = len(styles), len(styles) + 1
    styles += [
        _fill(_NO_DATA_COLOR, opacity=0.3),
        _fill(_SUPPRESSED_COLOR, opacity=0.6),
    ]
    cls = np.full(len(values), no_data)
    if shown.any():
        cls[shown] = _class_of(values[shown], bins)
    cls[hidden] = withheld
    return _Classes(shown, bins, colors, styles, cls, no_data)


def _class_legend_rows(
    classes: _Classes,
    values: np.ndarray,
    hidden: np.ndarray,
    *,
    with_no_data: bool,
    decimals: int,
    threshold: int,
    lang: str,
) -> list[tuple[str, str]]:
    """Legend rows of the classes, then no data (when asked) and withheld values."""
    shown_values = values[classes.shown]
    rows = list(
        zip(
            classes.colors,
            _range_labels(shown_values, classes.bins, decimals, lang),
            strict=True,
        )
    )
    if with_no_data:
        rows.append((_NO_DATA_COLOR, t("legend.no_data", lang)))
    if hidden.any():
        rows.append((_SUPPRESSED_COLOR, _withheld_text(threshold, lang)))
    return rows


def _withheld_text(threshold: int, lang: str) -> str:
    """Return the text shown instead of a withheld value."""
    return t("legend.suppressed", lang, threshold=fmt_int(threshold, lang))


def _legend_html(
    title: str, rows: Sequence[tuple[str, str]], *, dot: bool = False
) -> str:
    parts = [f'<div class="ga-legend-title">{_esc(title)}</div>']
    for color, label in rows:
        cls = "ga-swatch ga-swatch-dot" if dot else "ga-swatch"
        if color == "hatch":
            cls += " ga-swatch-hatch"
            style = ""
        else:
            style = f' style="background:{_esc(color)}"'
        parts.append(
            f'<div class="ga-legend-row"><span class="{cls}"{style}></span>'
            f"<span>{_esc(label)}</span></div>"
        )
    return "".join(parts)


def _popup(title: Any, rows: Sequence[tuple[str, str]], *, note: str = "") -> list[Any]:
    """Popup content as data ``[title, [[label, value], ...], note]``.

    The browser builds the popup from it with ``textContent``: input text is
    never parsed as HTML.
    """
    return [str(title), [[str(k), str(v)] for k, v in rows], str(note)]


def _value_text(
    value: Any,
    column: str,
    *,
    suppressed: bool,
    threshold: int,
    allow_small: bool,
    decimals: int,
    lang: str,
) -> str:
    if column in COUNT_COLUMNS and not allow_small and is_small(value, threshold):
        return fmt_count(value, threshold=threshold, lang=lang)
    if suppressed:
        return _withheld_text(threshold, lang)
    if column in COUNT_COLUMNS:
        return fmt_count(value, threshold=threshold, allow_small=allow_small, lang=lang)
    return fmt_number(value, decimals, lang)


def _hidden_mask(
    df: pd.DataFrame, column: str, *, threshold: int, allow_small: bool
) -> np.ndarray:
    """Rows whose value must not be shown: withheld upstream, or a small count.

    Values withheld by disclosure control (:func:`_withheld`) stay hidden even
    with ``allow_small=True``, which only lifts this module's small-count check.
    """
    mask = _withheld(df, column)
    if column in COUNT_COLUMNS and not allow_small:
        mask |= small_mask(df[column], threshold)
    return mask


def _withheld(df: pd.DataFrame, column: str) -> np.ndarray:
    """Rows whose ``column`` was withheld by disclosure control.

    ``suppressed`` is either a flag per row (bool: the whole row's values are
    withheld) or, as :func:`geo_alloggi.disclosure.suppress` writes it, the
    comma-separated names of the withheld columns of each row.
    """
    if S.SUPPRESSED not in df.columns:
        return np.zeros(len(df), dtype=bool)
    flags = df[S.SUPPRESSED]
    values = [v for v in flags if not _isna(v)]
    if all(isinstance(v, (bool, np.bool_)) for v in values):
        return np.array([bool(v) if not _isna(v) else False for v in flags], dtype=bool)
    return np.array(
        [
            not _isna(v) and column in {c.strip() for c in str(v).split(",")}
            for v in flags
        ],
        dtype=bool,
    )


def _isna(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _extra_rows(
    row: Mapping[str, Any],
    columns: Sequence[str],
    *,
    threshold: int,
    allow_small: bool,
    lang: str,
) -> list[tuple[str, str]]:
    out = []
    one = pd.DataFrame([{S.SUPPRESSED: row.get(S.SUPPRESSED)}])
    for col in columns:
        value = row[col]
        if S.SUPPRESSED in row and _withheld(one, col)[0]:
            text = _withheld_text(threshold, lang)
        elif col in COUNT_COLUMNS:
            text = fmt_count(
                value, threshold=threshold, allow_small=allow_small, lang=lang
            )
        elif isinstance(
            value, (int, float, np.integer, np.floating)
        ) and not isinstance(value, bool):
            text = fmt_number(value, 0 if float(value).is_integer() else 2, lang)
        else:
            text = t("value.missing", lang) if pd.isna(value) else str(value)
        out.append((column_label(col, lang), text))
    return out


# ---------------------------------------------------------------------------
# the map itself


def base_map(
    bounds: Sequence[float] | None = None,
    *,
    tiles: str | None = None,
    lang: str = "it",
    title: str | None = None,
    synthetic: bool = False,
    height: str = "100%",
    sources: Sequence[str] = ("nil", "comuni", "civici"),
) -> folium.Map:
    """Create an empty map with the package's setup (attribution, banner, title).

    Parameters
    ----------
    bounds
        ``(minx, miny, maxx, maxy)`` in EPSG:4326 to fit; default Milan and
        Cinisello Balsamo.
    tiles
        Online tiles (a folium tiles name or URL template) as an optional base
        layer. Default ``None``: no tiles, the page needs no network; draw the
        comuni with :func:`basemap_layer` as a vector basemap.
    lang
        ``"it"`` (default) or ``"en"``.
    title
        A title shown at the top of the map and as the page title.
    synthetic
        Show the SYNTHETIC banner (``config.synthetic_label``).
    height
        CSS height of the map.
    sources
        Datasets of :data:`geo_alloggi.datasets.REGISTRY` credited in the
        attribution (their licences are shown on the map).

    Returns
    -------
    folium.Map
    """
    check_lang(lang)
    b = tuple(bounds) if bounds is not None else (9.03, 45.38, 9.30, 45.58)
    m = folium.Map(
        location=[(b[1] + b[3]) / 2, (b[0] + b[2]) / 2],
        zoom_start=11,
        tiles=None,
        control_scale=True,
        height=height,
        minZoom=8,
        maxZoom=19,
    )
    if tiles is not None:
        folium.TileLayer(tiles, name=t("layer.tiles", lang), overlay=False).add_to(m)
    m.fit_bounds([[b[1], b[0]], [b[3], b[2]]])
    _setup(m, lang=lang, synthetic=synthetic, title=title, sources=sources)
    return m


def _setup(
    m: folium.Map,
    *,
    lang: str,
    synthetic: bool,
    title: str | None = None,
    sources: Sequence[str] = ("nil", "comuni", "civici"),
) -> _Setup:
    from geo_alloggi import datasets

    setup = m._children.get("ga_setup")
    if not isinstance(setup, _Setup):
        unknown = [s for s in sources if s not in datasets.REGISTRY]
        if unknown:
            raise ValidationError(
                f"sources={unknown!r} are not datasets; "
                f"known: {list(datasets.REGISTRY)!r}"
            )
        text = f"{t('caption.sources', lang)}: {datasets.attribution(list(sources))}"
        setup = _Setup(attribution=text)
        m.add_child(setup, name="ga_setup")
    if synthetic:
        setup.banner = t("banner.synthetic", lang, label=config.synthetic_label)
    if title:
        setup.title = str(title)
    root = m.get_root()
    if isinstance(root, Figure) and (title or synthetic):
        page = setup.title or t("title.meeting", lang)
        if setup.banner:
            page = f"{page} [{config.synthetic_label}]"
        root.title = _esc(page)
    return setup


def _ensure_map(
    m: folium.Map | None, gdf: gpd.GeoDataFrame, *, lang: str, synthetic: bool
) -> folium.Map:
    if m is None:
        geo = gdf.geometry.to_crs(config.geographic_crs)
        geo = geo[geo.notna() & ~geo.is_empty]
        bounds = tuple(geo.total_bounds) if len(geo) else None
        return base_map(bounds, lang=lang, synthetic=synthetic)
    if not isinstance(m, folium.Map):
        raise ValidationError(
            f"m must be a folium.Map or None, got {type(m).__name__!r}"
        )
    _setup(m, lang=lang, synthetic=synthetic)
    return m


# ---------------------------------------------------------------------------
# layers


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
    comuni
        Municipal boundaries in the district schema (``district_id``, ``name``),
        e.g. ``load_districts("comuni", all_comuni=True)``.
    m
        Map to draw on; a new one when None.
    name
        Layer name in the layer control (default ``"Comuni (base)"``).
    labels
        Write each comune's name at zoom levels 10 to 12 (the district
        labels take over from 13).
    lang, synthetic
        See :func:`base_map`.
    simplify_m, precision
        Simplification tolerance in metres and decimals kept in coordinates.

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
    _check_common(lang, simplify_m, precision)
    gdf = _districts(comuni, "comuni")
    m = _ensure_map(m, gdf, lang=lang, synthetic=synthetic)
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
    return _add_district_layer(
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
    districts
        District layer in the normalised schema (``district_id``, ``name``).
    m, name, show
        Map to draw on (new when None), layer name, visible at opening.
    labels, label_zoom
        Write the district names (as text, never as HTML) from this zoom level.
    color
        Outline colour.
    search
        Make the districts findable with the search box.
    lang, synthetic, simplify_m, precision
        See :func:`basemap_layer`.

    Returns
    -------
    folium.Map

    Raises
    ------
    ValidationError, CRSError
        As :func:`basemap_layer`.
    """
    _check_common(lang, simplify_m, precision)
    gdf = _districts(districts, "districts")
    m = _ensure_map(m, gdf, lang=lang, synthetic=synthetic)
    props = []
    for row in _records(gdf):
        rows = []
        if S.COMUNE in gdf.columns:
            rows.append((t("col.comune", lang), str(row[S.COMUNE])))
        rows.append((t("col.district_id", lang), str(row[S.DISTRICT_ID])))
        props.append(
            {
                "i": str(row[S.DISTRICT_ID]),
                "n": str(row[S.NAME]),
                "p": _popup(row[S.NAME], rows),
            }
        )
    style = {
        "color": color,
        "weight": 1.6,
        "opacity": 0.9,
        "fill": True,
        "fillOpacity": 0.0,
    }
    return _add_district_layer(
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
    districts
        Districts (``district_id``, ``name``, geometry) joined with statistics.
    column
        Numeric column to map (default ``occupied_per_100``).
    m
        Map to draw on; a new one when None.
    scheme, k
        mapclassify scheme (``"quantiles"``, ``"natural_breaks"``,
        ``"equal_interval"``, ``"fisher_jenks"``...) and number of classes.
        Classes are computed on the values that may be shown.
    cmap
        matplotlib colormap name for the classes.
    decimals
        Decimals in legend and popups (default 0 for counts, 1 otherwise).
    name, show
        Layer name (default: the column's label) and visibility at opening.
    popup_columns
        Further columns listed in each district's popup (counts suppressed).
    search
        Make the districts findable with the search box.
    threshold, allow_small
        Counts from 1 to ``threshold - 1`` (default
        ``config.suppression_threshold``) are drawn grey and shown as withheld
        unless ``allow_small=True``. Values withheld upstream are always
        hidden: ``suppressed`` as a bool flag per row, or as the
        comma-separated column names written by
        :func:`geo_alloggi.disclosure.suppress`.
    lang, synthetic, simplify_m, precision
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
    _check_common(lang, simplify_m, precision)
    gdf = _districts(districts, "districts", [column, *popup_columns])
    _require_numeric(gdf, column, "districts")
    if not isinstance(k, (int, np.integer)) or k < 1:
        raise ValidationError(f"k={k!r} must be an integer >= 1")
    thr = _threshold(threshold)
    m = _ensure_map(m, gdf, lang=lang, synthetic=synthetic)
    dec = _decimals(gdf, column, decimals)
    values = gdf[column].astype("float64").to_numpy()
    hidden = _hidden_mask(gdf, column, threshold=thr, allow_small=allow_small)
    classes = _class_styles(values, hidden, scheme=scheme, k=k, cmap=cmap)
    label = column_label(column, lang)
    props = []
    for i, row in enumerate(_records(gdf)):
        text = _value_text(
            row[column],
            column,
            suppressed=bool(hidden[i]),
            threshold=thr,
            allow_small=allow_small,
            decimals=dec,
            lang=lang,
        )
        rows = [(label, text)]
        if S.COMUNE in gdf.columns:
            rows.append((t("col.comune", lang), str(row[S.COMUNE])))
        rows += _extra_rows(
            row, popup_columns, threshold=thr, allow_small=allow_small, lang=lang
        )
        props.append(
            _district_props(row, style=int(classes.cls[i]), popup=rows, text=text)
        )
    legend_rows = _class_legend_rows(
        classes,
        values,
        hidden,
        with_no_data=bool((classes.cls == classes.no_data).any()),
        decimals=dec,
        threshold=thr,
        lang=lang,
    )
    return _add_district_layer(
        m,
        gdf,
        props,
        simplify_m=simplify_m,
        precision=precision,
        name=name or label,
        styles=classes.styles,
        show=show,
        legend_html=_legend_html(name or label, legend_rows),
        search_kind="district" if search else "",
    )


def _hotspot_bins(gdf: gpd.GeoDataFrame, column: str) -> np.ndarray:
    inverse = {v: k for k, v in S.HOTSPOT_LABELS.items()}
    out = []
    bad = []
    for v in gdf[column]:
        if isinstance(v, str):
            if v not in inverse:
                bad.append(v)
                continue
            out.append(inverse[v])
        elif pd.isna(v):
            out.append(0)
        elif int(v) in S.HOTSPOT_LABELS and float(v) == int(v):
            out.append(int(v))
        else:
            bad.append(v)
    if bad:
        raise ValidationError(
            f"districts[{column!r}] has values {sorted(map(str, set(bad)))[:5]!r}; "
            "expected "
            f"{list(S.HOTSPOT_LABELS.values())!r} or bins {sorted(S.HOTSPOT_LABELS)!r}"
        )
    return np.array(out, dtype=int)


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
    districts
        Districts with ``hotspot`` (labels of ``_schema.HOTSPOT_LABELS``) or
        ``gi_bin`` (-3..3); ``gi_z`` and ``gi_p`` are shown in popups when present.
    column
        Column holding the classes (default ``hotspot``, else ``gi_bin``).
    m, name, show, search, lang, synthetic, simplify_m, precision
        See :func:`choropleth_layer`.

    Returns
    -------
    folium.Map

    Raises
    ------
    ValidationError
        No class column, or values that are not hot-spot classes.
    """
    _check_common(lang, simplify_m, precision)
    gdf = require_geodataframe(districts, "districts")
    if column is None:
        column = S.HOTSPOT if S.HOTSPOT in gdf.columns else S.GI_BIN
    gdf = _districts(gdf, "districts", [column])
    m = _ensure_map(m, gdf, lang=lang, synthetic=synthetic)
    bins = _hotspot_bins(gdf, column)
    order = sorted(S.HOTSPOT_LABELS, reverse=True)
    styles = [_fill(HOTSPOT_COLORS[b], opacity=0.8 if b else 0.35) for b in order]
    props = []
    for i, row in enumerate(_records(gdf)):
        lab = hotspot_label(int(bins[i]), lang)
        rows = [(t("col.hotspot", lang), lab)]
        if S.GI_Z in gdf.columns:
            rows.append((t("col.gi_z", lang), fmt_number(row[S.GI_Z], 2, lang)))
        if S.GI_P in gdf.columns:
            rows.append(("p", fmt_number(row[S.GI_P], 3, lang)))
        props.append(
            _district_props(row, style=order.index(int(bins[i])), popup=rows, text=lab)
        )
    title = name or t("layer.hotspots", lang)
    legend = _legend_html(
        title, [(HOTSPOT_COLORS[b], hotspot_label(b, lang)) for b in order]
    )
    return _add_district_layer(
        m,
        gdf,
        props,
        simplify_m=simplify_m,
        precision=precision,
        name=title,
        styles=styles,
        show=show,
        legend_html=legend,
        search_kind="district" if search else "",
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
    districts
        Districts with ``emerging_category`` (values of
        ``_schema.EMERGING_CATEGORIES``; missing values count as no pattern).
    column, m, name, show, search, lang, synthetic, simplify_m, precision
        See :func:`choropleth_layer`.

    Returns
    -------
    folium.Map

    Raises
    ------
    ValidationError
        Values that are not emerging categories.
    """
    _check_common(lang, simplify_m, precision)
    gdf = _districts(districts, "districts", [column])
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
    m = _ensure_map(m, gdf, lang=lang, synthetic=synthetic)
    cats = list(S.EMERGING_CATEGORIES)
    styles = [
        _fill(EMERGING_COLORS[c], opacity=0.3 if c == "No Pattern Detected" else 0.8)
        for c in cats
    ]
    props = []
    for row, v in zip(_records(gdf), values, strict=True):
        lab = emerging_label(v, lang)
        rows = [(t("col.emerging_category", lang), lab)]
        props.append(_district_props(row, style=cats.index(v), popup=rows, text=lab))
    present = [c for c in cats if c in set(values)]
    title = name or t("layer.emerging", lang)
    legend = _legend_html(
        title, [(EMERGING_COLORS[c], emerging_label(c, lang)) for c in present]
    )
    return _add_district_layer(
        m,
        gdf,
        props,
        simplify_m=simplify_m,
        precision=precision,
        name=title,
        styles=styles,
        show=show,
        legend_html=legend,
        search_kind="district" if search else "",
    )


def _estate_icon(units: Any) -> int:
    if units is None or pd.isna(units):
        return 0
    u = float(units)
    return 0 if u < 50 else 1 if u < 200 else 2 if u < 500 else 3


def estates_layer(
    estates: gpd.GeoDataFrame,
    *,
    m: folium.Map | None = None,
    name: str | None = None,
    show: bool = True,
    cluster: bool = True,
    search: bool = True,
    threshold: int | None = None,
    allow_small: bool = False,
    lang: str = "it",
    synthetic: bool = False,
    precision: int = DEFAULT_PRECISION,
) -> folium.Map:
    """Draw estates as (clustered) markers with popups of their aggregated counts.

    Parameters
    ----------
    estates
        Points with ``estate_id`` and ``name``; optional ``address``, ``comune``,
        ``owner``, ``units`` and the aggregated counts ``occupied``, ``vacant``,
        ``evictions``. Estates without a position are skipped with a warning.
    m, name, show
        Map to draw on (new when None), layer name, visibility at opening.
    cluster
        Group nearby markers into clusters (Leaflet.markercluster).
    search
        Make the estates findable by name with the search box.
    threshold, allow_small
        Counts from 1 to ``threshold - 1`` are shown as ``< threshold`` unless
        ``allow_small=True``.
    lang, synthetic, precision
        See :func:`basemap_layer`.

    Returns
    -------
    folium.Map

    Raises
    ------
    ValidationError
        Missing columns, duplicated ids, non-point geometries.
    CRSError
        ``estates`` without CRS.
    """
    check_lang(lang)
    gdf = require_geodataframe(estates, "estates")
    require_columns(gdf, [S.ESTATE_ID, S.NAME], "estates")
    require_unique(gdf, S.ESTATE_ID, "estates")
    thr = _threshold(threshold)
    geo = gdf.geometry.to_crs(config.geographic_crs)
    placed = geo.notna() & ~geo.is_empty
    types = set(geo[placed].geom_type)
    if types - {"Point"}:
        raise ValidationError(
            f"estates must hold Point geometries, found {sorted(types)!r}"
        )
    if (~placed).any():
        ids = gdf.loc[~placed, S.ESTATE_ID].astype(str).tolist()
        warnings.warn(
            f"{len(ids)} estate(s) without a position are not drawn, e.g. {ids[:5]!r}",
            UserWarning,
            stacklevel=2,
        )
    m = _ensure_map(m, gdf[placed.to_numpy()], lang=lang, synthetic=synthetic)
    owners = list(OWNER_COLORS)
    colors = [*OWNER_COLORS.values(), _OTHER_OWNER_COLOR]
    sizes = [10, 13, 16, 20]
    icons = [{"color": c, "size": s} for c in colors for s in sizes]
    field_cols = [
        c
        for c in (
            S.ADDRESS,
            S.COMUNE,
            S.OWNER,
            S.UNITS,
            S.OCCUPIED,
            S.VACANT,
            S.EVICTIONS,
        )
        if c in gdf.columns
    ]
    field_labels = [column_label(c, lang) for c in field_cols]
    rows_out: list[list[Any]] = []
    seen_owners: set[int] = set()
    xs = np.round(geo.x.to_numpy(), precision)
    ys = np.round(geo.y.to_numpy(), precision)
    for i, row in enumerate(_records(gdf)):
        if not placed.iloc[i]:
            continue
        owner = row[S.OWNER] if S.OWNER in gdf.columns else None
        oi = owners.index(owner) if owner in owners else len(owners)
        seen_owners.add(oi)
        icon = oi * len(sizes) + _estate_icon(
            row[S.UNITS] if S.UNITS in gdf.columns else None
        )
        values: list[str | None] = []
        for col in field_cols:
            v = row[col]
            if _isna(v):
                values.append(None)
            elif col == S.OWNER:
                values.append(owner_label(v, lang))
            elif col == S.UNITS:
                values.append(fmt_int(v, lang))
            elif col in COUNT_COLUMNS:
                values.append(
                    fmt_count(v, threshold=thr, allow_small=allow_small, lang=lang)
                )
            else:
                values.append(str(v))
        rows_out.append([float(ys[i]), float(xs[i]), icon, str(row[S.NAME]), values])
    legend_rows = [
        (colors[oi], owner_label(owners[oi], lang) if oi < len(owners) else "—")
        for oi in sorted(seen_owners)
    ]
    title = name or t("layer.estates", lang)
    m.add_child(
        _MarkerLayer(
            rows_out,
            kind="cluster",
            name=title,
            opts={"icons": icons, "cluster": bool(cluster), "fields": field_labels},
            show=show,
            legend_html=_legend_html(t("legend.estates", lang), legend_rows, dot=True),
            search_kind="estate" if search else "",
        )
    )
    return m


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
    contours
        Polygons with a numeric level column (e.g. a KDE's contour bands).
    level_column
        The level column; higher levels are drawn darker and on top.
    m, name, show, cmap, lang, synthetic, simplify_m, precision
        See :func:`choropleth_layer`.
    decimals
        Decimals of the levels in the legend.

    Returns
    -------
    folium.Map

    Raises
    ------
    ValidationError
        Missing or non-numeric level column, non-polygon geometries.
    """
    _check_common(lang, simplify_m, precision)
    gdf = require_geodataframe(contours, "contours")
    require_columns(gdf, [level_column], "contours")
    _require_numeric(gdf, level_column, "contours")
    types = set(gdf.geometry[gdf.geometry.notna() & ~gdf.geometry.is_empty].geom_type)
    if types - {"Polygon", "MultiPolygon"}:
        raise ValidationError(f"contours must hold polygons, found {sorted(types)!r}")
    m = _ensure_map(m, gdf, lang=lang, synthetic=synthetic)
    gdf = gdf.sort_values(level_column, kind="stable")
    levels = sorted(set(gdf[level_column].dropna().astype(float)))
    colors = _palette(cmap, len(levels))
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
    for row in _records(gdf):
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
    legend = _legend_html(
        label, [(c, texts[v]) for c, v in zip(colors, levels, strict=True)]
    )
    m.add_child(
        _GeoJsonLayer(
            _feature_collection(geoms, props),
            name=title,
            styles=styles,
            show=show,
            legend_html=legend,
        )
    )
    return m


def time_slider_layer(
    districts: gpd.GeoDataFrame,
    table: pd.DataFrame,
    *,
    column: str = S.OCCUPIED,
    period_column: str = S.PERIOD,
    m: folium.Map | None = None,
    scheme: str = "quantiles",
    k: int = 5,
    cmap: str = "YlOrRd",
    decimals: int | None = None,
    name: str | None = None,
    show: bool = False,
    threshold: int | None = None,
    allow_small: bool = False,
    lang: str = "it",
    synthetic: bool = False,
    simplify_m: float = DEFAULT_SIMPLIFY_M,
    precision: int = DEFAULT_PRECISION,
) -> folium.Map:
    """Colour districts period by period, with a slider and a play button.

    Parameters
    ----------
    districts
        District geometries (``district_id``, ``name``).
    table
        One row per district × period: ``district_id``, ``period`` and
        ``column``; an optional ``suppressed`` flag withholds a row's value.
    column, period_column
        Value and period columns. Classes are computed over all periods so
        colours compare across time.
    m, scheme, k, cmap, decimals, name, show, threshold, allow_small, lang,
    synthetic, simplify_m, precision
        See :func:`choropleth_layer`.

    Returns
    -------
    folium.Map

    Raises
    ------
    ValidationError
        Missing columns, duplicated district × period rows, non-numeric values.
    """
    _check_common(lang, simplify_m, precision)
    gdf = _districts(districts, "districts")
    if not isinstance(table, pd.DataFrame):
        raise ValidationError(
            f"table must be a pandas.DataFrame, got {type(table).__name__!r}"
        )
    require_columns(table, [S.DISTRICT_ID, period_column, column], "table")
    _require_numeric(table, column, "table")
    dup = table.duplicated([S.DISTRICT_ID, period_column], keep=False)
    if dup.any():
        sample = table.loc[dup, [S.DISTRICT_ID, period_column]].astype(str).head(3)
        raise ValidationError(
            f"table has duplicated (district_id, {period_column}) rows, e.g. "
            f"{sample.to_numpy().tolist()!r}"
        )
    thr = _threshold(threshold)
    m = _ensure_map(m, gdf, lang=lang, synthetic=synthetic)
    dec = _decimals(table, column, decimals)
    periods = sorted(table[period_column].dropna().unique())
    if not periods:
        raise ValidationError(f"table[{period_column!r}] has no periods")
    labels = [fmt_period(p, lang) for p in periods]
    tab = table[table[S.DISTRICT_ID].isin(set(gdf[S.DISTRICT_ID]))].reset_index(
        drop=True
    )
    hidden = _hidden_mask(tab, column, threshold=thr, allow_small=allow_small)
    values = tab[column].astype("float64").to_numpy()
    classed = _class_styles(values, hidden, scheme=scheme, k=k, cmap=cmap)
    no_data, cls = classed.no_data, classed.cls
    pidx = {p: i for i, p in enumerate(periods)}
    classes: dict[str, list[int]] = {}
    texts: dict[str, list[str]] = {}
    missing = t("value.missing", lang)
    for i, (did, per) in enumerate(
        zip(tab[S.DISTRICT_ID], tab[period_column], strict=True)
    ):
        if pd.isna(per):
            continue
        key = str(did)
        classes.setdefault(key, [no_data] * len(periods))[pidx[per]] = int(cls[i])
        texts.setdefault(key, [missing] * len(periods))[pidx[per]] = _value_text(
            values[i],
            column,
            suppressed=bool(hidden[i]),
            threshold=thr,
            allow_small=allow_small,
            decimals=dec,
            lang=lang,
        )
    props = [
        {"i": str(d), "n": str(n), "s": classes.get(str(d), [no_data])[-1]}
        for d, n in zip(gdf[S.DISTRICT_ID], gdf[S.NAME], strict=True)
    ]
    label = column_label(column, lang)
    title = name or f"{t('layer.time', lang)}: {label}"
    legend_rows = _class_legend_rows(
        classed,
        values,
        hidden,
        with_no_data=True,
        decimals=dec,
        threshold=thr,
        lang=lang,
    )
    slider = {
        "periods": labels,
        "classes": classes,
        "texts": texts,
        "styles": classed.styles,
        "missing": no_data,
        "none": missing,
        "title": title,
        "play": t("control.play", lang),
        "pause": t("control.pause", lang),
    }
    return _add_district_layer(
        m,
        gdf,
        props,
        simplify_m=simplify_m,
        precision=precision,
        name=title,
        styles=classed.styles,
        show=show,
        legend_html=_legend_html(label, legend_rows),
        slider=slider,
    )


def priority_layer(
    priorities: pd.DataFrame,
    *,
    geometry: gpd.GeoDataFrame | None = None,
    id_column: str = S.DISTRICT_ID,
    rank_column: str = S.PRIORITY_RANK,
    score_column: str = S.PRIORITY_SCORE,
    reason_column: str = S.PRIORITY_REASONS,
    name_column: str = S.NAME,
    top: int = 20,
    kind: str = "patrol",
    m: folium.Map | None = None,
    name: str | None = None,
    show: bool = False,
    search: bool = False,
    lang: str = "it",
    synthetic: bool = False,
    simplify_m: float = DEFAULT_SIMPLIFY_M,
    precision: int = DEFAULT_PRECISION,
) -> folium.Map:
    """Mark the top-ranked districts or estates with their rank, score and reason.

    Parameters
    ----------
    priorities
        Ranked table: ``id_column``, ``rank_column``, ``score_column``,
        ``reason_column`` (the text saying why the row ranks there). A
        GeoDataFrame is used as is; a DataFrame takes its geometry from
        ``geometry`` joined on ``id_column``.
    geometry
        Districts or estates (with ``id_column`` and ``name``) giving positions.
    id_column, rank_column, score_column, reason_column, name_column
        Column names (``district_id`` for districts, ``estate_id`` for estates).
    top
        How many of the best-ranked rows to draw.
    kind
        ``"patrol"`` (red) or ``"renovation"`` (blue): colour and default name.
    m, name, show, search, lang, synthetic, simplify_m, precision
        See :func:`choropleth_layer`.

    Returns
    -------
    folium.Map

    Raises
    ------
    ValidationError
        Missing columns, ids without geometry, bad ``kind`` or ``top``.
    """
    _check_common(lang, simplify_m, precision)
    if kind not in _PRIORITY_COLORS:
        raise ValidationError(
            f"kind={kind!r} is not one of {sorted(_PRIORITY_COLORS)!r}"
        )
    if not isinstance(top, (int, np.integer)) or top < 1:
        raise ValidationError(f"top={top!r} must be an integer >= 1")
    if not isinstance(priorities, pd.DataFrame):
        raise ValidationError(
            f"priorities must be a pandas.DataFrame, got {type(priorities).__name__!r}"
        )
    require_columns(
        priorities, [id_column, rank_column, score_column, reason_column], "priorities"
    )
    if isinstance(priorities, gpd.GeoDataFrame) and geometry is None:
        gdf = require_geodataframe(priorities, "priorities")
        if name_column not in gdf.columns:
            gdf = gdf.assign(**{name_column: gdf[id_column].astype(str)})
    else:
        if geometry is None:
            raise ValidationError(
                "priorities has no geometry: pass geometry= (districts or estates with "
                f"{id_column!r})"
            )
        geo = require_geodataframe(geometry, "geometry")
        require_columns(geo, [id_column], "geometry")
        require_unique(geo, id_column, "geometry")
        keep = [id_column, "geometry"] + (
            [name_column] if name_column in geo.columns else []
        )
        table = pd.DataFrame(priorities).drop(
            columns=["geometry", name_column], errors="ignore"
        )
        gdf = gpd.GeoDataFrame(
            table.merge(geo[keep], on=id_column, how="left", validate="many_to_one"),
            geometry="geometry",
            crs=geo.crs,
        )
        if name_column not in gdf.columns:
            gdf[name_column] = gdf[id_column].astype(str)
        lost = gdf.geometry.isna()
        if lost.any():
            raise ValidationError(
                f"priorities has {int(lost.sum())} id(s) without geometry, e.g. "
                f"{gdf.loc[lost, id_column].astype(str).head(5).tolist()!r}"
            )
    m = _ensure_map(m, gdf, lang=lang, synthetic=synthetic)
    gdf = (
        gdf.sort_values(rank_column, kind="stable")
        .head(int(top))
        .reset_index(drop=True)
    )
    polygonal = gdf.geometry.geom_type.isin(["Polygon", "MultiPolygon"]).to_numpy()
    anchors = gdf.geometry.to_crs(config.metric_crs)
    anchors = anchors.where(~polygonal, anchors.representative_point()).to_crs(
        config.geographic_crs
    )
    rows = []
    for i, row in enumerate(_records(gdf)):
        # rank and reason only: with the weights known, a score next to the
        # counts shown elsewhere could give a withheld count back
        fields = [(t("col.rank", lang), fmt_int(row[rank_column], lang))]
        reason = "" if pd.isna(row[reason_column]) else str(row[reason_column])
        pt = anchors.iloc[i]
        rows.append(
            [
                round(float(pt.y), precision),
                round(float(pt.x), precision),
                fmt_int(row[rank_column], lang),
                str(row[name_column]),
                _popup(row[name_column], fields, note=reason),
            ]
        )
    color = _PRIORITY_COLORS[kind]
    areas = None
    if polygonal.any():
        areas = _shared_features(
            m,
            gdf[polygonal],
            [{} for _ in range(int(polygonal.sum()))],
            simplify_m=simplify_m,
            precision=precision,
        )
    title = name or t(f"layer.priorities_{kind}", lang)
    legend = _legend_html(
        title, [(color, t("legend.top", lang, n=len(rows)))], dot=True
    )
    m.add_child(
        _MarkerLayer(
            rows,
            kind="ranks",
            name=title,
            opts={
                "color": color,
                "areaStyle": {
                    "color": color,
                    "weight": 2.5,
                    "opacity": 0.9,
                    "fillColor": color,
                    "fillOpacity": 0.12,
                },
            },
            show=show,
            legend_html=legend,
            search_kind=("estate" if id_column == S.ESTATE_ID else "district")
            if search
            else "",
            areas=areas,
        )
    )
    return m


def renovation_layer(
    plan: Any,
    *,
    estates: gpd.GeoDataFrame,
    top: int = 30,
    m: folium.Map | None = None,
    name: str | None = None,
    show: bool = False,
    search: bool = False,
    threshold: int | None = None,
    allow_small: bool = False,
    lang: str = "it",
    synthetic: bool = False,
    precision: int = DEFAULT_PRECISION,
) -> folium.Map:
    """Mark the estates chosen by a renovation plan, best risk-weighted units first.

    Parameters
    ----------
    plan
        :class:`geo_alloggi.priorities.RenovationPlan` or its ``plan`` table:
        ``estate_id``, ``selected``, ``units_chosen``, ``cost_eur``, ``risk``
        and, when present, ``risk_weighted_units`` (the ranking key).
    estates
        Estate points (``estate_id``, ``name``) giving positions.
    top
        How many selected estates to draw.
    m, name, show, search, lang, synthetic, precision
        See :func:`priority_layer`.
    threshold, allow_small
        Units chosen below the threshold are shown as ``< threshold``.

    Returns
    -------
    folium.Map

    Raises
    ------
    ValidationError
        Missing columns or estates without a position.
    """
    check_lang(lang)
    table = getattr(plan, "plan", plan)
    if not isinstance(table, pd.DataFrame):
        raise ValidationError(
            f"plan must be a RenovationPlan or a DataFrame, got {type(plan).__name__!r}"
        )
    needed = [S.ESTATE_ID, S.SELECTED, S.UNITS_CHOSEN, S.COST_EUR, S.RISK]
    require_columns(table, needed, "plan")
    thr = _threshold(threshold)
    chosen = table[table[S.SELECTED].fillna(False).astype(bool)]
    chosen = chosen[chosen[S.UNITS_CHOSEN].fillna(0) > 0]
    key = S.RISK_WEIGHTED if S.RISK_WEIGHTED in chosen.columns else S.UNITS_CHOSEN
    chosen = chosen.sort_values([key, S.ESTATE_ID], ascending=[False, True])
    reasons = [
        t(
            "reason.renovation",
            lang,
            units=fmt_count(u, threshold=thr, allow_small=allow_small, lang=lang),
            cost=fmt_int(c, lang),
            risk=fmt_number(r, 2, lang),
        )
        for u, c, r in zip(
            chosen[S.UNITS_CHOSEN], chosen[S.COST_EUR], chosen[S.RISK], strict=True
        )
    ]
    ranked = pd.DataFrame(
        {
            S.ESTATE_ID: chosen[S.ESTATE_ID].to_numpy(),
            S.PRIORITY_RANK: np.arange(1, len(chosen) + 1),
            S.PRIORITY_SCORE: chosen[key].astype(float).to_numpy(),
            S.PRIORITY_REASONS: reasons,
        }
    )
    return priority_layer(
        ranked,
        geometry=estates,
        id_column=S.ESTATE_ID,
        top=top,
        kind="renovation",
        m=m,
        name=name,
        show=show,
        search=search,
        lang=lang,
        synthetic=synthetic,
        precision=precision,
    )


def add_controls(
    m: folium.Map,
    *,
    lang: str = "it",
    layer_control: bool = True,
    fullscreen: bool = True,
    search: bool = True,
    minimap: bool = True,
) -> folium.Map:
    """Add the layer control, full-screen button, name search and minimap.

    They are written after every layer when the page is rendered, so layers
    added later are still listed.

    Parameters
    ----------
    m
        The map.
    lang
        ``"it"`` or ``"en"``.
    layer_control, fullscreen, search, minimap
        Which controls to add.

    Returns
    -------
    folium.Map
    """
    check_lang(lang)
    if not isinstance(m, folium.Map):
        raise ValidationError(f"m must be a folium.Map, got {type(m).__name__!r}")
    if fullscreen or search or minimap:
        m.add_child(
            _Controls(lang=lang, fullscreen=fullscreen, search=search, minimap=minimap),
            name="ga_controls",
        )
    if layer_control:
        m.add_child(_LayerControl(collapsed=False), name="ga_layer_control")
    return m


# ---------------------------------------------------------------------------
# composition


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
    districts
        Districts joined with statistics: ``column`` is mapped as a
        choropleth; ``hotspot``/``gi_bin`` and ``emerging_category`` add the
        hot-spot and emerging layers when present; the outlines (labelled,
        searchable) are always drawn.
    column
        The rate of the main choropleth (default ``occupied_per_100``).
    estates
        Estate points with aggregated counts (clustered markers).
    comuni
        Comuni for the vector basemap (e.g. ``load_districts("comuni",
        all_comuni=True)``).
    contours
        Density contours with a ``level`` column.
    periods
        Per-period table (``district_id``, ``period``, ``slider_column``) for
        the time slider.
    slider_column
        Value shown by the time slider (default ``occupied``).
    patrol, renovation
        Ranked priority tables (``rank``, ``priority_score``, ``reasons``, as
        made by :func:`geo_alloggi.priorities.patrol_priority`); district
        tables (``district_id``) take geometry from ``districts``, estate
        tables (``estate_id``) from ``estates``. ``renovation`` may also be a
        :class:`~geo_alloggi.priorities.RenovationPlan` (or its ``plan`` table).
    title, tiles, lang, synthetic
        See :func:`base_map`.
    threshold, allow_small
        Suppression of small counts (see :func:`choropleth_layer`).
    simplify_m, precision
        Simplification tolerance (metres) and coordinate decimals.

    Returns
    -------
    folium.Map
        Render it with :func:`save_offline`.

    Raises
    ------
    ValidationError, CRSError
        From the layer builders.
    """
    gdf = _districts(districts, "districts", [column])
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
        if table is None:
            continue
        if S.ESTATE_ID in table.columns and S.DISTRICT_ID not in table.columns:
            if estates is None:
                raise ValidationError(
                    f"{kind} priorities are per estate: pass estates="
                )
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
                geometry=None if isinstance(table, gpd.GeoDataFrame) else gdf,
                kind=kind,
                m=m,
                simplify_m=simplify_m,
                **common,
            )
    outline_layer(gdf, m=m, simplify_m=simplify_m, **common)
    if estates is not None:
        estates_layer(estates, m=m, **common, **small)
    return add_controls(m, lang=lang)


# ---------------------------------------------------------------------------
# output


def map_html(
    m: folium.Map, *, offline: bool = True, allow_online_tiles: bool = False
) -> str:
    """Render a map as one HTML page with deterministic element ids.

    Parameters
    ----------
    m
        The map (not modified).
    offline
        Inline every asset from installed packages and refuse any remaining
        ``http(s)://`` reference (default). ``False`` links folium's CDNs.
    allow_online_tiles
        With ``offline=True``, keep online tile layers (the rest of the page
        still works without network).

    Returns
    -------
    str

    Raises
    ------
    OfflineError
        The page cannot be made offline (see
        :func:`geo_alloggi._offline.render_offline`).
    """
    return render_offline(m, allow_online_tiles=allow_online_tiles, inline=offline)


def save_offline(
    m: folium.Map, path: PathLike, *, allow_online_tiles: bool = False
) -> Path:
    """Write the map as a single self-contained HTML file that loads nothing online.

    Parameters
    ----------
    m
        The map (not modified).
    path
        Output file (parent folders are created).
    allow_online_tiles
        Keep online tile layers (see :func:`map_html`).

    Returns
    -------
    pathlib.Path
        The written file.

    Raises
    ------
    OfflineError
        An asset that no installed package provides, or a remote reference left.
    """
    text = map_html(m, offline=True, allow_online_tiles=allow_online_tiles)
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    log.info("wrote %s (%.2f MB)", out, out.stat().st_size / 1e6)
    return out


# ---------------------------------------------------------------------------
# static export (matplotlib, no browser)


def export_static(
    districts: gpd.GeoDataFrame,
    path: PathLike,
    *,
    column: str = S.OCCUPIED_PER_100,
    estates: gpd.GeoDataFrame | None = None,
    comuni: gpd.GeoDataFrame | None = None,
    scheme: str = "quantiles",
    k: int = 5,
    cmap: str = "YlOrRd",
    decimals: int | None = None,
    title: str | None = None,
    threshold: int | None = None,
    allow_small: bool = False,
    lang: str = "it",
    synthetic: bool = False,
    sources: Sequence[str] = ("nil", "comuni", "civici"),
    figsize: tuple[float, float] = (11.69, 8.27),
    dpi: int = 150,
) -> Path:
    """Draw the main map (choropleth, basemap, estates) to PNG, PDF or SVG for handouts.

    Same classes, colours, suppression and labels as :func:`choropleth_layer`;
    drawn in ``config.metric_crs`` with a scale bar, the legend, the sources
    with their licences and, for synthetic data, the SYNTHETIC banner.

    Parameters
    ----------
    districts
        Districts joined with statistics (``district_id``, ``name``, ``column``).
    path
        Output file; the format follows the suffix (``.png``, ``.pdf``, ``.svg``).
    column, scheme, k, cmap, decimals, threshold, allow_small, lang, synthetic
        See :func:`choropleth_layer`.
    estates
        Estate points drawn as dots coloured by owner.
    comuni
        Comuni drawn as a grey basemap around the districts.
    title
        Title (default: the meeting title).
    sources
        Datasets credited in the caption.
    figsize, dpi
        Page size in inches (default A4 landscape) and raster resolution.

    Returns
    -------
    pathlib.Path
        The written file. The same inputs give the same bytes (no timestamps).

    Raises
    ------
    ValidationError
        Unknown suffix, bad columns or options.
    """
    from matplotlib.figure import Figure as MplFigure
    from matplotlib.patches import Patch, Rectangle

    from geo_alloggi import datasets

    check_lang(lang)
    out = Path(path)
    fmt = out.suffix.lower().lstrip(".")
    if fmt not in {"png", "pdf", "svg"}:
        raise ValidationError(
            f"path={os.fspath(path)!r} must end in .png, .pdf or .svg"
        )
    gdf = _districts(districts, "districts", [column])
    _require_numeric(gdf, column, "districts")
    thr = _threshold(threshold)
    dec = _decimals(gdf, column, decimals)
    values = gdf[column].astype("float64").to_numpy()
    hidden = _hidden_mask(gdf, column, threshold=thr, allow_small=allow_small)
    shown = ~hidden & ~np.isnan(values)
    bins = _classify(values[shown], scheme, k)
    colors = _palette(cmap, len(bins))
    face = np.full(len(gdf), _NO_DATA_COLOR, dtype=object)
    if shown.any():
        face[shown] = [colors[c] for c in _class_of(values[shown], bins)]
    face[hidden] = _SUPPRESSED_COLOR
    metric = gdf.to_crs(config.metric_crs)

    fig = MplFigure(figsize=figsize, dpi=dpi)
    ax = fig.add_axes((0.02, 0.08, 0.70, 0.80))
    ax.set_axis_off()
    ax.set_aspect("equal")
    minx, miny, maxx, maxy = metric.total_bounds
    pad = 0.04 * max(maxx - minx, maxy - miny)
    if comuni is not None:
        com = require_geodataframe(comuni, "comuni").to_crs(config.metric_crs)
        com.plot(
            ax=ax, facecolor="#ececec", edgecolor="#9e9e9e", linewidth=0.5, zorder=1
        )
    metric.plot(ax=ax, color=list(face), edgecolor="#555555", linewidth=0.4, zorder=2)
    if hidden.any():
        metric[hidden].plot(
            ax=ax,
            facecolor="none",
            edgecolor="#777777",
            hatch="///",
            linewidth=0,
            zorder=3,
        )
    metric.boundary.plot(ax=ax, color="#333333", linewidth=0.6, zorder=4)
    handles = []
    for c, label in zip(
        colors, _range_labels(values[shown], bins, dec, lang), strict=True
    ):
        handles.append(Patch(facecolor=c, edgecolor="#555555", label=label))
    if (face == _NO_DATA_COLOR).any():
        handles.append(
            Patch(
                facecolor=_NO_DATA_COLOR,
                edgecolor="#555555",
                label=t("legend.no_data", lang),
            )
        )
    if hidden.any():
        handles.append(
            Patch(
                facecolor=_SUPPRESSED_COLOR,
                edgecolor="#777777",
                hatch="///",
                label=_withheld_text(thr, lang),
            )
        )
    if estates is not None:
        est = require_geodataframe(estates, "estates")
        est = est[est.geometry.notna() & ~est.geometry.is_empty].to_crs(
            config.metric_crs
        )
        owner = (
            est[S.OWNER] if S.OWNER in est.columns else pd.Series("", index=est.index)
        )
        for key in [*OWNER_COLORS, None]:
            sel = ~owner.isin(list(OWNER_COLORS)) if key is None else owner == key
            if not sel.any():
                continue
            color = (
                OWNER_COLORS.get(key, _OTHER_OWNER_COLOR) if key else _OTHER_OWNER_COLOR
            )
            est[sel.to_numpy()].plot(
                ax=ax,
                color=color,
                markersize=5,
                edgecolor="white",
                linewidth=0.3,
                zorder=5,
            )
            label = owner_label(key, lang) if key else "—"
            handles.append(
                Patch(
                    facecolor=color,
                    edgecolor="white",
                    label=f"{t('layer.estates', lang)}: {label}",
                )
            )
    ax.set_xlim(minx - pad, maxx + pad)
    ax.set_ylim(miny - pad, maxy + pad)
    # scale bar: a round number of km, about a fifth of the width
    width_km = (maxx - minx) / 1000
    bar_km = max(1, round(width_km / 5))
    x0, y0 = minx, miny - pad * 0.6
    ax.add_patch(
        Rectangle((x0, y0), bar_km * 1000, pad * 0.15, color="#222222", zorder=6)
    )
    ax.text(x0, y0 + pad * 0.25, f"{bar_km} km", fontsize=8, zorder=6)
    fig.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(0.73, 0.86),
        title=column_label(column, lang),
        fontsize=8,
        title_fontsize=9,
        frameon=False,
    )
    fig.text(0.02, 0.95, title or t("title.meeting", lang), fontsize=14, weight="bold")
    if synthetic:
        fig.text(
            0.98,
            0.95,
            t("banner.synthetic", lang, label=config.synthetic_label),
            ha="right",
            fontsize=11,
            weight="bold",
            color="white",
            bbox={"facecolor": "#b2182b", "edgecolor": "none", "pad": 4},
        )
    caption = f"{t('caption.sources', lang)}: {datasets.attribution(list(sources))}"
    fig.text(0.02, 0.025, caption, fontsize=6.5, color="#444444", wrap=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    metadata: dict[str, Any] = {
        "png": {"Software": None},
        "svg": {"Date": None},
        "pdf": {"CreationDate": None, "ModDate": None},
    }[fmt]
    fig.savefig(out, format=fmt, metadata=metadata)
    log.info("wrote %s", out)
    return out
