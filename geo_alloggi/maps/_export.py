"""Writing the map: one offline HTML page, and static PNG/PDF/SVG handouts."""

from __future__ import annotations

import logging
import os
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
from geo_alloggi._i18n import check_lang, column_label, owner_label, t
from geo_alloggi._validate import require_geodataframe
from geo_alloggi.maps._checks import check_districts, check_threshold, require_numeric
from geo_alloggi.maps._classification import (
    NO_DATA_COLOR,
    OTHER_OWNER_COLOR,
    OWNER_COLORS,
    SUPPRESSED_COLOR,
    class_of,
    classify,
    decimals_for,
    hidden_mask,
    palette,
    range_labels,
    withheld_text,
)
from geo_alloggi.maps._offline import render_offline

if TYPE_CHECKING:  # matplotlib is imported only when a static map is drawn
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure as MplFigure
    from matplotlib.patches import Patch

__all__ = ["PathLike", "export_static", "map_html", "save_offline"]

log = logging.getLogger(__name__)

PathLike = str | os.PathLike[str]


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
        :func:`geo_alloggi.maps._offline.render_offline`).
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

    check_lang(lang)
    out = Path(path)
    fmt = out.suffix.lower().lstrip(".")
    if fmt not in {"png", "pdf", "svg"}:
        raise ValidationError(
            f"path={os.fspath(path)!r} must end in .png, .pdf or .svg"
        )
    gdf = check_districts(districts, "districts", [column])
    require_numeric(gdf, column, "districts")
    thr = check_threshold(threshold)
    dec = decimals_for(gdf, column, decimals)
    values = gdf[column].astype("float64").to_numpy()
    hidden = hidden_mask(gdf, column, threshold=thr, allow_small=allow_small)
    shown = ~hidden & ~np.isnan(values)
    bins = classify(values[shown], scheme, k)
    colors = palette(cmap, len(bins))
    face = np.full(len(gdf), NO_DATA_COLOR, dtype=object)
    if shown.any():
        face[shown] = [colors[c] for c in class_of(values[shown], bins)]
    face[hidden] = SUPPRESSED_COLOR
    metric = gdf.to_crs(config.metric_crs)

    fig = MplFigure(figsize=figsize, dpi=dpi)
    ax = fig.add_axes((0.02, 0.08, 0.70, 0.80))
    ax.set_axis_off()
    ax.set_aspect("equal")
    _draw_areas(ax, metric, face, hidden, comuni)
    labels = range_labels(values[shown], bins, dec, lang)
    handles = _class_handles(colors, labels, face, hidden, threshold=thr, lang=lang)
    if estates is not None:
        handles += _draw_estates(ax, estates, lang)
    _scale_bar(ax, metric.total_bounds)
    fig.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(0.73, 0.86),
        title=column_label(column, lang),
        fontsize=8,
        title_fontsize=9,
        frameon=False,
    )
    _captions(fig, title=title, synthetic=synthetic, sources=sources, lang=lang)
    out.parent.mkdir(parents=True, exist_ok=True)
    metadata: dict[str, Any] = {
        "png": {"Software": None},
        "svg": {"Date": None},
        "pdf": {"CreationDate": None, "ModDate": None},
    }[fmt]
    fig.savefig(out, format=fmt, metadata=metadata)
    log.info("wrote %s", out)
    return out


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


def _class_handles(
    colors: list[str],
    labels: list[str],
    face: np.ndarray,
    hidden: np.ndarray,
    *,
    threshold: int,
    lang: str,
) -> list[Patch]:
    """Legend entries: one per class, then no data and withheld when present."""
    from matplotlib.patches import Patch

    handles = []
    for c, label in zip(colors, labels, strict=True):
        handles.append(Patch(facecolor=c, edgecolor="#555555", label=label))
    if (face == NO_DATA_COLOR).any():
        handles.append(
            Patch(
                facecolor=NO_DATA_COLOR,
                edgecolor="#555555",
                label=t("legend.no_data", lang),
            )
        )
    if hidden.any():
        handles.append(
            Patch(
                facecolor=SUPPRESSED_COLOR,
                edgecolor="#777777",
                hatch="///",
                label=withheld_text(threshold, lang),
            )
        )
    return handles


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
    return handles


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


def _captions(
    fig: MplFigure,
    *,
    title: str | None,
    synthetic: bool,
    sources: Sequence[str],
    lang: str,
) -> None:
    """Write the title, the SYNTHETIC banner (when synthetic) and the sources."""
    from geo_alloggi import datasets

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
