"""Spend renovation budgets exactly: the plan, the naive rules, the trade-off.

:func:`renovation_plan` chooses how many vacant units to renovate in each
estate within the budget (one shared, or one per owner) to recover the most
units (``objective="units"``) or prevent the most expected occupations
(``objective="risk"``), and sets beside it the naive rules a planner would
otherwise follow. :func:`renovation_frontier` shows what one objective costs
in the other (ε-constraint); :func:`compare_plans` sets several budgets side
by side. The candidates come from
:func:`~geo_alloggi.priorities.renovation.renovation_candidates`; the solvers
from ``_solvers`` and ``_exact``, the trade-off's arrays from ``_tradeoff``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from geo_alloggi import _schema as S
from geo_alloggi import config
from geo_alloggi._errors import ValidationError, warn
from geo_alloggi._records import Records
from geo_alloggi._validate import require_choice
from geo_alloggi.priorities._common import finite_nonnegative
from geo_alloggi.priorities._solvers import (
    METHODS,
    OBJECTIVES,
    Instance,
    greedy,
    instance,
    lexicographic_values,
    optimal,
    spend,
    subinstance,
)
from geo_alloggi.priorities._tradeoff import frontier_plans, merge, pick, profile
from geo_alloggi.priorities.renovation import (
    MAINTENANCE_PATTERN,
    CostModel,
    check_candidates,
    renovation_candidates,
)

__all__ = [
    "OBJECTIVES",
    "RenovationPlan",
    "compare_plans",
    "renovation_frontier",
    "renovation_plan",
]

#: A budget: euros shared by every estate, or euros per owner (``Aler``,
#: ``Comune-MM``), each owner's estates drawing on its own budget only.
Budget = float | Mapping[str, float]

_SUMMARY_COLUMNS = (
    S.BUDGET_EUR,
    S.SPEND_EUR,
    S.ESTATES_SELECTED,
    S.UNITS_RECOVERED,
    S.RISK_WEIGHTED,
    "next_1m_units",
    "next_1m_risk_weighted_units",
    "next_1m_spend_eur",
)


@dataclass(frozen=True)
class RenovationPlan:
    """The renovation plans of every method and their summaries.

    Attributes
    ----------
    plan : pandas.DataFrame
        The exact plan for :attr:`objective`, one row per candidate estate:
        ``estate_id``, ``name``, ``owner``, ``units`` (candidate vacant
        units), ``unit_cost_eur``, ``site_cost_eur``, ``risk``, ``selected``,
        ``units_chosen``, ``cost_eur`` (spent in the estate),
        ``risk_weighted_units``; then ``units_<method>`` for each naive rule.
    summary : pandas.DataFrame
        All owners together, one row per method (``optimal``,
        ``cheapest_first``, ``largest_first``, ``risk_per_euro_first``):
        ``method``, ``objective``, ``budget_eur``, ``spend_eur``,
        ``estates_selected``, ``units_recovered``, ``risk_weighted_units``,
        and what the next €1M would buy (``next_1m_units``,
        ``next_1m_risk_weighted_units``, ``next_1m_spend_eur``).
    plans : dict
        Method → full plan table (as ``plan``, for that method).
    by_owner : pandas.DataFrame
        As ``summary``, one row per owner and method, ``owner`` first. With
        one shared budget the rows split the plans by owner and have no
        budget or next €1M of their own (NA); with budgets per owner each
        owner's plan spends its own budget.
    objective : str
        ``"risk"`` or ``"units"``: what the exact plan maximises.
    budgets : dict
        Owner → budget in euros, or ``{"all": budget}`` for one shared budget.
    """

    plan: pd.DataFrame
    summary: pd.DataFrame
    plans: dict[str, pd.DataFrame]
    by_owner: pd.DataFrame = field(default_factory=pd.DataFrame)
    objective: str = "risk"
    budgets: dict[str, float] = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        """Return the exact plan, one row per candidate estate (a copy).

        Returns
        -------
        pandas.DataFrame
            The plan, one row per candidate estate.
        """
        return self.plan.copy()


# ---------------------------------------------------------------------------
# inputs


def _check_objective(objective: Any) -> str:
    return str(require_choice(objective, OBJECTIVES, "objective"))


def _check_time_limit(time_limit_s: Any) -> float | None:
    if time_limit_s is None:
        return None
    if not isinstance(time_limit_s, int | float) or not time_limit_s > 0:
        raise ValidationError(
            f"time_limit_s={time_limit_s!r} must be a number of seconds > 0 or None"
        )
    return float(time_limit_s)


def _candidates(
    data: Any,
    cost_model: CostModel | None,
    risk: pd.Series | float | None,
    hot: pd.Series | None,
    as_of: Any,
    reason_pattern: str | None,
) -> pd.DataFrame:
    """Return the candidates: built from Records, or a checked copy of a table.

    The public planners' candidate options, in their order, all required.
    A table already holds costs and risks, so the options that build them
    cannot apply to it: passing any of them is an error, never ignored.
    """
    if isinstance(data, Records):
        return renovation_candidates(
            data,
            as_of=as_of,
            cost_model=cost_model,
            risk=risk,
            hot=hot,
            reason_pattern=reason_pattern,
        )
    if not isinstance(data, pd.DataFrame):
        raise ValidationError(
            "data must be Records or a candidates DataFrame, "
            f"got {type(data).__name__!r}"
        )
    given = {
        "cost_model": cost_model is not None,
        "risk": risk is not None,
        "hot": hot is not None,
        "as_of": as_of is not None,
        "reason_pattern": reason_pattern != MAINTENANCE_PATTERN,
    }
    wrong = [name for name, on in given.items() if on]
    if wrong:
        raise ValidationError(
            f"{', '.join(wrong)} cannot apply: data is a candidates table, whose "
            "costs and risks are already set; pass Records to build the "
            "candidates with them, or leave them out"
        )
    check_candidates(data, "data")
    cand = data.copy()
    cand[S.ESTATE_ID] = cand[S.ESTATE_ID].astype(str)
    if S.NAME not in cand:
        cand[S.NAME] = pd.NA
    if S.OWNER not in cand:
        cand[S.OWNER] = pd.Series(pd.NA, index=cand.index, dtype="string")
    return cand.sort_values(S.ESTATE_ID, ignore_index=True)


def _budget_groups(
    cand: pd.DataFrame, budget_eur: Any
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Return budget names (owners, or ``all``), their euros and each estate's group.

    An estate whose owner has no budget gets group -1 (left out, warned).
    """
    if isinstance(budget_eur, bool) or not isinstance(
        budget_eur, int | float | Mapping
    ):
        raise ValidationError(
            f"budget_eur={budget_eur!r} must be a number of euros or a mapping "
            f"owner -> euros (owners {list(S.OWNERS)!r})"
        )
    if not isinstance(budget_eur, Mapping):
        if not finite_nonnegative(budget_eur):
            raise ValidationError(
                f"budget_eur={budget_eur!r} must be a finite number >= 0"
            )
        return [S.ALL_OWNERS], np.array([float(budget_eur)]), np.zeros(len(cand), int)
    if not budget_eur:
        raise ValidationError("budget_eur per owner names no owner")
    owners = cand[S.OWNER].astype("string")
    present = set(owners.dropna())
    known = list(S.OWNERS) + sorted(present - set(S.OWNERS))
    for name, value in budget_eur.items():
        if name not in known:
            raise ValidationError(
                f"budget_eur names owner {name!r}, which owns no candidate and is "
                f"not one of {list(S.OWNERS)!r}; owners are written as "
                "geo_alloggi.io reads them"
            )
        if not finite_nonnegative(value):
            raise ValidationError(
                f"budget_eur[{name!r}]={value!r} must be a finite number >= 0"
            )
    names = [o for o in known if o in budget_eur]
    group = owners.map({o: i for i, o in enumerate(names)}).fillna(-1)
    group_arr = group.to_numpy(dtype=np.int64)
    left = group_arr < 0
    if left.any():
        who = sorted(owners[left].fillna("(no owner)").unique())
        warn(
            f"{int(left.sum())} candidate estate(s) ({int(cand[S.UNITS][left].sum())} "
            f"vacant units) of owner(s) {who!r} have no budget and are left out of "
            "the plans",
            "priorities.owner_no_budget",
            n=int(left.sum()),
            units=int(cand[S.UNITS][left].sum()),
            owners=who,
            stacklevel=3,
        )
    euros = np.array([float(budget_eur[o]) for o in names])
    return names, euros, group_arr


