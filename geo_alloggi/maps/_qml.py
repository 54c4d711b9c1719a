"""QGIS styles (QML) of the bundle's layers, with the HTML map's classes and colours.

Each layer of ``layers.gpkg`` gets the symbology of its counterpart on the
HTML map, built from the same functions: :func:`classify_column` for classed
values (rule-based renderer: one rule per class, then no data and withheld
values, labelled as the HTML legend), the hot-spot, emerging-trend and owner
palettes for categories. Labels are Italian by default (``lang``).

The QML is QGIS 3 XML; symbol layer properties are written both as
``<Option>`` maps and as ``<prop>`` pairs, which QGIS 3.x versions read.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from typing import NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd

from geo_alloggi import _schema as S
from geo_alloggi._i18n import (
    column_label,
    emerging_label,
    fmt_number,
    hotspot_label,
    owner_label,
    stored_class_lang,
    t,
)
from geo_alloggi.maps._classification import (
    COUNT_COLUMNS,
    DERIVED_FROM,
    EMERGING_COLORS,
    HOTSPOT_COLORS,
    NO_DATA_COLOR,
    OTHER_OWNER_COLOR,
    OWNER_COLORS,
    PRIORITY_COLORS,
    SUPPRESSED_COLOR,
    ColumnClasses,
    classify_column,
    palette,
)

__all__ = ["QGIS_VERSION", "LayerStyle", "layer_styles", "qml_document"]

#: QGIS version written in the QML and project headers (the oldest LTR tested).
QGIS_VERSION = "3.22.16-Białowieża"
#: How many priority ranks the HTML map marks (``priority_layer``'s default).
PATROL_TOP = 20


class LayerStyle(NamedTuple):
    """One QGIS style of a GeoPackage layer.

    Attributes
    ----------
    table : str
        GeoPackage table (layer) name.
    key : str
        Identifier of the style (project layer ids are made from it).
    name : str
        Style and layer name shown in QGIS (Italian by default).
    renderer : xml.etree.ElementTree.Element
        The ``<renderer-v2>`` element.
    labeling : xml.etree.ElementTree.Element or None
        The ``<labeling>`` element, if the layer is labelled.
    default : bool
        The layer's default style (``useAsDefault``).
    visible : bool
        Shown when the project opens (as on the HTML map).
    """

    table: str
    key: str
    name: str
    renderer: ET.Element
    labeling: ET.Element | None
    default: bool
    visible: bool


# ---------------------------------------------------------------------------
# symbols


def qgis_color(hex_color: str, opacity: float = 1.0) -> str:
    """Return ``"r,g,b,a"`` (0-255) of a colour (``#rgb``, ``#rrggbb``) and opacity."""
    from matplotlib.colors import to_rgb

    r, g, b = (round(255 * c) for c in to_rgb(hex_color))
    return f"{r},{g},{b},{round(255 * opacity)}"


def _symbol(
    kind: str, name: str, layer_class: str, props: dict[str, str]
) -> ET.Element:
    """Return a ``<symbol>`` of one symbol layer (properties as Option and prop)."""
    sym = ET.Element(
        "symbol",
        {
            "type": kind,
            "name": name,
            "alpha": "1",
            "clip_to_extent": "1",
            "force_rhr": "0",
        },
    )
    layer = ET.SubElement(
        sym,
        "layer",
        {"class": layer_class, "enabled": "1", "locked": "0", "pass": "0"},
    )
    options = ET.SubElement(layer, "Option", {"type": "Map"})
    for k, v in props.items():
        ET.SubElement(options, "Option", {"name": k, "type": "QString", "value": v})
    for k, v in props.items():
        ET.SubElement(layer, "prop", {"k": k, "v": v})
    return sym


def fill_symbol(
    name: str,
    fill: str,
    *,
    opacity: float,
    line: str = "#555555",
    line_opacity: float = 0.9,
    width_mm: float = 0.26,
) -> ET.Element:
    """Return a polygon symbol: fill colour and opacity, outline colour and width."""
    return _symbol(
        "fill",
        name,
        "SimpleFill",
        {
            "color": qgis_color(fill, opacity),
            "style": "solid" if opacity > 0 else "no",
            "outline_color": qgis_color(line, line_opacity),
            "outline_style": "solid",
            "outline_width": f"{width_mm:g}",
            "outline_width_unit": "MM",
            "joinstyle": "bevel",
        },
    )


def marker_symbol(name: str, color: str, *, size_mm: float = 2.4) -> ET.Element:
    """Return a point symbol: a filled circle with a white outline."""
    return _symbol(
        "marker",
        name,
        "SimpleMarker",
        {
            "name": "circle",
            "color": qgis_color(color),
            "outline_color": "255,255,255,255",
            "outline_style": "solid",
            "outline_width": "0.3",
            "outline_width_unit": "MM",
            "size": f"{size_mm:g}",
            "size_unit": "MM",
            "scale_method": "diameter",
        },
    )


def _renderer(kind: str, **attrs: str) -> ET.Element:
    base = {"type": kind, "symbollevels": "0", "enableorderby": "0", "forceraster": "0"}
    return ET.Element("renderer-v2", {**base, **attrs})


def rule_renderer(rules: Sequence[tuple[str, str, ET.Element]]) -> ET.Element:
    """Return a rule-based renderer of ``(filter, label, symbol)`` in legend order."""
    renderer = _renderer("RuleRenderer")
    root = ET.SubElement(renderer, "rules", {"key": "{root}"})
    symbols = ET.SubElement(renderer, "symbols")
    for i, (expr, label, symbol) in enumerate(rules):
        ET.SubElement(
            root,
            "rule",
            {"key": f"{{rule-{i}}}", "filter": expr, "label": label, "symbol": str(i)},
        )
        symbol.set("name", str(i))
        symbols.append(symbol)
    return renderer


def categorized_renderer(
    attr: str, categories: Sequence[tuple[str, str, ET.Element]]
) -> ET.Element:
    """Return a categorized renderer of ``(value, label, symbol)`` (``""``: others)."""
    renderer = _renderer("categorizedSymbol", attr=attr)
    cats = ET.SubElement(renderer, "categories")
    symbols = ET.SubElement(renderer, "symbols")
    for i, (value, label, symbol) in enumerate(categories):
        ET.SubElement(
            cats,
            "category",
            {"value": value, "label": label, "symbol": str(i), "render": "true"},
        )
        symbol.set("name", str(i))
        symbols.append(symbol)
    return renderer


def single_renderer(symbol: ET.Element) -> ET.Element:
    """Return a single-symbol renderer."""
    renderer = _renderer("singleSymbol")
    symbols = ET.SubElement(renderer, "symbols")
    symbol.set("name", "0")
    symbols.append(symbol)
    return renderer


def labeling(field: str, *, max_scale: int, size: float = 8.0) -> ET.Element:
    """Return labels of ``field`` with a white halo, from 1:``max_scale`` inwards."""
    lab = ET.Element("labeling", {"type": "simple"})
    settings = ET.SubElement(lab, "settings", {"calloutType": "simple"})
    style = ET.SubElement(
        settings,
        "text-style",
        {
            "fieldName": field,
            "isExpression": "0",
            "fontSize": f"{size:g}",
            "fontSizeUnit": "Point",
            "textColor": "34,34,34,255",
            "textOpacity": "1",
            "multilineHeight": "1",
        },
    )
    ET.SubElement(
        style,
        "text-buffer",
        {
            "bufferDraw": "1",
            "bufferSize": "0.7",
            "bufferSizeUnits": "MM",
            "bufferColor": "255,255,255,255",
            "bufferOpacity": "0.9",
            "bufferJoinStyle": "128",
        },
    )
    ET.SubElement(
        settings,
        "text-format",
        {"wrapChar": "", "autoWrapLength": "20", "multilineAlign": "1"},
    )
    ET.SubElement(
        settings,
        "placement",
        {"placement": "1", "centroidInside": "1", "fitInPolygonOnly": "0"},
    )
    ET.SubElement(
        settings,
        "rendering",
        {
            "scaleVisibility": "1",
            "scaleMin": "0",
            "scaleMax": str(int(max_scale)),
            "obstacle": "1",
            "displayAll": "0",
        },
    )
    return lab


def qml_document(style: LayerStyle) -> str:
    """Return the QML text of a style (renderer and, if any, labels)."""
    root = ET.Element(
        "qgis",
        {
            "version": QGIS_VERSION,
            "styleCategories": "Symbology|Labeling",
            "labelsEnabled": "1" if style.labeling is not None else "0",
        },
    )
    root.append(style.renderer)
    if style.labeling is not None:
        root.append(style.labeling)
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + body + "\n"


# ---------------------------------------------------------------------------
# expressions


def field(name: str) -> str:
    """Return the QGIS expression naming a field (inner double quotes doubled)."""
    return '"' + name.replace('"', '""') + '"'


def literal(value: str) -> str:
    """Return a QGIS string literal."""
    return "'" + value.replace("'", "''") + "'"


def number(value: float) -> str:
    """Write a number exactly (the shortest repr that reads back the same)."""
    return repr(float(value))


def hidden_expression(
    frame: pd.DataFrame, column: str, *, threshold: int, allow_small: bool
) -> str:
    """Return the expression of :func:`hidden_mask`: withheld, or a small count."""
    parts = []
    if S.SUPPRESSED in frame.columns:
        flags = frame[S.SUPPRESSED].dropna()
        if len(flags) and all(isinstance(v, (bool, np.bool_)) for v in flags):
            parts.append(f"coalesce({field(S.SUPPRESSED)}, false)")
        else:
            listed = f"string_to_array(coalesce({field(S.SUPPRESSED)}, ''), ',')"
            parts.append(
                f"array_contains(array_foreach({listed}, trim(@element)), "
                f"{literal(column)})"
            )
    if column in COUNT_COLUMNS and not allow_small:
        col = field(column)
        parts.append(f"coalesce({col} > 0 AND {col} < {int(threshold)}, false)")
    source = DERIVED_FROM.get(column)
    if source is not None and source in frame.columns and not allow_small:
        col = field(source)
        parts.append(f"coalesce({col} > 0 AND {col} < {int(threshold)}, false)")
    return " OR ".join(f"({p})" for p in parts) if parts else "false"


def class_rules(
    frame: pd.DataFrame,
    column: str,
    cc: ColumnClasses,
    *,
    threshold: int,
    allow_small: bool,
) -> list[tuple[str, str, ET.Element]]:
    """Rules of a classed column, in the HTML legend's order and colours.

    A value ``v`` shown is in class ``i`` when ``bins[i-1] < v <= bins[i]``
    (the first class has no lower bound, the last no upper one), as
    :func:`geo_alloggi.maps._classification.class_of` decides.
    """
    col = field(column)
    hidden = hidden_expression(
        frame, column, threshold=threshold, allow_small=allow_small
    )
    shown = f"{col} IS NOT NULL AND NOT ({hidden})"
    bins = cc.classes.bins
    styles = cc.classes.styles
    rules = []
    for i, label in enumerate(cc.labels):
        cond = []
        if i > 0:
            cond.append(f"{col} > {number(bins[i - 1])}")
        if i < len(bins) - 1:
            cond.append(f"{col} <= {number(bins[i])}")
        expr = " AND ".join([shown, *cond])
        st = styles[i]
        rules.append((expr, label, _leaflet_fill(st)))
    for color, label in cc.legend[len(cc.labels) :]:
        if color == NO_DATA_COLOR:
            st = styles[cc.classes.no_data]
            expr = f"{col} IS NULL AND NOT ({hidden})"
        else:
            st = styles[cc.withheld]
            expr = hidden
        rules.append((expr, label, _leaflet_fill(st)))
    return rules


def _leaflet_fill(style: dict) -> ET.Element:
    """Return the QGIS fill symbol of a Leaflet path style (colours, opacities)."""
    return fill_symbol(
        "0",
        style.get("fillColor", "#ffffff"),
        opacity=float(style.get("fillOpacity", 0.2)) if style.get("fill", True) else 0,
        line=style.get("color", "#555555"),
        line_opacity=float(style.get("opacity", 1.0)),
        width_mm=round(float(style.get("weight", 1.0)) * 0.26, 2),
    )


# ---------------------------------------------------------------------------
# the styles of each layer


def layer_styles(
    table: str,
    frame: pd.DataFrame,
    *,
    column: str = S.OCCUPIED_PER_100,
    scheme: str = "quantiles",
    k: int = 5,
    cmap: str = "YlOrRd",
    threshold: int,
    allow_small: bool = False,
    lang: str = "it",
    kinds: Callable[[], set[str]] | None = None,
) -> list[LayerStyle]:
    """Return the QGIS styles of one layer of the bundle's GeoPackage, default first.

    Parameters
    ----------
    table : str
        Layer name: ``districts``, ``districts_by_period``, ``estates``,
        ``density``, ``patrol_districts``, ``renovation_plan``; any other
        gets a plain symbol.
    frame : pandas.DataFrame
        The layer's rows as written in the GeoPackage: the styles need only
        their attributes (a GeoDataFrame's geometries tell a layer drawn with
        a plain symbol whether it holds points, lines or areas).
    column, scheme, k, cmap, threshold, allow_small, lang
        As for :func:`geo_alloggi.maps.meeting_map` (the districts' choropleth).
    kinds : callable or None, default None
        Returns the geometry types of the layer (e.g. ``{"Point"}``), called
        only for a plain symbol; by default those of ``frame``'s geometries.

    Returns
    -------
    list of LayerStyle
    """

    def classed(key: str, col: str, labels: bool, no_data: bool | None) -> LayerStyle:
        return _classed(
            table, key, frame, col, scheme=scheme, k=k, cmap=cmap,
            threshold=threshold, allow_small=allow_small, lang=lang, labels=labels,
            with_no_data=no_data,
        )  # fmt: skip

    def plain() -> LayerStyle:
        # a symbol for the layer's points, lines or areas
        if kinds is not None:
            found = kinds()
        elif isinstance(frame, gpd.GeoDataFrame):
            found = set(frame.geometry.dropna().geom_type)
        else:
            found = set()
        return _plain(table, found)

    if table == "districts" and column in frame.columns:
        return [
            classed("choropleth", column, True, None),
            *_district_categories(table, frame, lang),
        ]
    if table == "districts_by_period" and S.OCCUPIED in frame.columns:
        style = classed("periods", S.OCCUPIED, False, True)
        name = f"{t('layer.districts_by_period', lang)}: {style.name}"
        return [style._replace(name=name, visible=False)]

    if table == "estates":
        if S.OWNER not in frame.columns:
            return [plain()._replace(name=t("layer.estates", lang))]
        return [_estates(table, lang)]
    if table == "density" and "level" in frame.columns:
        return [_density(table, frame, lang)]
    if table == "patrol_districts" and "rank" in frame.columns:
        return [_patrol(table, frame, lang)]
    if table == "renovation_plan" and S.SELECTED in frame.columns:
        return [_renovation(table, lang)]
    return [plain()]


def _classed(
    table: str,
    key: str,
    frame: pd.DataFrame,
    column: str,
    *,
    scheme: str,
    k: int,
    cmap: str,
    threshold: int,
    allow_small: bool,
    lang: str,
    labels: bool,
    with_no_data: bool | None = None,
) -> LayerStyle:
    cc = classify_column(
        frame,
        column,
        scheme=scheme,
        k=k,
        cmap=cmap,
        threshold=threshold,
        allow_small=allow_small,
        lang=lang,
        with_no_data=with_no_data,
    )
    rules = class_rules(frame, column, cc, threshold=threshold, allow_small=allow_small)
    return LayerStyle(
        table=table,
        key=key,
        name=column_label(column, lang),
        renderer=rule_renderer(rules),
        labeling=labeling(S.NAME, max_scale=60000) if labels else None,
        default=True,
        visible=True,
    )


def _district_categories(
    table: str, frame: pd.DataFrame, lang: str
) -> list[LayerStyle]:
    """Hot spots and emerging trends, as the HTML map's two categorical layers.

    Hot spots come from ``hotspot`` (labels) or else ``gi_bin`` (-3..3);
    missing values are drawn as not significant, as on the HTML map.
    """
    out = []
    order = sorted(S.HOTSPOT_LABELS, reverse=True)

    def hot_symbol(b: int) -> ET.Element:
        return fill_symbol("0", HOTSPOT_COLORS[b], opacity=0.8 if b else 0.35)

    renderer = None
    if S.HOTSPOT in frame.columns:
        # the values as stored (Italian labels in an Italian bundle)
        held = stored_class_lang(frame[S.HOTSPOT].dropna())
        cats = [
            (hotspot_label(b, held), hotspot_label(b, lang), hot_symbol(b))
            for b in order
        ]
        cats.append(("", hotspot_label(0, lang), hot_symbol(0)))
        renderer = categorized_renderer(S.HOTSPOT, cats)
    elif S.GI_BIN in frame.columns:
        col = f"coalesce({field(S.GI_BIN)}, 0)"
        rules = [(f"{col} = {b}", hotspot_label(b, lang), hot_symbol(b)) for b in order]
        renderer = rule_renderer(rules)
    if renderer is not None:
        out.append(
            LayerStyle(
                table, "hotspots", t("layer.hotspots", lang), renderer, None, False,
                False,
            )
        )  # fmt: skip
    if S.EMERGING in frame.columns:
        stored = frame[S.EMERGING].dropna()
        held = stored_class_lang(stored)
        values = set(stored)
        present = [
            c for c in S.EMERGING_CATEGORIES if emerging_label(c, held) in values
        ]
        none = "No Pattern Detected"

        def sym(c: str) -> ET.Element:
            return fill_symbol(
                "0", EMERGING_COLORS[c], opacity=0.3 if c == none else 0.8
            )

        cats = [
            (emerging_label(c, held), emerging_label(c, lang), sym(c)) for c in present
        ]
        if none not in present:
            cats.append(
                (emerging_label(none, held), emerging_label(none, lang), sym(none))
            )
        cats.append(("", emerging_label(none, lang), sym(none)))
        out.append(
            LayerStyle(
                table, "emerging", t("layer.emerging", lang),
                categorized_renderer(S.EMERGING, cats), None, False, False,
            )
        )  # fmt: skip
    return out


def _estates(table: str, lang: str) -> LayerStyle:
    cats = [
        (owner, owner_label(owner, lang), marker_symbol("0", color))
        for owner, color in OWNER_COLORS.items()
    ]
    cats.append(("", "—", marker_symbol("0", OTHER_OWNER_COLOR)))
    return LayerStyle(
        table, "estates", t("layer.estates", lang),
        categorized_renderer(S.OWNER, cats), None, True, True,
    )  # fmt: skip


def _density(
    table: str, frame: pd.DataFrame, lang: str, decimals: int = 1
) -> LayerStyle:
    levels = sorted(set(frame["level"].dropna().astype(float)))
    colors = palette("Reds", len(levels))
    ranged = S.DENSITY_MIN in frame.columns and S.DENSITY_MAX in frame.columns
    rules = []
    for color, level in zip(colors, levels, strict=True):
        row = frame[frame["level"].astype(float) == level].iloc[0]
        if ranged:
            label = (
                f"{fmt_number(row[S.DENSITY_MIN], decimals, lang)} – "
                f"{fmt_number(row[S.DENSITY_MAX], decimals, lang)}"
            )
        else:
            label = fmt_number(level, decimals, lang)
        symbol = fill_symbol("0", color, opacity=0.35, line=color, line_opacity=0.8,
                             width_mm=0.16)  # fmt: skip
        rules.append((f"{field('level')} = {number(level)}", label, symbol))
    return LayerStyle(
        table, "density", t("layer.density", lang), rule_renderer(rules), None, True,
        False,
    )  # fmt: skip


def _patrol(table: str, frame: pd.DataFrame, lang: str) -> LayerStyle:
    color = PRIORITY_COLORS["patrol"]
    n = int(min(PATROL_TOP, frame["rank"].notna().sum()))
    symbol = fill_symbol("0", color, opacity=0.12, line=color, width_mm=0.66)
    rule = (f"{field('rank')} <= {PATROL_TOP}", t("legend.top", lang, n=n), symbol)
    return LayerStyle(
        table, "patrol", t("layer.priorities_patrol", lang), rule_renderer([rule]),
        labeling("rank", max_scale=500000, size=9), True, False,
    )  # fmt: skip


def _renovation(table: str, lang: str) -> LayerStyle:
    rules = [
        (
            f"coalesce({field(S.SELECTED)}, false)",
            t("legend.selected", lang),
            marker_symbol("0", PRIORITY_COLORS["renovation"], size_mm=3.0),
        ),
        (
            "ELSE",
            t("legend.not_selected", lang),
            marker_symbol("0", "#bdbdbd", size_mm=1.6),
        ),
    ]
    return LayerStyle(
        table, "renovation", t("layer.priorities_renovation", lang),
        rule_renderer(rules), None, True, False,
    )  # fmt: skip


def _plain(table: str, kinds: set[str]) -> LayerStyle:
    if kinds and kinds <= {"Point", "MultiPoint"}:
        symbol = marker_symbol("0", OTHER_OWNER_COLOR)
    elif kinds and kinds <= {"LineString", "MultiLineString"}:
        symbol = _symbol("line", "0", "SimpleLine",
                         {"line_color": "85,85,85,255", "line_width": "0.4",
                          "line_width_unit": "MM"})  # fmt: skip
    else:
        symbol = fill_symbol("0", SUPPRESSED_COLOR, opacity=0.4)
    return LayerStyle(table, table, table, single_renderer(symbol), None, True, False)
