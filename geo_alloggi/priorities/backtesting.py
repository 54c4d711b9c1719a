"""Test a patrol ranking against what came next, and compare weightings.

:func:`backtest` measures how well a ranking built with the records up to one
period predicts the new occupations of the next one (hit rate of the top 10%
of areas and predictive accuracy index, PAI); :func:`compare_rankings` ranks
the same areas under several weightings, side by side.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from geo_alloggi import _schema as S
from geo_alloggi import config
from geo_alloggi._errors import ValidationError
from geo_alloggi._validate import require_columns
from geo_alloggi.priorities._common import area_id_column
from geo_alloggi.priorities.patrol import PatrolWeights, patrol_priority

__all__ = ["backtest", "compare_rankings"]


def compare_rankings(
    panel: pd.DataFrame,
    weightings: Mapping[str, PatrolWeights | Mapping[str, Any]],
    **kwargs: Any,
) -> pd.DataFrame:
    """Rank the same areas under several weightings, side by side.

    Parameters
    ----------
    panel
        As for :func:`patrol_priority`.
    weightings
        Scenario name → weights (at least one).
    **kwargs
        Passed to :func:`patrol_priority` (``emerging``, ``evictions``, ...).

    Returns
    -------
    pandas.DataFrame
        One row per area: the id, ``rank_<scenario>`` and
        ``priority_score_<scenario>`` for each scenario, and with two or more
        scenarios ``rank_change`` (rank in the first minus rank in the last),
        sorted by the first scenario's rank.
    """
    if not weightings:
        raise ValidationError("weightings must name at least one scenario")
    idc = area_id_column(panel, kwargs.get("id_column"))
    merged: pd.DataFrame | None = None
    names = list(weightings)
    for name in names:
        ranked = patrol_priority(panel, weights=weightings[name], **kwargs)
        part = ranked[[idc, S.PRIORITY_RANK, S.PRIORITY_SCORE]].rename(
            columns={
                S.PRIORITY_RANK: f"rank_{name}",
                S.PRIORITY_SCORE: f"priority_score_{name}",
            }
        )
        merged = part if merged is None else merged.merge(part, on=idc, how="outer")
    assert merged is not None
    if len(names) > 1:
        merged["rank_change"] = merged[f"rank_{names[0]}"] - merged[f"rank_{names[-1]}"]
    return merged.sort_values([f"rank_{names[0]}", idc], ignore_index=True)


def backtest(
    panel: pd.DataFrame,
    *,
    until: Any,
    area_km2: pd.Series | pd.DataFrame | None = None,
    top_share: float = 0.10,
    **kwargs: Any,
) -> dict[str, Any]:
    """Measure how well a ranking predicts the next period's new occupations.

    Parameters
    ----------
    panel
        As for :func:`patrol_priority`, covering at least ``until`` and the
        period after it.
    until
        The last period (a value of ``panel["period"]``) the ranking may see.
        Rows after it are used only as the outcome.
    area_km2
        Area of each area in km² (Series by id, or a frame with the id and
        ``area_km2`` such as a district layer); None: PAI is not computed.
    top_share
        Share of areas flagged (top of the ranking), default 10%; at least one.
    **kwargs
        Passed to :func:`patrol_priority`. ``emerging`` must itself be computed
        from periods up to ``until`` only, and ``evictions`` should hold only
        what was known then, or the back-test peeks at the future.

    Returns
    -------
    dict
        ``until``, ``next_period``, ``areas``, ``top_n``, ``hits`` (new
        occupations of the next period in the flagged areas), ``total``,
        ``hit_rate`` (hits / total), ``area_share`` (flagged km² / all km²),
        ``pai`` (hit_rate / area_share), ``top_ids`` and ``synthetic``
        (the panel's ``source`` says SYNTHETIC).

    Notes
    -----
    PAI (predictive accuracy index, Chainey et al. 2008) above 1 means the
    flagged areas hold more of the next period's occupations than their share
    of the territory; the hit rate alone rewards flagging big areas.
    """
    if not 0 < top_share <= 1:
        raise ValidationError(f"top_share={top_share!r} must be in (0, 1]")
    idc = area_id_column(panel, kwargs.get("id_column"))
    require_columns(panel, [S.PERIOD, S.NEW_OCCUPATIONS], "panel")
    periods = sorted(panel[S.PERIOD].dropna().unique())
    if until not in set(periods):
        raise ValidationError(f"until={until!r} is not in panel['period']")
    after = [p for p in periods if p > until]
    if not after:
        raise ValidationError(f"until={until!r} is the last period: nothing to predict")
    nxt = after[0]
    past = panel[panel[S.PERIOD] <= until]
    ranked = patrol_priority(past, period=until, **kwargs)
    n_top = max(1, math.ceil(top_share * len(ranked)))
    top = ranked[idc].head(n_top).tolist()
    future = panel[panel[S.PERIOD] == nxt]
    outcome = future.groupby(future[idc].astype(str))[S.NEW_OCCUPATIONS].sum()
    total = float(outcome.sum())
    hits = float(outcome.reindex(top).fillna(0).sum())
    hit_rate = hits / total if total > 0 else float("nan")
    area_share = (
        _flagged_area_share(area_km2, ranked[idc], top, idc)
        if area_km2 is not None
        else float("nan")
    )
    pai = hit_rate / area_share if area_share and area_share > 0 else float("nan")
    return {
        "until": until,
        "next_period": nxt,
        "areas": len(ranked),
        "top_n": n_top,
        "hits": hits,
        "total": total,
        "hit_rate": hit_rate,
        "area_share": area_share,
        "pai": pai,
        "top_ids": top,
        "synthetic": bool(
            S.SOURCE in panel.columns
            and (panel[S.SOURCE].astype(str) == config.synthetic_label).any()
        ),
    }


def _flagged_area_share(
    area_km2: pd.Series | pd.DataFrame, ranked: pd.Series, top: list[str], idc: str
) -> float:
    """Share of the ranked areas' km² that the flagged (``top``) areas cover."""
    if isinstance(area_km2, pd.DataFrame):
        require_columns(area_km2, [idc, S.AREA_KM2], "area_km2")
        areas = pd.Series(
            area_km2[S.AREA_KM2].to_numpy(),
            index=area_km2[idc].astype(str).to_numpy(),
        )
    else:
        areas = pd.Series(area_km2).copy()
        areas.index = areas.index.astype(str)
    ranked_areas = areas.reindex(ranked)
    if ranked_areas.isna().any():
        miss = ranked[ranked_areas.isna().to_numpy()].tolist()[:5]
        raise ValidationError(f"area_km2 lacks the area of {miss!r}")
    return float(ranked_areas.loc[top].sum() / ranked_areas.sum())
