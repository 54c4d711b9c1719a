"""Hot spots, spatial autocorrelation, emerging space–time hot spots, grids, density.

The statistics come from PySAL (``esda``, ``libpysal``) and SciPy; this module
only writes the workflow around them, following ArcGIS Pro's Hot Spot Analysis,
Optimized Hot Spot Analysis and Emerging Hot Spot Analysis:

* :func:`spatial_weights` — queen contiguity by default, KNN or distance band on
  request; islands joined to their nearest districts and reported.
* :func:`hotspots` — Getis–Ord Gi* (binary weights, the district itself
  included) with normal p-values, confidence bins ±3/±2/±1 and the
  Benjamini–Hochberg false discovery rate; or local Moran (LISA).
* :func:`global_moran` — Moran's I (``esda.Moran``; ``esda.Moran_Rate`` on rates).
* :func:`hotspots_by_period` and :func:`emerging_hotspots` — Gi* per period,
  Mann–Kendall trend of the z-scores, and ArcGIS's seventeen categories.
* :func:`optimal_cell_size`, :func:`hex_grid`, :func:`aggregate_to_hexagons` —
  point records on a metric hexagon grid at an automatic scale.
* :func:`density_surface` — kernel density as contour polygons, masked where
  fewer incidents than the suppression threshold lie under the kernel.

Every function takes a GeoDataFrame (or a long table) and returns a new one; the
input is never modified. Distances are computed in
:data:`geo_alloggi.config.metric_crs`.
"""

from __future__ import annotations

import contextlib
import logging
import math
import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeAlias

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from libpysal.weights import W
from scipy import stats as sps
from scipy.spatial import cKDTree

from geo_alloggi import _schema as S
from geo_alloggi import config
from geo_alloggi._errors import ValidationError
from geo_alloggi._validate import (
    require_choice,
    require_columns,
    require_geodataframe,
    require_unique,
)
from geo_alloggi._weights import WeightsReport, build_weights

__all__ = [
    "MoranResult",
    "aggregate_to_hexagons",
    "classify_emerging",
    "default_bandwidth",
    "density_surface",
    "emerging_hotspots",
    "global_moran",
    "hex_grid",
    "hotspots",
    "hotspots_by_period",
    "optimal_cell_size",
    "spatial_weights",
]

log = logging.getLogger(__name__)

#: Significance level of each confidence bin (|gi_bin| → alpha).
BIN_ALPHAS: dict[int, float] = {1: 0.10, 2: 0.05, 3: 0.01}
#: ArcGIS's minimum number of features for a reliable Gi*.
MIN_FEATURES = 30
#: ArcGIS needs at least ten time steps for the Mann–Kendall trend.
MIN_PERIODS = 10
#: Default permutations of the local Moran when ``permutations=0`` is given.
LISA_PERMUTATIONS = 999

WeightsArg: TypeAlias = "str | W"


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------


def _id_column(gdf: pd.DataFrame, id_column: str | None, argument: str) -> str:
    if id_column is not None:
        require_columns(gdf, [id_column], argument)
        return id_column
    for candidate in (S.DISTRICT_ID, S.CELL_ID):
        if candidate in gdf.columns:
            return candidate
    raise ValidationError(
        f"{argument} has neither {S.DISTRICT_ID!r} nor {S.CELL_ID!r}; "
        "pass id_column= naming the column of unique feature ids"
    )


def _numeric(df: pd.DataFrame, column: str, argument: str) -> np.ndarray:
    try:
        return pd.to_numeric(df[column], errors="raise").to_numpy(
            dtype=float, na_value=np.nan
        )
    except (TypeError, ValueError) as exc:
        raise ValidationError(
            f"{argument}[{column!r}] must be numeric, "
            f"got dtype {str(df[column].dtype)!r}"
        ) from exc


def _few(ids: Sequence[Any], k: int = 5) -> str:
    shown = [str(i) for i in list(ids)[:k]]
    more = f" and {len(ids) - k} more" if len(ids) > k else ""
    return f"{shown!r}{more}"


@contextlib.contextmanager
def _legacy_seed(seed: int | None) -> Iterator[None]:
    """Seed NumPy's global generator for esda calls without ``seed=``; restore it."""
    state = np.random.get_state()
    if seed is not None:
        np.random.seed(seed)
    try:
        yield
    finally:
        np.random.set_state(state)


def _empirical_bayes(events: np.ndarray, base: np.ndarray) -> np.ndarray:
    """Global empirical Bayes rates (Marshall 1991), prior variance truncated at 0.

    ``m = Σe/Σb``; ``s² = Σ b (r − m)² / Σb``; prior variance ``a = s² − m/b̄``,
    set to 0 when negative (the rates vary no more than Poisson noise, so every
    district shrinks to ``m``); ``EB_i = w_i r_i + (1 − w_i) m`` with
    ``w_i = a / (a + m / b_i)``. Equals ``esda.smoothing.Empirical_Bayes``
    when ``a ≥ 0``; esda does not truncate, and a negative ``a`` would push
    rates away from the mean.
    """
    e = np.asarray(events, dtype=float)
    b = np.asarray(base, dtype=float)
    m = e.sum() / b.sum()
    r = e / b
    if m == 0:
        return r
    s2 = float((b * (r - m) ** 2).sum() / b.sum())
    a = s2 - m / float(b.mean())
    if a < 0:
        log.info("empirical Bayes: prior variance %.3g < 0 set to 0 (shrink all)", a)
        a = 0.0
    w = a / (a + m / b)
    return w * r + (1.0 - w) * m


@dataclass(frozen=True)
class _Prepared:
    """Values ready for a statistic: the included rows and their weights."""

    ids: list[str]
    include: np.ndarray  # bool mask over the input rows
    y: np.ndarray  # analysed value over included rows
    rate: np.ndarray | None  # raw rate over all rows (NaN where excluded)
    rate_eb: np.ndarray | None  # smoothed rate over all rows
    events: np.ndarray | None
    base: np.ndarray | None
    w: W
    report: WeightsReport
    excluded: dict[str, str] = field(default_factory=dict)