# ---------------------------------------------------------------------------
# tables


def _plan_table(cand: pd.DataFrame, x: np.ndarray) -> pd.DataFrame:
    out = cand.copy()
    out[S.UNITS_CHOSEN] = x.astype("int64")
    out[S.SELECTED] = x > 0
    out[S.COST_EUR] = np.where(
        x > 0, x * out[S.UNIT_COST_EUR] + out[S.SITE_COST_EUR], 0.0
    )
    out[S.RISK_WEIGHTED] = x * out[S.RISK]
    return out


def _figures(inst: Instance, x: np.ndarray, mask: np.ndarray) -> dict[str, Any]:
    """Return spend, estates, units and risk-weighted units of ``x`` over ``mask``."""
    return {
        S.SPEND_EUR: spend(x[mask], inst.unit[mask], inst.site[mask]),
        S.ESTATES_SELECTED: int((x[mask] > 0).sum()),
        S.UNITS_RECOVERED: int(x[mask].sum()),
        S.RISK_WEIGHTED: math.fsum(float(v) for v in (inst.risk * x)[mask]),
    }


def _solve(inst: Instance, ids: np.ndarray, method: str, objective: str) -> np.ndarray:
    if method == "optimal":
        return optimal(inst, objective)
    return greedy(inst, ids, method)


