"""The map every layer draws on: view, attribution, banner and title; its controls."""

from __future__ import annotations

from collections.abc import Sequence

import folium
import geopandas as gpd
from branca.element import Figure

from geo_alloggi import config
from geo_alloggi._errors import ValidationError
from geo_alloggi._i18n import check_lang, t
from geo_alloggi.maps._elements import Controls, LayerControl, Setup, esc

__all__ = ["add_controls", "base_map", "ensure_map"]


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
    bounds : sequence of float or None, default None
        ``(minx, miny, maxx, maxy)`` in EPSG:4326 to fit; default Milan and
        Cinisello Balsamo.
    tiles : str or None, default None
        Online tiles (a folium tiles name or URL template) as an optional base
        layer. Default ``None``: no tiles, the page needs no network; draw the
        comuni with :func:`basemap_layer` as a vector basemap.
    lang : str, default 'it'
        ``"it"`` (default) or ``"en"``.
    title : str or None, default None
        A title shown at the top of the map and as the page title.
    synthetic : bool, default False
        Show the SYNTHETIC banner (``config.synthetic_label``).
    height : str, default '100%'
        CSS height of the map.
    sources : sequence of str, default ('nil', 'comuni', 'civici')
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
        zoom_control=False,  # added by _setup, its button titles translated
        height=height,
        minZoom=8,
        maxZoom=19,
    )
    if tiles is not None:
        folium.TileLayer(tiles, name=t("layer.tiles", lang), overlay=False).add_to(m)
    m.fit_bounds([[b[1], b[0]], [b[3], b[2]]])
    setup = _setup(m, lang=lang, synthetic=synthetic, title=title, sources=sources)
    setup.zoom = {
        "position": "topleft",
        "zoomInTitle": t("control.zoom_in", lang),
        "zoomOutTitle": t("control.zoom_out", lang),
    }
    return m


def _setup(
    m: folium.Map,
    *,
    lang: str,
    synthetic: bool,
    title: str | None = None,
    sources: Sequence[str] = ("nil", "comuni", "civici"),
) -> Setup:
    from geo_alloggi import datasets

    setup = m._children.get("ga_setup")
    if not isinstance(setup, Setup):
        unknown = [s for s in sources if s not in datasets.REGISTRY]
        if unknown:
            raise ValidationError(
                f"sources={unknown!r} are not datasets; "
                f"known: {list(datasets.REGISTRY)!r}"
            )
        text = f"{t('caption.sources', lang)}: {datasets.attribution(list(sources))}"
        setup = Setup(attribution=text)
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
        root.title = esc(page)
    return setup


def ensure_map(
    m: folium.Map | None, gdf: gpd.GeoDataFrame, *, lang: str, synthetic: bool
) -> folium.Map:
    """Return ``m`` set up for this package, or a new map fitted to ``gdf``."""
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
    m : folium.Map
        The map.
    lang : str, default 'it'
        ``"it"`` or ``"en"``.
    layer_control, fullscreen, search, minimap : bool, default True
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
            Controls(lang=lang, fullscreen=fullscreen, search=search, minimap=minimap),
            name="ga_controls",
        )
    if layer_control:
        m.add_child(LayerControl(collapsed=False), name="ga_layer_control")
    return m
