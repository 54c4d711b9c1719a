"""Local and global spatial statistics of one cross-section: Gi*, LISA, Moran's I.

* :func:`spatial_weights` — queen contiguity by default, KNN or distance band on
  request; islands joined to their nearest districts and reported.
* :func:`hotspots` — Getis–Ord Gi* (binary weights, the district itself
  included) with normal p-values, confidence bins ±3/±2/±1 and the
  Benjamini–Hochberg false discovery rate, on counts or on empirical-Bayes
  smoothed rates; or local Moran (LISA).
* :func:`hotspots_at_periods` — Gi* of several periods of a panel, each on
  its own, the weights built once.
* :func:`global_moran` — Moran's I (``esda.Moran``; ``esda.Moran_Rate`` on rates).
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
from libpysal.weights import W
from scipy import stats as sps

from geo_alloggi import _schema as S
from geo_alloggi import config
from geo_alloggi._errors import ValidationError, warn
from geo_alloggi._validate import (
    require_choice,
    require_columns,
    require_geodataframe,
)
from geo_alloggi.stats._checks import check_alpha, feature_ids, few, numeric_values
from geo_alloggi.stats._gistar import (
    MIN_FEATURES,
    confidence_bins,
    empirical_bayes,
    gi_star_z,
    legacy_seed,
    star_weights,
    two_sided_p,
)
from geo_alloggi.stats._weights import (
    WeightsArg,
    WeightsReport,
    build_weights,
    warn_islands,
)

__all__ = [
    "MoranResult",
    "global_moran",
    "hotspots",
    "hotspots_at_periods",
    "spatial_weights",
]

log = logging.getLogger(__name__)

#: Permutations of the local Moran when ``permutations`` is not given.
LISA_PERMUTATIONS = 999


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
    built: dict[bytes, tuple[W, WeightsReport]] | None = None,
) -> _Prepared:
    """Check the input and return the analysed rows, their values and weights.

    ``built`` keeps the weights already built, by analysed rows, for calls on
    layers of the same features (the same geometries, in the same order).
    """
    require_geodataframe(gdf, argument)
    ids_all, _ = feature_ids(gdf, id_column, argument)
    require_columns(gdf, [value] + ([units] if units else []), argument)
    require_choice(smoothing, ("eb", None), "smoothing")
    y_all = numeric_values(gdf, value, argument)
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
        b_all = numeric_values(gdf, units, argument)
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
            f"{few(sorted(excluded))}"
        )
        only_units = set(excluded.values()) == {f"{units} is zero or missing"}
        key = "stats.excluded_no_units" if only_units else "stats.excluded"
        warn(msg, key, stacklevel=3, n=len(excluded), districts=sorted(excluded))
        log.info("%s", msg)
    ids = [i for i, ok in zip(ids_all, include, strict=True) if ok]
    if len(ids) < 3:
        raise ValidationError(
            f"{argument} has {len(ids)} usable feature(s) for {value!r}; "
            "at least 3 needed"
        )
    key = include.tobytes()
    if built is None or key not in built:
        metric = gdf.loc[include].to_crs(config.metric_crs)
        w, report = build_weights(metric, ids, weights, kwds=weights_kwds)
        if built is not None:
            built[key] = (w, report)
    w, report = built[key] if built is not None else (w, report)
    warn_islands(report, stacklevel=3)
    if units:
        assert events is not None
        assert base is not None
        assert rate is not None
        smoothed = empirical_bayes(events, base) if smoothing == "eb" else events / base
        rate_eb = np.full(len(gdf), np.nan)
        rate_eb[include] = smoothed
        y = smoothed
    else:
        y = y_all[include]
    return _Prepared(ids, include, y, rate, rate_eb, events, base, w, report, excluded)


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
    weights : str, libpysal.weights.W or libpysal.graph.Graph
        ``"queen"`` (default: polygons sharing at least a vertex), ``"rook"``,
        ``"knn"`` or ``"distance_band"``; or ready weights (a ``W`` or a
        ``Graph``, libpysal's current API) whose ids include every feature
        id, used as binary links (a link of weight 0 is no link).
    weights_kwds : mapping, optional
        ``{"k": 8}`` for KNN on centroids; ``{"threshold": metres}`` for the
        distance band on centroids (default: the smallest distance that gives
        every feature a neighbour).
    id_column : str, optional
        Column of unique ids (default ``district_id``, else ``cell_id``, else
        the index of ``gdf``, named or not, as libpysal's ``use_index``).

    Returns
    -------
    libpysal.weights.W
        Binary weights keyed by id (as text), in the row order of ``gdf``;
        also when ``weights`` is a ``Graph``.

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
    ids, _ = feature_ids(gdf, id_column, "gdf")
    w, report = build_weights(
        gdf.to_crs(config.metric_crs), ids, weights, kwds=weights_kwds
    )
    warn_islands(report, stacklevel=2)
    return w


def hotspots(
    gdf: gpd.GeoDataFrame,
    value: str,
    *,
    method: Literal["gi_star", "lisa"] = "gi_star",
    weights: WeightsArg = "queen",
    weights_kwds: Mapping[str, Any] | None = None,
    permutations: int | None = None,
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
        Districts (or grid cells) with a CRS, unique ids (a column or the
        index) and ``value``.
    value : str
        Column to analyse: a count, a rate, any number. With ``units`` it is
        the count of events and the statistic runs on the rate ``value/units``.
    method : {"gi_star", "lisa"}
        Getis–Ord Gi* (default) or the local Moran's I.
    weights : str, libpysal.weights.W or libpysal.graph.Graph
        Neighbourhood; see :func:`spatial_weights`. Gi* uses the weights as
        binary with the district itself included; the local Moran uses them
        row-standardised.
    weights_kwds : mapping, optional
        ``{"k": ...}`` or ``{"threshold": metres}``.
    permutations : int, optional
        Gi*: when > 0, a conditional-permutation pseudo p-value ``gi_p_sim``
        is added as a check (the bins always come from the normal p, as in
        ArcGIS); default 0. LISA: number of conditional permutations of the
        pseudo p-value (default 999); 0 means no permutation inference: the
        p-value is analytical (normal approximation, see Notes).
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
        Unique id column (default ``district_id``, else ``cell_id``, else
        the index of ``gdf``).

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
    by its quadrant, High-High, Low-Low, High-Low or Low-High. With
    ``permutations=0`` no permutation is drawn: ``lisa_p`` is the one-sided
    normal p-value of ``z = (I_i − E[I_i]) / √Var[I_i]`` with the moments of
    I_i under conditional randomisation (Sokal, Oden & Thomson 1998, eqs.
    A7–A8; esda's ``EIc`` and ``VIc``), the same null hypothesis as the
    permutations. The normal approximation is rough for local statistics
    with few neighbours; prefer permutations for decisions.

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
        a = check_alpha(0.10 if alpha is None else alpha, (0.10, 0.05, 0.01))
    else:
        a = 0.05 if alpha is None else float(alpha)
        if not 0 < a < 1:
            raise ValidationError(f"alpha={alpha!r} must be between 0 and 1")
    if permutations is None:
        permutations = 0 if method == "gi_star" else LISA_PERMUTATIONS
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
        warn(
            f"{value!r} has the same value in all {n} analysed features: no hot or "
            "cold spot can be found",
            "stats.constant",
            n=n,
            stacklevel=2,
        )
    if n < MIN_FEATURES:
        warn(
            f"only {n} features analysed: local statistics are unreliable with fewer "
            f"than {MIN_FEATURES} (ArcGIS's minimum)",
            "stats.few_features",
            n=n,
            minimum=MIN_FEATURES,
            stacklevel=2,
        )
    out = gdf.copy()
    if units:
        out[S.RATE] = prep.rate
        out[S.RATE_EB] = prep.rate_eb
    if method == "gi_star":
        cols = _gi_star_columns(
            prep, value, permutations=permutations, seed=seed, fdr=fdr, alpha=a
        )
    else:
        cols = _lisa_columns(
            prep, permutations=permutations, seed=seed, fdr=fdr, alpha=a
        )
    _put_columns(out, cols, prep.include)
    return out


def _put_columns(
    out: pd.DataFrame, cols: dict[str, tuple[np.ndarray, str]], include: np.ndarray
) -> None:
    """Add the columns of the analysed rows to ``out`` (missing on the others)."""
    rows = np.flatnonzero(include)
    for name, (values, dtype) in cols.items():
        column = pd.Series(
            pd.NA if dtype != "float64" else np.nan, index=out.index, dtype=dtype
        )
        column.iloc[rows] = values
        out[name] = column


def hotspots_at_periods(
    panel: pd.DataFrame,
    value: str,
    *,
    districts: gpd.GeoDataFrame,
    periods: Sequence[Any],
    units: str | None = None,
    smoothing: Literal["eb"] | None = "eb",
    weights: str = "queen",
    weights_kwds: Mapping[str, Any] | None = None,
    fdr: bool = True,
    alpha: float | None = None,
    id_column: str = S.DISTRICT_ID,
    period: str = S.PERIOD,
) -> pd.DataFrame:
    """Gi* hot spots of several periods of a panel, each period on its own.

    The rows of period ``p`` hold what :func:`hotspots` (Gi*, no
    permutations) gives the district layer joined to the panel's rows of
    ``p``; the weights are built once for all the periods that analyse the
    same districts. A back-test maps the hot spots of every origin.

    Parameters
    ----------
    panel : pandas.DataFrame
        One row per district and period (:func:`geo_alloggi.overlay.aggregate`),
        with ``id_column``, ``period``, ``value`` and ``units``.
    value : str
        Column analysed; with ``units``, the count of events.
    districts : geopandas.GeoDataFrame
        The district layer of the panel, with ``id_column``.
    periods : sequence of object
        The periods to map.
    units, smoothing, fdr, alpha : object
        As for :func:`hotspots`.
    weights : str
        One of the kinds of :func:`spatial_weights` (default ``"queen"``).
    weights_kwds : mapping, optional
        As for :func:`hotspots`.
    id_column, period : str
        District id and period columns of the panel and the layer.

    Returns
    -------
    pandas.DataFrame
        For each period, one row per district of the layer: ``id_column``,
        ``period``, ``gi_z``, ``gi_p``, ``gi_q`` (with ``fdr``), ``gi_bin``
        and ``hotspot``, missing where the district was left out. A period
        where :func:`hotspots` raises :class:`ValidationError` (fewer than 3
        usable districts) has no rows.
    """
    a = check_alpha(0.10 if alpha is None else alpha, (0.10, 0.05, 0.01))
    require_columns(panel, [id_column, period], "panel")
    keep = [value] + ([units] if units else [])
    layer = districts[[id_column, districts.geometry.name]]
    built: dict[bytes, tuple[W, WeightsReport]] = {}
    parts = []
    for p in periods:
        rows = pd.DataFrame(panel.loc[panel[period] == p, [id_column, *keep]])
        cut = layer.merge(rows, on=id_column, how="left")
        try:
            prep = _prepare(
                cut,
                value,
                units=units,
                smoothing=smoothing,
                weights=weights,
                weights_kwds=weights_kwds,
                id_column=id_column,
                built=built,
            )
        except ValidationError:
            continue
        out = pd.DataFrame({id_column: cut[id_column].to_numpy(), period: p})
        cols = _gi_star_columns(prep, value, permutations=0, seed=0, fdr=fdr, alpha=a)
        _put_columns(out, cols, prep.include)
        parts.append(out)
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def _gi_star_columns(
    prep: _Prepared,
    value: str,
    *,
    permutations: int,
    seed: int,
    fdr: bool,
    alpha: float,
) -> dict[str, tuple[np.ndarray, str]]:
    """Gi* output columns over the analysed rows: name → (values, dtype)."""
    z, p_sim = gi_star_z(
        prep.y, star_weights(prep.w), permutations=permutations, seed=seed
    )
    p = two_sided_p(z)
    undefined = [i for i, v in zip(prep.ids, z, strict=True) if not np.isfinite(v)]
    if undefined:
        warn(
            f"Gi* is undefined for {len(undefined)} feature(s) whose neighbourhood "
            f"holds every feature: {few(undefined)} (reported as not significant)",
            "stats.gi_undefined",
            n=len(undefined),
            districts=undefined,
            stacklevel=3,
        )
    gbin, q = confidence_bins(z, p, fdr=fdr, alpha=alpha)
    cols = {S.GI_Z: (z, "float64"), S.GI_P: (p, "float64")}
    if fdr:
        cols[S.GI_Q] = (q, "float64")
    if p_sim is not None:
        cols[S.GI_P_SIM] = (p_sim, "float64")
    cols[S.GI_BIN] = (gbin, "Int64")
    labels = np.array([S.HOTSPOT_LABELS[int(b)] for b in gbin], dtype=object)
    cols[S.HOTSPOT] = (labels, "string")
    log.info(
        "Gi* on %s: %d hot, %d cold of %d features (fdr=%s, alpha=%.2f)",
        value,
        int((gbin > 0).sum()),
        int((gbin < 0).sum()),
        len(prep.ids),
        fdr,
        alpha,
    )
    return cols


def _lisa_columns(
    prep: _Prepared, *, permutations: int, seed: int, fdr: bool, alpha: float
) -> dict[str, tuple[np.ndarray, str]]:
    """Local Moran output columns over the analysed rows: name → (values, dtype)."""
    from esda import Moran_Local

    n = len(prep.ids)
    wr = W(
        dict(prep.w.neighbors),
        id_order=list(prep.w.id_order),
        silence_warnings=True,
    )
    if np.ptp(prep.y) == 0:  # no variation: nothing to test
        local_i, p, quad = np.full(n, np.nan), np.ones(n), np.zeros(n, dtype=int)
    else:
        with legacy_seed(None), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            warnings.simplefilter("ignore", DeprecationWarning)
            lm = Moran_Local(
                prep.y,
                wr,
                transformation="r",
                permutations=permutations,
                seed=seed,
                n_jobs=1,
                keep_simulations=False,
            )
        local_i = np.asarray(lm.Is, dtype=float)
        if permutations:
            p = np.asarray(lm.p_sim, dtype=float)
        else:  # analytical: conditional-randomisation moments, one-sided
            se = np.sqrt(np.asarray(lm.VIc, dtype=float))
            with np.errstate(divide="ignore", invalid="ignore"):
                z = (local_i - np.asarray(lm.EIc, dtype=float)) / se
            p = np.where(np.isfinite(z), sps.norm.sf(np.abs(z)), 1.0)
        quad = np.asarray(lm.q)
    q = sps.false_discovery_control(p, method="bh") if fdr else p
    names = {1: "High-High", 2: "Low-High", 3: "Low-Low", 4: "High-Low"}
    labels = np.array(
        [
            names[int(k)] if sig else "Not significant"
            for k, sig in zip(quad, q <= alpha, strict=True)
        ],
        dtype=object,
    )
    cols = {S.LISA_I: (local_i, "float64"), S.LISA_P: (p, "float64")}
    if fdr:
        cols[S.LISA_Q] = (q, "float64")
    cols[S.LISA_CLUSTER] = (labels, "string")
    return cols


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

    def to_frame(self) -> pd.DataFrame:
        """Return one row with every attribute (``excluded`` as a tuple of ids).

        Returns
        -------
        pandas.DataFrame
            One row, one column per attribute.
        """
        return pd.DataFrame([{f.name: getattr(self, f.name) for f in fields(self)}])


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
    weights : str, libpysal.weights.W or libpysal.graph.Graph
        Neighbourhood, see :func:`spatial_weights` (islands joined).
    weights_kwds : mapping, optional
        ``{"k": ...}`` or ``{"threshold": metres}``, see :func:`spatial_weights`.
    permutations : int
        Random permutations for the pseudo p-value (0 for none).
    seed : int
        Seed of the permutations.
    units : str, optional
        Population at risk: Moran's I of the rate ``value/units`` with the
        empirical-Bayes standardisation of Assunção and Reis (1999),
        ``esda.Moran_Rate``. Districts with no units are left out (warned).
    id_column : str, optional
        Unique id column (default ``district_id``, else ``cell_id``, else
        the index of ``gdf``).

    Returns
    -------
    MoranResult
        Frozen dataclass with ``i``, ``expected_i``, ``z``, ``p_analytic``,
        ``p_sim``; ``.to_frame()`` gives them as a one-row table.

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
    with legacy_seed(seed), warnings.catch_warnings():
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
        p_analytic=float(two_sided_p(np.array([m.z_rand]))[0]),
        p_sim=float(m.p_sim) if permutations else None,
        permutations=int(permutations),
        n=len(prep.ids),
        rate=bool(units),
        weights=prep.report.describe(),
        excluded=tuple(sorted(prep.excluded)),
    )
    log.info("Moran's I of %s: %s", value, result)
    return result