def _next_money(
    inst: Instance,
    ids: np.ndarray,
    method: str,
    objective: str,
    x: np.ndarray,
    marginal: float,
) -> list[dict[str, Any]]:
    """Return, per budget group, what ``marginal`` more euros there would add."""
    out = []
    for g in range(len(inst.budgets)):
        more = inst.budgets.copy()
        more[g] += marginal
        x_more = _solve(inst.with_budgets(more), ids, method, objective)
        mask = inst.group == g
        now, then = _figures(inst, x, mask), _figures(inst, x_more, mask)
        out.append(
            {
                "next_1m_units": then[S.UNITS_RECOVERED] - now[S.UNITS_RECOVERED],
                "next_1m_risk_weighted_units": then[S.RISK_WEIGHTED]
                - now[S.RISK_WEIGHTED],
                "next_1m_spend_eur": then[S.SPEND_EUR] - now[S.SPEND_EUR],
            }
        )
    return out


def _best_use(rows: list[dict[str, Any]], objective: str) -> dict[str, Any]:
    """Return the group where the extra money buys the most (by the objective)."""
    key = "next_1m_units" if objective == "units" else "next_1m_risk_weighted_units"
    other = "next_1m_risk_weighted_units" if objective == "units" else "next_1m_units"
    return max(rows, key=lambda r: (r[key], r[other], -r["next_1m_spend_eur"]))


