"""Priorities of a run: patrol ranking, social services, renovation plan, back-test."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from geo_alloggi import _schema as S
from geo_alloggi._errors import ValidationError
from geo_alloggi._periods import period_start
from geo_alloggi._records import Records
from geo_alloggi.pipeline._disclose import withheld_counts
from geo_alloggi.pipeline._settings import DEFAULT_BUDGET_EUR

__all__ = ["PriorityTables", "prioritise", "trend"]


def trend(panel: pd.DataFrame, districts: gpd.GeoDataFrame) -> gpd.GeoDataFrame | None:
    """Emerging hot spots of the occupied-stock rate, or None if they cannot be had.

    Used by the patrol ranking as its trend component; without enough periods
    (or with a panel the statistics refuse) the trend scores 0 and a warning
    says why.
    """
    from geo_alloggi.stats import emerging_hotspots

    try:
        with warnings.catch_warnings():
            # weights and excluded districts are reported by the hot-spot step
            warnings.simplefilter("ignore", UserWarning)
            return emerging_hotspots(
                panel, S.OCCUPIED, districts=districts, units=S.UNITS
            )
    except ValidationError as exc:
        warnings.warn(
            f"emerging hot spots not computed ({exc}); the trend scores 0",
            UserWarning,
            stacklevel=2,
        )
        return None


@dataclass
class PriorityTables:
    """The patrol ranking, social-services table, renovation plan and back-test."""

    patrol_districts: pd.DataFrame
    patrol_estates: pd.DataFrame
    social: pd.DataFrame
    candidates: pd.DataFrame
    plan: Any
    backtest: dict[str, Any] | None
    estate_district: pd.Series
    weights: Any
    cost_model: Any
    withheld_districts: pd.DataFrame | None = None
    withheld_estates: pd.DataFrame | None = None


def prioritise(
    records: Records,
    districts: gpd.GeoDataFrame,
    panel: pd.DataFrame,
    *,
    emerging: gpd.GeoDataFrame | None,
    budget_eur: float = DEFAULT_BUDGET_EUR,
    config_file: Path | None = None,
    lang: str = "it",
    threshold: int | None = None,
    on_step: Callable[[str], None] | None = None,
) -> PriorityTables:
    """Rank districts and estates for patrols, plan renovations, back-test the ranking.

    Parameters
    ----------
    records, districts
        As for :func:`geo_alloggi.pipeline.analyse`.
    panel
        The raw district × period table of :func:`geo_alloggi.overlay.aggregate`.
    emerging
        :func:`trend` of the panel (None: the trend scores 0).
    budget_eur
        Renovation budget.
    config_file
        TOML with ``[priorities.patrol]`` weights and ``[priorities.renovation]``
        costs (defaults otherwise).
    lang, threshold
        Language of the reasons; counts below ``threshold`` are said as
        "fewer than" in them (None: shown).
    on_step
        Called with ``"renovation plan"`` and ``"back-test"`` as they start.
    """
    from geo_alloggi import priorities

    step = on_step or (lambda name: None)
    weights = (
        priorities.PatrolWeights.from_toml(config_file)
        if config_file is not None
        else priorities.PatrolWeights()
    )
    cost_model = (
        priorities.CostModel.from_toml(config_file)
        if config_file is not None
        else priorities.CostModel()
    )
    periods = sorted(panel[S.PERIOD].dropna().unique())
    last = str(periods[-1])
    estate_district = priorities.estate_districts(records.estates, districts)
    epanel = priorities.estate_panel(
        records, period=str(panel.attrs.get("period", "year"))
    )
    withheld_d = withheld_e = None
    if threshold is not None:
        withheld_d, withheld_e = withheld_counts(
            panel, epanel, estate_district, periods, threshold
        )
    kw: dict[str, Any] = {
        "weights": weights,
        "lang": lang,
        "suppress_below": threshold,
        "emerging": emerging,
        "evictions": records.evictions,
        "estate_district": estate_district,
    }
    patrol_d = priorities.patrol_priority(panel, withheld=withheld_d, **kw)
    patrol_e = priorities.patrol_priority(
        epanel,
        period=last if last in set(epanel[S.PERIOD]) else None,
        withheld=withheld_e,
        **kw,
    )
    social = _social_services(records, districts, estate_district, last)

    step("renovation plan")
    hot = (
        priorities.near_hot_spots(
            records.estates, districts, priorities.hot_districts(emerging)
        )
        if emerging is not None
        else None
    )
    cand = priorities.renovation_candidates(records, cost_model=cost_model, hot=hot)
    plan = priorities.renovation_plan(cand, budget_eur)

    step("back-test")
    bt = _backtest(panel, districts, periods, weights)
    return PriorityTables(
        patrol_districts=patrol_d,
        patrol_estates=patrol_e,
        social=social,
        candidates=cand,
        plan=plan,
        backtest=bt,
        estate_district=estate_district,
        weights=weights,
        cost_model=cost_model,
        withheld_districts=withheld_d,
        withheld_estates=withheld_e,
    )


def _social_services(
    records: Records,
    districts: gpd.GeoDataFrame,
    estate_district: pd.Series,
    last: str,
) -> pd.DataFrame:
    """Evictions of vulnerable households per district since the last period began."""
    from geo_alloggi import priorities

    social = priorities.social_services(
        records.evictions,
        by=S.DISTRICT_ID,
        estate_district=estate_district,
        since=period_start(last),
    )
    names = districts.set_index(S.DISTRICT_ID)[S.NAME]
    social.insert(1, S.NAME, social[S.DISTRICT_ID].map(names))
    return social


def _backtest(
    panel: pd.DataFrame,
    districts: gpd.GeoDataFrame,
    periods: list[Any],
    weights: Any,
) -> dict[str, Any] | None:
    """Rank with the periods up to the second-last, score against the last.

    None with fewer than three periods (the trend needs two of its own).
    """
    from geo_alloggi import priorities

    if len(periods) < 3:
        return None
    until = periods[-2]
    past = panel[panel[S.PERIOD] <= until]
    return priorities.backtest(
        panel,
        until=until,
        area_km2=districts,
        emerging=trend(past, districts),
        weights=weights,
    )