def _prepare(
    gdf: gpd.GeoDataFrame,
    value: str,
    *,
    units: str | None,
    smoothing: str | None,
    weights: WeightsArg,
    weights_kwds: Mapping[str, Any] | None,
    id_column: str | None,
    argument: str = "gdf",
) -> _Prepared:
    require_geodataframe(gdf, argument)
    idc = _id_column(gdf, id_column, argument)
    require_columns(gdf, [value] + ([units] if units else []), argument)
    require_unique(gdf, idc, argument)
    require_choice(smoothing, ("eb", None), "smoothing")
    ids_all = gdf[idc].astype(str).tolist()
    y_all = _numeric(gdf, value, argument)
    include = np.isfinite(y_all)
    excluded: dict[str, str] = {
        i: f"{value} missing" for i, ok in zip(ids_all, include, strict=True) if not ok
    }
    empty = gdf.geometry.isna().to_numpy() | gdf.geometry.is_empty.to_numpy()
    for i, bad in zip(ids_all, empty, strict=True):
        if bad and i not in excluded:
            excluded[i] = "no geometry"
    include &= ~empty
    rate = rate_eb = events = base = None
    if units:
        b_all = _numeric(gdf, units, argument)
        if np.any(y_all[include] < 0):
            raise ValidationError(
                f"{argument}[{value!r}] must hold non-negative counts when units= is "
                f"given; got minimum {np.nanmin(y_all)!r}"
            )
        no_units = ~(b_all > 0)
        for i, bad, ok in zip(ids_all, no_units, include, strict=True):
            if bad and ok:
                excluded[i] = f"{units} is zero or missing"
        include &= ~no_units
        rate = np.full(len(gdf), np.nan)
        rate[include] = y_all[include] / b_all[include]
        events, base = y_all[include], b_all[include]
        if np.any(events > base):
            log.info("some districts have more events than %s: rates above 1", units)
    if excluded:
        reasons = pd.Series(excluded).value_counts()
        summary = ", ".join(f"{n} with {r}" for r, n in reasons.items())
        msg = (
            f"{len(excluded)} feature(s) left out of the statistics ({summary}): "
            f"{_few(sorted(excluded))}"
        )
        warnings.warn(msg, UserWarning, stacklevel=3)
        log.info("%s", msg)
    ids = [i for i, ok in zip(ids_all, include, strict=True) if ok]
    if len(ids) < 3:
        raise ValidationError(
            f"{argument} has {len(ids)} usable feature(s) for {value!r}; "
            "at least 3 needed"
        )
    metric = gdf.loc[include].to_crs(config.metric_crs)
    w, report = build_weights(metric, ids, weights, kwds=weights_kwds)
    if report.islands:
        msg = (
            f"{len(report.islands)} feature(s) without contiguous neighbours joined to "
            f"their nearest features: {report.islands_message()}"
        )
        warnings.warn(msg, UserWarning, stacklevel=3)
    if units:
        assert events is not None
        assert base is not None
        assert rate is not None
        if smoothing == "eb":
            smoothed = _empirical_bayes(events, base)
        else:
            smoothed = events / base
        rate_eb = np.full(len(gdf), np.nan)
        rate_eb[include] = smoothed
        y = smoothed
    else:
        y = y_all[include]
    return _Prepared(ids, include, y, rate, rate_eb, events, base, w, report, excluded)


def _star(w: W) -> W:
    """Binary weights with the feature itself as its own neighbour (Gi*)."""
    from libpysal.weights import fill_diagonal

    wb = W(dict(w.neighbors), id_order=list(w.id_order), silence_warnings=True)
    wb.transform = "B"
    return fill_diagonal(wb, 1.0)


def _gi_star(
    y: np.ndarray, w_star: W, *, permutations: int = 0, seed: int | None = 0
) -> tuple[np.ndarray, np.ndarray | None]:
    """Gi* z-scores (and pseudo p-values) from ``esda.G_Local``.

    ``esda`` writes the statistic as a share of the total, which flips the sign
    of z when the mean is negative; Gi*'s z-score is unchanged by adding a
    constant, so values are shifted to be positive first. A constant ``y``
    gives z = 0 (no clustering can be measured).
    """
    from esda import G_Local

    y = np.asarray(y, dtype=float)
    if np.ptp(y) == 0:
        return np.zeros(len(y)), (np.ones(len(y)) if permutations else None)
    if y.min() < 0:
        y = y - y.min() + 1.0
    # esda seeds NumPy's global generator for permutations: restore it after
    with _legacy_seed(None), warnings.catch_warnings():
        # a feature neighbouring every other one has an undefined z (0/0): NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        g = G_Local(
            y,
            w_star,
            transform="B",
            star=None,
            permutations=permutations,
            keep_simulations=False,
            n_jobs=1,
            seed=seed,
        )
    z = np.asarray(g.Zs, dtype=float)
    return z, (np.asarray(g.p_sim, dtype=float) if permutations else None)


def _two_sided(z: np.ndarray) -> np.ndarray:
    return 2.0 * sps.norm.sf(np.abs(z))


def _bins(
    z: np.ndarray, p: np.ndarray, *, fdr: bool, alpha: float
) -> tuple[np.ndarray, np.ndarray]:
    """Confidence bins −3..3 and the p-values they were judged on.

    Without FDR a feature is in bin ±3, ±2, ±1 when its two-sided p is at most
    0.01, 0.05, 0.10. With FDR each of the three levels is corrected with
    Benjamini–Hochberg over all features (ArcGIS's FDR option): a feature is
    significant at level a exactly when its BH-adjusted p (``q``) is at most a,
    so the bin is the highest level whose threshold ``q`` meets. Levels whose a
    exceeds ``alpha`` are not reported (their features go to bin 0).
    """
    q = np.array(p, dtype=float)
    ok = np.isfinite(p)
    if fdr and ok.any():
        q[ok] = sps.false_discovery_control(p[ok], method="bh")
    level = np.zeros(len(z), dtype=int)
    for lv in (1, 2, 3):
        a = BIN_ALPHAS[lv]
        if a <= alpha + 1e-12:
            level[q <= a] = lv
    return np.where(ok, np.sign(np.nan_to_num(z)), 0).astype(int) * level, q


def _check_alpha(
    alpha: float, allowed: Sequence[float], argument: str = "alpha"
) -> float:
    for a in allowed:
        if math.isclose(alpha, a):
            return a
    raise ValidationError(f"{argument}={alpha!r} is not one of {list(allowed)!r}")


# --------------------------------------------------------------------------
# weights
# --------------------------------------------------------------------------


def spatial_weights(
    gdf: gpd.GeoDataFrame,
    *,
    weights: WeightsArg = "queen",
    weights_kwds: Mapping[str, Any] | None = None,
    id_column: str | None = None,
) -> W:
    """Binary spatial weights for a district layer, islands joined.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Districts (normalised schema, :func:`geo_alloggi.load_districts`) or
        grid cells, with a CRS.
    weights : {"queen", "rook", "knn", "distance_band"} or libpysal.weights.W
        Queen contiguity (polygons sharing at least a vertex) by default.
    weights_kwds : mapping, optional
        ``{"k": 8}`` for KNN on centroids; ``{"threshold": metres}`` for the
        distance band on centroids (default: the smallest distance that gives
        every feature a neighbour).
    id_column : str, optional
        Column of unique ids (default ``district_id``, else ``cell_id``).

    Returns
    -------
    libpysal.weights.W
        Binary weights keyed by id, in the row order of ``gdf``.

    Raises
    ------
    ValidationError
        Not a GeoDataFrame, missing/duplicated ids, unknown kind.
    CRSError
        ``gdf`` has no CRS.

    Notes
    -----
    Contiguity is computed in :data:`geo_alloggi.config.metric_crs`. A feature
    without neighbours (an *island*, such as Cinisello Balsamo, about 0.8 km
    from the nearest Milan NIL) is joined, symmetrically, to its nearest
    feature and to every feature no farther than 1.5 times that distance;
    the joins are logged and reported with a ``UserWarning``.
    """
    require_geodataframe(gdf, "gdf")
    idc = _id_column(gdf, id_column, "gdf")
    require_unique(gdf, idc, "gdf")
    ids = gdf[idc].astype(str).tolist()
    w, report = build_weights(
        gdf.to_crs(config.metric_crs), ids, weights, kwds=weights_kwds
    )
    if report.islands:
        warnings.warn(
            f"{len(report.islands)} feature(s) without contiguous neighbours joined to "
            f"their nearest features: {report.islands_message()}",
            UserWarning,
            stacklevel=2,
        )
    return w


