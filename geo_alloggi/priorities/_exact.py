"""Exact plan of one budget: Lagrangian reduction, then a bounded dynamic programme.

Private to :mod:`geo_alloggi.priorities`. :func:`solve_one_budget` maximises
``Σ value·x`` over integer ``0 ≤ x ≤ units`` whose spend
``Σ unit·x + Σ site·[x > 0]`` fits one budget, optionally with
``Σ x ≥ min_units``, and proves the plan optimal; it gives up (returns None)
on instances where its bounds are too weak, and the caller then solves the
mixed-integer programme instead.

Notes
-----
The Lagrangian relaxation of the budget (multiplier μ) and of the floor
(multiplier λ) bounds every plan: ``value(x) ≤ L − Σ_e loss_e(x_e)``, with
``L = μ·B − λ·K + Σ_e best_e`` and ``loss_e(k) = best_e − term_e(k) ≥ 0``,
``term_e(k) = (value_e + λ)·k − μ·(unit_e·k + site_e)`` for ``k > 0`` and
0 for ``k = 0``, ``best_e`` its maximum over ``k`` (the multipliers are
those of the linear relaxation, where they give its optimum). A plan worth
at least ``T = L − G`` therefore takes, in each estate, only options losing
at most ``G`` (most estates have one such option: they are fixed), and its
losses add up to at most ``G``. The dynamic programme adds the estates left
free one at a time, keeps the partial plans whose losses stay within ``G``
and spend within the budget, and drops a partial plan when another spends
no more, is worth no less and recovers no fewer units (up to the floor):
every plan worth ``T`` or more is then reached or matched, so the best
complete plan, when worth ``T`` or more, is the optimum. ``G`` starts small
and grows until a plan worth ``T`` is found (at most ``L`` minus the value
of a greedy plan, which then is one).
"""

from __future__ import annotations

import math
import time

import numpy as np

#: Partial plans kept at most, and free estates at most, before giving up.
MAX_STATES = 200_000
MAX_FREE = 150
# first gap tried, as a share of the bound, and its growth per round
_FIRST_GAP = 1e-6
_GROWTH = 2.0
# plans within this share of the best value compared exactly, at most so many
_NEAR = 1e-12
_NEAR_MAX = 64
# partial plans kept when looking for a good plan quickly
_BEAM = 1000


def _critical_ratio(profit: np.ndarray, weight: np.ndarray, budget: float) -> float:
    """Budget multiplier of the fractional knapsack: the ratio of the item cut."""
    ratio = np.where(profit > 0, profit / weight, 0.0)
    order = np.argsort(-ratio, kind="stable")
    order = order[profit[order] > 0]
    cut = int(np.searchsorted(np.cumsum(weight[order]), budget, side="right"))
    return float(ratio[order[cut]]) if cut < len(order) else 0.0


def _most_units(units: np.ndarray, whole: np.ndarray, budget: float) -> float:
    """Most units of the linear relaxation (whole estates by units per euro)."""
    order = np.argsort(-(units / whole), kind="stable")
    spent = np.cumsum(whole[order])
    cut = int(np.searchsorted(spent, budget, side="right"))
    if cut >= len(order):
        return float(units.sum())
    before = spent[cut - 1] if cut else 0.0
    part = (budget - before) / whole[order[cut]] * units[order[cut]]
    return float(units[order[:cut]].sum() + part) * (1 + 1e-9) + 1e-9


def _dual(
    value: np.ndarray, units: np.ndarray, whole: np.ndarray, budget: float, floor: int
) -> tuple[float, float, float]:
    """Return ``(λ, μ, L)``: multipliers of floor and budget, and the bound L."""

    def bound(lam: float) -> tuple[float, float]:
        profit = (value + lam) * units
        mu = _critical_ratio(profit, whole, budget)
        total = mu * budget - lam * floor + np.maximum(0.0, profit - mu * whole).sum()
        return float(total), mu

    first, mu0 = bound(0.0)
    if floor <= 0:
        return 0.0, mu0, first
    # the bound is convex in λ: search the interval where it falls
    lo, hi = 0.0, float(value.max()) + 1.0
    for _ in range(60):
        if bound(hi)[0] >= bound(hi / 2)[0]:
            break
        hi *= 2
    ratio = (math.sqrt(5) - 1) / 2
    a, b = hi - ratio * (hi - lo), lo + ratio * (hi - lo)
    fa, fb = bound(a)[0], bound(b)[0]
    for _ in range(60):
        if fa <= fb:
            hi, b, fb = b, a, fa
            a = hi - ratio * (hi - lo)
            fa = bound(a)[0]
        else:
            lo, a, fa = a, b, fb
            b = lo + ratio * (hi - lo)
            fb = bound(b)[0]
    best, mu = bound(a if fa <= fb else b)
    lo = a if fa <= fb else b
    return (0.0, mu0, first) if first <= best else (lo, mu, best)


