"""Single-file offline HTML: inline assets from installed packages, check, stable ids.

A folium map links Leaflet and its plugins from CDNs. :func:`render_offline`
renders a copy of the map with every JavaScript and CSS asset read from an
installed Python package (the XStatic family) and inlined, the page's own
controls read from ``geo_alloggi/resources``, element ids made deterministic,
and then refuses the page if it still loads anything from the network.

What the page loads is read from its markup, never from its text
(:func:`find_remote_references`): ``src``/``href``/``srcset``/``data``
attributes of the elements that fetch them (``script``, ``link``, ``img``,
``iframe``...), CSS ``url()`` and ``@import`` in ``<style>`` blocks and
``style`` attributes; plus the URLs that folium elements fetch from script
(tile layers, WMS, image overlays, GeoJSON by link). Text from input files
(escaped in HTML, JSON inside scripts) is text: an estate named
``=HYPERLINK("http://evil","x")`` does not make the page "remote". A tile URL
template that the page's script uses only when the user switches a layer on
(:class:`~geo_alloggi.maps._elements.StreetTiles`) is a setting, not a load.

Assets
------
============================  ==========================================
folium asset name             provided by
============================  ==========================================
``leaflet``, ``leaflet_css``  XStatic-Leaflet (images inlined as data URIs)
``markerclusterjs``, ...css   XStatic-Leaflet-MarkerCluster
``jquery``                    XStatic-jQuery (only for ``folium.Popup``)
============================  ==========================================

folium's default Bootstrap, glyphicons and Awesome Markers assets are only
needed by ``folium.Icon``; they are dropped, and a map holding a
``folium.Icon`` is refused with a clear message.
"""

from __future__ import annotations

import base64
import copy
import importlib
import re
from collections import OrderedDict
from collections.abc import Iterator
from functools import cache
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path

import folium
from branca.element import CssLink, Element, Figure, JavascriptLink
from folium.elements import JSCSSMixin

from geo_alloggi._errors import ValidationError

__all__ = [
    "OfflineError",
    "RawHTML",
    "Shared",
    "SharedList",
    "deterministic_ids",
    "find_remote_references",
    "render_offline",
    "resource_text",
]


class OfflineError(ValidationError):
    """The map cannot be written as a single offline page."""


# assets that folium.Map lists by default but nothing we draw needs
_DROPPABLE = frozenset(
    {
        "bootstrap",
        "bootstrap_css",
        "glyphicons_css",
        "awesome_markers",
        "awesome_markers_css",
        "awesome_markers_font_css",
        "awesome_rotate_css",
    }
)
# jQuery is listed by folium.Map but only used by folium.Popup and
# ``objects_to_stay_in_front``; geo_alloggi's own layers do not need it
_OPTIONAL_FOR_MAP = frozenset({"jquery"})

# (kind, package module, file inside BASE_DIR)
_ASSETS: dict[str, tuple[str, str, str]] = {
    "leaflet": ("js", "xstatic.pkg.leaflet", "leaflet.js"),
    "leaflet_css": ("css", "xstatic.pkg.leaflet", "leaflet.css"),
    "markerclusterjs": (
        "js",
        "xstatic.pkg.leaflet_markercluster",
        "leaflet.markercluster.js",
    ),
    "markerclustercss": (
        "css",
        "xstatic.pkg.leaflet_markercluster",
        "MarkerCluster.css",
    ),
    "markerclusterdefaultcss": (
        "css",
        "xstatic.pkg.leaflet_markercluster",
        "MarkerCluster.Default.css",
    ),
    "jquery": ("js", "xstatic.pkg.jquery", "jquery.min.js"),
}
_PIP_NAMES = {
    "xstatic.pkg.leaflet": "XStatic-Leaflet",
    "xstatic.pkg.leaflet_markercluster": "XStatic-Leaflet-MarkerCluster",
    "xstatic.pkg.jquery": "XStatic-jQuery",
}

# URLs that inlined library code carries as plain strings, never as resources
# (the SVG namespace, and Leaflet's home page in its licence comment).
_LIBRARY_URL_ALLOWLIST = frozenset(
    {"http://www.w3.org/2000/svg", "https://leafletjs.com"}
)
_URL_RE = re.compile(r"https?://[^\s\"'<>)\\]*", re.IGNORECASE)
_PLACEHOLDER = "<!--geo_alloggi-asset:{}-->"


@cache
def resource_text(name: str) -> str:
    """Return the text of a file of ``geo_alloggi/resources`` (in-house controls)."""
    return resources.files("geo_alloggi").joinpath("resources", name).read_text("utf-8")


