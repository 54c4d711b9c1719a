"""Classes, colours and what may be shown: class breaks, palettes, the withheld mask.

A value reaches the page only when disclosure control did not withhold it
(``suppressed``) and, for counts, when it is not small (the rule of
:func:`geo_alloggi._i18n.small_mask`) or the caller passed ``allow_small=True``.

:func:`classify_column` is the one classification of a mapped column: the HTML
choropleth, the time slider, the static map and the QGIS styles all take their
class breaks, colours and legend from it, so they always agree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd

from geo_alloggi import _schema as S
from geo_alloggi._errors import ValidationError
from geo_alloggi._i18n import (
    column_label,
    fmt_count,
    fmt_int,
    fmt_number,
    is_small,
    small_mask,
    t,
)

__all__ = [
    "COUNT_COLUMNS",
    "DERIVED_FROM",
    "EMERGING_COLORS",
    "HOTSPOT_COLORS",
    "NO_DATA_COLOR",
    "OTHER_OWNER_COLOR",
    "OWNER_COLORS",
    "PRIORITY_COLORS",
    "SUPPRESSED_COLOR",
    "Classes",
    "ColumnClasses",
    "class_legend_rows",
    "class_of",
    "class_styles",
    "classify",
    "classify_column",
    "decimals_for",
    "extra_rows",
    "fill_style",
    "hidden_mask",
    "hotspot_bins",
    "is_missing",
    "palette",
    "range_labels",
    "value_text",
    "withheld_mask",
    "withheld_text",
]

#: Counts, as opposed to rates: small values are suppressed.
COUNT_COLUMNS: frozenset[str] = frozenset(S.COUNT_COLUMNS)

#: Rates and changes computed from a count: hidden where that count is small
#: (units are public, so the rate would give the count back), as
#: :func:`geo_alloggi.disclosure.suppress` withholds them.
DERIVED_FROM: dict[str, str] = {
    S.OCCUPIED_PER_100: S.OCCUPIED,
    S.OCCUPIED_CHANGE: S.OCCUPIED,
}

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
#: Marker colour of estates of any other (or no) owner.
OTHER_OWNER_COLOR = "#636363"
#: Fill of districts without a value.
NO_DATA_COLOR = "#ffffff"
#: Fill of districts whose value is withheld.
SUPPRESSED_COLOR = "#bdbdbd"
#: Marker colour of each kind of priority.
PRIORITY_COLORS = {"patrol": "#b2182b", "renovation": "#2166ac"}


# ---------------------------------------------------------------------------
# class breaks and colours


def palette(cmap: str, n: int) -> list[str]:
    """Return ``n`` hex colours spread along a matplotlib colormap."""
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


def classify(values: np.ndarray, scheme: str, k: int) -> np.ndarray:
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


def range_labels(
    shown_values: np.ndarray, bins: np.ndarray, decimals: int, lang: str
) -> list[str]:
    """``low – high`` label of each class (the first starts at the minimum).

    A class whose bounds read the same (e.g. a class of zeros) shows one value.
    """
    if not len(bins):
        return []
    lows = [float(np.min(shown_values)), *bins[:-1]]
    out = []
    for lo, hi in zip(lows, bins, strict=True):
        a, b = fmt_number(lo, decimals, lang), fmt_number(hi, decimals, lang)
        out.append(a if a == b else f"{a} – {b}")
    return out


def class_of(values: np.ndarray, bins: np.ndarray) -> np.ndarray:
    """Return the class index of each value (its bin's upper bound is >= it)."""
    idx = np.searchsorted(bins, values, side="left")
    return np.minimum(idx, len(bins) - 1)


def decimals_for(df: pd.DataFrame, column: str, decimals: int | None) -> int:
    """Decimals to show: as asked, else 0 for counts and integers, 1 otherwise."""
    if decimals is not None:
        return int(decimals)
    if column in COUNT_COLUMNS or pd.api.types.is_integer_dtype(df[column]):
        return 0
    return 1


def fill_style(
    color: str, *, opacity: float = 0.75, line: str = "#555"
) -> dict[str, Any]:
    """Return the Leaflet style of a filled area."""
    return {
        "color": line,
        "weight": 0.8,
        "opacity": 0.9,
        "fillColor": color,
        "fillOpacity": opacity,
    }


class Classes(NamedTuple):
    """Classes of a numeric column: bounds, colours, styles and each row's style."""

    shown: np.ndarray
    bins: np.ndarray
    colors: list[str]
    styles: list[dict[str, Any]]
    cls: np.ndarray
    no_data: int


def class_styles(
    values: np.ndarray, hidden: np.ndarray, *, scheme: str, k: int, cmap: str
) -> Classes:
    """Classify the values that may be shown; the rest get no-data or withheld."""
    shown = ~hidden & ~np.isnan(values)
    bins = classify(values[shown], scheme, k)
    colors = palette(cmap, len(bins))
    styles = [fill_style(c) for c in colors]
    no_data, withheld = len(styles), len(styles) + 1
    styles += [
        fill_style(NO_DATA_COLOR, opacity=0.3),
        fill_style(SUPPRESSED_COLOR, opacity=0.6),
    ]
    cls = np.full(len(values), no_data)
    if shown.any():
        cls[shown] = class_of(values[shown], bins)
    cls[hidden] = withheld
    return Classes(shown, bins, colors, styles, cls, no_data)


def class_legend_rows(
    classes: Classes,
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
            range_labels(shown_values, classes.bins, decimals, lang),
            strict=True,
        )
    )
    if with_no_data:
        rows.append((NO_DATA_COLOR, t("legend.no_data", lang)))
    if hidden.any():
        rows.append((SUPPRESSED_COLOR, withheld_text(threshold, lang)))
    return rows


