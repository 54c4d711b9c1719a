"""Writing the map: one offline HTML page, and static PNG/PDF/SVG handouts."""

from __future__ import annotations

import logging
import os
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from geo_alloggi import _schema as S
from geo_alloggi import config
from geo_alloggi._errors import ValidationError
from geo_alloggi._i18n import check_lang, column_label, fmt_period, owner_label, t
from geo_alloggi._validate import require_geodataframe
from geo_alloggi.maps._checks import check_districts, check_threshold, require_numeric
from geo_alloggi.maps._classification import (
    OTHER_OWNER_COLOR,
    OWNER_COLORS,
    SUPPRESSED_COLOR,
    ColumnClasses,
    classify_column,
    hotspot_bins,
)
from geo_alloggi.maps._offline import render_offline

if TYPE_CHECKING:  # matplotlib is imported only when a static map is drawn
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure as MplFigure
    from matplotlib.legend import Legend
    from matplotlib.patches import Patch
    from matplotlib.text import Text

__all__ = [
    "PathLike",
    "draw_static",
    "export_static",
    "map_html",
    "save_offline",
    "save_static",
]

log = logging.getLogger(__name__)

PathLike = str | os.PathLike[str]


def map_html(
    m: folium.Map, *, offline: bool = True, allow_online_tiles: bool = False
) -> str:
    """Render a map as one HTML page with deterministic element ids.

    Parameters
    ----------
    m : folium.Map
        The map (not modified).
    offline : bool, default True
        Inline every asset from installed packages and refuse any remaining
        ``http(s)://`` reference (default). ``False`` links folium's CDNs.
    allow_online_tiles : bool, default False
        With ``offline=True``, keep online tile layers (the rest of the page
        still works without network).

    Returns
    -------
    str

    Raises
    ------
    OfflineError
        The page cannot be made offline (see
        :func:`geo_alloggi.maps._offline.render_offline`).
    """
    return render_offline(m, allow_online_tiles=allow_online_tiles, inline=offline)