def _package_dir(module: str) -> Path:
    pip = _PIP_NAMES.get(module, module)
    try:
        mod = importlib.import_module(module)
    except ImportError:
        raise OfflineError(
            f"the offline map needs the Python package {pip!r} (pip install {pip})"
        ) from None
    return Path(mod.BASE_DIR)


def _data_uri(path: Path) -> str:
    mime = {"png": "image/png", "svg": "image/svg+xml", "gif": "image/gif"}.get(
        path.suffix.lstrip(".").lower(), "application/octet-stream"
    )
    return f"data:{mime};base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def _inline_css_urls(css: str, folder: Path) -> str:
    def repl(match: re.Match[str]) -> str:
        target = match.group(1).strip("'\"")
        if target.startswith(("data:", "#")):
            return match.group(0)
        path = (folder / target).resolve()
        if not path.is_file():
            raise OfflineError(f"CSS asset refers to {target!r}, not found in {folder}")
        return f"url({_data_uri(path)})"

    return re.sub(r"url\(([^)]*)\)", repl, css)


@cache
def asset_block(name: str) -> str:
    """Return the ``<script>``/``<style>`` block of a named asset, from its package.

    Raises
    ------
    OfflineError
        Unknown asset or package not installed.
    """
    if name not in _ASSETS:
        raise OfflineError(
            f"no installed package provides the asset {name!r}; "
            f"known offline assets: {sorted(_ASSETS)!r}"
        )
    kind, module, filename = _ASSETS[name]
    folder = _package_dir(module)
    path = folder / filename
    if not path.is_file():
        raise OfflineError(f"asset file {path} missing from package {module!r}")
    text = path.read_text("utf-8")
    if kind == "css":
        text = re.sub(r"/\*.*?\*/", "", text, flags=re.DOTALL)  # comments carry URLs
        text = _inline_css_urls(text, folder)
        return "<style>\n" + text.replace("</style", "<\\/style") + "\n</style>"
    extra = ""
    if name == "leaflet":
        # default marker icons from the same package, so folium.Marker works offline
        images = folder / "images"
        extra = (
            "\n(function(){var D=L.Icon.Default;D.mergeOptions({"
            f"iconUrl:'{_data_uri(images / 'marker-icon.png')}',"
            f"iconRetinaUrl:'{_data_uri(images / 'marker-icon-2x.png')}',"
            f"shadowUrl:'{_data_uri(images / 'marker-shadow.png')}'}});"
            "D.prototype._getIconUrl=L.Icon.prototype._getIconUrl;})();"
        )
    return (
        "<script>\n" + (text + extra).replace("</script", "<\\/script") + "\n</script>"
    )


