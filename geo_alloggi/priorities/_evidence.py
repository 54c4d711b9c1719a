"""What a patrol ranking could have known at each origin, and how it fared next.

Private to :mod:`geo_alloggi.priorities`: the back-test and the weight
calibration share it. For each origin (a period) an :class:`Evidence` holds the
four score components of :func:`~geo_alloggi.priorities.patrol_priority` as
they stood then, the naive signals (new occupations, occupied stock, Gi* z),
the new occupations of the next period and the area of every area ranked.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from geo_alloggi import _schema as S
from geo_alloggi import config
from geo_alloggi._errors import ValidationError
from geo_alloggi._periods import period_kind, period_start
from geo_alloggi._validate import require_columns
from geo_alloggi.priorities._common import area_id_column, to_dates
from geo_alloggi.priorities.patrol import (
    PatrolWeights,
    patrol_priority,
    pending_evictions,
)

__all__ = [
    "COMPONENTS",
    "MAX_ORIGINS",
    "TRAINING_WINDOW",
    "Evidence",
    "area_series",
    "evidence_periods",
    "gather_evidence",
    "is_synthetic",
    "measures",
    "next_period",
    "prepare",
    "rolling_origins",
    "top_areas",
    "top_count",
    "training_periods",
    "weighted_score",
]

#: The patrol score's components, in the order of :class:`PatrolWeights`.
COMPONENTS: tuple[str, ...] = ("occupied", "new_occupations", "trend", "evictions")

#: Monthly and quarterly back-tests use the last this-many origins.
MAX_ORIGINS = 12

#: Walk-forward calibration fits on at most this many earlier origins.
TRAINING_WINDOW = 12

_UNIT = PatrolWeights(occupied=1.0, new_occupations=1.0, trend=1.0, evictions=1.0)


@dataclass(frozen=True)
class Evidence:
    """One origin: what the ranking saw then and what happened next.

    Attributes
    ----------
    origin, scored : object
        The last period the ranking saw and the period it predicts.
    ids : numpy.ndarray
        Area ids (str), sorted.
    components : numpy.ndarray
        Areas × :data:`COMPONENTS`, each scaled to [0, 1] as the patrol score
        scales it.
    active : tuple of str
        Components that had an input at the origin (``trend`` needs emerging
        categories computed then, ``evictions`` the eviction records).
    occupied, new, outcome, area, gi_z : numpy.ndarray
        Occupied stock and new occupations of the origin, new occupations of
        the scored period, km² of each area, Gi* z of the origin (NaN where
        not given).
    periods_seen : int
        Periods of the panel up to the origin.
    """

    origin: Any
    scored: Any
    ids: np.ndarray
    components: np.ndarray
    active: tuple[str, ...]
    occupied: np.ndarray
    new: np.ndarray
    outcome: np.ndarray
    area: np.ndarray
    gi_z: np.ndarray | None
    periods_seen: int = 0


def rolling_origins(periods: Sequence[Any]) -> list[Any]:
    """Return the origins of a rolling back-test over ``periods``.

    Every period from the third on that has a next period to predict; for
    monthly and quarterly periods only the last :data:`MAX_ORIGINS` of them
    (one period apart). The first two periods are history only: the ranking's
    change and trend need earlier periods of their own.

    Parameters
    ----------
    periods : sequence of object
        The periods of the panel (labels that sort in time order; repeats ignored).

    Returns
    -------
    list of object
        The origins, in time order.

    Examples
    --------
    >>> rolling_origins(["2014", "2015", "2016", "2017", "2018"])
    ['2016', '2017']
    """
    ps = sorted(set(periods))
    origins = ps[2:-1]
    if period_kind(pd.Series(ps, dtype=object)) in ("quarter", "month"):
        origins = origins[-MAX_ORIGINS:]
    return origins


def training_periods(periods: Sequence[Any], origin: Any) -> list[Any]:
    """Earlier origins a walk-forward fit may use at ``origin``.

    The last :data:`TRAINING_WINDOW` periods before ``origin``: each is scored
    on the period after it, at the latest ``origin`` itself, so nothing after
    the origin is seen.
    """
    return [p for p in sorted(set(periods)) if p < origin][-TRAINING_WINDOW:]


def evidence_periods(periods: Sequence[Any], origins: Sequence[Any]) -> list[Any]:
    """Every period the back-test ranks at: its origins and their training origins.

    The calibration of the weights to use now fits on the training origins
    of the last period, so those are included too.

    Parameters
    ----------
    periods : sequence of object
        The periods of the panel (repeats ignored).
    origins : sequence of object
        The back-test's origins (:func:`rolling_origins`).

    Returns
    -------
    list of object
        The periods needed, in time order.
    """
    ps = sorted(set(periods))
    need = set(origins) | set(training_periods(ps, ps[-1]))
    for origin in origins:
        need |= set(training_periods(ps, origin))
    return sorted(need)


def next_period(periods: Sequence[Any], origin: Any) -> Any:
    """Return the period after ``origin`` in the sorted ``periods``."""
    later = [p for p in periods if p > origin]
    if not later:
        raise ValidationError(
            f"origin {origin!r} is the last period: there is nothing to predict"
        )
    return later[0]


def area_series(area_km2: pd.Series | pd.DataFrame, id_column: str) -> pd.Series:
    """Return the km² of each area as a Series indexed by id (str).

    A frame gives the ids by its ``id_column``, else by its index (a layer
    indexed by district id).
    """
    if isinstance(area_km2, pd.DataFrame):
        require_columns(area_km2, [S.AREA_KM2], "area_km2")
        ids = (
            area_km2[id_column]
            if id_column in area_km2.columns
            else area_km2.index.to_series()
        )
        return pd.Series(
            pd.to_numeric(area_km2[S.AREA_KM2], errors="coerce").to_numpy(float),
            index=ids.astype(str).to_numpy(),
        )
    if isinstance(area_km2, pd.Series):
        out = pd.to_numeric(area_km2, errors="coerce").astype(float)
        out.index = out.index.astype(str)
        return out
    raise ValidationError(
        "area_km2 must be a Series of km² by area id or a frame with the id and "
        f"'area_km2' (such as a district layer), got {type(area_km2).__name__!r}"
    )


def _rows_by_origin(table: pd.DataFrame | None, what: str) -> dict[str, pd.DataFrame]:
    """Rows of a per-origin table by the origin they were computed at (as text)."""
    if table is None:
        return {}
    if S.PERIOD not in table.columns:
        raise ValidationError(
            f"{what} needs a 'period' column naming the origin each row was computed "
            "at: values computed with later periods would let the back-test see "
            "the future"
        )
    rows = pd.DataFrame(table.drop(columns="geometry", errors="ignore"))
    return {
        str(origin): group
        for origin, group in rows.groupby(rows[S.PERIOD].astype(str), sort=False)
    }


def _known_evictions(evictions: pd.DataFrame, until: Any) -> pd.DataFrame:
    """Eviction records dated before ``until`` begins: what was known at the origin."""
    require_columns(evictions, [S.EVICTION_DATE], "evictions")
    start = period_start(until)
    if start is None:
        raise ValidationError(f"cannot tell when period {until!r} begins")
    return evictions[(to_dates(evictions[S.EVICTION_DATE]) < start).to_numpy()]


def gather_evidence(
    panel: pd.DataFrame,
    at: Sequence[Any],
    *,
    id_column: str,
    area: pd.Series,
    emerging: pd.DataFrame | None,
    hotspots: pd.DataFrame | None,
    evictions: pd.DataFrame | None,
    estate_district: pd.Series | None,
) -> dict[Any, Evidence]:
    """Return the :class:`Evidence` of every origin in ``at``.

    The ranking at an origin sees the panel up to it, the emerging categories
    and Gi* z computed at it (rows of ``emerging``/``hotspots`` whose
    ``period`` is the origin) and the evictions dated before the next period
    begins; it is scored on the next period's new occupations.
    """
    periods = sorted(panel[S.PERIOD].dropna().unique())
    # every origin filters the panel and the evictions: without the districts'
    # shapes, and with only the evictions that could count as pending
    panel = pd.DataFrame(panel.drop(columns="geometry", errors="ignore"))
    cats_at = _rows_by_origin(emerging, "emerging")
    if evictions is not None:
        require_columns(evictions, [S.EVICTION_DATE], "evictions")
        evictions = pending_evictions(
            evictions, id_column=id_column, estate_district=estate_district
        )
    gi_at = _rows_by_origin(hotspots, "hotspots")
    out: dict[Any, Evidence] = {}
    for origin in at:
        scored = next_period(periods, origin)
        cats = cats_at.get(str(origin))
        known = _known_evictions(evictions, scored) if evictions is not None else None
        ranked = patrol_priority(
            panel[panel[S.PERIOD] <= origin],
            period=origin,
            weights=_UNIT,
            emerging=cats,
            evictions=known,
            estate_district=estate_district,
            id_column=id_column,
            reasons=False,  # never shown: only the score components are read
        ).sort_values(id_column, ignore_index=True)
        ids = ranked[id_column].astype(str).to_numpy()
        future = panel[panel[S.PERIOD] == scored]
        outcome = (
            pd.to_numeric(future[S.NEW_OCCUPATIONS], errors="coerce")
            .groupby(future[id_column].astype(str).to_numpy())
            .sum()
        )
        km2 = area.reindex(ids)
        if km2.isna().any():
            lacking = ids[km2.isna().to_numpy()][:5].tolist()
            raise ValidationError(f"area_km2 lacks the area of {lacking!r}")
        gi = gi_at.get(str(origin))
        if gi is not None:
            require_columns(gi, [id_column, S.GI_Z], "hotspots")
            z = pd.Series(
                pd.to_numeric(gi[S.GI_Z], errors="coerce").to_numpy(float),
                index=gi[id_column].astype(str).to_numpy(),
            )
        active = ["occupied", "new_occupations"]
        active += ["trend"] if cats is not None else []
        active += ["evictions"] if evictions is not None else []
        out[origin] = Evidence(
            origin=origin,
            scored=scored,
            ids=ids,
            components=ranked[[f"score_{c}" for c in COMPONENTS]].to_numpy(float),
            active=tuple(active),
            occupied=ranked[S.OCCUPIED].to_numpy(float),
            new=ranked[S.NEW_OCCUPATIONS].to_numpy(float),
            outcome=outcome.reindex(ids).fillna(0).to_numpy(float),
            area=km2.to_numpy(float),
            gi_z=z.reindex(ids).to_numpy(float) if gi is not None else None,
            periods_seen=sum(1 for p in periods if p <= origin),
        )
    return out


def weighted_score(components: np.ndarray, weights: Sequence[float]) -> np.ndarray:
    """Score of each area: Σ weight × component, summed as the patrol score sums it.

    ``components`` is areas × :data:`COMPONENTS`; the sum runs component by
    component from 0, the order of :func:`~geo_alloggi.priorities.patrol_priority`,
    so equal inputs give equal floats and the same ties.
    """
    score = np.zeros(components.shape[0])
    for k, w in enumerate(weights):
        score = score + float(w) * components[:, k]
    return score


def top_areas(score: np.ndarray, ids: np.ndarray, n: int) -> np.ndarray:
    """Return the indices of the ``n`` best areas: highest score first, ties by id."""
    s = np.where(np.isfinite(score), score, -np.inf)
    return np.lexsort((ids, -s))[:n]


def top_count(n_areas: int, top_share: float) -> int:
    """Return the number of areas flagged: ⌈top_share × areas⌉, at least one."""
    return max(1, math.ceil(top_share * n_areas - 1e-9))


def measures(
    ev: Evidence, top: np.ndarray, round_hits_to: int | None = None
) -> dict[str, float]:
    """Hit rate, area share and PAI of the areas ``top`` on the scored period.

    With ``round_hits_to`` the hits are rounded to the nearest multiple of it
    (halves up) before the rates are computed.
    """
    total = float(ev.outcome.sum())
    hits = float(ev.outcome[top].sum())
    if round_hits_to is not None:
        hits = float(math.floor(hits / round_hits_to + 0.5) * round_hits_to)
    hit_rate = hits / total if total > 0 else float("nan")
    all_km2 = float(ev.area.sum())
    share = float(ev.area[top].sum()) / all_km2 if all_km2 > 0 else float("nan")
    pai = hit_rate / share if share > 0 else float("nan")
    return {
        S.TOP_N: len(top),
        S.HITS: hits,
        S.TOTAL: total,
        S.HIT_RATE: hit_rate,
        S.AREA_SHARE: share,
        S.PAI: pai,
    }


def is_synthetic(panel: pd.DataFrame) -> bool:
    """Tell whether the panel's ``source`` says SYNTHETIC."""
    return bool(
        S.SOURCE in panel.columns
        and (panel[S.SOURCE].astype(str) == config.synthetic_label).any()
    )