def save_offline(
    m: folium.Map, path: PathLike, *, allow_online_tiles: bool = False
) -> Path:
    """Write the map as a single self-contained HTML file that loads nothing online.

    Parameters
    ----------
    m : folium.Map
        The map (not modified).
    path : str or os.PathLike
        Output file (parent folders are created).
    allow_online_tiles : bool, default False
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
    period: Any = None,
    top_hotspots: int = 5,
    threshold: int | None = None,
    allow_small: bool = False,
    lang: str = "it",
    synthetic: bool = False,
    sources: Sequence[str] = ("nil", "comuni", "civici"),
    figsize: tuple[float, float] = (11.69, 8.27),
    dpi: int = 150,
    also: Sequence[PathLike] = (),
) -> Path:
    """Draw the main map to PNG, PDF or SVG for handouts.

    The choropleth has the classes, colours, suppression and legend of
    :func:`choropleth_layer` (both come from
    :func:`~geo_alloggi.maps._classification.classify_column`). Hot spots
    (``hotspot`` or ``gi_bin`` > 0) get a thick outline; the strongest
    ``top_hotspots`` are numbered on the map and named beside it. The page
    also shows the title, the period, a north arrow, a scale bar, the sources
    with their licences and, for synthetic data, the SYNTHETIC banner.
    Legend labels wrap to fit the page: none is cut.

    Parameters
    ----------
    districts : geopandas.GeoDataFrame
        Districts joined with statistics (``district_id``, ``name``, ``column``;
        optionally ``hotspot``/``gi_bin``, ``gi_z`` and ``period``).
    path : str or os.PathLike
        Output file; the format follows the suffix (``.png``, ``.pdf``, ``.svg``).
    column : str, default 'occupied_per_100'
        See :func:`choropleth_layer`.
    scheme : str, default 'quantiles'
        See :func:`choropleth_layer`.
    k : int, default 5
        See :func:`choropleth_layer`.
    cmap : str, default 'YlOrRd'
        See :func:`choropleth_layer`.
    decimals : int or None, default None
        See :func:`choropleth_layer`.
    threshold : int or None, default None
        See :func:`choropleth_layer`.
    allow_small : bool, default False
        See :func:`choropleth_layer`.
    lang : str, default 'it'
        See :func:`choropleth_layer`.
    synthetic : bool, default False
        See :func:`choropleth_layer`.
    estates : geopandas.GeoDataFrame or None, default None
        Estate points drawn as dots coloured by owner.
    comuni : geopandas.GeoDataFrame or None, default None
        Comuni drawn as a grey basemap around the districts.
    title : str or None, default None
        Title (default: the meeting title).
    period : object, default None
        Period shown under the title (default: the ``period`` column when it
        holds one value).
    top_hotspots : int, default 5
        How many hot spots to number and name (strongest ``gi_z`` first).
    sources : sequence of str, default ('nil', 'comuni', 'civici')
        Datasets credited in the caption.
    figsize : tuple of (float, float), default (11.69, 8.27)
        Page size in inches (default A4 landscape).
    dpi : int, default 150
        Raster resolution in dots per inch.
    also : sequence of str or os.PathLike, default ()
        More files of the same drawing in other formats (e.g. ``map.pdf``
        beside ``map.png``): the map is drawn once and saved to each.

    Returns
    -------
    pathlib.Path
        The written file (``path``). The same inputs give the same bytes (no
        timestamps).

    Raises
    ------
    ValidationError
        Unknown suffix, bad columns or options.
    """
    check_lang(lang)
    outs = [Path(p) for p in (path, *also)]
    for out in outs:
        _check_static_suffix(out)
    fig = draw_static(
        districts,
        column=column,
        estates=estates,
        comuni=comuni,
        scheme=scheme,
        k=k,
        cmap=cmap,
        decimals=decimals,
        title=title,
        period=period,
        top_hotspots=top_hotspots,
        threshold=threshold,
        allow_small=allow_small,
        lang=lang,
        synthetic=synthetic,
        sources=sources,
        figsize=figsize,
        dpi=dpi,
    )
    for out in outs:
        save_static(fig, out)
    return outs[0]


def draw_static(
    districts: gpd.GeoDataFrame,
    *,
    column: str = S.OCCUPIED_PER_100,
    estates: gpd.GeoDataFrame | None = None,
    comuni: gpd.GeoDataFrame | None = None,
    scheme: str = "quantiles",
    k: int = 5,
    cmap: str = "YlOrRd",
    decimals: int | None = None,
    title: str | None = None,
    period: Any = None,
    top_hotspots: int = 5,
    threshold: int | None = None,
    allow_small: bool = False,
    lang: str = "it",
    synthetic: bool = False,
    sources: Sequence[str] = ("nil", "comuni", "civici"),
    figsize: tuple[float, float] = (11.69, 8.27),
    dpi: int = 150,
) -> MplFigure:
    """Draw the main map for handouts as a matplotlib figure (not saved).

    The choropleth has the classes, colours, suppression and legend of
    :func:`choropleth_layer` (both come from
    :func:`~geo_alloggi.maps._classification.classify_column`). Hot spots
    (``hotspot`` or ``gi_bin`` > 0) get a thick outline; the strongest
    ``top_hotspots`` are numbered on the map and named beside it. The page
    also shows the title, the period, a north arrow, a scale bar, the sources
    with their licences and, for synthetic data, the SYNTHETIC banner.
    Legend labels wrap to fit the page: none is cut.

    Parameters
    ----------
    districts : geopandas.GeoDataFrame
        Districts joined with statistics (``district_id``, ``name``, ``column``;
        optionally ``hotspot``/``gi_bin``, ``gi_z`` and ``period``).
    column : str, default 'occupied_per_100'
        See :func:`choropleth_layer`.
    scheme : str, default 'quantiles'
        See :func:`choropleth_layer`.
    k : int, default 5
        See :func:`choropleth_layer`.
    cmap : str, default 'YlOrRd'
        See :func:`choropleth_layer`.
    decimals : int or None, default None
        See :func:`choropleth_layer`.
    threshold : int or None, default None
        See :func:`choropleth_layer`.
    allow_small : bool, default False
        See :func:`choropleth_layer`.
    lang : str, default 'it'
        See :func:`choropleth_layer`.
    synthetic : bool, default False
        See :func:`choropleth_layer`.
    estates : geopandas.GeoDataFrame or None, default None
        Estate points drawn as dots coloured by owner.
    comuni : geopandas.GeoDataFrame or None, default None
        Comuni drawn as a grey basemap around the districts.
    title : str or None, default None
        Title (default: the meeting title).
    period : object, default None
        Period shown under the title (default: the ``period`` column when it
        holds one value).
    top_hotspots : int, default 5
        How many hot spots to number and name (strongest ``gi_z`` first).
    sources : sequence of str, default ('nil', 'comuni', 'civici')
        Datasets credited in the caption.
    figsize : tuple of (float, float), default (11.69, 8.27)
        Page size in inches (default A4 landscape).
    dpi : int, default 150
        Raster resolution in dots per inch.

    Returns
    -------
    matplotlib.figure.Figure
        The page, ready for :func:`save_static` (or ``savefig``).

    Raises
    ------
    ValidationError
        Bad columns or options.
    """
    from matplotlib.figure import Figure as MplFigure

    check_lang(lang)
    gdf = check_districts(districts, "districts", [column])
    require_numeric(gdf, column, "districts")
    if not isinstance(top_hotspots, (int, np.integer)) or top_hotspots < 0:
        raise ValidationError(f"top_hotspots={top_hotspots!r} must be an integer >= 0")
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
    face = np.array(
        [cc.classes.styles[c]["fillColor"] for c in cc.classes.cls], dtype=object
    )
    metric = gdf.to_crs(config.metric_crs)
    hot = _hotspot_order(gdf)

    fig = MplFigure(figsize=figsize, dpi=dpi)
    shown_period = _period_of(gdf) if period is None else period
    top = _header(fig, title=title, period=shown_period, synthetic=synthetic, lang=lang)
    _sources(fig, sources, lang)
    ax = fig.add_axes((0.02, 0.08, 0.66, top - 0.10))
    ax.set_axis_off()
    ax.set_aspect("equal")
    _draw_areas(ax, metric, face, cc.hidden, comuni)
    handles = _class_handles(cc)
    if len(hot):
        handles += _draw_hotspots(ax, metric, hot, top_hotspots, lang)
    if estates is not None:
        handles += _draw_estates(ax, estates, lang)
    _scale_bar(ax, metric.total_bounds)
    _north_arrow(ax, lang)
    legend = _fitted_legend(fig, handles, title=column_label(column, lang), top=top)
    if top_hotspots and len(hot):
        names = [str(gdf[S.NAME].iloc[i]) for i in hot[:top_hotspots]]
        _hotspot_list(fig, legend, names, lang)
    return fig


def save_static(figure: MplFigure, path: PathLike) -> Path:
    """Save a map drawn by :func:`draw_static` to PNG, PDF or SVG (by suffix).

    Parameters
    ----------
    figure : matplotlib.figure.Figure
        What :func:`draw_static` returned.
    path : str or os.PathLike
        Output file (``.png``, ``.pdf`` or ``.svg``); its folder is created.

    Returns
    -------
    pathlib.Path
        ``path``. The same drawing gives the same bytes (no timestamps).

    Raises
    ------
    ValidationError
        Unknown suffix.
    """
    out = _check_static_suffix(Path(path))
    fmt = out.suffix.lower().lstrip(".")
    out.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(out, format=fmt, metadata=_NO_STAMPS[fmt])
    log.info("wrote %s", out)
    return out


def _check_static_suffix(out: Path) -> Path:
    """Return ``out`` when it ends in .png, .pdf or .svg; raise otherwise."""
    if out.suffix.lower() not in {".png", ".pdf", ".svg"}:
        raise ValidationError(f"path={os.fspath(out)!r} must end in .png, .pdf or .svg")
    return out


#: Metadata that would make two drawings of the same map differ.
_NO_STAMPS: dict[str, dict[str, Any]] = {
    "png": {"Software": None},
    "svg": {"Date": None},
    "pdf": {"CreationDate": None, "ModDate": None},
}
#: Outline of hot-spot districts on the static map.
HOTSPOT_EDGE = "#000000"
# right-hand column of the page (figure fraction) for the legend and the list
_PANEL_X0, _PANEL_X1 = 0.70, 0.985


def _hotspot_order(gdf: gpd.GeoDataFrame) -> np.ndarray:
    """Return the positions of the hot-spot rows (bin > 0), strongest first.

    Order: ``gi_z`` descending when present, else the bin; ties by name.
    """
    col = S.HOTSPOT if S.HOTSPOT in gdf.columns else S.GI_BIN
    if col not in gdf.columns:
        return np.array([], dtype=int)
    bins = hotspot_bins(gdf, col)
    z = (
        gdf[S.GI_Z].astype("float64").fillna(-np.inf).to_numpy()
        if S.GI_Z in gdf.columns
        else bins.astype(float)
    )
    names = gdf[S.NAME].astype(str).to_numpy()
    pos = [i for i in range(len(gdf)) if bins[i] > 0]
    return np.array(sorted(pos, key=lambda i: (-z[i], -bins[i], names[i])), dtype=int)


def _period_of(gdf: gpd.GeoDataFrame) -> Any:
    """Return the single period of the districts' ``period`` column, else None."""
    if S.PERIOD not in gdf.columns:
        return None
    values = gdf[S.PERIOD].dropna().unique()
    return values[0] if len(values) == 1 else None


