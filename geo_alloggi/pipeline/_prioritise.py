"""Priorities of a run: back-test, patrol ranking, social services, renovation plan."""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import geopandas as gpd
import pandas as pd

from geo_alloggi import _schema as S
from geo_alloggi._errors import warn
from geo_alloggi._forked import Forked, Said, can_fork, say_again, warnings_of
from geo_alloggi._periods import period_start
from geo_alloggi._records import Records
from geo_alloggi.pipeline._disclose import (
    district_rows,
    published_districts,
    withheld_counts,
)
from geo_alloggi.pipeline._settings import (
    DEFAULT_BUDGET_EUR,
    DEFAULT_OBJECTIVE,
    patrol_weights,
)
from geo_alloggi.pipeline._signals import backtest_signals, trend

if TYPE_CHECKING:  # pragma: no cover
    from geo_alloggi.priorities import Backtest, PatrolWeights, RenovationPlan

__all__ = [
    "BacktestSaid",
    "PriorityTables",
    "RenovationSaid",
    "backtest_ahead",
    "prioritise",
    "published_backtest",
    "renovation_ahead",
    "trend",
]

T = TypeVar("T")

#: The published back-test of a run (None with too few periods) and the
#: warnings it raised, in order: what the child of :func:`backtest_ahead` gives.
BacktestSaid = tuple["Backtest | None", list[Said]]

#: The renovation candidates, plan and trade-off of a run, and the warnings
#: they raised, in order: what the child of :func:`renovation_ahead` gives.
RenovationSaid = tuple[tuple[pd.DataFrame, "RenovationPlan", pd.DataFrame], list[Said]]


@dataclass(frozen=True)
class PriorityTables:
    """The patrol ranking, social-services table, renovation plan and back-test.

    ``weights`` are the weights the ranking used (the calibrated ones when the
    configuration says ``weights = "calibrated"``); ``backtest`` is None with
    fewer than four periods. ``plan`` is the renovation plan for the run's
    objective and ``frontier`` the trade-off between the two objectives
    (:func:`geo_alloggi.priorities.renovation_frontier`), its plan marked.

    Attributes
    ----------
    patrol_districts : pandas.DataFrame
        Patrol ranking of the districts.
    patrol_estates : pandas.DataFrame
        Patrol ranking of the estates in the last period.
    social : pandas.DataFrame
        The social-services table.
    candidates : pandas.DataFrame
        The renovation candidates (costs and risks).
    plan : RenovationPlan
        The renovation plan for the run's objective.
    frontier : pandas.DataFrame
        The trade-off between the two objectives, its plan marked.
    backtest : Backtest or None
        The back-test, None with fewer than four periods.
    estate_district : pandas.Series
        District of each estate, indexed by estate id.
    weights : PatrolWeights
        The weights the ranking used.
    cost_model : CostModel
        The renovation cost model used.
    withheld_districts : pandas.DataFrame or None
        District cells withheld from the patrol table, None without a threshold.
    withheld_estates : pandas.DataFrame or None
        Estate cells withheld from the patrol table, None without a threshold.
    """

    patrol_districts: pd.DataFrame
    patrol_estates: pd.DataFrame
    social: pd.DataFrame
    candidates: pd.DataFrame
    plan: RenovationPlan
    frontier: pd.DataFrame
    backtest: Backtest | None
    estate_district: pd.Series
    weights: PatrolWeights
    cost_model: Any
    withheld_districts: pd.DataFrame | None = None
    withheld_estates: pd.DataFrame | None = None

    def to_frame(self) -> pd.DataFrame:
        """Return the districts' patrol ranking (a copy of ``patrol_districts``).

        Returns
        -------
        pandas.DataFrame
            The districts' patrol ranking.
        """
        return self.patrol_districts.copy()


