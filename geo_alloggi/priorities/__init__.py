"""Decision support: where to patrol and what to renovate with the money available.

Two questions a coordination meeting asks of a hot-spot map:

*Where does the next patrol go?*
    :func:`patrol_priority` ranks districts (or estates) by a weighted score of
    the occupied stock, the new occupations of the latest period, their trend
    (the emerging-hotspot category of :func:`geo_alloggi.stats.emerging_hotspots`)
    and the pending evictions, and says in words why each area ranks where it
    does. Households recorded as vulnerable are not a policing matter: their
    evictions are left out of the score and listed for social services by
    :func:`social_services`.

*Which €1M of renovation money buys the most?*
    :func:`renovation_plan` chooses how many vacant units to renovate in each
    estate within a budget (shared, or one per owner: Aler Milano and the
    Comune / MM Casa), exactly (a dynamic programme over the estates a
    Lagrangian bound leaves open, else the mixed-integer programme solved by
    :func:`scipy.optimize.milp`), to return the most units to assignment
    (``objective="units"``) or to prevent the most expected occupations
    (``objective="risk"``, risk-weighted units), and shows the naive
    allocations (cheapest first, largest estate first, risk per euro first)
    computed the same way. :func:`renovation_frontier` shows the trade-off
    between the two objectives. ``risk`` is the probability that a vacant
    unit of the estate is occupied within 12 months, estimated from the
    records by :func:`vacancy_risk`.

:func:`compare_rankings` and :func:`compare_plans` put two weightings or two
budgets side by side; :func:`backtest` measures how well the published ranking,
built at each of several past origins with what was known then, predicted the
new occupations of the next period (hit rate of the top 10% of areas and
predictive accuracy index, PAI), against naive rules and against weights
calibrated walk-forward on earlier origins (:func:`calibrate_patrol_weights`).

Every function takes tables (a panel, eviction records, an emerging-category
table, :class:`Records`) and returns new tables; none
reads files or calls another analysis module.

Modules: :mod:`~geo_alloggi.priorities.panel` (per-estate panel),
:mod:`~geo_alloggi.priorities.patrol` (patrol ranking and its reasons, social
services), :mod:`~geo_alloggi.priorities.places`
(estates in districts and near hot spots),
:mod:`~geo_alloggi.priorities.renovation` (risk model, candidates, cost model),
:mod:`~geo_alloggi.priorities.plans` (plans, trade-off, budgets side by side),
:mod:`~geo_alloggi.priorities.backtesting` (back-test, weightings side by
side), :mod:`~geo_alloggi.priorities.calibration` (weights from evidence);
``_solvers`` (exact and naive allocations), ``_exact`` (exact plans of one
budget), ``_tradeoff`` (the trade-off's plans), ``_evidence`` (what a ranking
knew at each origin) and ``_common`` are private.
"""

from __future__ import annotations

from geo_alloggi._schema import RISK as RISK  # column name, as benchmarks use it
from geo_alloggi.priorities._solvers import METHODS as METHODS
from geo_alloggi.priorities._solvers import OBJECTIVES as OBJECTIVES

# ``P._allocate`` is timed by benchmarks/bench_priorities.py
from geo_alloggi.priorities._solvers import allocate as _allocate  # noqa: F401
from geo_alloggi.priorities.backtesting import (
    NAIVE_RULES,
    RANKINGS,
    Backtest,
    backtest,
    compare_rankings,
    evidence_periods,
    rolling_origins,
)
from geo_alloggi.priorities.calibration import (
    CalibratedWeights,
    calibrate_patrol_weights,
)
from geo_alloggi.priorities.panel import estate_panel
from geo_alloggi.priorities.patrol import PENDING_OUTCOMES as PENDING_OUTCOMES
from geo_alloggi.priorities.patrol import (
    TREND_SCORES,
    PatrolWeights,
    patrol_priority,
    social_services,
)
from geo_alloggi.priorities.places import HOT_CATEGORIES as HOT_CATEGORIES
from geo_alloggi.priorities.places import (
    estate_districts,
    hot_districts,
    near_hot_spots,
)
from geo_alloggi.priorities.plans import (
    RenovationPlan,
    compare_plans,
    renovation_frontier,
    renovation_plan,
)
from geo_alloggi.priorities.renovation import MAINTENANCE_PATTERN as MAINTENANCE_PATTERN
from geo_alloggi.priorities.renovation import (
    CostModel,
    renovation_candidates,
    vacancy_risk,
)

__all__ = [
    "NAIVE_RULES",
    "RANKINGS",
    "TREND_SCORES",
    "Backtest",
    "CalibratedWeights",
    "CostModel",
    "PatrolWeights",
    "RenovationPlan",
    "backtest",
    "calibrate_patrol_weights",
    "compare_plans",
    "compare_rankings",
    "estate_districts",
    "estate_panel",
    "evidence_periods",
    "hot_districts",
    "near_hot_spots",
    "patrol_priority",
    "renovation_candidates",
    "renovation_frontier",
    "renovation_plan",
    "rolling_origins",
    "social_services",
    "vacancy_risk",
]