def _greedy(
    units: np.ndarray,
    unit: np.ndarray,
    site: np.ndarray,
    profit: np.ndarray,
    budget: float,
) -> np.ndarray:
    """Fill estates by decreasing ``profit`` per euro of the whole estate."""
    whole = site + unit * units
    x = np.zeros(len(units), dtype=np.int64)
    left = budget
    for i in np.argsort(-(profit * units / whole), kind="stable"):
        if site[i] + unit[i] > left:
            continue
        k = int(min(units[i], math.floor((left - site[i]) / unit[i])))
        while k > 0 and site[i] + k * unit[i] > left:
            k -= 1
        if k > 0:
            x[i] = k
            left -= site[i] + k * unit[i]
    return x


def _affordable(
    units: np.ndarray, unit: np.ndarray, site: np.ndarray, budget: float
) -> np.ndarray:
    """Units of each estate that fit the budget on their own."""
    cap = np.floor((budget - site) / unit).clip(0, None).astype(np.int64)
    cap = np.minimum(cap, units)
    over = site + cap * unit > budget
    while over.any():
        cap[over] -= 1
        over = (site + cap * unit > budget) & (cap > 0)
    return cap


def _dominated(cost: np.ndarray, val: np.ndarray, level: np.ndarray) -> np.ndarray:
    """Order of the partial plans no other one beats (same ``level``, i.e. units).

    Sorted by level, then spend, then decreasing value: a plan is kept when
    it is worth more than every cheaper (or as cheap, earlier) plan of its
    level. Within a level a plan worth as much as the best earlier one is
    kept too (which costs time, never a plan). The running best per level
    is one running maximum of ``level + i·value``: NumPy orders complex
    numbers by real part, then imaginary part, both exact.
    """
    if not level.any():
        order = np.lexsort((-val, cost))
        v = val[order]
        best = np.maximum.accumulate(v)
        return order[_after(v, best, strict=True)] if len(order) else order
    order = np.lexsort((-val, cost, level))
    key = level[order] + 1j * val[order]
    best = np.maximum.accumulate(key)
    return order[_after(key, best, strict=False)]


def _after(key: np.ndarray, best: np.ndarray, *, strict: bool) -> np.ndarray:
    """Mask of the first item and of each item beating the running best before it."""
    out = np.empty(len(key), dtype=bool)
    out[:1] = True
    if strict:
        np.greater(key[1:], best[:-1], out=out[1:])
    else:
        np.greater_equal(key[1:], best[:-1], out=out[1:])
    return out