def prioritise(
    records: Records,
    districts: gpd.GeoDataFrame,
    panel: pd.DataFrame,
    *,
    emerging: gpd.GeoDataFrame | None,
    budget_eur: float | Mapping[str, float] = DEFAULT_BUDGET_EUR,
    objective: str = DEFAULT_OBJECTIVE,
    config_file: Path | None = None,
    lang: str = "it",
    threshold: int | None = None,
    seed: int = 0,
    on_step: Callable[[str], None] | None = None,
    published: pd.DataFrame | None = None,
    backtest: Forked[BacktestSaid] | None = None,
    renovation: Forked[RenovationSaid] | None = None,
) -> PriorityTables:
    """Back-test the ranking, rank districts and estates for patrols, plan renovations.

    Parameters
    ----------
    records : Records
        As for :func:`geo_alloggi.pipeline.analyse`.
    districts : geopandas.GeoDataFrame
        As for :func:`geo_alloggi.pipeline.analyse`.
    panel : pandas.DataFrame
        The raw district × period table of :func:`geo_alloggi.overlay.aggregate`.
    emerging : geopandas.GeoDataFrame or None
        :func:`trend` of the panel (None: the trend scores 0).
    budget_eur : float or mapping of str to float, default 10000000.0
        Renovation budget: euros shared by every estate, or euros per owner
        (``{"Aler": ..., "Comune-MM": ...}``).
    objective : str, default 'risk'
        What the renovation plan maximises: ``"risk"`` (risk-weighted units)
        or ``"units"`` (units returned to assignment).
    config_file : pathlib.Path or None, default None
        TOML with ``[priorities.patrol]`` weights (or ``weights =
        "calibrated"``) and ``[priorities.renovation]`` costs (defaults
        otherwise).
    lang : str, default 'it'
        Language of the reasons.
    threshold : int or None, default None
        Counts below it are said as "fewer than" in the reasons (None: shown).
    seed : int, default 0
        Seed of the back-test's bootstrap intervals.
    on_step : callable or None, default None
        Called with ``"back-test"``, ``"patrol priorities"`` and
        ``"renovation plan"`` as they start.
    published : pandas.DataFrame or None, default None
        The published district table at ``threshold``
        (:func:`~geo_alloggi.pipeline.published_districts` of ``panel``), when
        the caller has it; computed here otherwise.
    backtest : Forked or None, default None
        The back-test started by :func:`backtest_ahead` with the same
        ``records``, ``districts``, ``panel``, ``config_file``, ``threshold``
        and ``seed``: its value is taken, and its warnings said again, where
        the back-test is computed otherwise (None: computed here).
    renovation : Forked or None, default None
        The renovation plan started by :func:`renovation_ahead` with the same
        ``records``, ``districts``, ``emerging``, ``config_file``,
        ``budget_eur`` and ``objective`` (None: started here).

    Returns
    -------
    PriorityTables
        The tables, weights and cost model used.
    """
    step = on_step or (lambda name: None)
    configured = patrol_weights(config_file)
    cost_model = _cost_model(config_file)
    records, estate_district = _placed(records, districts)
    # the renovation plan needs neither the back-test nor the patrol ranking:
    # a child process plans it meanwhile (unless the caller started it
    # earlier), on the other core (in process where it cannot fork); the
    # parent waits for it at its step
    if renovation is None:
        renovation = Forked(
            warnings_of,
            _renovation,
            records,
            districts,
            emerging,
            cost_model,
            budget_eur,
            objective,
        )
    with renovation:
        tables = _rank(
            records,
            districts,
            panel,
            emerging=emerging,
            configured=configured,
            estate_district=estate_district,
            lang=lang,
            threshold=threshold,
            seed=seed,
            step=step,
            published=published,
            backtest=backtest,
        )
        step("renovation plan")
        (cand, plan, frontier), said = renovation.result()
    # said now, in the order a plan made here would have said them
    say_again(said)
    return PriorityTables(
        **tables,
        candidates=cand,
        plan=plan,
        frontier=frontier,
        estate_district=estate_district,
        cost_model=cost_model,
    )