class ColumnClasses(NamedTuple):
    """A column classed for a map: values, what is hidden, classes and legend.

    Attributes
    ----------
    values : numpy.ndarray
        The column as floats.
    hidden : numpy.ndarray
        Rows whose value must not be shown (withheld, or a small count).
    classes : Classes
        Class bounds (``bins``, upper bounds), colours, Leaflet styles (the
        classes, then no data, then withheld) and each row's style index.
    decimals : int
        Decimals shown in labels.
    labels : list of str
        ``low – high`` label of each class.
    legend : list of (str, str)
        ``(colour, label)`` rows: the classes, no data (when asked or
        present) and withheld values (when present).
    """

    values: np.ndarray
    hidden: np.ndarray
    classes: Classes
    decimals: int
    labels: list[str]
    legend: list[tuple[str, str]]

    @property
    def lower(self) -> float:
        """Lower bound of the first class (the smallest value shown), NaN if none."""
        shown = self.values[self.classes.shown]
        return float(np.min(shown)) if shown.size else float("nan")

    @property
    def withheld(self) -> int:
        """Style index of withheld values (no data is ``classes.no_data``)."""
        return self.classes.no_data + 1


def classify_column(
    df: pd.DataFrame,
    column: str,
    *,
    scheme: str = "quantiles",
    k: int = 5,
    cmap: str = "YlOrRd",
    decimals: int | None = None,
    threshold: int,
    allow_small: bool = False,
    lang: str = "it",
    with_no_data: bool | None = None,
) -> ColumnClasses:
    """Classify a column for a map: the one classification every map output uses.

    Parameters
    ----------
    df : pandas.DataFrame
        Rows to classify (districts, or district × period rows).
    column : str
        Numeric column.
    scheme, k, cmap : str, int, str
        mapclassify scheme, number of classes, matplotlib colormap.
    decimals : int, optional
        Decimals of the labels (default: see :func:`decimals_for`).
    threshold, allow_small : int, bool
        Small counts (1 to ``threshold - 1``) are hidden unless
        ``allow_small``; values withheld by disclosure control always are.
    lang : str
        Language of the legend.
    with_no_data : bool, optional
        Legend row for rows without a value: always (True), never (False),
        or when some row has none (None, default).

    Returns
    -------
    ColumnClasses
        Classes computed on the values that may be shown.
    """
    if not isinstance(k, (int, np.integer)) or isinstance(k, bool) or k < 1:
        raise ValidationError(f"k={k!r} must be an integer >= 1")
    dec = decimals_for(df, column, decimals)
    values = df[column].astype("float64").to_numpy()
    hidden = hidden_mask(df, column, threshold=threshold, allow_small=allow_small)
    classes = class_styles(values, hidden, scheme=scheme, k=int(k), cmap=cmap)
    labels = range_labels(values[classes.shown], classes.bins, dec, lang)
    no_data = (
        bool((classes.cls == classes.no_data).any())
        if with_no_data is None
        else with_no_data
    )
    legend = class_legend_rows(
        classes,
        values,
        hidden,
        with_no_data=no_data,
        decimals=dec,
        threshold=threshold,
        lang=lang,
    )
    return ColumnClasses(values, hidden, classes, dec, labels, legend)


