"""Marker layers: estates (clustered), patrol priorities and renovation plans."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from geo_alloggi import _schema as S
from geo_alloggi import config
from geo_alloggi._errors import ValidationError, warn
from geo_alloggi._i18n import (
    check_lang,
    column_label,
    fmt_count,
    fmt_int,
    fmt_number,
    owner_label,
    t,
)
from geo_alloggi._validate import require_columns, require_geodataframe, require_unique
from geo_alloggi.maps._base import ensure_map
from geo_alloggi.maps._checks import check_options, check_threshold, row_dicts
from geo_alloggi.maps._classification import (
    COUNT_COLUMNS,
    OTHER_OWNER_COLOR,
    OWNER_COLORS,
    PRIORITY_COLORS,
    is_missing,
)
from geo_alloggi.maps._elements import MarkerLayer, popup_data, render_legend
from geo_alloggi.maps._geometry import (
    DEFAULT_PRECISION,
    DEFAULT_SIMPLIFY_M,
    shared_features,
)

__all__ = ["estates_layer", "priority_layer", "renovation_layer"]

# popup fields of an estate, in this order, when present
_ESTATE_FIELDS = (
    S.ADDRESS,
    S.COMUNE,
    S.OWNER,
    S.UNITS,
    S.OCCUPIED,
    S.VACANT,
    S.EVICTIONS,
)


def _estate_icon(units: Any) -> int:
    if units is None or pd.isna(units):
        return 0
    u = float(units)
    return 0 if u < 50 else 1 if u < 200 else 2 if u < 500 else 3


def _estate_fields(
    row: Mapping[str, Any],
    columns: Sequence[str],
    *,
    threshold: int,
    allow_small: bool,
    lang: str,
) -> list[str | None]:
    """Return an estate's popup values as text (None when missing)."""
    values: list[str | None] = []
    for col in columns:
        v = row[col]
        if is_missing(v):
            values.append(None)
        elif col == S.OWNER:
            values.append(owner_label(v, lang))
        elif col == S.UNITS:
            values.append(fmt_int(v, lang))
        elif col in COUNT_COLUMNS:
            values.append(
                fmt_count(v, threshold=threshold, allow_small=allow_small, lang=lang)
            )
        else:
            values.append(str(v))
    return values


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
    by_owner: bool = False,
) -> folium.Map:
    """Draw estates as (clustered) markers with popups of their aggregated counts.

    Parameters
    ----------
    estates : geopandas.GeoDataFrame
        Points with ``estate_id`` and ``name``; optional ``address``, ``comune``,
        ``owner``, ``units`` and the aggregated counts ``occupied``, ``vacant``,
        ``evictions``. Estates without a position are skipped with a warning.
    m : folium.Map or None, default None
        Map to draw on; a new one when None.
    name : str or None, default None
        Layer name (default: a label in ``lang``).
    show : bool, default True
        Whether the layer is visible at opening.
    cluster : bool, default True
        Group nearby markers into clusters (Leaflet.markercluster).
    search : bool, default True
        Make the estates findable by name with the search box.
    threshold : int or None, default None
        Counts from 1 to ``threshold - 1`` are shown as ``< threshold`` unless
        ``allow_small=True``.
    allow_small : bool, default False
        Show counts below ``threshold`` as they are.
    lang : str, default 'it'
        See :func:`basemap_layer`.
    synthetic : bool, default False
        See :func:`basemap_layer`.
    precision : int, default 5
        See :func:`basemap_layer`.
    by_owner : bool
        One layer per owner (Aler Milano, Comune / MM Casa, others), each
        switched on and off in the layer control, so the map can be filtered
        by owner; False: one layer for every estate.

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
    thr = check_threshold(threshold)
    geo = gdf.geometry.to_crs(config.geographic_crs)
    placed = geo.notna() & ~geo.is_empty
    types = set(geo[placed].geom_type)
    if types - {"Point"}:
        raise ValidationError(
            f"estates must hold Point geometries, found {sorted(types)!r}"
        )
    if (~placed).any():
        ids = gdf.loc[~placed, S.ESTATE_ID].astype(str).tolist()
        warn(
            f"{len(ids)} estate(s) without a position are not drawn, e.g. {ids[:5]!r}",
            "maps.estates_unplaced",
            n=len(ids),
            sample=ids[:5],
            stacklevel=2,
        )
    m = ensure_map(m, gdf[placed.to_numpy()], lang=lang, synthetic=synthetic)
    owners = list(OWNER_COLORS)
    colors = [*OWNER_COLORS.values(), OTHER_OWNER_COLOR]
    sizes = [10, 13, 16, 20]
    icons = [{"color": c, "size": s} for c in colors for s in sizes]
    field_cols = [c for c in _ESTATE_FIELDS if c in gdf.columns]
    field_labels = [column_label(c, lang) for c in field_cols]
    rows_out: dict[int, list[list[Any]]] = {}
    xs = np.round(geo.x.to_numpy(), precision)
    ys = np.round(geo.y.to_numpy(), precision)
    for i, row in enumerate(row_dicts(gdf)):
        if not placed.iloc[i]:
            continue
        owner = row[S.OWNER] if S.OWNER in gdf.columns else None
        oi = owners.index(owner) if owner in owners else len(owners)
        icon = oi * len(sizes) + _estate_icon(
            row[S.UNITS] if S.UNITS in gdf.columns else None
        )
        values = _estate_fields(
            row, field_cols, threshold=thr, allow_small=allow_small, lang=lang
        )
        rows_out.setdefault(oi, []).append(
            [float(ys[i]), float(xs[i]), icon, str(row[S.NAME]), values]
        )
    legend_rows = {
        oi: (colors[oi], owner_label(owners[oi], lang) if oi < len(owners) else "—")
        for oi in sorted(rows_out)
    }
    title = name or t("layer.estates", lang)
    groups = [[oi] for oi in sorted(rows_out)] if by_owner else [sorted(rows_out)]
    for group in groups:
        m.add_child(
            MarkerLayer(
                [r for oi in group for r in rows_out[oi]],
                kind="cluster",
                name=t(
                    "renovation.layer.estates_owner",
                    lang,
                    layer=title,
                    owner=legend_rows[group[0]][1],
                )
                if by_owner
                else title,
                opts={
                    "icons": icons,
                    "cluster": bool(cluster),
                    "fields": field_labels,
                },
                show=show,
                legend_html=render_legend(
                    t("legend.estates", lang),
                    [legend_rows[oi] for oi in group],
                    dot=True,
                ),
                search_kind="estate" if search else "",
            )
        )
    return m


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
    priorities : pandas.DataFrame
        Ranked table: ``id_column``, ``rank_column``, ``score_column``,
        ``reason_column`` (the text saying why the row ranks there). A
        GeoDataFrame is used as is; a DataFrame takes its geometry from
        ``geometry`` joined on ``id_column``.
    geometry : geopandas.GeoDataFrame or None, default None
        Districts or estates (with ``id_column`` and ``name``) giving positions.
    id_column : str, default 'district_id'
        Id column (``district_id`` for districts, ``estate_id`` for estates).
    rank_column : str, default 'rank'
        Column of the rank.
    score_column : str, default 'priority_score'
        Column of the priority score.
    reason_column : str, default 'reasons'
        Column of the reasons.
    name_column : str, default 'name'
        Column of the name shown.
    top : int, default 20
        How many of the best-ranked rows to draw.
    kind : str, default 'patrol'
        ``"patrol"`` (red) or ``"renovation"`` (blue): colour and default name.
    m : folium.Map or None, default None
        See :func:`choropleth_layer`.
    name : str or None, default None
        See :func:`choropleth_layer`.
    show : bool, default False
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
        Missing columns, ids without geometry, bad ``kind`` or ``top``.
    """
    check_options(lang, simplify_m, precision)
    if kind not in PRIORITY_COLORS:
        raise ValidationError(
            f"kind={kind!r} is not one of {sorted(PRIORITY_COLORS)!r}"
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
    gdf = _placed_priorities(
        priorities, geometry, id_column=id_column, name_column=name_column
    )
    m = ensure_map(m, gdf, lang=lang, synthetic=synthetic)
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
    for i, row in enumerate(row_dicts(gdf)):
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
                popup_data(row[name_column], fields, note=reason),
            ]
        )
    color = PRIORITY_COLORS[kind]
    areas = None
    if polygonal.any():
        areas = shared_features(
            m,
            gdf[polygonal],
            [{} for _ in range(int(polygonal.sum()))],
            simplify_m=simplify_m,
            precision=precision,
        )
    title = name or t(f"layer.priorities_{kind}", lang)
    legend = render_legend(
        title, [(color, t("legend.top", lang, n=len(rows)))], dot=True
    )
    m.add_child(
        MarkerLayer(
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


def _placed_priorities(
    priorities: pd.DataFrame,
    geometry: gpd.GeoDataFrame | None,
    *,
    id_column: str,
    name_column: str,
) -> gpd.GeoDataFrame:
    """Return the priorities with a geometry and a name for every row.

    A GeoDataFrame without ``geometry`` is used as is; otherwise the geometry
    (and name, when present) comes from ``geometry`` joined on ``id_column``.
    Rows without a name are named by their id.
    """
    if isinstance(priorities, gpd.GeoDataFrame) and geometry is None:
        gdf = require_geodataframe(priorities, "priorities")
        if name_column not in gdf.columns:
            gdf = gdf.assign(**{name_column: gdf[id_column].astype(str)})
        return gdf
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
    return gdf


def _unplaced_ids(estates: gpd.GeoDataFrame) -> list[Any]:
    """Ids of the estates without a position (not drawn; the estate layer says so)."""
    if not isinstance(estates, gpd.GeoDataFrame) or S.ESTATE_ID not in estates:
        return []  # priority_layer says what is wrong
    geom = estates.geometry
    lost = (geom.isna() | geom.is_empty).to_numpy(dtype=bool)
    return estates.loc[lost, S.ESTATE_ID].tolist()


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
    plan : RenovationPlan or pandas.DataFrame
        :class:`geo_alloggi.priorities.RenovationPlan` or its ``plan`` table:
        ``estate_id``, ``selected``, ``units_chosen``, ``cost_eur``, ``risk``
        and, when present, ``risk_weighted_units`` (the ranking key). A
        RenovationPlan's layer is named after its objective (the plan the
        run chose), unless ``name`` is given.
    estates : geopandas.GeoDataFrame
        Estate points (``estate_id``, ``name``) giving positions.
    top : int, default 30
        How many selected estates to draw.
    m : folium.Map or None, default None
        See :func:`priority_layer`.
    name : str or None, default None
        See :func:`priority_layer`.
    show : bool, default False
        See :func:`priority_layer`.
    search : bool, default False
        See :func:`priority_layer`.
    lang : str, default 'it'
        See :func:`priority_layer`.
    synthetic : bool, default False
        See :func:`priority_layer`.
    precision : int, default 5
        See :func:`priority_layer`.
    threshold : int or None, default None
        Units chosen below the threshold are shown as ``< threshold``.
    allow_small : bool, default False
        Show units below ``threshold`` as they are.

    Returns
    -------
    folium.Map

    Raises
    ------
    ValidationError
        Missing columns, or chosen estates missing from ``estates``.

    Notes
    -----
    A chosen estate that ``estates`` holds without a position (one placed in
    its district by its comune) stays in the plan's tables but is not drawn,
    as on the estate layer (:func:`estates_layer`).
    """
    check_lang(lang)
    table = getattr(plan, "plan", plan)
    objective = getattr(plan, "objective", None)
    if name is None and objective is not None:
        # the plan of the run's objective, named so on the map
        name = t(
            "renovation.layer.chosen",
            lang,
            objective=t(f"renovation.objective.{objective}", lang),
        )
    if not isinstance(table, pd.DataFrame):
        raise ValidationError(
            f"plan must be a RenovationPlan or a DataFrame, got {type(plan).__name__!r}"
        )
    needed = [S.ESTATE_ID, S.SELECTED, S.UNITS_CHOSEN, S.COST_EUR, S.RISK]
    require_columns(table, needed, "plan")
    thr = check_threshold(threshold)
    chosen = table[table[S.SELECTED].fillna(False).astype(bool)]
    chosen = chosen[chosen[S.UNITS_CHOSEN].fillna(0) > 0]
    chosen = chosen[~chosen[S.ESTATE_ID].isin(_unplaced_ids(estates))]
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