def _pad(bounds: np.ndarray) -> float:
    """Margin around the districts: 4% of the longer side."""
    minx, miny, maxx, maxy = bounds
    return float(0.04 * max(maxx - minx, maxy - miny))


def _draw_areas(
    ax: Axes,
    metric: gpd.GeoDataFrame,
    face: np.ndarray,
    hidden: np.ndarray,
    comuni: gpd.GeoDataFrame | None,
) -> None:
    """Draw the comuni (grey), the classed districts, withheld hatching, outlines."""
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


def _class_handles(cc: ColumnClasses) -> list[Patch]:
    """Legend entries of the classes, no data and withheld (as in the HTML map)."""
    from matplotlib.patches import Patch

    handles = []
    for color, label in cc.legend:
        withheld = color == SUPPRESSED_COLOR
        handles.append(
            Patch(
                facecolor=color,
                edgecolor="#777777" if withheld else "#555555",
                hatch="///" if withheld else None,
                label=label,
            )
        )
    return handles


def _draw_hotspots(
    ax: Axes, metric: gpd.GeoDataFrame, hot: np.ndarray, top: int, lang: str
) -> list[Patch]:
    """Outline every hot spot, number the ``top`` strongest; return the legend entry."""
    from matplotlib.patches import Patch

    sel = metric.iloc[hot]
    sel.boundary.plot(ax=ax, color="white", linewidth=3.4, zorder=5)
    sel.boundary.plot(ax=ax, color=HOTSPOT_EDGE, linewidth=1.9, zorder=6)
    points = sel.geometry.representative_point()
    for n, pt in enumerate(points.iloc[:top], start=1):
        ax.text(
            pt.x,
            pt.y,
            str(n),
            ha="center",
            va="center",
            fontsize=8,
            weight="bold",
            color="white",
            zorder=8,
            bbox={"boxstyle": "circle,pad=0.25", "facecolor": HOTSPOT_EDGE,
                  "edgecolor": "white", "linewidth": 0.8},
        )  # fmt: skip
    return [
        Patch(
            facecolor="none",
            edgecolor=HOTSPOT_EDGE,
            linewidth=1.9,
            label=t("legend.hotspot_outline", lang),
        )
    ]