def _rank(
    records: Records,
    districts: gpd.GeoDataFrame,
    panel: pd.DataFrame,
    *,
    emerging: gpd.GeoDataFrame | None,
    configured: PatrolWeights | Literal["calibrated"],
    estate_district: pd.Series,
    lang: str,
    threshold: int | None,
    seed: int,
    step: Callable[[str], None],
    published: pd.DataFrame | None,
    backtest: Forked[BacktestSaid] | None,
) -> dict[str, Any]:
    """Back-test the ranking (or take the child's), then rank for patrols.

    Returns the fields of :class:`PriorityTables` that these steps fill.
    """
    from geo_alloggi import priorities

    periods = sorted(panel[S.PERIOD].dropna().unique())
    last = str(periods[-1])
    step("back-test")
    if backtest is None:
        bt = _backtest(
            records, districts, panel, configured, estate_district, seed, threshold
        )
    else:
        bt, said = backtest.result()
        # said now, in the order a back-test made here would have said them
        say_again(said)
    weights = _ranking_weights(configured, bt)

    step("patrol priorities")
    epanel = priorities.estate_panel(
        records, period=str(panel.attrs.get("period", "year"))
    )
    withheld_d = withheld_e = None
    if threshold is not None:
        if published is None:
            published = published_districts(panel, threshold)
        withheld_d, withheld_e = withheld_counts(
            district_rows(published), epanel, estate_district, periods, threshold
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
    return {
        "patrol_districts": patrol_d,
        "patrol_estates": patrol_e,
        "social": social,
        "backtest": bt,
        "weights": weights,
        "withheld_districts": withheld_d,
        "withheld_estates": withheld_e,
    }


@contextmanager
def backtest_ahead(
    records: Records,
    districts: gpd.GeoDataFrame,
    panel: pd.DataFrame,
    *,
    config_file: Path | None = None,
    threshold: int | None = None,
    seed: int = 0,
) -> Iterator[Forked[BacktestSaid] | None]:
    """Start the back-test of :func:`prioritise` in a forked child, on the other core.

    The back-test needs neither the trend nor the density of a run, nor the
    patrol ranking's other tables: the child computes it while the parent
    computes them (a run starts it once it has imported the statistics, so
    that the child need not import them again). Give what this yields to
    :func:`prioritise` as ``backtest=`` with the same records, districts, panel
    and settings. It yields None, and :func:`prioritise` computes the
    back-test itself, with too few periods for one
    (:func:`geo_alloggi.priorities.rolling_origins`) or where the process
    cannot fork (:func:`geo_alloggi._forked.can_fork`). An error in the block
    stops the child.

    Parameters
    ----------
    records : Records
        As for :func:`prioritise` (before the estates are placed).
    districts : geopandas.GeoDataFrame
        As for :func:`prioritise`.
    panel : pandas.DataFrame
        As for :func:`prioritise`.
    config_file : pathlib.Path or None, default None
        As for :func:`prioritise`.
    threshold : int or None, default None
        As for :func:`prioritise`.
    seed : int, default 0
        As for :func:`prioritise`.

    Yields
    ------
    Forked or None
        The child computing the back-test and its warnings (:data:`BacktestSaid`),
        None where no child was started.
    """
    from geo_alloggi import priorities

    periods = sorted(panel[S.PERIOD].dropna().unique())
    if not priorities.rolling_origins(periods):
        yield None
        return
    with _ahead(
        _backtest_apart, records, districts, panel, config_file, threshold, seed
    ) as child:
        yield child


@contextmanager
def renovation_ahead(
    records: Records,
    districts: gpd.GeoDataFrame,
    emerging: gpd.GeoDataFrame | None,
    *,
    config_file: Path | None = None,
    budget_eur: float | Mapping[str, float] = DEFAULT_BUDGET_EUR,
    objective: str = DEFAULT_OBJECTIVE,
) -> Iterator[Forked[RenovationSaid] | None]:
    """Start the renovation plan of :func:`prioritise` in a forked child, early.

    The plan needs the trend of a run, not its density nor the back-test:
    started right after the trend, the child plans while the parent goes on.
    Give what this yields to :func:`prioritise` as ``renovation=`` with the
    same records, districts, trend and settings. It yields None, and
    :func:`prioritise` starts the plan itself, where the process cannot fork
    (:func:`geo_alloggi._forked.can_fork`). An error in the block stops the
    child.

    Parameters
    ----------
    records : Records
        As for :func:`prioritise` (before the estates are placed).
    districts : geopandas.GeoDataFrame
        As for :func:`prioritise`.
    emerging : geopandas.GeoDataFrame or None
        As for :func:`prioritise`.
    config_file : pathlib.Path or None, default None
        As for :func:`prioritise`.
    budget_eur : float or mapping of str to float, default 10000000.0
        As for :func:`prioritise`.
    objective : str, default 'risk'
        As for :func:`prioritise`.

    Yields
    ------
    Forked or None
        The child planning the renovation (:data:`RenovationSaid`), None where
        no child was started.
    """
    with _ahead(
        _renovation_apart,
        records,
        districts,
        emerging,
        config_file,
        budget_eur,
        objective,
    ) as child:
        yield child


@contextmanager
def _ahead(fn: Callable[..., T], *args: Any) -> Iterator[Forked[T] | None]:
    """Start ``fn(*args)`` in a forked child for the block; None where it cannot fork.

    The caller then does the work as without a child. An error in the block
    stops the child.
    """
    if not can_fork():
        yield None
        return
    with Forked(fn, *args) as child:
        yield child


def _renovation_apart(
    records: Records,
    districts: gpd.GeoDataFrame,
    emerging: gpd.GeoDataFrame | None,
    config_file: Path | None,
    budget_eur: float | Mapping[str, float],
    objective: str,
) -> RenovationSaid:
    """Return the renovation :func:`prioritise` would plan, and its warnings.

    Runs in the child of :func:`renovation_ahead`. The costs are read and the
    estates placed as :func:`prioritise` does; their warnings are said there,
    not here.
    """
    cost_model, records, _ = _read_and_placed(
        _cost_model, config_file, records, districts
    )
    return warnings_of(
        _renovation, records, districts, emerging, cost_model, budget_eur, objective
    )


def _backtest_apart(
    records: Records,
    districts: gpd.GeoDataFrame,
    panel: pd.DataFrame,
    config_file: Path | None,
    threshold: int | None,
    seed: int,
) -> BacktestSaid:
    """Return the back-test :func:`prioritise` would compute, and its warnings.

    Runs in the child of :func:`backtest_ahead`. The weights are read and the
    estates placed as :func:`prioritise` does; their warnings are said there,
    not here.
    """
    configured, records, estate_district = _read_and_placed(
        patrol_weights, config_file, records, districts
    )
    return warnings_of(
        _backtest,
        records,
        districts,
        panel,
        configured,
        estate_district,
        seed,
        threshold,
    )


def _read_and_placed(
    read: Callable[[Path | None], T],
    config_file: Path | None,
    records: Records,
    districts: gpd.GeoDataFrame,
) -> tuple[T, Records, pd.Series]:
    """Read the configuration and place the estates as :func:`prioritise` does.

    Quietly: in a child of :func:`prioritise`, whose warnings are said there.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return (read(config_file), *_placed(records, districts))


def _backtest(
    records: Records,
    districts: gpd.GeoDataFrame,
    panel: pd.DataFrame,
    configured: PatrolWeights | Literal["calibrated"],
    estate_district: pd.Series,
    seed: int,
    threshold: int | None,
) -> Backtest | None:
    """Return the run's :func:`published_backtest` of the records in the study area."""
    return published_backtest(
        panel,
        districts,
        weights=configured,
        evictions=records.evictions,
        estate_district=estate_district,
        seed=seed,
        round_hits_to=threshold,
    )


def _renovation(
    records: Records,
    districts: gpd.GeoDataFrame,
    emerging: gpd.GeoDataFrame | None,
    cost_model: Any,
    budget_eur: float | Mapping[str, float],
    objective: str,
) -> tuple[pd.DataFrame, RenovationPlan, pd.DataFrame]:
    """Candidates, plan and trade-off of the renovation (may run in a child)."""
    from geo_alloggi import priorities

    hot = (
        priorities.near_hot_spots(
            records.estates, districts, priorities.hot_districts(emerging)
        )
        if emerging is not None
        else None
    )
    cand = priorities.renovation_candidates(records, cost_model=cost_model, hot=hot)
    plan = priorities.renovation_plan(cand, budget_eur, objective=objective)
    frontier = priorities.renovation_frontier(cand, budget_eur, objective=objective)
    return cand, plan, frontier


def _cost_model(config_file: Path | None) -> Any:
    """Return the renovation cost model of the configuration (else the defaults)."""
    from geo_alloggi import priorities

    if config_file is None:
        return priorities.CostModel()
    return priorities.CostModel.from_toml(config_file)


def _placed(records: Records, districts: gpd.GeoDataFrame) -> tuple[Records, pd.Series]:
    """Return the records of the estates in the study area, and each estate's district.

    The one place where estates outside the study area leave the priorities
    (:func:`_in_study_area`).
    """
    estate_district = _estate_districts(records, districts)
    return _in_study_area(records, estate_district), estate_district


def _estate_districts(records: Records, districts: gpd.GeoDataFrame) -> pd.Series:
    """District of each estate, by the one district rule; its warnings dropped.

    The district table (:func:`geo_alloggi.overlay.aggregate`, run before the
    priorities) places the estates by the same rule and has said which fall
    in no district; :func:`_in_study_area` says what that means here.
    """
    from geo_alloggi import priorities

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return priorities.estate_districts(records.estates, districts)


def _in_study_area(records: Records, estate_district: pd.Series) -> Records:
    """Keep the estates placed in a district of the study area, and their records.

    An estate in no district of the run's layer (in a comune outside the
    study area, or without a position that its comune cannot stand in for)
    is left out of every ranking and plan, with its occupations, evictions
    and vacancies; one warning counts such estates. Records without an
    estate id stay: they are never counted per estate.

    Parameters
    ----------
    records : Records
        Estates and records.
    estate_district : pandas.Series
        District of each placed estate, indexed by estate id
        (:func:`geo_alloggi.priorities.estate_districts`).

    Returns
    -------
    Records
        ``records`` itself when every estate is placed, else a copy without
        the estates in no district and their records.
    """
    ids = records.estates[S.ESTATE_ID].astype("string")
    placed = set(estate_district.index.astype(str))
    inside = ids.isin(placed).to_numpy(dtype=bool, na_value=False)
    if inside.all():
        return records
    out = [str(v) for v in ids[~inside]]
    warn(
        f"{len(out)} estate(s) in no district of the study area (outside it, or "
        f"without a position), e.g. {out[:5]!r}: left out of the patrol "
        "rankings and renovation plans, with their records",
        "priorities.estates_left_out",
        n=len(out),
        sample=out[:5],
        stacklevel=4,
    )
    dropped = set(out)

    def kept(table: pd.DataFrame) -> pd.DataFrame:
        if table is None or S.ESTATE_ID not in table:
            return table
        ours = table[S.ESTATE_ID].astype("string").isin(dropped)
        return table[~ours.to_numpy(dtype=bool, na_value=False)]

    return dataclasses.replace(
        records,
        estates=records.estates[inside],
        occupations=kept(records.occupations),
        evictions=kept(records.evictions),
        vacancies=kept(records.vacancies),
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


def _ranking_weights(
    configured: PatrolWeights | Literal["calibrated"], bt: Backtest | None
) -> PatrolWeights:
    """Return the weights to rank with now: the configured or the calibrated ones.

    ``"calibrated"`` without a back-test (too few periods) falls back to the
    defaults, with a warning.
    """
    from geo_alloggi.priorities import PatrolWeights

    if not isinstance(configured, str):
        return configured
    if bt is None or bt.calibration is None:
        warn(
            "weights = 'calibrated' needs at least four periods to calibrate on; "
            "the default weights are used",
            "priorities.calibration_fallback",
            stacklevel=3,
        )
        return PatrolWeights()
    return bt.calibration.weights


def published_backtest(
    panel: pd.DataFrame,
    districts: gpd.GeoDataFrame,
    *,
    weights: PatrolWeights | Literal["calibrated"],
    evictions: pd.DataFrame | None,
    estate_district: pd.Series,
    seed: int = 0,
    round_hits_to: int | None = None,
) -> Backtest | None:
    """Back-test the district ranking the run publishes, over rolling origins.

    Each origin ranks as the run would have then: the same weights (or
    ``"calibrated"``), the evictions known then, the emerging hot spots of the
    periods up to it (none while they were too few), against the naive rules
    (Gi* of the origin's period included). ``round_hits_to`` (the suppression
    threshold, for meeting tables) rounds the hits before rates are computed.
    None with fewer than four periods.

    Parameters
    ----------
    panel : pandas.DataFrame
        The raw district × period table.
    districts : geopandas.GeoDataFrame
        The district layer of ``panel``.
    weights : PatrolWeights or {'calibrated'}
        The weights of the published ranking, or ``"calibrated"``.
    evictions : pandas.DataFrame or None
        The eviction records, None when there are none.
    estate_district : pandas.Series
        District of each estate, indexed by estate id.
    seed : int, default 0
        Seed of the bootstrap intervals.
    round_hits_to : int or None, default None
        Round the hits to this threshold before rates are computed (None: exact).

    Returns
    -------
    Backtest or None
        The back-test, None with fewer than four periods.
    """
    from geo_alloggi import priorities

    periods = sorted(panel[S.PERIOD].dropna().unique())
    origins = priorities.rolling_origins(periods)
    if not origins:
        return None
    emerging, gi = backtest_signals(
        panel,
        districts,
        trend_at=priorities.evidence_periods(periods, origins),
        hotspots_at=origins,
    )
    return priorities.backtest(
        panel,
        area_km2=districts,
        weights=weights,
        emerging=emerging,
        hotspots=gi,
        evictions=evictions,
        estate_district=estate_district,
        origins=origins,
        seed=seed,
        round_hits_to=round_hits_to,
    )