# --------------------------------------------------------------------------
# local statistics
# --------------------------------------------------------------------------


def hotspots(
    gdf: gpd.GeoDataFrame,
    value: str,
    *,
    method: Literal["gi_star", "lisa"] = "gi_star",
    weights: WeightsArg = "queen",
    weights_kwds: Mapping[str, Any] | None = None,
    permutations: int = 0,
    seed: int = 0,
    fdr: bool = True,
    alpha: float | None = None,
    units: str | None = None,
    smoothing: Literal["eb"] | None = "eb",
    id_column: str | None = None,
) -> gpd.GeoDataFrame:
    """Hot and cold spots of a district value: Gi* (ArcGIS style) or local Moran.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Districts (or grid cells) with a CRS, a unique id column and ``value``.
    value : str
        Column to analyse: a count, a rate, any number. With ``units`` it is
        the count of events and the statistic runs on the rate ``value/units``.
    method : {"gi_star", "lisa"}
        Getis–Ord Gi* (default) or the local Moran's I.
    weights : {"queen", "rook", "knn", "distance_band"} or libpysal.weights.W
        Neighbourhood; see :func:`spatial_weights`. Gi* uses the weights as
        binary with the district itself included; the local Moran uses them
        row-standardised.
    weights_kwds : mapping, optional
        ``{"k": ...}`` or ``{"threshold": metres}``.
    permutations : int
        Gi*: when > 0, a conditional-permutation pseudo p-value ``gi_p_sim``
        is added as a check (the bins always come from the normal p, as in
        ArcGIS). LISA: number of permutations (0 means 999).
    seed : int
        Seed of the permutations; the same seed gives the same output.
    fdr : bool
        Correct for multiple testing with Benjamini–Hochberg (default True).
    alpha : float, optional
        Gi*: the weakest confidence level reported, one of 0.10 (default: bins
        ±1, ±2, ±3), 0.05 (±2, ±3) or 0.01 (±3). LISA: significance level of
        the clusters (default 0.05).
    units : str, optional
        Column with the population at risk (e.g. ``units``, the dwellings).
        Districts where it is zero or missing are left out (warned).
    smoothing : {"eb", None}
        With ``units``: rates are smoothed with global empirical Bayes
        (``esda.smoothing.Empirical_Bayes``) before the statistic, so that
        districts with few units do not produce extreme rates.
    id_column : str, optional
        Unique id column (default ``district_id``, else ``cell_id``).

    Returns
    -------
    geopandas.GeoDataFrame
        A copy of ``gdf`` (same rows, order and CRS) with, for Gi*:
        ``gi_z``, ``gi_p`` (two-sided normal p), ``gi_q`` (BH-adjusted p, with
        ``fdr=True``), ``gi_bin`` (−3..3, nullable Int64), ``hotspot`` (label from
        :data:`geo_alloggi._schema.HOTSPOT_LABELS`) and ``gi_p_sim`` when
        ``permutations > 0``; for LISA: ``lisa_i``, ``lisa_p``, ``lisa_q`` (with
        ``fdr=True``) and ``lisa_cluster`` (from ``LISA_LABELS``). With
        ``units``, ``rate`` and ``rate_eb`` are added. Features left out
        (missing value, zero units, no geometry) get missing values.

    Raises
    ------
    ValidationError
        Bad arguments, missing columns, duplicated ids, fewer than 3 features.
    CRSError
        ``gdf`` has no CRS.

    Warns
    -----
    UserWarning
        Fewer than 30 features; islands joined; features left out.

    Notes
    -----
    Gi* (Getis & Ord 1992; Ord & Getis 1995) is ``esda.G_Local(star=True)``
    with binary weights whose diagonal is 1, which equals ArcGIS's formula
    ``z = (Σ w x − x̄ Σ w) / (S √[(n Σ w² − (Σ w)²)/(n−1)])``. p-values are
    two-sided from the standard normal.

    Bins: without FDR a feature with two-sided p ≤ 0.01 / 0.05 / 0.10 gets
    ±3 / ±2 / ±1 (the sign of z). With FDR the p-values of all analysed
    features are adjusted with ``scipy.stats.false_discovery_control``
    (Benjamini–Hochberg); a feature is significant at the 90/95/99% level
    exactly when its adjusted p ``gi_q`` is at most 0.10/0.05/0.01, which
    is the same as ArcGIS's rule of lowering each level's critical p to the
    BH cut-off of that level; its bin is the highest such level.

    LISA: ``esda.Moran_Local`` with row-standardised weights and conditional
    permutations; ``lisa_p`` is esda's folded pseudo p-value (one-sided, as in
    GeoDa); a feature whose (BH-adjusted) p is at most ``alpha`` is labelled
    by its quadrant, High-High, Low-Low, High-Low or Low-High.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> cells = gpd.GeoDataFrame(
    ...     {"district_id": [f"D{i}" for i in range(36)],
    ...      "n": [9 if i in (0, 1, 6, 7) else 1 for i in range(36)]},
    ...     geometry=[box(500000 + 1000 * (i % 6), 5030000 + 1000 * (i // 6),
    ...                   501000 + 1000 * (i % 6), 5031000 + 1000 * (i // 6))
    ...               for i in range(36)], crs="EPSG:32632")
    >>> out = hotspots(cells, "n")
    >>> out.loc[0, "hotspot"]
    'Hot spot 99%'
    """
    require_choice(method, ("gi_star", "lisa"), "method")
    if method == "gi_star":
        a = _check_alpha(0.10 if alpha is None else alpha, (0.10, 0.05, 0.01))
    else:
        a = 0.05 if alpha is None else float(alpha)
        if not 0 < a < 1:
            raise ValidationError(f"alpha={alpha!r} must be between 0 and 1")
    if permutations < 0:
        raise ValidationError(f"permutations={permutations!r} must be 0 or more")
    prep = _prepare(
        gdf,
        value,
        units=units,
        smoothing=smoothing,
        weights=weights,
        weights_kwds=weights_kwds,
        id_column=id_column,
    )
    n = len(prep.ids)
    if np.ptp(prep.y) == 0:
        warnings.warn(
            f"{value!r} has the same value in all {n} analysed features: no hot or "
            "cold spot can be found",
            UserWarning,
            stacklevel=2,
        )
    if n < MIN_FEATURES:
        warnings.warn(
            f"only {n} features analysed: local statistics are unreliable with fewer "
            f"than {MIN_FEATURES} (ArcGIS's minimum)",
            UserWarning,
            stacklevel=2,
        )
    out = gdf.copy()
    if units:
        out[S.RATE] = prep.rate
        out[S.RATE_EB] = prep.rate_eb
    inc = prep.include

    def full(values: np.ndarray, dtype: str = "float64") -> pd.Series:
        s = pd.Series(
            pd.NA if dtype != "float64" else np.nan, index=out.index, dtype=dtype
        )
        s.iloc[np.flatnonzero(inc)] = values
        return s

    if method == "gi_star":
        z, p_sim = _gi_star(prep.y, _star(prep.w), permutations=permutations, seed=seed)
        p = _two_sided(z)
        undefined = [i for i, v in zip(prep.ids, z, strict=True) if not np.isfinite(v)]
        if undefined:
            warnings.warn(
                f"Gi* is undefined for {len(undefined)} feature(s) whose neighbourhood "
                f"holds every feature: {_few(undefined)} (reported as not significant)",
                UserWarning,
                stacklevel=2,
            )
        gbin, q = _bins(z, p, fdr=fdr, alpha=a)
        out[S.GI_Z] = full(z)
        out[S.GI_P] = full(p)
        if fdr:
            out[S.GI_Q] = full(q)
        if p_sim is not None:
            out[S.GI_P_SIM] = full(p_sim)
        out[S.GI_BIN] = full(gbin, "Int64")
        out[S.HOTSPOT] = full(
            np.array([S.HOTSPOT_LABELS[int(b)] for b in gbin], dtype=object), "string"
        )
        log.info(
            "Gi* on %s: %d hot, %d cold of %d features (fdr=%s, alpha=%.2f)",
            value,
            int((gbin > 0).sum()),
            int((gbin < 0).sum()),
            n,
            fdr,
            a,
        )
    else:
        from esda import Moran_Local

        perms = permutations or LISA_PERMUTATIONS
        wr = W(
            dict(prep.w.neighbors),
            id_order=list(prep.w.id_order),
            silence_warnings=True,
        )
        if np.ptp(prep.y) == 0:  # no variation: nothing to test
            local_i, p, quad = np.full(n, np.nan), np.ones(n), np.zeros(n, dtype=int)
        else:
            with _legacy_seed(None), warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                warnings.simplefilter("ignore", DeprecationWarning)
                lm = Moran_Local(
                    prep.y,
                    wr,
                    transformation="r",
                    permutations=perms,
                    seed=seed,
                    n_jobs=1,
                    keep_simulations=False,
                )
            local_i = np.asarray(lm.Is, dtype=float)
            p = np.asarray(lm.p_sim, dtype=float)
            quad = np.asarray(lm.q)
        q = sps.false_discovery_control(p, method="bh") if fdr else p
        names = {1: "High-High", 2: "Low-High", 3: "Low-Low", 4: "High-Low"}
        labels = np.array(
            [
                names[int(k)] if sig else "Not significant"
                for k, sig in zip(quad, q <= a, strict=True)
            ],
            dtype=object,
        )
        out[S.LISA_I] = full(local_i)
        out[S.LISA_P] = full(p)
        if fdr:
            out[S.LISA_Q] = full(q)
        out[S.LISA_CLUSTER] = full(labels, "string")
    return out