def _draw_estates(ax: Axes, estates: gpd.GeoDataFrame, lang: str) -> list[Patch]:
    """Draw the placed estates as dots by owner; return their legend entries."""
    from matplotlib.patches import Patch

    handles = []
    est = require_geodataframe(estates, "estates")
    est = est[est.geometry.notna() & ~est.geometry.is_empty].to_crs(config.metric_crs)
    owner = est[S.OWNER] if S.OWNER in est.columns else pd.Series("", index=est.index)
    for key in [*OWNER_COLORS, None]:
        sel = ~owner.isin(list(OWNER_COLORS)) if key is None else owner == key
        if not sel.any():
            continue
        color = OWNER_COLORS.get(key, OTHER_OWNER_COLOR) if key else OTHER_OWNER_COLOR
        est[sel.to_numpy()].plot(
            ax=ax,
            color=color,
            markersize=5,
            edgecolor="white",
            linewidth=0.3,
            zorder=7,
        )
        label = owner_label(key, lang) if key else "—"
        handles.append(
            Patch(
                facecolor=color,
                edgecolor="white",
                label=f"{t('layer.estates', lang)}: {label}",
            )
        )
    return handles


def _fitted_legend(
    fig: MplFigure, handles: list[Patch], *, title: str, top: float
) -> Legend:
    """Place the legend in the right column, wrapping labels until it fits the page.

    Labels are wrapped at word boundaries, narrower at each try, until the
    legend's right edge is inside the page; the same inputs give the same
    wrapping.
    """
    page = fig.bbox
    originals = [str(h.get_label()) for h in handles]
    legend = None
    for width in range(46, 9, -4):
        if legend is not None:
            legend.remove()
        for h, text in zip(handles, originals, strict=True):
            h.set_label(_wrap(text, width))
        legend = fig.legend(
            handles=handles,
            loc="upper left",
            bbox_to_anchor=(_PANEL_X0, top - 0.03),
            title=_wrap(title, width),
            fontsize=8,
            title_fontsize=9,
            frameon=False,
            alignment="left",
        )
        box = legend.get_window_extent()  # measured with the figure's renderer
        if box.x1 <= page.x1 * _PANEL_X1:
            break
    assert legend is not None
    return legend


def _wrap(text: str, width: int) -> str:
    """Wrap text at word boundaries (long words are broken) to ``width`` chars."""
    return "\n".join(textwrap.wrap(text, width, break_on_hyphens=False)) or text