class RawHTML(Element):
    """An element that renders its text as is (no template compiled)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "RawHTML"
        self.text = text

    def render(self, **kwargs: object) -> str:
        """Return the text."""
        return self.text


class Shared(dict):
    """A dict of layer data shared, not copied, when a map is copied for rendering."""

    def __deepcopy__(self, memo: dict[int, object]) -> Shared:
        return self


class SharedList(list):
    """A list of layer data shared, not copied, when a map is copied for rendering."""

    def __deepcopy__(self, memo: dict[int, object]) -> SharedList:
        return self


def _walk(element: Element) -> Iterator[Element]:
    """Yield every element reachable: children and element-valued attributes."""
    seen: set[int] = set()
    stack = [element]
    while stack:
        el = stack.pop()
        if id(el) in seen:
            continue
        seen.add(id(el))
        yield el
        kids = list(el._children.values())
        for key, value in vars(el).items():
            if key != "_parent" and isinstance(value, Element):
                kids.append(value)
        stack.extend(reversed(kids))


def _ordered_assets(root: Figure) -> list[tuple[str, str]]:
    """(name, url) of every linked asset, in document order, first occurrence kept."""
    out: OrderedDict[str, str] = OrderedDict()
    elements = list(_walk(root))
    needs_jquery = False
    for el in elements:
        if isinstance(el, folium.Icon):
            raise OfflineError(
                "folium.Icon needs Leaflet.awesome-markers, which no installed package "
                "provides; use folium.CircleMarker or folium.DivIcon for an offline map"
            )
        if (isinstance(el, folium.Map) and el.objects_to_stay_in_front) or isinstance(
            el, folium.Popup
        ):
            needs_jquery = True  # folium's Popup and stay-in-front code call $()
    for el in elements:
        if not isinstance(el, JSCSSMixin):
            continue
        is_map = isinstance(el, folium.Map)
        for name, url in [*el.default_js, *el.default_css]:
            if name in _DROPPABLE:
                continue
            if is_map and name in _OPTIONAL_FOR_MAP and not needs_jquery:
                continue
            out.setdefault(name, url)
    # JS before CSS does not matter; keep Leaflet first
    names = sorted(out, key=lambda n: (n not in {"leaflet", "leaflet_css"}, 0))
    return [(n, out[n]) for n in names]


# attributes through which an element fetches a resource when the page loads
_LOADING_ATTRS: dict[str, frozenset[str]] = {
    "script": frozenset({"src"}),
    "link": frozenset({"href"}),
    "img": frozenset({"src", "srcset"}),
    "source": frozenset({"src", "srcset"}),
    "iframe": frozenset({"src"}),
    "frame": frozenset({"src"}),
    "embed": frozenset({"src"}),
    "object": frozenset({"data"}),
    "video": frozenset({"src", "poster"}),
    "audio": frozenset({"src"}),
    "track": frozenset({"src"}),
    "input": frozenset({"src"}),
    "image": frozenset({"href", "xlink:href"}),
    "use": frozenset({"href", "xlink:href"}),
    "base": frozenset({"href"}),
}
_CSS_URL_RE = re.compile(
    r"""url\(\s*(['"]?)(.*?)\1\s*\)|@import\s+(['"])(.*?)\3""",
    re.IGNORECASE | re.DOTALL,
)


def _is_remote(url: str) -> bool:
    """Tell whether a URL reaches the network (``http(s):`` or ``//host``)."""
    u = url.strip().lower()
    return u.startswith(("http:", "https:", "//"))


def _css_urls(css: str) -> list[str]:
    """URLs a stylesheet loads: ``url(...)`` and ``@import "..."``."""
    out = []
    for m in _CSS_URL_RE.finditer(css):
        url = m.group(2) if m.group(2) is not None else m.group(4)
        if url:
            out.append(url.strip())
    return out


class _LoadedURLs(HTMLParser):
    """Collect the URLs a page fetches as it loads, from its markup only."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        wanted = _LOADING_ATTRS.get(tag, frozenset())
        for name, value in attrs:
            if value is None:
                continue
            if name in wanted:
                if name == "srcset":
                    self.urls += [c.split()[0] for c in value.split(",") if c.split()]
                else:
                    self.urls.append(value.strip())
            elif name == "style":
                self.urls += _css_urls(value)
            elif name == "background":
                self.urls.append(value.strip())
        self._in_style = tag == "style"

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        self._in_style = False

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.urls += _css_urls(data)


def find_remote_references(
    html: str, *, allow: frozenset[str] | set[str] = frozenset()
) -> list[str]:
    """Return the remote URLs that ``html`` loads, except those in ``allow``.

    Only what the page fetches counts: ``src``/``href``/``srcset``/``data``
    attributes of loading elements (``script``, ``link``, ``img``,
    ``iframe``, ``source``, ``embed``, ``object``, ``video``, ``audio``,
    ``base``, SVG ``image``/``use``), CSS ``url()`` and ``@import`` in
    ``<style>`` blocks and ``style`` attributes. Text is never a reference:
    escaped text, link targets (``<a href>``) and strings inside scripts are
    not loaded by the page.

    Parameters
    ----------
    html : str
        Page text (without inlined library assets, which are checked apart).
    allow : set of str
        URLs (or URL prefixes) that may remain, e.g. an online tile template.

    Returns
    -------
    list of str
        The remote URLs (``http:``, ``https:`` or protocol-relative), in order.
    """
    parser = _LoadedURLs()
    parser.feed(html)
    parser.close()
    return [
        url
        for url in parser.urls
        if _is_remote(url) and not any(url.startswith(a) for a in allow)
    ]


def _urls_in_text(text: str, allow: frozenset[str]) -> list[str]:
    """Every ``http(s)://`` string in library code not in ``allow`` (assets only)."""
    return [
        m.group(0)
        for m in _URL_RE.finditer(text)
        if not any(m.group(0).startswith(a) for a in allow)
    ]


def _element_loads(root: Figure) -> list[str]:
    """Remote URLs that folium elements fetch from script (not tile layers).

    WMS layers and image or video overlays keep their URL in ``url`` /
    ``video_url``; ``folium.GeoJson``/``TopoJson`` given a link keep it in
    ``embed_link``.
    """
    out = []
    for el in _walk(root):
        if isinstance(el, folium.TileLayer):
            continue
        for attr in ("url", "video_url", "embed_link"):
            value = getattr(el, attr, None)
            if isinstance(value, str) and _is_remote(value):
                out.append(value)
    return out


def deterministic_ids(html: str, ids: set[str]) -> str:
    """Replace folium's random 32-hex element ids by counters in order of appearance.

    Only the hex strings in ``ids`` (the ids of the rendered elements) are
    replaced, so data that happens to look like an id is left alone.
    """
    mapping: dict[str, str] = {}

    def repl(match: re.Match[str]) -> str:
        hexid = match.group(0)
        if hexid not in ids:
            return hexid
        if hexid not in mapping:
            mapping[hexid] = f"g{len(mapping) + 1}"
        return mapping[hexid]

    return re.sub(r"(?<=_)[0-9a-f]{32}(?![0-9a-zA-Z])", repl, html)


def _tile_urls(root: Figure) -> set[str]:
    urls: set[str] = set()
    for el in _walk(root):
        if isinstance(el, folium.TileLayer):
            urls.add(str(el.tiles).split("{", 1)[0])
            attr = str(el.options.get("attribution", ""))
            urls.update(m.group(0) for m in _URL_RE.finditer(attr))
    return urls


def _controls_last(root: Figure) -> None:
    """Move layer controls (and elements flagged ``_ga_last``) after every layer."""
    for el in list(_walk(root)):
        kids = el._children
        last = [
            k
            for k, v in kids.items()
            if isinstance(v, folium.LayerControl) or getattr(v, "_ga_last", False)
        ]
        for key in sorted(last, key=lambda k: isinstance(kids[k], folium.LayerControl)):
            kids.move_to_end(key)


def render_offline(
    m: folium.Map, *, allow_online_tiles: bool = False, inline: bool = True
) -> str:
    """Render ``m`` as one self-contained HTML page with deterministic ids.

    Parameters
    ----------
    m
        The map (not modified: a copy is rendered).
    allow_online_tiles
        Keep online tile layers (they load only when a network is present, the
        rest of the page works without). Default: a tile layer is refused.
    inline
        Inline the assets and check the page (default). ``False`` keeps
        folium's CDN links and only makes the ids deterministic.

    Returns
    -------
    str
        The HTML page.

    Raises
    ------
    OfflineError
        An asset no installed package provides, a ``folium.Icon``, a tile layer
        without ``allow_online_tiles``, or anything else the page would load
        from the network (see :func:`find_remote_references`).
    """
    if not isinstance(m, folium.Map):
        raise OfflineError(f"m must be a folium.Map, got {type(m).__name__!r}")
    root = copy.deepcopy(m.get_root())
    if not isinstance(root, Figure):
        raise OfflineError("the map must belong to a branca Figure to be rendered")
    _controls_last(root)
    has_tiles = bool(_tile_urls(root))
    for el in _walk(root):
        # without tiles Leaflet has no maxZoom, which MarkerCluster requires
        if (
            isinstance(el, folium.Map)
            and not has_tiles
            and not any(k in el.options for k in ("max_zoom", "maxZoom"))
        ):
            el.options["max_zoom"] = 19
    if not inline:
        html = root.render()
        return deterministic_ids(html, {el._id for el in _walk(root)})
    allow: set[str] = _tile_urls(root) if allow_online_tiles else set()
    if not allow_online_tiles and _tile_urls(root):
        raise OfflineError(
            f"the map has online tile layer(s) {sorted(_tile_urls(root))!r}; build it "
            "with tiles=None or pass allow_online_tiles=True"
        )
    assets = _ordered_assets(root)
    blocks = {name: asset_block(name) for name, _ in assets}
    for el in _walk(root):
        if isinstance(el, JSCSSMixin):
            el.default_js = []
            el.default_css = []
    # links left from an earlier online render of the same map
    header = root.header._children
    for key in [
        k for k, v in header.items() if isinstance(v, (JavascriptLink, CssLink))
    ]:
        del header[key]
    holder = RawHTML("\n".join(_PLACEHOLDER.format(n) for n in blocks))
    root.header._children = OrderedDict(
        [("geo_alloggi_assets", holder), *header.items()]
    )
    html = root.render()
    ids = {el._id for el in _walk(root)}
    html = deterministic_ids(html, ids)
    bad = _element_loads(root) + find_remote_references(html, allow=allow)
    if bad:
        raise OfflineError(
            f"the page still loads {len(bad)} remote resource(s), "
            f"e.g. {bad[:3]!r}; "
            "an offline map must not load anything from the network"
        )
    for name, block in blocks.items():
        extra = _urls_in_text(block, _LIBRARY_URL_ALLOWLIST)
        if extra:
            raise OfflineError(
                f"inlined asset {name!r} refers to remote resource(s) {extra[:3]!r}"
            )
        html = html.replace(_PLACEHOLDER.format(name), block, 1)
    return html
