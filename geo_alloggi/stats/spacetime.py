"""Space–time hot spots: Gi* per period, Mann–Kendall trend, emerging categories.

* :func:`hotspots_by_period` — Gi* of every period of a long district × period
  table, in the space–time neighbourhood of ArcGIS's space–time cube (the
  district and its neighbours in the period and the ``time_step`` periods
  before it), or each period as a cross-section (``time_step=0``).
* :func:`emerging_hotspots` — Mann–Kendall trend of each district's Gi*
  z-scores and ArcGIS Pro's Emerging Hot Spot Analysis categories
  (:func:`classify_emerging`).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd

from geo_alloggi import _schema as S
from geo_alloggi._errors import ValidationError, warn
from geo_alloggi._validate import require_choice
from geo_alloggi.stats._checks import check_alpha
from geo_alloggi.stats._mannkendall import mann_kendall
from geo_alloggi.stats._spacetime_gi import (
    Cube,
    SpaceTime,
    analysed,
    cube_gi,
    kept,
    panel_cube,
    refuse_negative,
    space_time_gi,
)
from geo_alloggi.stats._weights import WeightsArg

__all__ = [
    "classify_emerging",
    "emerging_hotspots",
    "emerging_hotspots_by_origin",
    "hotspots_by_period",
]

log = logging.getLogger(__name__)

#: ArcGIS needs at least ten time steps for the Mann–Kendall trend.
MIN_PERIODS = 10

#: ArcGIS's default neighbourhood time step (periods before the one analysed).
DEFAULT_TIME_STEP = 1


def hotspots_by_period(
    panel: pd.DataFrame,
    value: str,
    *,
    districts: gpd.GeoDataFrame,
    period: str = S.PERIOD,
    weights: WeightsArg = "queen",
    weights_kwds: Mapping[str, Any] | None = None,
    units: str | None = None,
    smoothing: Literal["eb"] | None = "eb",
    fdr: bool = True,
    alpha: float = 0.10,
    id_column: str | None = None,
    time_step: int = DEFAULT_TIME_STEP,
) -> pd.DataFrame:
    """Gi* of every period of a long district × period table, over space and time.

    Parameters
    ----------
    panel : pandas.DataFrame
        One row per district and period (what
        :func:`geo_alloggi.overlay.aggregate` returns), with ``id_column``,
        ``period`` and ``value``; complete (every district in every period)
        and not suppressed.
    value : str
        Column analysed (with ``units``: the count of events).
    districts : geopandas.GeoDataFrame
        The district layer the panel refers to; its geometry gives the weights.
    period : str
        Period column; periods are analysed in sorted order.
    weights : str, libpysal.weights.W or libpysal.graph.Graph
        Neighbourhood (see :func:`spatial_weights`), built once.
    weights_kwds : mapping, optional
        ``{"k": ...}`` or ``{"threshold": metres}``, see :func:`spatial_weights`.
    units : str, optional
        Population at risk; rates are smoothed with empirical Bayes within each
        period. Districts with zero units in any period are left out (warned).
    smoothing : {"eb", None}
        Empirical Bayes smoothing of rates (with ``units``).
    fdr : bool
        Benjamini–Hochberg within each period.
    alpha : float
        Weakest confidence level reported in ``gi_bin`` (0.10, 0.05, 0.01).
    id_column : str, optional
        District id column of the panel (default ``district_id``, else
        ``cell_id``; an index level of that name is read too, as a
        ``groupby`` leaves it) and of ``districts``; a layer without that
        column gives its ids by its index, as libpysal's ``use_index``.
    time_step : int
        Neighbourhood time step (ArcGIS's "Neighborhood Time Step", default
        1): the neighbourhood of a district in period t holds the district
        and its spatial neighbours in t and in each of the ``time_step``
        periods before t. 0: space only, each period a cross-section.

    Returns
    -------
    pandas.DataFrame
        Long table ``district_id, period, gi_z, gi_p, gi_q, gi_bin, hotspot``
        (``gi_q`` only with ``fdr=True``), districts in the layer's order.

    Raises
    ------
    ValidationError
        Bad arguments, duplicated or incomplete panel, unknown districts.

    Notes
    -----
    Space–time Gi* as in ArcGIS's space–time cube: the bins of district j in
    period s are neighbours of district i in period t when j is i or one of
    its spatial neighbours (``weights``) and t − ``time_step`` ≤ s ≤ t (the
    first periods have fewer earlier periods to draw on). Gi* compares the
    sum over that neighbourhood with the mean and variance of every bin of
    periods t − ``time_step`` … t: ArcGIS's "neighborhood time step" global
    window, so a rise or fall across the whole city does not by itself make
    every district hot or cold late in the series, and ``time_step=0`` is
    the classical per-period cross-section. Rates (``units``) are smoothed
    and FDR applied within each period. A window where the value is the
    same everywhere has z = 0 and p = 1. See :func:`emerging_hotspots` for
    a worked example.
    """
    a = check_alpha(alpha, (0.10, 0.05, 0.01))
    st = space_time_gi(
        panel,
        value,
        districts=districts,
        period=period,
        weights=weights,
        weights_kwds=weights_kwds,
        units=units,
        smoothing=smoothing,
        fdr=fdr,
        alpha=a,
        id_column=id_column,
        time_step=_check_time_step(time_step),
    )
    nd, nt = st.z.shape
    out = pd.DataFrame(
        {
            st.id_column: np.repeat(np.array(st.ids, dtype=object), nt),
            period: np.tile(np.array(st.periods, dtype=object), nd),
            S.GI_Z: st.z.ravel(),
            S.GI_P: st.p.ravel(),
        }
    )
    if fdr:
        out[S.GI_Q] = st.q.ravel()
    out[S.GI_BIN] = pd.array(st.gbin.ravel(), dtype="Int64")
    out[S.HOTSPOT] = pd.array(
        [S.HOTSPOT_LABELS[int(b)] for b in st.gbin.ravel()], dtype="string"
    )
    return out


def _check_time_step(time_step: Any) -> int:
    if (
        isinstance(time_step, bool)
        or not isinstance(time_step, int | np.integer)
        or time_step < 0
    ):
        raise ValidationError(
            f"time_step={time_step!r} must be a whole number of periods >= 0 "
            "(0: space only; 1: ArcGIS's default)"
        )
    return int(time_step)


def _most(n: int) -> int:
    """Periods that make "90% of the periods" of ``n``: at least ⌈0.9 n⌉."""
    return math.ceil(0.9 * n - 1e-9)


def _trend_decides(hot: np.ndarray, cold: np.ndarray) -> bool:
    """Tell whether the trend decides the category of :func:`classify_emerging`.

    It does only for a series hot (or cold) in most periods, the last included.
    """
    need = _most(len(hot))
    return bool((hot.sum() >= need and hot[-1]) or (cold.sum() >= need and cold[-1]))


def classify_emerging(
    hot: Sequence[bool],
    cold: Sequence[bool],
    *,
    tau: float,
    trend_p: float,
    trend_alpha: float = 0.05,
) -> str:
    """ArcGIS emerging hot spot category of one location's series.

    Parameters
    ----------
    hot, cold : sequence of bool
        Per period (in time order): statistically significant hot / cold spot.
    tau, trend_p : float
        Mann–Kendall statistic (Kendall's tau of the z-scores against time) and
        its two-sided p-value; NaN when undefined.
    trend_alpha : float
        Significance level of the trend.

    Returns
    -------
    str
        One of :data:`geo_alloggi._schema.EMERGING_CATEGORIES`; the rules are
        in :func:`emerging_hotspots`.
    """
    h = np.asarray(hot, dtype=bool)
    c = np.asarray(cold, dtype=bool)
    n = len(h)
    need = _most(n)
    up = bool(
        np.isfinite(tau) and np.isfinite(trend_p) and trend_p < trend_alpha and tau > 0
    )
    down = bool(
        np.isfinite(tau) and np.isfinite(trend_p) and trend_p < trend_alpha and tau < 0
    )
    for kind, s, other, stronger, weaker in (
        ("Hot", h, c, up, down),
        ("Cold", c, h, down, up),
    ):
        if s.sum() >= need:
            if not s[-1]:
                return f"Historical {kind} Spot"
            if stronger:
                return f"Intensifying {kind} Spot"
            if weaker:
                return f"Diminishing {kind} Spot"
            return f"Persistent {kind} Spot"
        if s[-1]:
            if other[:-1].any():
                return f"Oscillating {kind} Spot"
            run = n - int(np.flatnonzero(~s)[-1]) - 1 if (~s).any() else n
            if s.sum() == 1:
                return f"New {kind} Spot"
            if s.sum() == run:
                return f"Consecutive {kind} Spot"
            return f"Sporadic {kind} Spot"
    return "No Pattern Detected"


def emerging_hotspots(
    panel: pd.DataFrame,
    value: str,
    *,
    districts: gpd.GeoDataFrame,
    period: str = S.PERIOD,
    weights: WeightsArg = "queen",
    weights_kwds: Mapping[str, Any] | None = None,
    units: str | None = None,
    smoothing: Literal["eb"] | None = "eb",
    alpha: float = 0.05,
    fdr: bool = True,
    trend_alpha: float = 0.05,
    id_column: str | None = None,
    time_step: int = DEFAULT_TIME_STEP,
) -> gpd.GeoDataFrame:
    """Emerging hot spots: how hot and cold spots change over the periods.

    Parameters
    ----------
    panel : pandas.DataFrame
        Long district × period table (``district_id``, ``period``, ``value``),
        e.g. the output of :func:`geo_alloggi.overlay.aggregate`, complete and
        computed before suppression.
    value : str
        Column analysed (with ``units``: the count of events).
    districts : geopandas.GeoDataFrame
        District layer the panel refers to.
    period : str
        Period column; any sortable values (``Period``, dates, ``"2019-03"``).
    weights : str, libpysal.weights.W or libpysal.graph.Graph
        Spatial neighbourhood (see :func:`spatial_weights`).
    weights_kwds : mapping, optional
        ``{"k": ...}`` or ``{"threshold": metres}``, see :func:`spatial_weights`.
    units : str, optional
        Population at risk: Gi* on empirical-Bayes rates per period.
    smoothing : {"eb", None}
        Smoothing of the rates.
    alpha : float
        A period counts as a hot (cold) spot when Gi* is significant at this
        level after FDR: 0.10, 0.05 (default) or 0.01.
    fdr : bool
        Benjamini–Hochberg within each period.
    trend_alpha : float
        Significance level of the Mann–Kendall trend.
    id_column : str, optional
        District id column, as for :func:`hotspots_by_period`. When the
        layer gives its ids by its index, the result keeps that index.
    time_step : int
        Neighbourhood time step of the space–time Gi* (default 1, as in
        ArcGIS): a district's neighbourhood in period t holds its own value
        and its neighbours' in t and in the ``time_step`` periods before.
        0: space only (see :func:`hotspots_by_period` and the example).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per analysed district (the layer's columns and geometry) with
        ``n_periods``, ``n_hot``, ``n_cold`` (periods with a significant hot /
        cold spot), ``final_bin`` (Gi* bin of the last period), ``trend_tau``,
        ``trend_p`` and ``emerging_category``.

    Raises
    ------
    ValidationError
        Bad arguments, duplicated or incomplete panel, unknown districts.

    Warns
    -----
    UserWarning
        Fewer than 10 periods; fewer than 30 districts; islands joined;
        districts without units left out.

    Notes
    -----
    1. Space–time Gi* per period with FDR (:func:`hotspots_by_period`, with
       ``time_step``); a period is hot when ``gi_bin > 0`` at ``alpha``,
       cold when ``gi_bin < 0``.
    2. Mann–Kendall test per district on its series of Gi* z-scores: Kendall's
       tau against the period index, ``scipy.stats.kendalltau`` (tau-b with
       the tie correction of the Mann–Kendall variance), two-sided p.
    3. With n periods, "90% of the periods" means at least ⌈0.9 n⌉ of them.
       Rules, hot side (cold side mirrored, with the trend reversed: an
       intensifying cold spot has z-scores falling significantly):

       - **Persistent**: hot in ≥ ⌈0.9 n⌉ periods including the last, no
         significant trend;
       - **Intensifying**: as persistent, with a significant upward trend;
       - **Diminishing**: as persistent, with a significant downward trend;
       - **Historical**: hot in ≥ ⌈0.9 n⌉ periods but not in the last;
       - with the last period hot and fewer than ⌈0.9 n⌉ hot periods:
         **Oscillating** if any earlier period was a cold spot; otherwise
         **New** if the last period is the only hot one, **Consecutive** if
         the hot periods form one uninterrupted run (≥ 2) ending with the
         last, else **Sporadic** (hot on and off, never cold);
       - **No Pattern Detected**: none of the above (in particular any
         series whose last period is not significant and which is not
         historical).

       A series whose last period is hot is judged on the hot side, one whose
       last period is cold on the cold side; historical spots need no
       significant last period. These are ArcGIS Pro's definitions; where
       ArcGIS leaves the precedence open (a new hot spot with earlier cold
       spots) oscillating wins.

    ``time_step`` against ``time_step=0``, worked by hand: five districts in
    a row (A–E, each bordering the next), values A–E ``0 0 6 0 0`` in the
    first period and ``0 0 0 0 6`` in the second. Gi*'s z is
    (Σ neighbourhood − x̄·n_i) / (s·√((n·n_i − n_i²)/(n − 1))) over the n
    bins compared, n_i of them in the neighbourhood. Space only, the second
    period is judged on its own (n = 5, x̄ = 1.2, s = 2.4): C's neighbourhood
    B, C, D sums to 0, z = (0 − 3.6) / (2.4·√(6/4)) = −1.22. With
    ``time_step=1`` it also holds B, C, D of the first period (n = 10 bins of
    both periods, x̄ = 1.2, s = 2.4): it sums to 6, C's own value of the
    period before, z = (6 − 7.2) / (2.4·√(24/9)) = −0.31. D, between C's
    past 6 and E's present 6, rises from 0.82 to 1.22; E, whose own past was
    0, falls from 1.22 to 0.31.

    Examples
    --------
    >>> import warnings
    >>> import geopandas as gpd, pandas as pd
    >>> from shapely.geometry import box
    >>> row = gpd.GeoDataFrame({"district_id": list("ABCDE")},
    ...     geometry=[box(i, 0, i + 1, 1) for i in range(5)], crs="EPSG:32632")
    >>> panel = pd.DataFrame({"district_id": list("ABCDE") * 2,
    ...     "period": [1] * 5 + [2] * 5, "v": [0, 0, 6, 0, 0, 0, 0, 0, 0, 6]})
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")  # few districts and periods
    ...     for step in (0, 1):
    ...         per = hotspots_by_period(panel, "v", districts=row, time_step=step)
    ...         z = per[per["period"] == 2].set_index("district_id")["gi_z"]
    ...         print(step, z.round(2).tolist())
    0 [-0.82, -1.22, -1.22, 0.82, 1.22]
    1 [-1.22, -0.31, -0.31, 1.22, 0.31]
    """
    a = _check_alphas(alpha, trend_alpha)
    st = space_time_gi(
        panel,
        value,
        districts=districts,
        period=period,
        weights=weights,
        weights_kwds=weights_kwds,
        units=units,
        smoothing=smoothing,
        fdr=fdr,
        alpha=a,
        id_column=id_column,
        time_step=_check_time_step(time_step),
    )
    z, gbin, nt = st.z, st.gbin, len(st.periods)
    if nt < MIN_PERIODS:
        warn(
            f"only {nt} periods: the Mann–Kendall trend needs at least {MIN_PERIODS} "
            "(ArcGIS's minimum) to mean much",
            "stats.few_periods",
            n=nt,
            minimum=MIN_PERIODS,
            stacklevel=2,
        )
    taus, tps, cats = _trends(z, gbin, trend_alpha)
    out = districts.iloc[st.rows]
    if st.id_column in districts.columns:
        out = out.reset_index(drop=True)  # ids in a column: a fresh index
    for column, values in _bin_counts(gbin).items():
        out[column] = values
    out[S.TREND_TAU] = taus
    out[S.TREND_P] = tps
    out[S.EMERGING] = pd.array(cats, dtype="string")
    out = gpd.GeoDataFrame(out, geometry=districts.geometry.name, crs=districts.crs)
    out.attrs.update(panel.attrs)
    counts = pd.Series(cats).value_counts()
    log.info("emerging hot spots over %d periods: %s", nt, counts.to_dict())
    return out


def _check_alphas(alpha: float, trend_alpha: float) -> float:
    """Return the checked Gi* ``alpha``; refuse a ``trend_alpha`` outside (0, 1)."""
    a = check_alpha(alpha, (0.10, 0.05, 0.01))
    if not 0 < trend_alpha < 1:
        raise ValidationError(f"trend_alpha={trend_alpha!r} must be between 0 and 1")
    return a


def _bin_counts(gbin: np.ndarray) -> dict[str, Any]:
    """Periods, hot and cold periods and the last bin of each district's series."""
    return {
        S.N_PERIODS: gbin.shape[1],
        S.N_HOT: (gbin > 0).sum(axis=1),
        S.N_COLD: (gbin < 0).sum(axis=1),
        S.FINAL_BIN: gbin[:, -1],
    }


def _trends(
    z: np.ndarray, gbin: np.ndarray, trend_alpha: float, *, every: bool = True
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Mann–Kendall tau and p of each district's z-scores, and its category.

    With ``every=False`` the trend is tested only where it decides the
    category (elsewhere tau and p are NaN).
    """
    taus = np.full(len(z), np.nan)
    tps = np.full(len(z), np.nan)
    cats = []
    for k in range(len(z)):
        wanted = every or _trend_decides(gbin[k] > 0, gbin[k] < 0)
        if wanted and np.nanmax(z[k]) > np.nanmin(z[k]):
            taus[k], tps[k] = mann_kendall(z[k])
        cats.append(
            classify_emerging(
                gbin[k] > 0,
                gbin[k] < 0,
                tau=taus[k],
                trend_p=tps[k],
                trend_alpha=trend_alpha,
            )
        )
    return taus, tps, cats


def emerging_hotspots_by_origin(
    panel: pd.DataFrame,
    value: str,
    *,
    districts: gpd.GeoDataFrame,
    origins: Sequence[Any],
    period: str = S.PERIOD,
    weights: WeightsArg = "queen",
    weights_kwds: Mapping[str, Any] | None = None,
    units: str | None = None,
    smoothing: Literal["eb"] | None = "eb",
    alpha: float = 0.05,
    fdr: bool = True,
    trend_alpha: float = 0.05,
    id_column: str | None = None,
    time_step: int = DEFAULT_TIME_STEP,
) -> pd.DataFrame:
    """Emerging hot spots as they stood at each origin, from the periods up to it.

    The rows of origin ``o`` are those of :func:`emerging_hotspots` on
    ``panel[panel[period] <= o]`` (without the layer's columns): a back-test
    ranks with what a run would have known then. The z-score of a period
    depends only on the districts analysed, the period and the ``time_step``
    periods before it, so the space–time Gi* is computed once for every
    origin that analyses the same districts, and each origin reads the first
    of its periods.

    Parameters
    ----------
    panel : pandas.DataFrame
        As for :func:`emerging_hotspots`.
    value : str
        Column analysed (with ``units``: the count of events).
    districts : geopandas.GeoDataFrame
        District layer the panel refers to.
    origins : sequence of object
        Periods at which to compute the categories.
    period, weights, weights_kwds, units, smoothing : object
        As for :func:`emerging_hotspots`.
    alpha, fdr, trend_alpha, id_column, time_step : object
        As for :func:`emerging_hotspots`.

    Returns
    -------
    pandas.DataFrame
        One row per origin and analysed district: the id column, ``period``
        (the origin), ``n_periods``, ``n_hot``, ``n_cold``, ``final_bin`` and
        ``emerging_category``. An origin where :func:`emerging_hotspots`
        raises :class:`ValidationError` (fewer than 2 periods, fewer than 3
        districts with units) has no rows. The Mann–Kendall trend is tested
        only where it decides the category (a district hot, or cold, in 90%
        of the periods, the last included), so ``trend_tau`` and ``trend_p``
        are not given.

    Raises
    ------
    ValidationError
        Bad arguments.
    """
    a = _check_alphas(alpha, trend_alpha)
    require_choice(smoothing, ("eb", None), "smoothing")
    gi = {
        "districts": districts,
        "weights": weights,
        "weights_kwds": weights_kwds,
        "smoothing": smoothing,
        "fdr": fdr,
        "alpha": a,
        "time_step": _check_time_step(time_step),
    }
    cube: Cube | None
    try:
        cube = panel_cube(
            panel, value, districts, period=period, units=units, id_column=id_column
        )
    except ValidationError:
        cube = None  # the whole panel is refused: each origin is cut and judged
    longest: dict[bytes, int] = {}  # periods needed, per set of analysed districts
    if cube is not None:
        for origin in origins:
            k = _upto(cube.periods, origin)
            if k >= 2:
                key = analysed(cube, k).tobytes()
                longest[key] = max(k, longest.get(key, 0))
    computed: dict[bytes, SpaceTime] = {}
    parts = []
    for origin in origins:
        try:
            if cube is None:
                st = space_time_gi(
                    panel[panel[period] <= origin],
                    value,
                    period=period,
                    units=units,
                    id_column=id_column,
                    **gi,
                )
            else:
                k = _upto(cube.periods, origin)
                if k < 2:
                    continue  # as emerging_hotspots: at least 2 periods
                refuse_negative(cube, value, k)
                keep = analysed(cube, k)
                key = keep.tobytes()
                if key not in computed:
                    kept(cube, units, longest[key], stacklevel=3)  # said once
                    computed[key] = cube_gi(
                        cube, keep, longest[key], stacklevel=3, **gi
                    )
                st = _first_periods(computed[key], k)
        except ValidationError:
            continue
        parts.append(_origin_rows(st, districts, origin, period, trend_alpha))
    if not parts:
        return pd.DataFrame()
    return pd.concat(parts, ignore_index=True)


def _upto(periods: Sequence[Any], origin: Any) -> int:
    """Return how many of the sorted ``periods`` are at or before ``origin``."""
    return sum(1 for p in periods if p <= origin)


def _first_periods(st: SpaceTime, k: int) -> SpaceTime:
    """Return the space–time Gi* of the first ``k`` periods only."""
    return SpaceTime(
        st.id_column,
        st.rows,
        st.ids,
        st.periods[:k],
        st.z[:, :k],
        st.p[:, :k],
        st.q[:, :k],
        st.gbin[:, :k],
        st.report,
    )


def _origin_rows(
    st: SpaceTime,
    districts: gpd.GeoDataFrame,
    origin: Any,
    period: str,
    trend_alpha: float,
) -> pd.DataFrame:
    """Return one origin's emerging hot spot columns, a row per analysed district."""
    _, _, cats = _trends(st.z, st.gbin, trend_alpha, every=False)
    ids = (
        districts[st.id_column].iloc[st.rows].to_numpy()
        if st.id_column in districts.columns
        else np.array(st.ids, dtype=object)
    )
    return pd.DataFrame(
        {
            st.id_column: ids,
            period: origin,
            **_bin_counts(st.gbin),
            S.EMERGING: pd.array(cats, dtype="string"),
        }
    )