def _hotspot_list(fig: MplFigure, legend: Legend, names: list[str], lang: str) -> None:
    """Write the numbered names of the top hot spots below the legend."""
    box = legend.get_window_extent().transformed(fig.transFigure.inverted())
    width = max(12, int((_PANEL_X1 - _PANEL_X0) * fig.get_figwidth() * 72 / 4.6))
    lines = [t("caption.top_hotspots", lang)]
    for n, name in enumerate(names, start=1):
        wrapped = textwrap.wrap(name, width - 4, break_on_hyphens=False) or [name]
        lines.append(f"{n}.  {wrapped[0]}")
        lines += [f"     {w}" for w in wrapped[1:]]
    fig.text(
        _PANEL_X0 + 0.006,
        box.y0 - 0.03,
        "\n".join(lines),
        va="top",
        fontsize=8,
        linespacing=1.5,
    )


def _scale_bar(ax: Axes, bounds: np.ndarray) -> None:
    """Fit the view to the districts and draw a scale bar below them.

    The bar is a round number of km, about a fifth of the width.
    """
    from matplotlib.patches import Rectangle

    minx, miny, maxx, maxy = bounds
    pad = _pad(bounds)
    ax.set_xlim(minx - pad, maxx + pad)
    ax.set_ylim(miny - pad, maxy + pad)
    width_km = (maxx - minx) / 1000
    bar_km = max(1, round(width_km / 5))
    x0, y0 = minx, miny - pad * 0.6
    ax.add_patch(
        Rectangle((x0, y0), bar_km * 1000, pad * 0.15, color="#222222", zorder=6)
    )
    ax.text(x0, y0 + pad * 0.25, f"{bar_km} km", fontsize=8, zorder=6)


def _north_arrow(ax: Axes, lang: str) -> None:
    """Draw a north arrow in the top-right corner of the map.

    In ``config.metric_crs`` (UTM 32N) grid north is true north to within a
    fraction of a degree over Milan.
    """
    ax.annotate(
        "",
        xy=(0.95, 0.975),
        xytext=(0.95, 0.895),
        xycoords="axes fraction",
        arrowprops={"facecolor": "#222222", "edgecolor": "white", "linewidth": 0.6,
                    "width": 3.5, "headwidth": 11, "headlength": 10},
        zorder=9,
    )  # fmt: skip
    ax.text(
        0.95,
        0.875,
        t("caption.north", lang),
        transform=ax.transAxes,
        ha="center",
        va="top",
        fontsize=11,
        weight="bold",
        zorder=9,
    )


def _fit_width(fig: MplFigure, artist: Text, text: str, right: float) -> None:
    """Wrap ``text`` in ``artist`` at word boundaries until it ends left of ``right``.

    ``right`` is a fraction of the figure width.
    """
    limit = right * fig.bbox.x1
    for width in range(max(len(text), 10), 9, -3):
        artist.set_text(_wrap(text, width))
        if artist.get_window_extent().x1 <= limit:
            return


def _header(
    fig: MplFigure, *, title: str | None, period: Any, synthetic: bool, lang: str
) -> float:
    """Write the title, the period and the SYNTHETIC banner; return their bottom.

    The title wraps so that it never runs under the banner or off the page.
    """
    inverse = fig.transFigure.inverted()
    right = 0.98
    if synthetic:
        banner = fig.text(
            0.98,
            0.965,
            t("banner.synthetic", lang, label=config.synthetic_label),
            ha="right",
            va="top",
            fontsize=11,
            weight="bold",
            color="white",
            bbox={"facecolor": "#b2182b", "edgecolor": "none", "pad": 4},
        )
        right = banner.get_window_extent().transformed(inverse).x0 - 0.02
    text = title or t("title.meeting", lang)
    head = fig.text(0.02, 0.965, text, va="top", fontsize=14, weight="bold")
    _fit_width(fig, head, text, right)
    bottom = float(head.get_window_extent().transformed(inverse).y0)
    if period is not None:
        line = fig.text(
            0.02,
            bottom - 0.012,
            t("caption.period", lang, period=fmt_period(period, lang)),
            va="top",
            fontsize=10.5,
            color="#333333",
        )
        bottom = float(line.get_window_extent().transformed(inverse).y0)
    return min(bottom - 0.01, 0.90)


def _sources(fig: MplFigure, sources: Sequence[str], lang: str) -> None:
    """Write the sources and their licences at the foot of the page."""
    from geo_alloggi import datasets

    caption = f"{t('caption.sources', lang)}: {datasets.attribution(list(sources))}"
    fig.text(0.02, 0.025, caption, fontsize=6.5, color="#444444", wrap=True)