def _summaries(
    cand: pd.DataFrame,
    inst: Instance,
    names: list[str],
    xs: dict[str, np.ndarray],
    objective: str,
    marginal: float,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the total summary (one row per method) and the same per owner."""
    ids = cand[S.ESTATE_ID].to_numpy()
    owners = cand[S.OWNER].astype("string")
    shared = names == [S.ALL_OWNERS]
    total_rows, owner_rows = [], []
    everyone = inst.group >= 0
    for method, x in xs.items():
        nexts = _next_money(inst, ids, method, objective, x, marginal)
        total = {
            S.METHOD: method,
            S.OBJECTIVE: objective,
            S.BUDGET_EUR: float(inst.budgets.sum()),
            **_figures(inst, x, everyone),
            **(nexts[0] if shared else _best_use(nexts, objective)),
        }
        total_rows.append(total)
        listed = (
            [
                o
                for o in [*S.OWNERS, *sorted(set(owners.dropna()) - set(S.OWNERS))]
                if (owners == o).any()
            ]
            if shared
            else names
        )
        for owner in listed:
            mask = (owners == owner).fillna(False).to_numpy(bool)
            row: dict[str, Any] = {
                S.OWNER: owner,
                S.METHOD: method,
                S.OBJECTIVE: objective,
            }
            if shared:
                row[S.BUDGET_EUR] = np.nan
                row.update(_figures(inst, x, mask))
                row.update(
                    dict.fromkeys(
                        (
                            "next_1m_units",
                            "next_1m_risk_weighted_units",
                            "next_1m_spend_eur",
                        ),
                        np.nan,
                    )
                )
            else:
                g = names.index(owner)
                row[S.BUDGET_EUR] = float(inst.budgets[g])
                row.update(_figures(inst, x, mask))
                row.update(nexts[g])
            owner_rows.append(row)
    summary = pd.DataFrame(total_rows)
    by_owner = pd.DataFrame(
        owner_rows, columns=[S.OWNER, S.METHOD, S.OBJECTIVE, *_SUMMARY_COLUMNS]
    )
    # no extra money of their own with a shared budget: NA, still whole units
    by_owner["next_1m_units"] = by_owner["next_1m_units"].astype("Int64")
    if S.SOURCE in cand.columns:
        label = (
            config.synthetic_label
            if (cand[S.SOURCE].astype(str) == config.synthetic_label).any()
            else ""
        )
        summary[S.SOURCE] = label
        by_owner[S.SOURCE] = label
    return summary, by_owner


# ---------------------------------------------------------------------------
# public


def renovation_plan(
    data: Records | pd.DataFrame,
    budget_eur: Budget,
    *,
    objective: str = "risk",
    cost_model: CostModel | None = None,
    risk: pd.Series | float | None = None,
    hot: pd.Series | None = None,
    as_of: Any = None,
    reason_pattern: str | None = MAINTENANCE_PATTERN,
    marginal_eur: float = 1_000_000.0,
    time_limit_s: float | None = None,
) -> RenovationPlan:
    """Choose how many vacant units to renovate per estate, within a budget, exactly.

    Parameters
    ----------
    data : Records or pandas.DataFrame
        :class:`Records` (candidates built with
        :func:`~geo_alloggi.priorities.renovation_candidates`) or a
        candidates table as that function returns.
    budget_eur : float or mapping
        Money available in euros (>= 0), shared by every estate; or a budget
        per owner (``{"Aler": 6e6, "Comune-MM": 4e6}``): each owner's estates
        draw on its own budget only, and estates of owners without a budget
        are left out (warned).
    objective : {"risk", "units"}
        What the exact plan maximises: ``"risk"`` the risk-weighted units
        (the occupations the renovation is expected to prevent within 12
        months), then the units; ``"units"`` the units returned to
        assignment, then the risk-weighted units.
    cost_model : CostModel or None, default None
        See :func:`~geo_alloggi.priorities.renovation_candidates`; only with
        Records (a candidates table already holds its costs and risks).
    risk : pandas.Series, float or None, default None
        See :func:`~geo_alloggi.priorities.renovation_candidates`; only with
        Records (a candidates table already holds its costs and risks).
    hot : pandas.Series or None, default None
        See :func:`~geo_alloggi.priorities.renovation_candidates`; only with
        Records (a candidates table already holds its costs and risks).
    as_of : object, default None
        See :func:`~geo_alloggi.priorities.renovation_candidates`; only with
        Records (a candidates table already holds its costs and risks).
    reason_pattern : str or None, optional
        See :func:`~geo_alloggi.priorities.renovation_candidates`; only with
        Records (a candidates table already holds its costs and risks).
    marginal_eur : float
        Extra money for the "what the next €1M would buy" columns.
    time_limit_s : float, optional
        Time allowed to each exact solve, in seconds (None: no limit).

    Returns
    -------
    RenovationPlan
        ``plan`` (exact, one row per estate, with the naive plans' unit
        counts alongside), ``summary`` (one row per method), ``by_owner``,
        ``plans``.

    Raises
    ------
    ValidationError
        A negative or non-finite budget, an owner budget for an unknown
        owner, an unknown objective, an invalid candidates table, or an
        option that cannot apply to a candidates table.
    SolverError
        The solver did not prove a plan optimal (time limit reached,
        stopped early): no plan is returned rather than one labelled optimal
        that may not be.

    Notes
    -----
    The exact plan solves the mixed-integer programme

    maximise Σₑ vₑ·xₑ subject to Σₑ∈g (unitₑ·xₑ + siteₑ·yₑ) ≤ budget_g for
    every budget g, 0 ≤ xₑ ≤ unitsₑ·yₑ, xₑ integer, yₑ ∈ {0, 1}

    exactly: each budget by a Lagrangian reduction and a dynamic programme over
    the estates its bounds leave open, which proves its plan optimal, or, where
    those bounds are too weak, with :func:`scipy.optimize.milp` (HiGHS, zero
    relative gap); the same input gives the same plan. Ties are broken in the
    same solve by the other objective (lexicographic): vₑ = riskₑ/δ + 1 for
    ``"risk"`` (most risk-weighted units, then most units; δ is so small that a
    plan gives up at most 1e-7 of the candidates' total risk-weighted units to
    recover more units) and vₑ = R + 1 + riskₑ for ``"units"``, R the
    candidates' total risk-weighted units (most units, then most risk-weighted
    units, exactly). ``risk·x`` is the expected number of units that renovation
    keeps from being occupied within 12 months. The spend is recomputed exactly
    (:func:`math.fsum`) and, with HiGHS, a budget row tightened by the excess if
    the solver's feasibility tolerance (about 1e-7 of the budget) let it slip,
    so no plan ever exceeds its budget. The naive plans fill estates in one
    order, each taking all its units when it can, else as many as fit: *cheapest
    first* by cost per unit (the site cost shared over the estate's vacant
    units), *largest first* by decreasing vacant units, *risk per euro first* by
    decreasing risk-weighted units per euro of renovating the whole estate.
    With budgets per owner, the total's "next €1M" is the owner where it
    buys the most by the objective.

    Examples
    --------
    >>> import pandas as pd
    >>> candidates = pd.DataFrame({
    ...     "estate_id": ["E1", "E2"], "units": [3, 2],
    ...     "unit_cost_eur": [10_000.0, 20_000.0], "site_cost_eur": [5_000.0, 0.0],
    ...     "risk": [0.1, 0.9]})
    >>> result = renovation_plan(candidates, 40_000)
    >>> result.plan.set_index("estate_id")["units_chosen"].to_dict()
    {'E2': 2, 'E1': 0}
    >>> result.summary.set_index("method")["risk_weighted_units"].round(2).tolist()
    [1.8, 0.3, 0.3, 1.8]
    >>> renovation_plan(candidates, 40_000, objective="units").summary[
    ...     "units_recovered"].tolist()
    [3, 3, 3, 2]
    """
    objective = _check_objective(objective)
    if not finite_nonnegative(marginal_eur) or marginal_eur <= 0:
        raise ValidationError(
            f"marginal_eur={marginal_eur!r} must be a finite number > 0"
        )
    limit = _check_time_limit(time_limit_s)
    cand = _candidates(data, cost_model, risk, hot, as_of, reason_pattern)
    names, euros, group = _budget_groups(cand, budget_eur)
    inst = instance(cand, euros, group, limit)
    ids = cand[S.ESTATE_ID].to_numpy()
    xs = {method: _solve(inst, ids, method, objective) for method in METHODS}
    summary, by_owner = _summaries(
        cand, inst, names, xs, objective, float(marginal_eur)
    )
    plans = {method: _plan_table(cand, x) for method, x in xs.items()}
    plan = plans["optimal"].copy()
    for method in METHODS[1:]:
        plan[f"units_{method}"] = plans[method][S.UNITS_CHOSEN].to_numpy()
    plan = plan.sort_values(
        [S.RISK_WEIGHTED, S.ESTATE_ID], ascending=[False, True], ignore_index=True
    )
    return RenovationPlan(
        plan=plan,
        summary=summary,
        plans=plans,
        by_owner=by_owner,
        objective=objective,
        budgets={n: float(e) for n, e in zip(names, euros, strict=True)},
    )


def _frontier_rows(
    inst: Instance, xs: list[np.ndarray], owner: str, objective: str
) -> list[dict[str, Any]]:
    everyone = inst.group >= 0
    rows = []
    for i, x in enumerate(xs):
        marks = (["risk"] if i == 0 else []) + (["units"] if i == len(xs) - 1 else [])
        rows.append(
            {
                S.OWNER: owner,
                "plan": i + 1,
                S.MIN_UNITS: int(x.sum()) if i else 0,
                **_figures(inst, x, everyone),
                S.OBJECTIVE: ", ".join(marks),
                S.CHOSEN: objective in marks,
            }
        )
    return rows


def renovation_frontier(
    data: Records | pd.DataFrame,
    budget_eur: Budget,
    *,
    objective: str = "risk",
    points: int = 11,
    cost_model: CostModel | None = None,
    risk: pd.Series | float | None = None,
    hot: pd.Series | None = None,
    as_of: Any = None,
    reason_pattern: str | None = MAINTENANCE_PATTERN,
    time_limit_s: float | None = None,
) -> pd.DataFrame:
    """Trace the trade-off between units recovered and occupations prevented.

    Parameters
    ----------
    data : Records or pandas.DataFrame
        As for :func:`renovation_plan`.
    budget_eur : Budget
        As for :func:`renovation_plan`.
    objective : {"risk", "units"}
        The objective a run plans with: its plan is marked ``chosen``.
    points : int
        Number of steps of the grid of least units (>= 2).
    cost_model : CostModel or None, default None
        As for :func:`renovation_plan`.
    risk : pandas.Series, float or None, default None
        As for :func:`renovation_plan`.
    hot : pandas.Series or None, default None
        As for :func:`renovation_plan`.
    as_of : object, default None
        As for :func:`renovation_plan`.
    reason_pattern : str or None, optional
        As for :func:`renovation_plan`.
    time_limit_s : float or None, default None
        As for :func:`renovation_plan`.

    Returns
    -------
    pandas.DataFrame
        One row per distinct plan, in increasing units, for all owners
        together (``owner = "all"``) and, with budgets per owner, for each
        owner: ``owner``, ``plan`` (1, 2, ... within the owner),
        ``min_units`` (the ε of the constraint: 0 for the first plan, else
        the plan's own units, the tightest ε that gives it), ``spend_eur``,
        ``estates_selected``, ``units_recovered``, ``risk_weighted_units``,
        ``objective`` (``"risk"`` on the first row, the plan of
        ``renovation_plan(..., objective="risk")``; ``"units"`` on the last,
        that of ``objective="units"``; both when they are one plan) and
        ``chosen`` (the plan of ``objective``).

    Raises
    ------
    ValidationError, SolverError
        As :func:`renovation_plan`.

    Notes
    -----
    ε-constraint method: for each k of a grid from the units of the
    ``"risk"`` plan to the most units any plan can recover, maximise the
    risk-weighted units subject to recovering at least k units (ties: most
    units, as in :func:`renovation_plan`). The first point is the
    ``"risk"`` plan and the last the ``"units"`` plan (the most
    risk-weighted units among the plans recovering the most units, the
    ε-constraint plan at that k), computed by the very calls
    :func:`renovation_plan` makes, so the ends equal the two single-objective
    plans. Each plan is optimal for its k, so more units never come with
    more risk-weighted units: the table is the efficient frontier at the
    grid's points. A grid step the previous plan already meets is raised to
    one unit more, and gaps are split until there are 5 plans (when 5
    exist). With budgets per owner every efficient plan of each owner is
    found (one ε-constraint solve per number of units between the owner's
    two ends), and the total's plan for k is the best combination of the
    owners' plans recovering k or more: exact, as the budgets are separate.
    """
    objective = _check_objective(objective)
    if isinstance(points, bool) or not isinstance(points, int) or points < 2:
        raise ValidationError(f"points={points!r} must be an integer >= 2")
    limit = _check_time_limit(time_limit_s)
    cand = _candidates(data, cost_model, risk, hot, as_of, reason_pattern)
    names, euros, group = _budget_groups(cand, budget_eur)
    inst = instance(cand, euros, group, limit)
    if names == [S.ALL_OWNERS]:
        rows = _frontier_rows(
            inst, frontier_plans(inst, points), S.ALL_OWNERS, objective
        )
    else:
        risk_values = lexicographic_values(inst, "risk")
        units_values = lexicographic_values(inst, "units")
        profiles = []
        for g in range(len(names)):
            mask = group == g
            profiles.append(
                profile(subinstance(inst, g), risk_values[mask], units_values[mask])
            )
        total = merge(inst, profiles, risk_values)
        rows = _frontier_rows(inst, pick(total, points), S.ALL_OWNERS, objective)
        for g, owner in enumerate(names):
            sub = subinstance(inst, g)
            rows += _frontier_rows(sub, pick(profiles[g], points), owner, objective)
    out = pd.DataFrame(rows)
    if S.SOURCE in cand.columns:
        synthetic = (cand[S.SOURCE].astype(str) == config.synthetic_label).any()
        out[S.SOURCE] = config.synthetic_label if synthetic else ""
    return out


def compare_plans(
    data: Records | pd.DataFrame,
    budgets: Mapping[str, Budget] | Sequence[float],
    *,
    objective: str = "risk",
    cost_model: CostModel | None = None,
    risk: pd.Series | float | None = None,
    hot: pd.Series | None = None,
    as_of: Any = None,
    reason_pattern: str | None = MAINTENANCE_PATTERN,
    time_limit_s: float | None = None,
) -> pd.DataFrame:
    """Exact plans under several budgets, side by side.

    Parameters
    ----------
    data : Records or pandas.DataFrame
        As for :func:`renovation_plan`.
    budgets : mapping or sequence
        Scenario name → budget (euros, or euros per owner), or a sequence of
        budgets in euros (each scenario then named by its budget, e.g.
        ``"€10,000,000"``).
    objective : str, default 'risk'
        As for :func:`renovation_plan`; the candidates are built once and
        shared by every scenario.
    cost_model : CostModel or None, default None
        As for :func:`renovation_plan`; the candidates are built once and
        shared by every scenario.
    risk : pandas.Series, float or None, default None
        As for :func:`renovation_plan`; the candidates are built once and
        shared by every scenario.
    hot : pandas.Series or None, default None
        As for :func:`renovation_plan`; the candidates are built once and
        shared by every scenario.
    as_of : object, default None
        As for :func:`renovation_plan`; the candidates are built once and
        shared by every scenario.
    reason_pattern : str or None, optional
        As for :func:`renovation_plan`; the candidates are built once and
        shared by every scenario.
    time_limit_s : float or None, default None
        As for :func:`renovation_plan`; the candidates are built once and
        shared by every scenario.

    Returns
    -------
    pandas.DataFrame
        One row per scenario (in the order given): ``scenario`` and the
        exact plan's row of :attr:`RenovationPlan.summary` (objective,
        budget, spend, estates selected, units recovered, risk-weighted
        units, next €1M), plus ``estates`` listing the ids selected.
    """
    named = (
        dict(budgets)
        if isinstance(budgets, Mapping)
        else {f"€{float(b):,.0f}": float(b) for b in budgets}
    )
    if not named:
        raise ValidationError("budgets must name at least one scenario")
    cand = _candidates(data, cost_model, risk, hot, as_of, reason_pattern)
    rows = []
    for name, budget in named.items():
        result = renovation_plan(
            cand, budget, objective=objective, time_limit_s=time_limit_s
        )
        row = result.summary[result.summary[S.METHOD] == "optimal"].iloc[0].to_dict()
        chosen = result.plans["optimal"]
        row["estates"] = ", ".join(sorted(chosen.loc[chosen[S.SELECTED], S.ESTATE_ID]))
        rows.append(
            {"scenario": name, **{k: v for k, v in row.items() if k != S.METHOD}}
        )
    return pd.DataFrame(rows)
