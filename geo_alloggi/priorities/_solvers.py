"""Allocate vacant units to renovate under budgets: exact plans, trade-off, naive fills.

Private to :mod:`geo_alloggi.priorities`. An :class:`Instance` holds the
candidate estates and one budget per group of estates (one group for a shared
budget, one per owner for separate budgets). :func:`best_risk` is the exact
plan with the most risk-weighted units among those recovering at least a given
number of units (the ε-constraint step of the trade-off); :func:`optimal` the
plan of one objective; :func:`greedy` a naive fill.
Every exact plan comes from :func:`solve_milp`, which raises
:class:`~geo_alloggi._errors.SolverError` rather than return a plan it has not
proved optimal.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo_alloggi import _schema as S
from geo_alloggi._errors import SolverError
from geo_alloggi.priorities._exact import solve_one_budget

log = logging.getLogger(__name__)

#: What an exact plan maximises: risk-weighted units, or units recovered.
OBJECTIVES: tuple[str, ...] = ("risk", "units")
#: The naive fills, in the order the tables show them.
NAIVE_METHODS: tuple[str, ...] = (
    "cheapest_first",
    "largest_first",
    "risk_per_euro_first",
)
#: Allocation methods: the exact plan, then the naive ones.
METHODS: tuple[str, ...] = ("optimal", *NAIVE_METHODS)

# Ties between plans with the most risk-weighted units go to the most units:
# one unit weighs this share of the candidates' total risk-weighted units
# divided by their total units (so a plan never gives up more than this share
# of that total to recover more units), far below what a planner could tell
# apart and far above the solver's tolerances
RISK_RESOLUTION = 1e-7
# total risk-weighted units below which the risks are scaled before ranking
# (far above the float underflow that would make δ zero)
_TINY_RISK = 1e-200
# budget tightenings tried when the solver's tolerance lets a plan overspend
_MAX_TIGHTEN = 20
# HiGHS model statuses worth naming (scipy folds them into status 1 or 4)
_CAUSES = {
    1: "the time or iteration limit was reached before the plan was proved optimal",
    2: "the problem is infeasible",
    3: "the problem is unbounded",
    4: "the solver stopped early",
}


def spend(x: np.ndarray, unit: np.ndarray, site: np.ndarray) -> float:
    """Exact (correctly rounded) spend of an allocation, in euros."""
    return math.fsum(float(v) for v in np.concatenate([x * unit, (x > 0) * site]))


@dataclass(frozen=True)
class Instance:
    """Candidate estates (arrays aligned by estate) and the budgets they draw on.

    ``group[e]`` is the index in ``budgets`` of the budget estate ``e`` draws
    on; -1 leaves the estate out (no budget applies to it).
    """

    units: np.ndarray
    unit: np.ndarray
    site: np.ndarray
    risk: np.ndarray
    group: np.ndarray
    budgets: np.ndarray
    time_limit: float | None = None

    @classmethod
    def single(
        cls,
        units: np.ndarray,
        unit: np.ndarray,
        site: np.ndarray,
        risk: np.ndarray,
        budget: float,
        time_limit: float | None = None,
    ) -> Instance:
        """One budget shared by every estate."""
        return cls(
            np.asarray(units, dtype=np.int64),
            np.asarray(unit, dtype=float),
            np.asarray(site, dtype=float),
            np.asarray(risk, dtype=float),
            np.zeros(len(units), dtype=np.int64),
            np.array([float(budget)]),
            time_limit,
        )

    def with_budgets(self, budgets: np.ndarray) -> Instance:
        """Return the same estates with other budgets."""
        return Instance(
            self.units,
            self.unit,
            self.site,
            self.risk,
            self.group,
            np.asarray(budgets, dtype=float),
            self.time_limit,
        )

    def fits(self, x: np.ndarray) -> bool:
        """Tell whether ``x`` keeps every group within its budget (exactly)."""
        for g, budget in enumerate(self.budgets):
            mask = self.group == g
            if spend(x[mask], self.unit[mask], self.site[mask]) > budget:
                return False
        return not (x[self.group < 0] > 0).any()

    def useful(self) -> np.ndarray:
        """Estates that can take at least one unit within their budget."""
        ok = (self.units > 0) & (self.group >= 0)
        cap = np.where(self.group >= 0, self.budgets[np.maximum(self.group, 0)], 0.0)
        return ok & (self.unit + self.site <= cap)


def _status_error(status: int, message: str, inst: Instance) -> SolverError:
    cause = _CAUSES.get(status, "the solver failed")
    if status == 1 and inst.time_limit is not None:
        cause = (
            f"the time limit of {inst.time_limit:g} s was reached before the plan "
            "was proved optimal"
        )
    return SolverError(
        f"renovation plan not solved: {cause} ({message}); no plan is "
        "given rather than one that may not be optimal"
    )


def solve_milp(
    inst: Instance,
    value: np.ndarray,
    *,
    min_units: int = 0,
) -> np.ndarray:
    """Maximise Σ value·x within every budget, x ≤ units, integer.

    One budget and positive values: the exact dynamic programme of
    :func:`~geo_alloggi.priorities._exact.solve_one_budget`; where it gives
    up (weak bounds), or with several budget rows, the mixed-integer
    programme (HiGHS, gap 0). Both prove the plan optimal.

    Parameters
    ----------
    inst
        Estates and budgets; estate e spends ``unit[e]·x[e] + site[e]`` when
        ``x[e] > 0``.
    value
        Value of one unit of each estate.
    min_units
        Plans must recover at least this many units in all (ε-constraint).

    Returns
    -------
    numpy.ndarray
        Integer ``x``; its spend is checked exactly against each budget.

    Raises
    ------
    SolverError
        The solver did not prove a plan optimal (time limit, infeasible
        constraints, early stop), or no plan within the budgets was found
        after tightening them for the solver's tolerance.
    """
    value = np.asarray(value, dtype=float)
    idx = np.flatnonzero(inst.useful())
    groups = np.unique(inst.group[idx])
    if len(groups) == 1 and (value[idx] > 0).all():
        deadline = (
            None if inst.time_limit is None else time.monotonic() + inst.time_limit
        )
        try:
            found = solve_one_budget(
                inst.units[idx],
                inst.unit[idx],
                inst.site[idx],
                value[idx],
                float(inst.budgets[groups[0]]),
                min_units=min_units,
                deadline=deadline,
            )
        except TimeoutError:
            cause = "dynamic programme: time limit reached"
            raise _status_error(1, cause, inst) from None
        if found is not None:
            x = np.zeros(len(inst.units), dtype=np.int64)
            x[idx] = found
            return x
    return solve_milp_highs(inst, value, min_units=min_units)


def solve_milp_highs(
    inst: Instance, value: np.ndarray, *, min_units: int
) -> np.ndarray:
    """:func:`solve_milp` by the mixed-integer programme (HiGHS)."""
    # imported here: most plans never need HiGHS, and scipy.optimize takes
    # a good part of a second to import
    from scipy import sparse
    from scipy.optimize import Bounds, LinearConstraint, milp

    n = len(inst.units)
    x = np.zeros(n, dtype=np.int64)
    idx = np.flatnonzero(inst.useful())
    if len(idx) == 0:
        if min_units > 0:
            raise _status_error(2, "no estate can take a unit", inst)
        return x
    u = inst.units[idx].astype(float)
    c, f, grp = inst.unit[idx], inst.site[idx], inst.group[idx]
    m = len(idx)
    groups = np.unique(grp)
    # one budget row per group, scaled to 1 so the tolerance is relative
    rows = np.zeros((len(groups), 2 * m))
    for i, g in enumerate(groups):
        mask = grp == g
        scale = inst.budgets[g]
        rows[i, :m] = np.where(mask, c, 0.0) / scale
        rows[i, m:] = np.where(mask, f, 0.0) / scale
    link = sparse.hstack([sparse.identity(m), sparse.diags(-u)], format="csr")
    extra: list[LinearConstraint] = []
    if min_units > 0:
        extra.append(
            LinearConstraint(
                np.concatenate([np.ones(m), np.zeros(m)])[None, :], min_units, np.inf
            )
        )
    bounds = Bounds(np.zeros(2 * m), np.concatenate([u, np.ones(m)]))
    options: dict[str, float] = {"mip_rel_gap": 0.0}
    if inst.time_limit is not None:
        options["time_limit"] = float(inst.time_limit)
    caps = np.ones(len(groups))
    for _ in range(_MAX_TIGHTEN):
        res = milp(
            np.concatenate([-value[idx], np.zeros(m)]),
            constraints=[
                LinearConstraint(rows, -np.inf, caps),
                LinearConstraint(link, -np.inf, 0.0),
                *extra,
            ],
            integrality=np.ones(2 * m),
            bounds=bounds,
            options=options,
        )
        if res.status != 0 or res.x is None:
            raise _status_error(int(res.status), f"HiGHS: {res.message}", inst)
        cand = np.clip(np.rint(res.x[:m]).astype(np.int64), 0, u.astype(np.int64))
        over = False
        for i, g in enumerate(groups):
            mask = grp == g
            spent = spend(cand[mask], c[mask], f[mask])
            if spent > inst.budgets[g]:
                # the solver's feasibility tolerance (about 1e-7 of the budget)
                # let the budget slip: tighten the row by the excess, solve again
                caps[i] -= (spent - inst.budgets[g]) / inst.budgets[g] + 1e-12
                over = True
        if not over:
            x[idx] = cand
            return x
    raise SolverError(
        f"renovation plan not solved: no plan within the budget after "
        f"{_MAX_TIGHTEN} tightenings for the solver's tolerance"
    )


def lexicographic_values(inst: Instance, objective: str) -> np.ndarray:
    """Return the value of one unit of each estate that ranks plans for ``objective``.

    ``"units"``: ``Σ r·u + 1 + risk`` per unit, so one more unit outweighs any
    difference in risk-weighted units (at most ``Σ r·u``), which then breaks
    ties: most units, then most risk-weighted units, exactly. ``"risk"``:
    ``risk / δ + 1`` with ``δ = RISK_RESOLUTION · Σ r·u / (Σ u + 1)``: most
    risk-weighted units, then most units; a plan gives up at most
    ``RISK_RESOLUTION · Σ r·u`` risk-weighted units to recover more units,
    and no plan with the most risk-weighted units recovers more units.
    """
    ok = inst.group >= 0
    total_r = math.fsum(float(v) for v in (inst.risk * inst.units)[ok])
    if objective == "units":
        return inst.risk + (total_r + 1.0)
    if total_r <= 0:
        return np.ones(len(inst.units))
    risk = inst.risk
    if total_r < _TINY_RISK:
        # δ would underflow to 0 and every value be infinite (the exact
        # solver then never ends): the risks scaled by a power of two, exact,
        # so that the largest risk-weighted units are about 1 (same ranking);
        # an estate without units to give (or without a budget) cannot be
        # chosen, and its risk is capped so as not to overflow
        top = float(np.max((inst.risk * inst.units)[ok]))
        with np.errstate(over="ignore"):
            risk = np.minimum(np.ldexp(inst.risk, -math.frexp(top)[1]), 1.0)
        total_r = math.fsum(float(v) for v in (risk * inst.units)[ok])
    delta = RISK_RESOLUTION * total_r / (float(inst.units[ok].sum()) + 1.0)
    return risk / delta + 1.0


def subinstance(inst: Instance, g: int) -> Instance:
    """Return the estates of budget group ``g`` alone, with that budget."""
    mask = inst.group == g
    return Instance(
        inst.units[mask],
        inst.unit[mask],
        inst.site[mask],
        inst.risk[mask],
        np.zeros(int(mask.sum()), dtype=np.int64),
        inst.budgets[g : g + 1],
        inst.time_limit,
    )


def _solve(inst: Instance, value: np.ndarray, min_units: int = 0) -> np.ndarray:
    """Solve ``value`` exactly; separate budgets without a joint floor one by one.

    Budgets are separate constraints and the value is a sum over estates,
    so each group's part of the joint optimum is that group's optimum: the
    groups are solved apart (much faster than one programme with several
    budget rows). A joint ``min_units`` couples them: one programme then.
    """
    if len(inst.budgets) == 1 or min_units > 0:
        return solve_milp(inst, value, min_units=min_units)
    x = np.zeros(len(inst.units), dtype=np.int64)
    for g in range(len(inst.budgets)):
        mask = inst.group == g
        x[mask] = solve_milp(subinstance(inst, g), value[mask])
    return x


def best_risk(inst: Instance, min_units: int = 0) -> np.ndarray:
    """Return the most risk-weighted plan among those recovering ``min_units`` or more.

    Ties go to the most units (see :func:`lexicographic_values`).
    ``min_units=0`` is the plan with objective ``"risk"``; the plan with
    objective ``"units"`` is the one of ``min_units`` = its own units, so
    the ends of the trade-off are these two plans.
    """
    return _solve(inst, lexicographic_values(inst, "risk"), min_units)


def optimal(inst: Instance, objective: str) -> np.ndarray:
    """Return the exact plan for ``objective`` (``"risk"`` or ``"units"``)."""
    return _solve(inst, lexicographic_values(inst, objective))


def solve_greedy(
    order: np.ndarray,
    units: np.ndarray,
    unit: np.ndarray,
    site: np.ndarray,
    budget: float,
) -> np.ndarray:
    """Fill estates in ``order``: all their units if affordable, else as many as fit."""
    x = np.zeros(len(units), dtype=np.int64)
    left = float(budget)
    for i in order:
        if units[i] <= 0 or site[i] + unit[i] > left:
            continue
        k = int(min(units[i], math.floor((left - site[i]) / unit[i])))
        while k > 0 and site[i] + k * unit[i] > left:  # guard float rounding
            k -= 1
        if k > 0:
            x[i] = k
            left -= site[i] + k * unit[i]
    return x


def naive_order(inst: Instance, ids: np.ndarray, method: str) -> np.ndarray:
    """Order in which a naive method fills estates (ties by estate id).

    *cheapest first*: by cost per unit, the site cost shared over the estate's
    vacant units; *largest first*: by decreasing vacant units; *risk per euro
    first*: by decreasing risk-weighted units per euro of renovating the whole
    estate (``risk·units / (site + unit·units)``).
    """
    units = inst.units.astype(float)
    whole = inst.site + inst.unit * units
    if method == "cheapest_first":
        return np.lexsort((ids, whole / np.maximum(units, 1)))
    if method == "largest_first":
        return np.lexsort((ids, -units))
    if method == "risk_per_euro_first":
        per_euro = np.where(
            whole > 0, inst.risk * units / np.where(whole > 0, whole, 1), 0
        )
        return np.lexsort((ids, -per_euro))
    raise ValueError(f"unknown method {method!r}")


def greedy(inst: Instance, ids: np.ndarray, method: str) -> np.ndarray:
    """Return a naive plan: each budget group filled in the method's order."""
    x = np.zeros(len(inst.units), dtype=np.int64)
    order = naive_order(inst, ids, method)
    for g, budget in enumerate(inst.budgets):
        in_group = order[inst.group[order] == g]
        x += solve_greedy(in_group, inst.units, inst.unit, inst.site, budget)
    return x


def instance(
    cand: pd.DataFrame,
    budgets: np.ndarray,
    group: np.ndarray | None = None,
    time_limit: float | None = None,
) -> Instance:
    """Return the :class:`Instance` of a candidates table (``group`` None: one)."""
    n = len(cand)
    return Instance(
        cand[S.UNITS].to_numpy(np.int64),
        cand[S.UNIT_COST_EUR].to_numpy(float),
        cand[S.SITE_COST_EUR].to_numpy(float),
        cand[S.RISK].to_numpy(float),
        np.zeros(n, dtype=np.int64) if group is None else np.asarray(group, np.int64),
        np.asarray(budgets, dtype=float),
        time_limit,
    )


def allocate(
    cand: pd.DataFrame, budget: float, method: str, objective: str = "risk"
) -> np.ndarray:
    """Plan of ``method`` on a candidates table with one shared ``budget``.

    Kept for the benchmarks (``benchmarks/bench_priorities.py``).
    """
    inst = instance(cand, np.array([float(budget)]))
    if method == "optimal":
        return optimal(inst, objective)
    return greedy(inst, cand[S.ESTATE_ID].astype(str).to_numpy(), method)