# --------------------------------------------------------------------------
# global statistic
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class MoranResult:
    """Global Moran's I.

    Attributes
    ----------
    i : float
        Moran's I.
    expected_i : float
        Its expectation under no autocorrelation, −1/(n−1).
    z : float
        z-score under the randomisation assumption.
    p_analytic : float
        Two-sided p-value of ``z`` from the normal distribution.
    p_sim : float or None
        Pseudo p-value from ``permutations`` random permutations (one-sided
        towards the observed sign, as esda), None without permutations.
    permutations : int
        Number of permutations.
    n : int
        Number of features analysed.
    rate : bool
        True when computed on rates with ``esda.Moran_Rate``.
    weights : str
        Description of the weights (kind, islands joined).
    excluded : tuple of str
        Ids left out (missing value, zero units).
    """

    i: float
    expected_i: float
    z: float
    p_analytic: float
    p_sim: float | None
    permutations: int
    n: int
    rate: bool = False
    weights: str = ""
    excluded: tuple[str, ...] = ()


def global_moran(
    gdf: gpd.GeoDataFrame,
    value: str,
    *,
    weights: WeightsArg = "queen",
    weights_kwds: Mapping[str, Any] | None = None,
    permutations: int = 999,
    seed: int = 0,
    units: str | None = None,
    id_column: str | None = None,
) -> MoranResult:
    """Global Moran's I with row-standardised weights.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Districts with a CRS, unique ids and ``value``.
    value : str
        Column analysed; with ``units``, the count of events.
    weights, weights_kwds
        Neighbourhood, see :func:`spatial_weights` (islands joined).
    permutations : int
        Random permutations for the pseudo p-value (0 for none).
    seed : int
        Seed of the permutations.
    units : str, optional
        Population at risk: Moran's I of the rate ``value/units`` with the
        empirical-Bayes standardisation of Assunção and Reis (1999),
        ``esda.Moran_Rate``. Districts with no units are left out (warned).
    id_column : str, optional
        Unique id column (default ``district_id``).

    Returns
    -------
    MoranResult
        Frozen dataclass with ``i``, ``expected_i``, ``z``, ``p_analytic``,
        ``p_sim``.

    Raises
    ------
    ValidationError
        Bad arguments or columns.

    Notes
    -----
    ``esda.Moran`` (or ``esda.Moran_Rate``) with ``transformation="r"``. The
    z-score and analytic p are esda's ``z_rand``/``p_rand`` (randomisation
    assumption, as ArcGIS reports). esda draws permutations from NumPy's
    global generator, so it is seeded with ``seed`` for the call and its state
    restored afterwards. On the Columbus data (crime, queen contiguity)
    I = 0.500, the published figure.
    """
    from esda import Moran, Moran_Rate

    if permutations < 0:
        raise ValidationError(f"permutations={permutations!r} must be 0 or more")
    prep = _prepare(
        gdf,
        value,
        units=units,
        smoothing=None,
        weights=weights,
        weights_kwds=weights_kwds,
        id_column=id_column,
    )
    wr = W(
        dict(prep.w.neighbors), id_order=list(prep.w.id_order), silence_warnings=True
    )
    if not units and np.ptp(prep.y) == 0:
        raise ValidationError(f"gdf[{value!r}] is constant: Moran's I is undefined")
    with _legacy_seed(seed), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        if units:
            assert prep.events is not None
            assert prep.base is not None
            m = Moran_Rate(
                prep.events,
                prep.base,
                wr,
                adjusted=True,
                transformation="r",
                permutations=permutations,
            )
        else:
            m = Moran(prep.y, wr, transformation="r", permutations=permutations)
    result = MoranResult(
        i=float(m.I),
        expected_i=float(m.EI),
        z=float(m.z_rand),
        p_analytic=float(_two_sided(np.array([m.z_rand]))[0]),
        p_sim=float(m.p_sim) if permutations else None,
        permutations=int(permutations),
        n=len(prep.ids),
        rate=bool(units),
        weights=prep.report.describe(),
        excluded=tuple(sorted(prep.excluded)),
    )
    log.info("Moran's I of %s: %s", value, result)
    return result


