"""Custom folium/branca elements of the meeting map: layers, controls, legends, popups.

Every element renders through :func:`_render_raw`, which never re-parses its
output as a Jinja template, so text from input files cannot inject template
code. Layer data travels as JSON; the in-house script (``ga_map.js`` in
``geo_alloggi/resources``) builds popups, labels and legends with
``textContent``.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

import folium
from branca.element import CssLink, Element, Figure, JavascriptLink, MacroElement
from folium.elements import ElementAddToElement, JSCSSMixin
from folium.map import Layer
from folium.template import Template

from geo_alloggi._errors import ValidationError
from geo_alloggi._i18n import t
from geo_alloggi.maps._offline import RawHTML, Shared, SharedList, resource_text

__all__ = [
    "Controls",
    "GeoJsonLayer",
    "GeometryStore",
    "LayerControl",
    "MarkerLayer",
    "Setup",
    "StreetTiles",
    "esc",
    "popup_data",
    "render_legend",
]


def esc(value: Any) -> str:
    """Escape a value for HTML text or a quoted attribute."""
    return html.escape(str(value), quote=True)


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


class LayerControl(folium.LayerControl):
    """folium's layer control, rendered without re-parsing (layer names are input).

    Leaflet writes layer names as HTML: they are escaped here, except the
    ``control_html`` a layer of this package builds from escaped parts.
    """

    def render(self, **kwargs: Any) -> Any:
        self.reset()
        for item in _parent(self)._children.values():
            if not isinstance(item, Layer) or not item.control:
                continue
            label = getattr(item, "control_html", "") or esc(item.layer_name)
            if item.overlay:
                self.overlays[label] = item.get_name()
            else:
                self.base_layers[label] = item.get_name()
        _render_raw(self, **kwargs)


class Setup(_GAMacro):
    """The map's attribution, SYNTHETIC banner, title and zoom buttons.

    ``zoom`` holds the options of Leaflet's zoom control (its button titles
    in the map's language); empty when the map keeps its own control.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        GA.setup({{ this.map_name }}, {{ this.opts|tojson }});
        {%- if this.zoom %}
        L.control.zoom({{ this.zoom|tojson }}).addTo({{ this.map_name }});
        {%- endif %}
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
        self.zoom: dict[str, str] = {}


class GeometryStore(_GAMacro):
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


class GeoJsonLayer(_GALayer):
    """Polygons with one style per class, labels, legend, search and time slider."""

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


class StreetTiles(_GALayer):
    """An online street basemap, off at opening: its tiles load only when switched on.

    The page holds the tile URL template as a setting; nothing is requested
    until the user ticks the layer. Leaflet then loads the tiles in view (no
    prefetch beyond them, ``maxZoom`` capped), shows the attribution while the
    layer is on, and the browser sends its usual ``Referer``/``User-Agent``.
    The layer control shows a note saying that the area in view goes to the
    tile server.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = GA.streets({{ this.opts|tojson }});
        {% endmacro %}
        """
    )

    def __init__(
        self,
        *,
        url: str,
        name: str,
        note: str,
        attribution: str,
        attribution_url: str,
        max_zoom: int,
    ) -> None:
        super().__init__(name=name, show=False, legend_html="", search_kind="")
        self._name = "GAStreets"
        self.opts = {
            "url": url,
            "name": name,
            "attribution": attribution,
            "attributionUrl": attribution_url,
            "maxZoom": int(max_zoom),
        }
        self.control_html = (
            f'<span title="{esc(note)}">{esc(name)}</span>'
            f'<span class="ga-layer-note">{esc(note)}</span>'
        )


class MarkerLayer(JSCSSMixin, _GALayer):
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


class Controls(_GAMacro):
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
                if isinstance(c, GeoJsonLayer)
            ]
            chosen = [c for c in layers if c.minimap_source] or layers
            if chosen:
                self.minimap_source = chosen[0].get_name()
        super().render(**kwargs)


# ---------------------------------------------------------------------------
# legends and popups (data the browser sets with textContent)


def render_legend(
    title: str, rows: Sequence[tuple[str, str]], *, dot: bool = False
) -> str:
    """Return a legend's HTML: an escaped title and one swatch row per entry.

    Parameters
    ----------
    title : str
        Legend title (escaped).
    rows : sequence of (str, str)
        ``(colour, label)`` pairs; the colour ``"hatch"`` draws a hatched
        swatch. Labels are escaped.
    dot : bool
        Round swatches (markers) instead of squares (areas).

    Returns
    -------
    str
    """
    parts = [f'<div class="ga-legend-title">{esc(title)}</div>']
    for color, label in rows:
        cls = "ga-swatch ga-swatch-dot" if dot else "ga-swatch"
        if color == "hatch":
            cls += " ga-swatch-hatch"
            style = ""
        else:
            style = f' style="background:{esc(color)}"'
        parts.append(
            f'<div class="ga-legend-row"><span class="{cls}"{style}></span>'
            f"<span>{esc(label)}</span></div>"
        )
    return "".join(parts)


def popup_data(
    title: Any, rows: Sequence[tuple[str, str]], *, note: str = ""
) -> list[Any]:
    """Popup content as data ``[title, [[label, value], ...], note]``.

    The browser builds the popup from it with ``textContent``: input text is
    never parsed as HTML.
    """
    return [str(title), [[str(k), str(v)] for k, v in rows], str(note)]
