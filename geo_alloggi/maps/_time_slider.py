"""The time-slider layer: districts coloured period by period, with a play button."""

from __future__ import annotations

from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from geo_alloggi import _schema as S
from geo_alloggi._errors import ValidationError
from geo_alloggi._i18n import column_label, fmt_period, t
from geo_alloggi._validate import require_columns
from geo_alloggi.maps._base import ensure_map
from geo_alloggi.maps._checks import (
    check_districts,
    check_options,
    check_threshold,
    require_numeric,
)
from geo_alloggi.maps._classification import classify_column, value_text
from geo_alloggi.maps._elements import render_legend
from geo_alloggi.maps._geometry import (
    DEFAULT_PRECISION,
    DEFAULT_SIMPLIFY_M,
    add_district_layer,
)

__all__ = ["time_slider_layer"]


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
    districts : geopandas.GeoDataFrame
        District geometries (``district_id``, ``name``).
    table : pandas.DataFrame
        One row per district × period: ``district_id``, ``period`` and
        ``column``; an optional ``suppressed`` flag withholds a row's value.
    column : str, default 'occupied'
        Value column of ``table``. Classes are computed over all periods so colours
        compare across time.
    period_column : str, default 'period'
        Period column of ``table``.
    m : folium.Map or None, default None
        See :func:`choropleth_layer`.
    scheme : str, default 'quantiles'
        See :func:`choropleth_layer`.
    k : int, default 5
        See :func:`choropleth_layer`.
    cmap : str, default 'YlOrRd'
        See :func:`choropleth_layer`.
    decimals : int or None, default None
        See :func:`choropleth_layer`.
    name : str or None, default None
        See :func:`choropleth_layer`.
    show : bool, default False
        See :func:`choropleth_layer`.
    threshold : int or None, default None
        See :func:`choropleth_layer`.
    allow_small : bool, default False
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
        Missing columns, duplicated district × period rows, non-numeric values.
    """
    check_options(lang, simplify_m, precision)
    gdf = check_districts(districts, "districts")
    _check_table(table, column, period_column)
    thr = check_threshold(threshold)
    m = ensure_map(m, gdf, lang=lang, synthetic=synthetic)
    periods = sorted(table[period_column].dropna().unique())
    if not periods:
        raise ValidationError(f"table[{period_column!r}] has no periods")
    labels = [fmt_period(p, lang) for p in periods]
    tab = table[table[S.DISTRICT_ID].isin(set(gdf[S.DISTRICT_ID]))].reset_index(
        drop=True
    )
    cc = classify_column(
        tab,
        column,
        scheme=scheme,
        k=k,
        cmap=cmap,
        decimals=decimals,
        threshold=thr,
        allow_small=allow_small,
        lang=lang,
        with_no_data=True,
    )
    values, hidden, classed = cc.values, cc.hidden, cc.classes
    no_data = classed.no_data
    missing = t("value.missing", lang)
    classes, texts = _per_district(
        tab,
        periods,
        period_column=period_column,
        cls=classed.cls,
        no_data=no_data,
        texts=[
            value_text(
                values[i],
                column,
                suppressed=bool(hidden[i]),
                threshold=thr,
                allow_small=allow_small,
                decimals=cc.decimals,
                lang=lang,
            )
            for i in range(len(tab))
        ],
        missing=missing,
    )
    props = [
        {"i": str(d), "n": str(n), "s": classes.get(str(d), [no_data])[-1]}
        for d, n in zip(gdf[S.DISTRICT_ID], gdf[S.NAME], strict=True)
    ]
    label = column_label(column, lang)
    title = name or f"{t('layer.time', lang)}: {label}"
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
    return add_district_layer(
        m,
        gdf,
        props,
        simplify_m=simplify_m,
        precision=precision,
        name=title,
        styles=classed.styles,
        show=show,
        legend_html=render_legend(label, cc.legend),
        slider=slider,
    )


def _check_table(table: Any, column: str, period_column: str) -> None:
    """Refuse a period table without its columns, non-numeric or with duplicates."""
    if not isinstance(table, pd.DataFrame):
        raise ValidationError(
            f"table must be a pandas.DataFrame, got {type(table).__name__!r}"
        )
    require_columns(table, [S.DISTRICT_ID, period_column, column], "table")
    require_numeric(table, column, "table")
    dup = table.duplicated([S.DISTRICT_ID, period_column], keep=False)
    if dup.any():
        sample = table.loc[dup, [S.DISTRICT_ID, period_column]].astype(str).head(3)
        raise ValidationError(
            f"table has duplicated (district_id, {period_column}) rows, e.g. "
            f"{sample.to_numpy().tolist()!r}"
        )


def _per_district(
    tab: pd.DataFrame,
    periods: list[Any],
    *,
    period_column: str,
    cls: np.ndarray,
    no_data: int,
    texts: list[str],
    missing: str,
) -> tuple[dict[str, list[int]], dict[str, list[str]]]:
    """Each district's class and text per period (no data where a period lacks a row).

    Parameters
    ----------
    tab : pandas.DataFrame
        The period table, one row per district × period.
    periods : list
        The periods in slider order.
    period_column : str
        Column of ``tab`` holding the period.
    cls : numpy.ndarray
        Class (style index) of each row of ``tab``.
    no_data : int
        Class of a period without a row.
    texts : list of str
        Text shown for each row of ``tab``.
    missing : str
        Text of a period without a row.

    Returns
    -------
    tuple of dict
        ``{district_id: [class per period]}`` and ``{district_id: [text per
        period]}``, districts in the order of their first row.
    """
    pidx = {p: i for i, p in enumerate(periods)}
    classes: dict[str, list[int]] = {}
    out: dict[str, list[str]] = {}
    for i, (did, per) in enumerate(
        zip(tab[S.DISTRICT_ID], tab[period_column], strict=True)
    ):
        if pd.isna(per):
            continue
        key = str(did)
        classes.setdefault(key, [no_data] * len(periods))[pidx[per]] = int(cls[i])
        out.setdefault(key, [missing] * len(periods))[pidx[per]] = texts[i]
    return classes, out