def solve_one_budget(
    units: np.ndarray,
    unit: np.ndarray,
    site: np.ndarray,
    value: np.ndarray,
    budget: float,
    *,
    min_units: int = 0,
    deadline: float | None = None,
) -> np.ndarray | None:
    """Return the plan with the most ``value`` within ``budget``, or None.

    Parameters
    ----------
    units, unit, site, value : numpy.ndarray
        Per estate: units available (> 0), cost per unit (> 0), site cost
        (>= 0) and value of one unit (> 0); every estate can take one unit.
    budget : float
        Euros available.
    min_units : int, default 0
        Plans must recover at least this many units.
    deadline : float or None, default None
        :func:`time.monotonic` time after which :class:`TimeoutError` is raised.

    Returns
    -------
    numpy.ndarray or None
        The optimal integer plan (of plans of exactly the same value, the
        one spending least; the first kept if they spend the same), or
        None when the bounds are too weak for this instance, or no plan
        meets ``min_units``, or the spend of the plan found does not fit
        the budget exactly: the caller then solves otherwise.
    """
    budget = float(budget)
    cap = _affordable(units, unit, site, budget)
    capf = cap.astype(float)
    whole = site + unit * capf
    if min_units > _most_units(capf, whole, budget):
        return None  # no plan recovers that many: the caller says so
    lam, mu, bound = _dual(value, capf, whole, budget, int(min_units))
    slope = value + lam - mu * unit
    best_term = np.maximum(0.0, np.maximum(slope * capf, slope) - mu * site)
    tol = 1e-9 * (abs(bound) + 1.0)
    start = _greedy(cap, unit, site, value + lam, budget)
    gap_max = bound - math.fsum(value * start) if start.sum() >= min_units else math.inf
    gap = min(gap_max, _FIRST_GAP * abs(bound) + 1.0)
    args = (cap, unit, site, value, budget, int(min_units), mu, slope, best_term)
    while True:
        if deadline is not None and time.monotonic() > deadline:
            raise TimeoutError
        found = _programme(*args, gap + tol, bound - gap - tol, deadline)
        if found is None or isinstance(found, np.ndarray):
            return found
        # no plan worth bound - gap: the best complete plan kept, worth less,
        # still bounds the gap to search
        gap_max = min(gap_max, bound - found)
        if gap >= gap_max or gap > abs(bound):
            return None
        if gap_max > _GROWTH**2 * gap:
            # a good plan, found by keeping the least losing partial plans
            # only, tightens the next gap (it proves nothing by itself)
            wide = gap * _GROWTH**2
            good = _programme(*args, wide, bound - wide, deadline, beam=_BEAM)
            if isinstance(good, float):
                gap_max = min(gap_max, bound - good)
        gap = min(gap_max, gap * _GROWTH)


