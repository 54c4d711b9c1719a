"""Allocate vacant units to renovate under a budget: the exact plan and the naive fills.

Private to :mod:`geo_alloggi.priorities`; :func:`allocate` is what
:func:`geo_alloggi.priorities.renovation_plan` calls for each method.
"""

from __future__ import annotations

import logging
import math

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from geo_alloggi import _schema as S

log = logging.getLogger(__name__)

#: Allocation methods: the exact plan, then the two naive ones.
METHODS: tuple[str, ...] = ("optimal", "cheapest_first", "largest_first")


def spend(x: np.ndarray, unit: np.ndarray, site: np.ndarray) -> float:
    """Exact (correctly rounded) spend of an allocation, in euros."""
    return math.fsum(float(v) for v in np.concatenate([x * unit, (x > 0) * site]))


def solve_milp(
    units: np.ndarray,
    unit: np.ndarray,
    site: np.ndarray,
    value: np.ndarray,
    budget: float,
) -> np.ndarray:
    """Maximise Σ value·x s.t. Σ unit·x + site·[x>0] ≤ budget, x ≤ units, integer.

    Returns integer ``x``; the spend of ``x`` is checked exactly in euros.
    """
    n = len(units)
    x = np.zeros(n, dtype=np.int64)
    useful = (units > 0) & (value > 0) & (unit + site <= budget)
    idx = np.flatnonzero(useful)
    if len(idx) == 0 or budget <= 0:
        return x
    u, c, f, r = units[idx].astype(float), unit[idx], site[idx], value[idx]
    m = len(idx)
    scale = budget
    cost_row = np.concatenate([c, f]) / scale
    link = sparse.hstack([sparse.identity(m), sparse.diags(-u)], format="csr")
    bounds = Bounds(np.zeros(2 * m), np.concatenate([u, np.ones(m)]))
    integrality = np.ones(2 * m)
    cap = 1.0
    for _ in range(20):
        constraints = [
            LinearConstraint(cost_row[None, :], -np.inf, cap),
            LinearConstraint(link, -np.inf, 0.0),
        ]
        res = milp(
            np.concatenate([-r, np.zeros(m)]),
            constraints=constraints,
            integrality=integrality,
            bounds=bounds,
            options={"mip_rel_gap": 0.0},
        )
        if res.x is None:
            log.warning("milp found no plan (status %s: %s)", res.status, res.message)
            return x
        if res.status != 0:
            log.warning("milp stopped early (status %s: %s)", res.status, res.message)
        cand = np.rint(res.x[:m]).astype(np.int64)
        cand = np.clip(cand, 0, u.astype(np.int64))
        spent = spend(cand, c, f)
        if spent <= budget:
            x[idx] = cand
            return x
        # the solver's feasibility tolerance (about 1e-7 of the budget) let
        # the budget slip: tighten the row by the excess and solve again
        cap -= (spent - budget) / scale + 1e-12
    return x


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


def allocate(cand: pd.DataFrame, budget: float, method: str) -> np.ndarray:
    units = cand[S.UNITS].to_numpy(np.int64)
    unit = cand[S.UNIT_COST_EUR].to_numpy(float)
    site = cand[S.SITE_COST_EUR].to_numpy(float)
    value = cand[S.RISK].to_numpy(float)
    ids = cand[S.ESTATE_ID].astype(str).to_numpy()
    if method == "optimal":
        return solve_milp(units, unit, site, value, budget)
    if method == "cheapest_first":
        per_unit = (site + unit * units) / np.maximum(units, 1)
        order = np.lexsort((ids, per_unit))
    else:  # largest_first
        order = np.lexsort((ids, -units))
    return solve_greedy(order, units, unit, site, budget)
