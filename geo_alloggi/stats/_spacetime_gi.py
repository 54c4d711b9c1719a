"""The space–time Gi* engine: a district × period cube, its districts, Gi* per window.

Private to :mod:`geo_alloggi.stats`: :mod:`~geo_alloggi.stats.spacetime` runs
it on a whole panel (:func:`space_time_gi`) or on the periods up to each of
several origins (:func:`cube_gi` on a prefix of one :func:`panel_cube`). The
z of a period depends only on the analysed districts, the period and the
``time_step`` periods before it, so a prefix of the cube gives what the
panel cut at that period would give.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from libpysal.weights import W

from geo_alloggi import _schema as S
from geo_alloggi import config
from geo_alloggi._errors import ValidationError, warn
from geo_alloggi._validate import (
    require_choice,
    require_columns,
    require_geodataframe,
)
from geo_alloggi.stats._checks import feature_ids, few, numeric_values
from geo_alloggi.stats._gistar import (
    MIN_FEATURES,
    confidence_bins,
    empirical_bayes,
    gi_star_z,
    star_weights,
    two_sided_p,
)
from geo_alloggi.stats._weights import (
    WeightsArg,
    WeightsReport,
    build_weights,
    warn_islands,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Cube:
    """A complete district × period panel as matrices (districts in the layer's order).

    Attributes
    ----------
    id_column : str
        The panel's id column.
    layer_ids : list of str
        The layer's ids, in its order.
    ids : list of str
        The ids of the panel, in the layer's order.
    periods : list
        The sorted periods.
    y, b : numpy.ndarray
        The value and the units (None without units), ids × periods.
    """

    id_column: str
    layer_ids: list[str]
    ids: list[str]
    periods: list[Any]
    y: np.ndarray
    b: np.ndarray | None


@dataclass(frozen=True)
class SpaceTime:
    """Space–time Gi* of the analysed districts (district × period arrays)."""

    id_column: str  # the panel's id column
    rows: np.ndarray  # positions of the analysed districts in the layer
    ids: list[str]
    periods: list[Any]
    z: np.ndarray
    p: np.ndarray
    q: np.ndarray
    gbin: np.ndarray
    report: WeightsReport


def panel_cube(
    panel: pd.DataFrame,
    value: str,
    districts: gpd.GeoDataFrame,
    *,
    period: str,
    units: str | None,
    id_column: str | None,
) -> Cube:
    """Wide matrices (district × period) of the value and of the units.

    Raises ValidationError on a panel the statistics refuse (not a frame,
    duplicated or missing cells, unknown districts, fewer than 2 periods).
    """
    if not isinstance(panel, pd.DataFrame):
        raise ValidationError(
            f"panel must be a pandas.DataFrame, got {type(panel).__name__!r}"
        )
    require_geodataframe(districts, "districts")
    if id_column is None:
        id_column = next(
            (c for c in (S.DISTRICT_ID, S.CELL_ID) if _has(panel, c)), S.DISTRICT_ID
        )
    levels = [
        c
        for c in (id_column, period)
        if c in panel.index.names and c not in panel.columns
    ]
    if levels:  # e.g. a groupby([id, period]) result: its keys are index levels
        panel = panel.reset_index(level=levels)
    require_columns(
        panel, [id_column, period, value] + ([units] if units else []), "panel"
    )
    in_layer = id_column if id_column in districts.columns else None
    layer_ids, _ = feature_ids(districts, in_layer, "districts", names=())
    keys = panel[[id_column, period]]
    dup = keys.duplicated(keep=False)
    if dup.any():
        raise ValidationError(
            f"panel has {int(dup.sum())} duplicated ({id_column}, {period}) rows, e.g. "
            f"{few(keys[dup].astype(str).agg('/'.join, axis=1).unique().tolist(), 3)}"
        )
    pids = panel[id_column].astype(str)
    known = set(layer_ids)
    present = set(pids)
    unknown = sorted(present - known)
    if unknown:
        raise ValidationError(
            f"panel[{id_column!r}] has ids not in districts: {few(unknown)}"
        )
    order = [i for i in layer_ids if i in present]
    no_period = panel[period].isna()
    if no_period.any():
        raise ValidationError(
            f"panel[{period!r}] is missing in {int(no_period.sum())} row(s), e.g. for "
            f"{few(pids[no_period].unique().tolist(), 3)}; every row needs a period"
        )
    periods = sorted(panel[period].unique().tolist())
    if len(periods) < 2:
        raise ValidationError(
            f"panel[{period!r}] must hold at least 2 periods, got {periods!r}"
        )
    vals = pd.Series(
        numeric_values(panel, value, "panel"),
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
        bs = pd.Series(numeric_values(panel, units, "panel"), index=vals.index)
        b = (
            bs.unstack(level=1)
            .reindex(index=order, columns=periods)
            .to_numpy(dtype=float)
        )
    return Cube(id_column, layer_ids, order, periods, y.to_numpy(dtype=float), b)


def _has(panel: pd.DataFrame, name: str) -> bool:
    return name in panel.columns or name in panel.index.names


def _window_weights(w_star: W, steps: int) -> W:
    """Binary weights of a window of ``steps + 1`` periods, stacked period by period.

    Bin ``k·n + i`` is district ``i`` (in ``w_star``'s order) in the k-th
    period of the window. The bins of the last period have as neighbours
    the bins of the district and of its spatial neighbours in every period
    of the window; earlier bins keep their spatial neighbours in their own
    period (only the last period's rows are read).
    """
    order = list(w_star.id_order)
    pos = {d: i for i, d in enumerate(order)}
    n = len(order)
    star = [[pos[j] for j in w_star.neighbors[d]] for d in order]
    last = steps * n
    neighbors: dict[int, list[int]] = {}
    for k in range(steps + 1):
        for i in range(n):
            if k == steps:
                neighbors[last + i] = [
                    s * n + j for s in range(steps + 1) for j in star[i]
                ]
            else:
                neighbors[k * n + i] = [k * n + j for j in star[i]]
    weights = {b: [1.0] * len(nb) for b, nb in neighbors.items()}
    return W(
        neighbors, weights, id_order=list(range((steps + 1) * n)), silence_warnings=True
    )


def _window_z(values: np.ndarray, w_star: W, time_step: int) -> np.ndarray:
    """Space–time Gi* z of every district in every period (district × period)."""
    nd, nt = values.shape
    z = np.zeros((nd, nt))
    cache: dict[int, W] = {}
    for t in range(nt):
        steps = min(time_step, t)
        if steps == 0:
            z[:, t] = gi_star_z(values[:, t], w_star)[0]
            continue
        if steps not in cache:
            cache[steps] = _window_weights(w_star, steps)
        stacked = values[:, t - steps : t + 1].T.ravel()
        z[:, t] = gi_star_z(stacked, cache[steps])[0][steps * nd :]
    return z


def analysed(cube: Cube, k: int) -> np.ndarray:
    """Mask of the districts analysed over the first ``k`` periods.

    With units, those whose units are above 0 in each of the periods.
    """
    if cube.b is None:
        return np.ones(len(cube.ids), dtype=bool)
    return np.all(cube.b[:, :k] > 0, axis=1)


def kept(cube: Cube, units: str | None, k: int, *, stacklevel: int = 4) -> np.ndarray:
    """Districts analysed over the first ``k`` periods: units above 0 in each.

    Warns about the districts left out (``stacklevel`` counted from here).
    """
    keep = analysed(cube, k)
    if cube.b is not None and not keep.all():
        dropped = [i for i, ok in zip(cube.ids, keep, strict=True) if not ok]
        msg = (
            f"{len(dropped)} district(s) with zero or missing {units!r} in some "
            f"period left out of the rate statistics: {few(dropped)}"
        )
        warn(
            msg,
            "stats.emerging_excluded",
            stacklevel=stacklevel,
            n=len(dropped),
            districts=dropped,
        )
        log.info("%s", msg)
    absent = sorted(set(cube.layer_ids) - set(cube.ids))
    if absent:
        log.info(
            "%d district(s) of the layer are not in the panel: %s",
            len(absent),
            few(absent),
        )
    return keep


def cube_gi(
    cube: Cube,
    keep: np.ndarray,
    k: int,
    *,
    districts: gpd.GeoDataFrame,
    weights: WeightsArg,
    weights_kwds: Mapping[str, Any] | None,
    smoothing: str | None,
    fdr: bool,
    alpha: float,
    time_step: int,
    stacklevel: int = 4,
) -> SpaceTime:
    """Space–time Gi* of the districts ``keep`` over the first ``k`` periods."""
    ids = [i for i, ok in zip(cube.ids, keep, strict=True) if ok]
    y = cube.y[keep][:, :k]
    if len(ids) < 3:
        raise ValidationError(
            f"panel has {len(ids)} usable district(s); at least 3 needed"
        )
    if len(ids) < MIN_FEATURES:
        warn(
            f"only {len(ids)} districts analysed: Gi* is unreliable with fewer than "
            f"{MIN_FEATURES} features (ArcGIS's minimum)",
            "stats.few_features",
            n=len(ids),
            minimum=MIN_FEATURES,
            stacklevel=stacklevel,
        )
    rows = pd.Index(cube.layer_ids).get_indexer(ids)
    metric = districts.iloc[rows].to_crs(config.metric_crs)
    w, report = build_weights(metric, ids, weights, kwds=weights_kwds)
    warn_islands(report, noun="district", stacklevel=stacklevel)
    w_star = star_weights(w)
    nd, nt = y.shape
    values = y.astype(float)
    if cube.b is not None:
        bk = cube.b[keep][:, :k]
        for t in range(nt):
            values[:, t] = (
                empirical_bayes(y[:, t], bk[:, t])
                if smoothing == "eb"
                else y[:, t] / bk[:, t]
            )
    z = _window_z(values, w_star, time_step)
    p = two_sided_p(z)
    q = np.empty_like(p)
    gbin = np.zeros((nd, nt), dtype=int)
    for t in range(nt):
        gbin[:, t], q[:, t] = confidence_bins(z[:, t], p[:, t], fdr=fdr, alpha=alpha)
    return SpaceTime(cube.id_column, rows, ids, cube.periods[:k], z, p, q, gbin, report)


def refuse_negative(cube: Cube, value: str, k: int) -> None:
    """Refuse negative counts in the first ``k`` periods of a panel with units."""
    if cube.b is not None and np.any(cube.y[:, :k] < 0):
        raise ValidationError(
            f"panel[{value!r}] must hold non-negative counts when units= is given"
        )


def space_time_gi(
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
    id_column: str | None,
    time_step: int,
) -> SpaceTime:
    """Space–time Gi* of every period of ``panel`` (see ``hotspots_by_period``)."""
    require_choice(smoothing, ("eb", None), "smoothing")
    cube = panel_cube(
        panel, value, districts, period=period, units=units, id_column=id_column
    )
    k = len(cube.periods)
    refuse_negative(cube, value, k)
    return cube_gi(
        cube,
        kept(cube, units, k),
        k,
        districts=districts,
        weights=weights,
        weights_kwds=weights_kwds,
        smoothing=smoothing,
        fdr=fdr,
        alpha=alpha,
        time_step=time_step,
    )