def prepare(
    panel: pd.DataFrame,
    *,
    area_km2: pd.Series | pd.DataFrame,
    emerging: pd.DataFrame | None,
    hotspots: pd.DataFrame | None,
    evictions: pd.DataFrame | None,
    estate_district: pd.Series | None,
    origins: Sequence[Any] | None,
    top_share: float,
    id_column: str | None,
    calibrate: bool,
) -> tuple[str, list[Any], dict[Any, Evidence]]:
    """Check the inputs, choose the origins and gather their evidence."""
    if not isinstance(top_share, int | float) or not 0 < top_share <= 1:
        raise ValidationError(f"top_share={top_share!r} must be in (0, 1]")
    idc = area_id_column(panel, id_column)
    require_columns(panel, [S.PERIOD, S.OCCUPIED, S.NEW_OCCUPATIONS], "panel")
    periods = sorted(panel[S.PERIOD].dropna().unique())
    if origins is None:
        chosen = rolling_origins(periods)
    else:
        chosen = sorted(set(origins))
        bad = [o for o in chosen if o not in set(periods[:-1])]
        if bad:
            raise ValidationError(
                f"origins {bad!r} are not periods of the panel followed by another "
                f"one; periods: {periods[-5:]!r}"
            )
    if not chosen:
        raise ValidationError(
            f"the panel has {len(periods)} period(s): a back-test needs at least 4 "
            "(two of history, an origin and the period it predicts)"
        )
    at = evidence_periods(periods, chosen) if calibrate else chosen
    evidence = gather_evidence(
        panel,
        at,
        id_column=idc,
        area=area_series(area_km2, idc),
        emerging=emerging,
        hotspots=hotspots,
        evictions=evictions,
        estate_district=estate_district,
    )
    return idc, chosen, evidence