def _options(
    cap: np.ndarray,
    site: np.ndarray,
    mu: float,
    slope: np.ndarray,
    best_term: np.ndarray,
    gap: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return per estate: 0 allowed, and the range [lo, hi] of allowed k ≥ 1.

    ``loss(k) = best − (slope·k − μ·site)`` is linear in k ≥ 1; an empty
    range has lo > hi.
    """
    zero = best_term <= gap
    need = best_term - gap + mu * site  # slope·k must reach this
    with np.errstate(divide="ignore", invalid="ignore"):
        edge = need / slope
    lo = np.ones(len(cap), dtype=np.int64)
    hi = cap.copy()
    up, down, flat = slope > 0, slope < 0, slope == 0
    lo[up] = np.maximum(1, np.ceil(edge[up] - 1e-9)).astype(np.int64)
    hi[down] = np.minimum(cap[down], np.floor(edge[down] + 1e-9)).astype(np.int64)
    none = flat & (need > 0)
    lo[none], hi[none] = 1, 0
    return zero, lo, hi


class _LeastCost:
    """Lower bound on the euros the estates after step j need for ``short`` units.

    Estate e gives up to ``hi[e]`` units for ``site + unit·k ≥ k·(unit +
    site / hi)``: the cheapest rates first (the linear relaxation); inf
    where the estates cannot give that many. ``order`` is the order in which
    the programme adds the free estates; the estates are sorted by rate once
    (ties in that order) and each step keeps those still to come.
    """

    def __init__(
        self, order: np.ndarray, hi: np.ndarray, unit: np.ndarray, site: np.ndarray
    ) -> None:
        most = hi[order]
        step = np.flatnonzero(most > 0)
        rate = unit[order[step]] + site[order[step]] / most[step]
        by_rate = np.argsort(rate, kind="stable")
        self._step = step[by_rate]
        self._most = most[step][by_rate]
        self._rate = rate[by_rate]

    def __call__(self, j: int, short: np.ndarray) -> np.ndarray:
        """Bound for the estates added after step ``j``, for each of ``short``."""
        later = self._step > j
        most, rate = self._most[later], self._rate[later]
        cum_units = np.concatenate(([0.0], np.cumsum(most)))
        cum_cost = np.concatenate(([0.0], np.cumsum(most * rate)))
        return np.interp(short, cum_units, cum_cost, right=np.inf) * (1 - 1e-12)


def _programme(
    cap: np.ndarray,
    unit: np.ndarray,
    site: np.ndarray,
    value: np.ndarray,
    budget: float,
    floor: int,
    mu: float,
    slope: np.ndarray,
    best_term: np.ndarray,
    gap: float,
    target: float,
    deadline: float | None,
    beam: int | None = None,
) -> np.ndarray | float | None:
    """Best plan worth ``target`` or more; None if too hard.

    Without such a plan, the value of the best complete plan kept (a
    float, -inf if none). With ``beam``, only that many partial plans (the
    least losing) are kept at each step and the value of the best complete
    plan is returned: a plan, not a proof.
    """
    zero, lo, hi = _options(cap, site, mu, slope, best_term, gap)
    count = zero.astype(np.int64) + np.maximum(0, hi - lo + 1)
    if (count == 0).any():
        return -math.inf
    x = np.where(zero, 0, lo).astype(np.int64)  # the fixed estates' option
    free = np.flatnonzero(count > 1)
    if len(free) > MAX_FREE:
        return None
    fixed = count == 1
    taken = fixed & (x > 0)
    cost = np.array([math.fsum(np.r_[x[taken] * unit[taken], site[taken]])])
    val = np.array([float(np.dot(value[fixed], x[fixed]))])
    got = np.array([int(x[fixed].sum())])
    term = np.where(x > 0, slope * x - mu * site, 0.0)
    loss = np.array([float((best_term - term)[fixed].sum())])
    steps = []
    order = free[np.argsort(count[free], kind="stable")]
    least_cost = _LeastCost(order, hi, unit, site)
    for j, e in enumerate(order):
        if deadline is not None and time.monotonic() > deadline:
            raise TimeoutError
        ks = np.arange(lo[e], hi[e] + 1, dtype=np.int64)
        if zero[e]:
            ks = np.concatenate((np.zeros(1, dtype=np.int64), ks))
        pay = np.where(ks > 0, site[e] + unit[e] * ks, 0.0)
        lost = best_term[e] - np.where(ks > 0, slope[e] * ks - mu * site[e], 0.0)
        cost = (cost[:, None] + pay).ravel()
        val = (val[:, None] + value[e] * ks).ravel()
        got = (got[:, None] + ks).ravel()
        loss = (loss[:, None] + lost).ravel()
        ok = (loss <= gap) & (cost <= budget)
        if floor > 0:
            short = np.maximum(0, floor - got[ok])
            ok[ok] = cost[ok] + least_cost(j, short) <= budget * (1 + 1e-12)
        keep = np.flatnonzero(ok)
        keep = keep[_dominated(cost[keep], val[keep], np.minimum(got[keep], floor))]
        if beam is not None and len(keep) > beam:
            keep = keep[np.sort(np.argpartition(loss[keep], beam)[:beam])]
        cost, val, got, loss = cost[keep], val[keep], got[keep], loss[keep]
        # partial plan i came from plan i // len(ks), taking ks[i % len(ks)]
        steps.append((e, keep // len(ks), ks[keep % len(ks)]))
        if len(cost) > MAX_STATES:
            return None
        if len(cost) == 0:
            return -math.inf
    complete = got >= floor
    done = np.flatnonzero(complete & (val >= target))
    if len(done) == 0 or beam is not None:
        return float(val[complete].max()) if complete.any() else -math.inf
    # the plans within rounding of the best, compared exactly: most value,
    # then least spend (plans of exactly the same value: the cheapest)
    top = float(val[done].max())
    near = done[val[done] >= top - _NEAR * abs(top)]
    near = near[np.argsort(-val[near], kind="stable")[:_NEAR_MAX]]
    best: tuple[float, float] | None = None
    for i in near:
        plan = _plan(x, steps, int(i))
        paid = math.fsum(float(v) for v in np.r_[plan * unit, (plan > 0) * site])
        key = (math.fsum(float(v) for v in value * plan), -paid)
        if paid <= budget and (best is None or key > best):
            best, chosen = key, plan
    return chosen if best is not None else None


def _plan(fixed: np.ndarray, steps: list, i: int) -> np.ndarray:
    """Return the plan of complete partial plan ``i``: ``fixed``, then each step."""
    x = fixed.copy()
    for e, parent, choice in reversed(steps):
        x[e] = choice[i]
        i = int(parent[i])
    return x