# --------------------------------------------------------------------------
# space-time
# --------------------------------------------------------------------------


def _panel_matrix(
    panel: pd.DataFrame,
    value: str,
    districts: gpd.GeoDataFrame,
    *,
    period: str,
    units: str | None,
    id_column: str,
) -> tuple[list[str], list[Any], np.ndarray, np.ndarray | None]:
    """Wide matrices (district × period) of the value and of the units."""
    if not isinstance(panel, pd.DataFrame):
        raise ValidationError(
            f"panel must be a pandas.DataFrame, got {type(panel).__name__!r}"
        )
    require_columns(
        panel, [id_column, period, value] + ([units] if units else []), "panel"
    )
    require_geodataframe(districts, "districts")
    require_columns(districts, [id_column], "districts")
    require_unique(districts, id_column, "districts")
    keys = panel[[id_column, period]]
    dup = keys.duplicated(keep=False)
    if dup.any():
        raise ValidationError(
            f"panel has {int(dup.sum())} duplicated ({id_column}, {period}) rows, e.g. "
            f"{_few(keys[dup].astype(str).agg('/'.join, axis=1).unique().tolist(), 3)}"
        )
    pids = panel[id_column].astype(str)
    known = set(districts[id_column].astype(str))
    present = set(pids)
    unknown = sorted(present - known)
    if unknown:
        raise ValidationError(
            f"panel[{id_column!r}] has ids not in districts: {_few(unknown)}"
        )
    order = [i for i in districts[id_column].astype(str) if i in present]
    no_period = panel[period].isna()
    if no_period.any():
        raise ValidationError(
            f"panel[{period!r}] is missing in {int(no_period.sum())} row(s), e.g. for "
            f"{_few(pids[no_period].unique().tolist(), 3)}; every row needs a period"
        )
    periods = sorted(panel[period].unique().tolist())
    if len(periods) < 2:
        raise ValidationError(
            f"panel[{period!r}] must hold at least 2 periods, got {periods!r}"
        )
    vals = pd.Series(
        _numeric(panel, value, "panel"),
        index=pd.MultiIndex.from_arrays([pids, panel[period]]),
    )
    y = vals.unstack(level=1).reindex(index=order, columns=periods)
    missing = int(y.isna().to_numpy().sum())
    if missing:
        where = y.isna().stack()
        sample = [f"{i}/{p}" for i, p in where[where].index[:3]]
        raise ValidationError(
            f"panel lacks {value!r} for {missing} district × period cell(s), e.g. "
            f"{sample!r}; give every district a row (value 0 if nothing happened) in "
            "every period, computed before any suppression"
        )
    b = None
    if units:
        bs = pd.Series(_numeric(panel, units, "panel"), index=vals.index)
        b = (
            bs.unstack(level=1)
            .reindex(index=order, columns=periods)
            .to_numpy(dtype=float)
        )
    return order, periods, y.to_numpy(dtype=float), b


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
    id_column: str = S.DISTRICT_ID,
) -> pd.DataFrame:
    """Gi* of every period of a long district × period table.

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
    weights, weights_kwds
        Neighbourhood (see :func:`spatial_weights`), built once.
    units : str, optional
        Population at risk; rates are smoothed with empirical Bayes within each
        period. Districts with zero units in any period are left out (warned).
    smoothing : {"eb", None}
        Empirical Bayes smoothing of rates (with ``units``).
    fdr : bool
        Benjamini–Hochberg within each period.
    alpha : float
        Weakest confidence level reported in ``gi_bin`` (0.10, 0.05, 0.01).
    id_column : str
        District id column of both tables.

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
    The neighbourhood is spatial only (ArcGIS's "neighborhood time step" of
    1): each period is an independent cross-section, as in the classical
    emerging hot spot workflow built on Gi*. A period where the value is the
    same everywhere has z = 0 and p = 1.
    """
    a = _check_alpha(alpha, (0.10, 0.05, 0.01))
    ids, periods, z, p, q, gbin, _ = _space_time_gi(
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
    )
    nd, nt = z.shape
    out = pd.DataFrame(
        {
            id_column: np.repeat(np.array(ids, dtype=object), nt),
            period: np.tile(np.array(periods, dtype=object), nd),
            S.GI_Z: z.ravel(),
            S.GI_P: p.ravel(),
        }
    )
    if fdr:
        out[S.GI_Q] = q.ravel()
    out[S.GI_BIN] = pd.array(gbin.ravel(), dtype="Int64")
    out[S.HOTSPOT] = pd.array(
        [S.HOTSPOT_LABELS[int(b)] for b in gbin.ravel()], dtype="string"
    )
    return out


