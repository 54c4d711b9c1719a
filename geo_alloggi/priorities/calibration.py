"""Patrol weights from evidence: walk-forward calibration on earlier origins.

:func:`calibrate_patrol_weights` tries every weighting of a coarse grid on the
simplex (the four single-measure corners included) and keeps the one whose
top 10% of areas held, on average, the most of the next period's new
occupations per km² (PAI). At each origin it fits on earlier origins only and
scores the fitted weights on that origin, so the figures it reports are out of
sample. Weights fitted on SYNTHETIC records describe the generator, not Milan:
they never become the package's defaults.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from geo_alloggi import _schema as S
from geo_alloggi._errors import ValidationError
from geo_alloggi.priorities._evidence import (
    COMPONENTS,
    Evidence,
    is_synthetic,
    measures,
    prepare,
    top_areas,
    top_count,
    training_periods,
    weighted_score,
)
from geo_alloggi.priorities.patrol import PatrolWeights

__all__ = [
    "GRID_STEP",
    "CalibratedWeights",
    "calibrate_patrol_weights",
    "simplex_grid",
]

#: Step of the weight grid: 0.25 gives 35 weightings (corners included).
GRID_STEP = 0.25


@dataclass(frozen=True)
class CalibratedWeights:
    """Patrol weights fitted on the evidence, next to the defaults.

    Attributes
    ----------
    weights : PatrolWeights
        The weights it would use now: fitted on the latest origins.
    defaults : PatrolWeights
        The package's default weights.
    fitted_on : tuple
        The origins ``weights`` were fitted on.
    walk_forward : pandas.DataFrame
        One row per origin: ``origin``, ``scored_period``, ``training``
        (number of earlier origins fitted on; 0: defaults used), the fitted
        ``weight_<component>`` and the out-of-sample ``hit_rate`` and ``pai``
        of those weights on that origin.
    grid_step : float
        Step of the grid searched.
    synthetic : bool
        True when fitted on SYNTHETIC records: describe the generator only.
    """

    weights: PatrolWeights
    defaults: PatrolWeights
    fitted_on: tuple[Any, ...]
    walk_forward: pd.DataFrame
    grid_step: float = GRID_STEP
    synthetic: bool = False

    def to_frame(self) -> pd.DataFrame:
        """One row per component: ``component``, ``default``, ``calibrated``.

        Returns
        -------
        pandas.DataFrame
            One row per weight component.
        """
        return pd.DataFrame(
            {
                "component": list(COMPONENTS),
                "default": [self.defaults.as_dict()[c] for c in COMPONENTS],
                "calibrated": [self.weights.as_dict()[c] for c in COMPONENTS],
            }
        )


def simplex_grid(step: float = GRID_STEP) -> np.ndarray:
    """Every weighting of the four components in multiples of ``step``, summing to 1.

    Rows in lexicographic order of (occupied, new_occupations, trend,
    evictions); the single-measure corners are among them.

    Parameters
    ----------
    step : float, default 0.25
        Grid step; ``1/step`` must be a whole number.

    Returns
    -------
    numpy.ndarray
        One weighting per row, four columns summing to 1.

    Examples
    --------
    >>> simplex_grid(0.5).tolist()[:3]
    [[0.0, 0.0, 0.0, 1.0], [0.0, 0.0, 0.5, 0.5], [0.0, 0.0, 1.0, 0.0]]
    """
    k = round(1 / step) if step > 0 else 0
    if k < 1 or abs(k * step - 1) > 1e-9:
        raise ValidationError(f"grid_step={step!r} must divide 1 (0.5, 0.25, 0.1, ...)")
    rows = [
        (a, b, c, k - a - b - c)
        for a in range(k + 1)
        for b in range(k + 1 - a)
        for c in range(k + 1 - a - b)
    ]
    return np.array(rows, dtype=float) / k


def grid_scores(
    evidence: Sequence[Evidence], grid: np.ndarray, top_share: float
) -> tuple[np.ndarray, np.ndarray]:
    """PAI and hit rate of every grid weighting at every origin (origins × grid)."""
    pai = np.full((len(evidence), len(grid)), np.nan)
    hit = np.full_like(pai, np.nan)
    for i, ev in enumerate(evidence):
        n = top_count(len(ev.ids), top_share)
        for g, w in enumerate(grid):
            m = measures(ev, top_areas(weighted_score(ev.components, w), ev.ids, n))
            pai[i, g], hit[i, g] = m[S.PAI], m[S.HIT_RATE]
    return pai, hit


def _best(pai: np.ndarray, hit: np.ndarray, grid: np.ndarray) -> int:
    """Row of the grid with the highest mean PAI over the origins given.

    Ties: higher mean hit rate, then nearer the default weights, then grid order.
    """
    with warnings.catch_warnings():  # "mean of empty slice": all NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        mean_pai = np.nanmean(pai, axis=0)
        mean_hit = np.nanmean(hit, axis=0)
    mean_pai = np.where(np.isfinite(mean_pai), mean_pai, -np.inf)
    mean_hit = np.where(np.isfinite(mean_hit), mean_hit, -np.inf)
    d = np.array([PatrolWeights().as_dict()[c] for c in COMPONENTS])
    dist = np.abs(grid - d / d.sum()).sum(axis=1).round(12)
    return int(np.lexsort((np.arange(len(grid)), dist, -mean_hit, -mean_pai))[0])


def _as_weights(row: np.ndarray) -> PatrolWeights:
    return PatrolWeights(**{c: float(v) for c, v in zip(COMPONENTS, row, strict=True)})


def walk_forward(
    evidence: dict[Any, Evidence],
    origins: Sequence[Any],
    *,
    top_share: float,
    grid_step: float = GRID_STEP,
) -> tuple[dict[Any, PatrolWeights], pd.DataFrame, PatrolWeights, tuple[Any, ...]]:
    """Fit the weights at each origin on earlier origins; fit the weights for now.

    Returns the weights fitted for each origin, the walk-forward table of
    :class:`CalibratedWeights`, the weights fitted on the latest origins and
    those origins. With no earlier origin the defaults are used (``training``
    is 0).
    """
    grid = simplex_grid(grid_step)
    keys = sorted(evidence)
    pai, hit = grid_scores([evidence[k] for k in keys], grid, top_share)
    row_of = {k: i for i, k in enumerate(keys)}

    def fit(before: list[Any]) -> PatrolWeights:
        if not before:
            return PatrolWeights()
        rows = [row_of[p] for p in before]
        return _as_weights(grid[_best(pai[rows], hit[rows], grid)])

    fitted: dict[Any, PatrolWeights] = {}
    table = []
    for origin in origins:
        before = [p for p in training_periods(keys, origin) if p in row_of]
        w = fit(before)
        fitted[origin] = w
        ev = evidence[origin]
        wd = w.as_dict()
        n = top_count(len(ev.ids), top_share)
        score = weighted_score(ev.components, [wd[c] for c in COMPONENTS])
        m = measures(ev, top_areas(score, ev.ids, n))
        table.append(
            {
                S.ORIGIN: origin,
                S.SCORED_PERIOD: ev.scored,
                "training": len(before),
                **{f"weight_{c}": wd[c] for c in COMPONENTS},
                S.HIT_RATE: m[S.HIT_RATE],
                S.PAI: m[S.PAI],
            }
        )
    last = max(ev.scored for ev in evidence.values()) if evidence else None
    now = [p for p in training_periods(keys, last) if p in row_of] if last else []
    return fitted, pd.DataFrame(table), fit(now), tuple(now)


def calibrate_patrol_weights(
    panel: pd.DataFrame,
    *,
    area_km2: pd.Series | pd.DataFrame,
    emerging: pd.DataFrame | None = None,
    evictions: pd.DataFrame | None = None,
    estate_district: pd.Series | None = None,
    origins: Sequence[Any] | None = None,
    top_share: float = 0.10,
    grid_step: float = GRID_STEP,
    id_column: str | None = None,
) -> CalibratedWeights:
    """Fit the patrol weights on the evidence, walking forward through the origins.

    Parameters
    ----------
    panel : pd.DataFrame
        One row per area × period with ``occupied`` and ``new_occupations``
        (as for :func:`~geo_alloggi.priorities.patrol_priority`), complete and
        not suppressed.
    area_km2 : pandas.Series or pandas.DataFrame
        km² of each area: a Series by id, or a frame with the id (a column,
        else its index) and ``area_km2`` (a district layer).
    emerging : pandas.DataFrame or None, optional
        Emerging-hotspot categories as computed at each origin: rows with the
        area id, ``period`` (the origin, the last period the computation saw)
        and ``emerging_category``. An origin without rows ranks without the
        trend. None: the trend is never used.
    evictions : pandas.DataFrame or None, optional
        Eviction records; at each origin only those dated before the next
        period begins are seen.
    estate_district : pandas.Series or None, optional
        ``estate_id`` → ``district_id``, to place evictions in districts.
    origins : sequence of object or None, optional
        Origins to score out of sample; default :func:`rolling_origins` of the
        panel's periods.
    top_share : float, optional
        Share of areas flagged, default 10%.
    grid_step : float, optional
        Step of the weight grid on the simplex (default 0.25: 35 weightings,
        the single-measure corners included).
    id_column : str or None, optional
        Area id column; default ``district_id``, else ``estate_id``.

    Returns
    -------
    CalibratedWeights
        The weights it would use now (fitted on the latest
        ``TRAINING_WINDOW`` origins) next to the defaults, and the walk-forward
        table: at each origin the weights fitted on earlier origins only and
        how they did on that origin.

    Raises
    ------
    ValidationError
        On a missing column, an unknown origin, a bad ``top_share`` or
        ``grid_step``.

    Notes
    -----
    The fit maximises the mean PAI of the top ``top_share`` areas over the
    training origins; ties go to the higher mean hit rate, then to the
    weighting nearest the defaults. Weights fitted on SYNTHETIC records
    describe the generator: never adopt them as defaults.
    """
    _idc, origins_, evidence = prepare(
        panel,
        area_km2=area_km2,
        emerging=emerging,
        hotspots=None,
        evictions=evictions,
        estate_district=estate_district,
        origins=origins,
        top_share=top_share,
        id_column=id_column,
        calibrate=True,
    )
    _fitted, table, now, fitted_on = walk_forward(
        evidence, origins_, top_share=top_share, grid_step=grid_step
    )
    return CalibratedWeights(
        weights=now,
        defaults=PatrolWeights(),
        fitted_on=fitted_on,
        walk_forward=table,
        grid_step=grid_step,
        synthetic=is_synthetic(panel),
    )