def hotspot_bins(gdf: gpd.GeoDataFrame, column: str) -> np.ndarray:
    """Return the Gi* bin (-3..3) of each row from hot-spot labels or bins."""
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


# ---------------------------------------------------------------------------
# what may be shown, and how


def withheld_text(threshold: int, lang: str) -> str:
    """Return the text shown instead of a withheld value."""
    return t("legend.suppressed", lang, threshold=fmt_int(threshold, lang))


def value_text(
    value: Any,
    column: str,
    *,
    suppressed: bool,
    threshold: int,
    allow_small: bool,
    decimals: int,
    lang: str,
) -> str:
    """Return a value as shown: ``< threshold`` when small, withheld, or formatted."""
    if column in COUNT_COLUMNS and not allow_small and is_small(value, threshold):
        return fmt_count(value, threshold=threshold, lang=lang)
    if suppressed:
        return withheld_text(threshold, lang)
    if column in COUNT_COLUMNS:
        return fmt_count(value, threshold=threshold, allow_small=allow_small, lang=lang)
    return fmt_number(value, decimals, lang)


def hidden_mask(
    df: pd.DataFrame, column: str, *, threshold: int, allow_small: bool
) -> np.ndarray:
    """Rows whose value must not be shown: withheld upstream, or a small count.

    Values withheld by disclosure control (:func:`withheld_mask`) stay hidden
    even with ``allow_small=True``, which only lifts the maps' small-count check.
    """
    mask = withheld_mask(df, column)
    if column in COUNT_COLUMNS and not allow_small:
        mask |= small_mask(df[column], threshold)
    source = DERIVED_FROM.get(column)
    if source is not None and source in df.columns and not allow_small:
        mask |= small_mask(df[source], threshold)
    return mask


def withheld_mask(df: pd.DataFrame, column: str) -> np.ndarray:
    """Rows whose ``column`` was withheld by disclosure control.

    ``suppressed`` is either a flag per row (bool: the whole row's values are
    withheld) or, as :func:`geo_alloggi.disclosure.suppress` writes it, the
    comma-separated names of the withheld columns of each row.
    """
    if S.SUPPRESSED not in df.columns:
        return np.zeros(len(df), dtype=bool)
    flags = df[S.SUPPRESSED]
    values = [v for v in flags if not is_missing(v)]
    if all(isinstance(v, (bool, np.bool_)) for v in values):
        return np.array(
            [bool(v) if not is_missing(v) else False for v in flags], dtype=bool
        )
    return np.array(
        [
            not is_missing(v) and column in {c.strip() for c in str(v).split(",")}
            for v in flags
        ],
        dtype=bool,
    )


def is_missing(value: Any) -> bool:
    """Tell whether a scalar is missing (``None``, NaN, NA); other objects are not."""
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def extra_rows(
    row: Mapping[str, Any],
    columns: Sequence[str],
    *,
    threshold: int,
    allow_small: bool,
    lang: str,
) -> list[tuple[str, str]]:
    """Popup rows ``(label, text)``: withheld values and small counts hidden."""
    out = []
    one = pd.DataFrame([{S.SUPPRESSED: row.get(S.SUPPRESSED)}])
    for col in columns:
        value = row[col]
        source = DERIVED_FROM.get(col, "")
        if (S.SUPPRESSED in row and withheld_mask(one, col)[0]) or (
            source in row and not allow_small and is_small(row[source], threshold)
        ):
            text = withheld_text(threshold, lang)
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