def _space_time_gi(
    panel: pd.DataFrame,
    value: str,
    *,
    districts: gpd.GeoDataFrame,
    period: str,
    weights: WeightsArg,
    weights_kwds: Mapping[str, Any] | None,
    units: str | None,
    smoothing: str | None,
    fdr: bool,
    alpha: float,
    id_column: str,
) -> tuple[
    list[str], list[Any], np.ndarray, np.ndarray, np.ndarray, np.ndarray, WeightsReport
]:
    require_choice(smoothing, ("eb", None), "smoothing")
    ids, periods, y, b = _panel_matrix(
        panel, value, districts, period=period, units=units, id_column=id_column
    )
    keep = np.ones(len(ids), dtype=bool)
    if b is not None:
        if np.any(y < 0):
            raise ValidationError(
                f"panel[{value!r}] must hold non-negative counts when units= is given"
            )
        keep = np.all(b > 0, axis=1)
        if not keep.all():
            dropped = [i for i, k in zip(ids, keep, strict=True) if not k]
            msg = (
                f"{len(dropped)} district(s) with zero or missing {units!r} in some "
                f"period left out of the rate statistics: {_few(dropped)}"
            )
            warnings.warn(msg, UserWarning, stacklevel=3)
            log.info("%s", msg)
    absent = sorted(set(districts[id_column].astype(str)) - set(ids))
    if absent:
        log.info(
            "%d district(s) of the layer are not in the panel: %s",
            len(absent),
            _few(absent),
        )
    ids = [i for i, k in zip(ids, keep, strict=True) if k]
    y = y[keep]
    if len(ids) < 3:
        raise ValidationError(
            f"panel has {len(ids)} usable district(s); at least 3 needed"
        )
    if len(ids) < MIN_FEATURES:
        warnings.warn(
            f"only {len(ids)} districts analysed: Gi* is unreliable with fewer than "
            f"{MIN_FEATURES} features (ArcGIS's minimum)",
            UserWarning,
            stacklevel=3,
        )
    lay = districts.assign(_id=districts[id_column].astype(str)).set_index("_id")
    metric = lay.loc[ids].to_crs(config.metric_crs)
    w, report = build_weights(metric, ids, weights, kwds=weights_kwds)
    if report.islands:
        warnings.warn(
            f"{len(report.islands)} district(s) without contiguous neighbours "
            "joined to "
            f"their nearest districts: {report.islands_message()}",
            UserWarning,
            stacklevel=3,
        )
    w_star = _star(w)
    nd, nt = y.shape
    z = np.zeros((nd, nt))
    if b is not None:
        bk = b[keep]
        for t in range(nt):
            r = (
                _empirical_bayes(y[:, t], bk[:, t])
                if smoothing == "eb"
                else y[:, t] / bk[:, t]
            )
            z[:, t] = _gi_star(r, w_star)[0]
    else:
        for t in range(nt):
            z[:, t] = _gi_star(y[:, t], w_star)[0]
    p = _two_sided(z)
    q = np.empty_like(p)
    gbin = np.zeros((nd, nt), dtype=int)
    for t in range(nt):
        gbin[:, t], q[:, t] = _bins(z[:, t], p[:, t], fdr=fdr, alpha=alpha)
    return ids, periods, z, p, q, gbin, report


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
    need = math.ceil(0.9 * n - 1e-9)
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
    id_column: str = S.DISTRICT_ID,
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
    weights, weights_kwds
        Spatial neighbourhood (see :func:`spatial_weights`).
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
    id_column : str
        District id column.

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
    1. Gi* per period with FDR (:func:`hotspots_by_period`); a period is hot
       when ``gi_bin > 0`` at ``alpha``, cold when ``gi_bin < 0``.
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
    """
    a = _check_alpha(alpha, (0.10, 0.05, 0.01))
    if not 0 < trend_alpha < 1:
        raise ValidationError(f"trend_alpha={trend_alpha!r} must be between 0 and 1")
    ids, periods, z, _p, _q, gbin, _report = _space_time_gi(
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
    )
    nt = len(periods)
    if nt < MIN_PERIODS:
        warnings.warn(
            f"only {nt} periods: the Mann–Kendall trend needs at least {MIN_PERIODS} "
            "(ArcGIS's minimum) to mean much",
            UserWarning,
            stacklevel=2,
        )
    t = np.arange(nt)
    taus = np.full(len(ids), np.nan)
    tps = np.full(len(ids), np.nan)
    cats = []
    for k in range(len(ids)):
        if np.nanmax(z[k]) > np.nanmin(z[k]):
            res = sps.kendalltau(t, z[k], nan_policy="omit")
            taus[k], tps[k] = float(res.statistic), float(res.pvalue)
        cats.append(
            classify_emerging(
                gbin[k] > 0,
                gbin[k] < 0,
                tau=taus[k],
                trend_p=tps[k],
                trend_alpha=trend_alpha,
            )
        )
    lay = districts.assign(_id=districts[id_column].astype(str)).set_index("_id")
    out = lay.loc[ids].reset_index(drop=True)
    out[S.N_PERIODS] = nt
    out[S.N_HOT] = (gbin > 0).sum(axis=1)
    out[S.N_COLD] = (gbin < 0).sum(axis=1)
    out[S.FINAL_BIN] = gbin[:, -1]
    out[S.TREND_TAU] = taus
    out[S.TREND_P] = tps
    out[S.EMERGING] = pd.array(cats, dtype="string")
    out = gpd.GeoDataFrame(out, geometry=districts.geometry.name, crs=districts.crs)
    out.attrs.update(panel.attrs)
    counts = pd.Series(cats).value_counts()
    log.info("emerging hot spots over %d periods: %s", nt, counts.to_dict())
    return out


# --------------------------------------------------------------------------
# grids
# --------------------------------------------------------------------------


def _metric_points(points: gpd.GeoDataFrame, argument: str = "points") -> np.ndarray:
    require_geodataframe(points, argument)
    geom = points.geometry
    ok = geom.notna() & ~geom.is_empty
    types = set(geom[ok].geom_type)
    if not types <= {"Point"}:
        raise ValidationError(
            f"{argument} must hold Point geometries, found {sorted(types)!r}"
        )
    if (~ok).any():
        warnings.warn(
            f"{int((~ok).sum())} record(s) without a location left out",
            UserWarning,
            stacklevel=3,
        )
    pts = geom[ok].to_crs(config.metric_crs)
    return np.column_stack([pts.x.to_numpy(), pts.y.to_numpy()])


def optimal_cell_size(
    points: gpd.GeoDataFrame,
    *,
    min_cells: int = MIN_FEATURES,
    max_cells: int = 20_000,
) -> float:
    """Hexagon cell size (metres) chosen from the distances between incidents.

    Parameters
    ----------
    points : geopandas.GeoDataFrame
        Incident points with a CRS.
    min_cells, max_cells : int
        Bounds on the number of hexagons covering the incidents' extent.

    Returns
    -------
    float
        Distance between the centres of adjacent hexagons (= width across
        flats), in metres, a multiple of 10.

    Raises
    ------
    ValidationError
        Fewer than 2 distinct incident locations.

    Notes
    -----
    Rule, in the spirit of ArcGIS's Optimized Hot Spot Analysis: the cell
    size is twice the mean distance from each distinct incident location to
    its nearest other incident location (so a typical incident and its
    nearest neighbour fall in the same or adjacent cells), rounded up to 10 m,
    then bounded so that hexagons over the bounding box of the incidents
    number at least ``min_cells`` (enough features for Gi*) and at most
    ``max_cells``. The size and the rule are logged.
    """
    xy = np.unique(_metric_points(points), axis=0)
    if len(xy) < 2:
        raise ValidationError(
            f"points has {len(xy)} distinct location(s); at least 2 are needed to "
            "choose a cell size"
        )
    d, _ = cKDTree(xy).query(xy, k=2)
    mean_nn = float(d[:, 1].mean())
    size = 2.0 * mean_nn
    width = max(float(np.ptp(xy[:, 0])), 1.0)
    height = max(float(np.ptp(xy[:, 1])), 1.0)
    hex_area = math.sqrt(3) / 2  # per unit of size²
    largest = math.sqrt(width * height / (min_cells * hex_area))
    smallest = math.sqrt(width * height / (max_cells * hex_area))
    size = min(max(size, smallest), largest)
    size = max(10.0, math.ceil(size / 10.0) * 10.0)
    log.info(
        "hexagon cell size %.0f m: 2 × mean nearest-neighbour distance %.0f m over %d "
        "distinct locations, bounded to %d..%d cells",
        size,
        mean_nn,
        len(xy),
        min_cells,
        max_cells,
    )
    return size


def hex_grid(
    area: gpd.GeoDataFrame | gpd.GeoSeries, cell_size: float
) -> gpd.GeoDataFrame:
    """Flat-topped hexagons of a metric lattice covering an area.

    Parameters
    ----------
    area : geopandas.GeoDataFrame or GeoSeries
        Polygons (or points) with a CRS; hexagons intersecting them are kept.
    cell_size : float
        Distance between centres of adjacent hexagons, metres.

    Returns
    -------
    geopandas.GeoDataFrame
        ``cell_id`` (``H<col>_<row>`` on a lattice anchored at the metric
        CRS origin, stable across calls), ``geometry`` in EPSG:4326.

    Raises
    ------
    ValidationError
        Non-positive ``cell_size`` or a grid of more than a million cells.

    Notes
    -----
    Vertices are computed on an integer lattice, so adjacent hexagons share
    bit-identical vertices and queen/rook contiguity finds them.
    """
    if not cell_size > 0:
        raise ValidationError(
            f"cell_size={cell_size!r} must be a positive number of metres"
        )
    if isinstance(area, gpd.GeoDataFrame):
        require_geodataframe(area, "area")
        geoms = area.geometry
    else:
        if area.crs is None:
            require_geodataframe(gpd.GeoDataFrame(geometry=area), "area")
        geoms = area
    metric = geoms.to_crs(config.metric_crs)
    s = cell_size / math.sqrt(3)  # side = circumradius
    hx, hy = s / 2.0, cell_size / 2.0  # lattice steps of vertices
    minx, miny, maxx, maxy = metric.total_bounds
    c0, c1 = math.floor(minx / (3 * hx)) - 1, math.ceil(maxx / (3 * hx)) + 1
    r0, r1 = math.floor(miny / (2 * hy)) - 1, math.ceil(maxy / (2 * hy)) + 1
    ncells = (c1 - c0 + 1) * (r1 - r0 + 1)
    if ncells > 1_000_000:
        raise ValidationError(
            f"cell_size={cell_size!r} gives {ncells} hexagons over the area; "
            "expected at most 1,000,000"
        )
    cgrid, rgrid = np.meshgrid(
        np.arange(c0, c1 + 1), np.arange(r0, r1 + 1), indexing="ij"
    )
    cols, rows = cgrid.ravel(), rgrid.ravel()
    kx = 3 * cols
    ky = 2 * rows + (cols % 2)
    dx = np.array([2, 1, -1, -2, -1, 1])
    dy = np.array([0, 1, 1, 0, -1, -1])
    vx = (kx[:, None] + dx[None, :]) * hx
    vy = (ky[:, None] + dy[None, :]) * hy
    rings = np.stack([vx, vy], axis=-1)
    polys = shapely.polygons(rings)
    parts = metric.to_numpy()
    parts = parts[~(shapely.is_missing(parts) | shapely.is_empty(parts))]
    hit = shapely.STRtree(parts).query(polys, predicate="intersects")[0]
    keep = np.zeros(len(polys), dtype=bool)
    keep[hit] = True
    ids = [f"H{c}_{r}" for c, r in zip(cols[keep], rows[keep], strict=True)]
    grid = gpd.GeoDataFrame(
        {S.CELL_ID: pd.array(ids, dtype="string")},
        geometry=polys[keep],
        crs=config.metric_crs,
    )
    return grid.to_crs(config.geographic_crs)


def aggregate_to_hexagons(
    points: gpd.GeoDataFrame,
    *,
    cell_size: float | None = None,
    area: gpd.GeoDataFrame | None = None,
) -> gpd.GeoDataFrame:
    """Count incident points per hexagon of a metric grid.

    Parameters
    ----------
    points : geopandas.GeoDataFrame
        Incident points with a CRS.
    cell_size : float, optional
        Distance between adjacent hexagon centres in metres; default
        :func:`optimal_cell_size`.
    area : geopandas.GeoDataFrame, optional
        Where incidents are possible (e.g. the districts): every hexagon
        touching it is returned, with count 0 where nothing happened, so that
        Gi* sees the empty cells. Default: the convex hull of the incidents.

    Returns
    -------
    geopandas.GeoDataFrame
        ``cell_id``, ``count``, ``geometry`` (EPSG:4326); ``attrs`` holds
        ``cell_size_m`` and ``cell_size_rule``. Ready for
        ``hotspots(grid, "count")``.

    Raises
    ------
    ValidationError
        Points that are not points, bad ``cell_size``.

    Notes
    -----
    Counts are raw: the grid is an analysis layer, not a table for a meeting;
    apply the suppression threshold before showing it.
    """
    xy = _metric_points(points)
    rule = "given"
    if cell_size is None:
        cell_size = optimal_cell_size(points)
        rule = "2 × mean nearest-neighbour distance between distinct incident locations"
    if area is None:
        hull = shapely.convex_hull(shapely.multipoints(xy)).buffer(cell_size / 2)
        region = gpd.GeoSeries([hull], crs=config.metric_crs)
    else:
        region = area
    grid = hex_grid(region, cell_size)
    gm = grid.to_crs(config.metric_crs)
    tree = shapely.STRtree(gm.geometry.to_numpy())
    pt_idx, cell_idx = tree.query(shapely.points(xy), predicate="intersects")
    first = pd.Series(cell_idx).groupby(pt_idx).min()
    counts = np.bincount(first.to_numpy(), minlength=len(grid))
    outside = len(xy) - len(first)
    if outside:
        warnings.warn(
            f"{outside} incident(s) fall outside the area and are not counted",
            UserWarning,
            stacklevel=2,
        )
    grid[S.COUNT] = counts.astype("int64")
    grid = grid[[S.CELL_ID, S.COUNT, "geometry"]]
    grid.attrs["cell_size_m"] = float(cell_size)
    grid.attrs["cell_size_rule"] = rule
    log.info(
        "%d incidents on %d hexagons of %.0f m (%s)",
        int(counts.sum()),
        len(grid),
        cell_size,
        rule,
    )
    return grid


# --------------------------------------------------------------------------
# density surface
# --------------------------------------------------------------------------


def default_bandwidth(xy: np.ndarray) -> float:
    """ArcGIS's default search radius for kernel density (metres).

    ``0.9 × min(SD, √(1/ln 2) × Dm) × n^(−0.2)``, with SD the standard
    distance of the points and Dm the median distance to their mean centre
    (Silverman's rule of thumb made robust to outliers).
    """
    n = len(xy)
    centre = xy.mean(axis=0)
    d = np.hypot(*(xy - centre).T)
    sd = math.sqrt(float(np.mean(np.sum((xy - centre) ** 2, axis=1))))
    dm = float(np.median(d))
    h = 0.9 * min(sd, math.sqrt(1 / math.log(2)) * dm) * n**-0.2
    return h if h > 0 else max(sd, 1.0)


def density_surface(
    points: gpd.GeoDataFrame,
    *,
    bandwidth: float | None = None,
    cell_size: float | None = None,
    levels: int | Sequence[float] = 5,
    min_count: int | None = None,
    area: gpd.GeoDataFrame | None = None,
) -> gpd.GeoDataFrame:
    """Kernel density of incidents as contour polygons, safe to draw on a map.

    Parameters
    ----------
    points : geopandas.GeoDataFrame
        Incident points (e.g. occupations) with a CRS.
    bandwidth : float, optional
        Kernel radius in metres; default :func:`default_bandwidth`.
    cell_size : float, optional
        Raster cell in metres; default bandwidth / 5 (coarser if the raster
        would exceed 250,000 cells).
    levels : int or sequence of float
        Number of equal-interval classes between 0 and the highest density,
        or the class breaks themselves (incidents per km², increasing).
    min_count : int, optional
        Suppression threshold (default
        :data:`geo_alloggi.config.suppression_threshold`).
    area : geopandas.GeoDataFrame, optional
        Polygons outside which the surface is masked (e.g. the study area).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per class with polygons: ``level`` (1 = lowest),
        ``density_min``, ``density_max`` (incidents per km²), ``geometry``
        (EPSG:4326). ``attrs`` holds ``bandwidth_m``, ``cell_size_m``,
        ``min_count`` and ``n_points``. Empty when no cell reaches
        ``min_count``.

    Raises
    ------
    ValidationError
        Non-point input, bad bandwidth, cell size or levels.

    Notes
    -----
    Quartic (biweight) kernel of radius ``bandwidth`` as in ArcGIS's Kernel
    Density, ``K(d) = 3/(π h²) (1 − d²/h²)²`` for d < h, evaluated at raster
    cell centres in the metric CRS, so the surface integrates to the number
    of incidents. Suppression: the kernel has compact support, so the density
    at a cell depends only on the incidents within ``bandwidth`` of it. Every
    cell with fewer than ``min_count`` incidents within that radius is masked
    before contouring, so no polygon edge is drawn from fewer incidents than
    the threshold (an isolated incident, or a group of fewer than
    ``min_count``, leaves no trace).
    """
    xy = _metric_points(points)
    k_min = config.suppression_threshold if min_count is None else int(min_count)
    if k_min < 1:
        raise ValidationError(f"min_count={min_count!r} must be at least 1")
    empty = gpd.GeoDataFrame(
        {
            "level": pd.Series([], dtype="int64"),
            S.DENSITY_MIN: pd.Series([], dtype=float),
            S.DENSITY_MAX: pd.Series([], dtype=float),
        },
        geometry=gpd.GeoSeries([], crs=config.geographic_crs),
    )
    if len(xy) < k_min:
        warnings.warn(
            f"{len(xy)} incident(s), fewer than the suppression threshold {k_min}: "
            "empty density surface",
            UserWarning,
            stacklevel=2,
        )
        return empty
    h = default_bandwidth(xy) if bandwidth is None else float(bandwidth)
    if not h > 0:
        raise ValidationError(
            f"bandwidth={bandwidth!r} must be a positive number of metres"
        )
    minx, miny = xy.min(axis=0) - h
    maxx, maxy = xy.max(axis=0) + h
    cs = h / 5 if cell_size is None else float(cell_size)
    if not cs > 0:
        raise ValidationError(
            f"cell_size={cell_size!r} must be a positive number of metres"
        )
    if cell_size is None:
        cs = max(cs, math.sqrt((maxx - minx) * (maxy - miny) / 250_000))
    gx = np.arange(minx, maxx + cs, cs)
    gy = np.arange(miny, maxy + cs, cs)
    if len(gx) * len(gy) > 4_000_000:
        raise ValidationError(
            f"cell_size={cell_size!r} gives {len(gx) * len(gy)} raster cells; "
            "expected at most 4,000,000"
        )
    X, Y = np.meshgrid(gx, gy)
    centres = np.column_stack([X.ravel(), Y.ravel()])
    sdm = cKDTree(centres).sparse_distance_matrix(
        cKDTree(xy), max_distance=h, output_type="coo_matrix"
    )
    u = (sdm.data / h) ** 2
    kern = 3.0 / (math.pi * h * h) * (1.0 - u) ** 2
    dens = np.bincount(sdm.row, weights=kern, minlength=len(centres)) * 1e6
    near = np.bincount(sdm.row, minlength=len(centres))
    # (the COO output keeps pairs at distance 0: a point on a cell centre counts)
    masked = near < k_min
    if area is not None:
        require_geodataframe(area, "area")
        region = shapely.union_all(area.geometry.to_crs(config.metric_crs).to_numpy())
        shapely.prepare(region)
        masked |= ~shapely.contains_xy(region, centres[:, 0], centres[:, 1])
    Z = np.ma.masked_array(dens.reshape(X.shape), mask=masked.reshape(X.shape))
    if Z.count() == 0:
        warnings.warn(
            f"no place has {k_min} or more incidents within {h:.0f} m: empty density "
            "surface",
            UserWarning,
            stacklevel=2,
        )
        return empty
    top = float(Z.max())
    if isinstance(levels, int):
        if levels < 1:
            raise ValidationError(f"levels={levels!r} must be at least 1")
        breaks = np.linspace(0.0, top, levels + 1)
    else:
        breaks = np.asarray([0.0, *levels, top], dtype=float)
        breaks = np.unique(breaks[breaks <= top])
        if len(breaks) < 2:
            raise ValidationError(
                f"levels={levels!r} leaves no class below the maximum"
            )
    from contourpy import FillType, contour_generator

    gen = contour_generator(gx, gy, Z, fill_type=FillType.OuterOffset, corner_mask=True)
    rows = []
    for k in range(len(breaks) - 1):
        lo, hi = float(breaks[k]), float(breaks[k + 1])
        filled = gen.filled(lo, hi if k < len(breaks) - 2 else hi * (1 + 1e-9))
        pts_list: list[np.ndarray] = list(filled[0])  # type: ignore[arg-type]
        offs_list: list[np.ndarray] = list(filled[1])  # type: ignore[arg-type]
        polys = []
        for pts, offs in zip(pts_list, offs_list, strict=True):
            rings = [pts[offs[j] : offs[j + 1]] for j in range(len(offs) - 1)]
            if len(rings[0]) >= 4:
                polys.append(
                    shapely.Polygon(rings[0], [r for r in rings[1:] if len(r) >= 4])
                )
        if not polys:
            continue
        geom = shapely.make_valid(shapely.union_all(polys))
        rows.append(
            {"level": k + 1, S.DENSITY_MIN: lo, S.DENSITY_MAX: hi, "geometry": geom}
        )
    if not rows:
        return empty
    out = gpd.GeoDataFrame(rows, geometry="geometry", crs=config.metric_crs).to_crs(
        config.geographic_crs
    )
    out["level"] = out["level"].astype("int64")
    out.attrs.update(
        {"bandwidth_m": h, "cell_size_m": cs, "min_count": k_min, "n_points": len(xy)}
    )
    log.info(
        "density surface: %d points, bandwidth %.0f m, cell %.0f m, %d classes, "
        "cells with fewer than %d incidents within the bandwidth masked",
        len(xy),
        h,
        cs,
        len(out),
        k_min,
    )
    return out
