"""Trace the efficient plans between the two objectives (ε-constraint).

Private to :mod:`geo_alloggi.priorities`: the arrays behind
:func:`~geo_alloggi.priorities.renovation_frontier`. :func:`frontier_plans`
walks a grid of least units on one budget, :func:`profile` finds every
efficient plan of one budget group, :func:`merge` combines the groups'
plans exactly and :func:`pick` takes the plans a table shows.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from geo_alloggi.priorities._solvers import Instance, best_risk, optimal, solve_milp


def profile(
    inst: Instance, risk_values: np.ndarray, units_values: np.ndarray
) -> dict[int, np.ndarray]:
    """Return every efficient plan of one budget group, by the units it recovers.

    From the ``risk`` plan (``risk_values``) to the ``units`` plan
    (``units_values``, the values of :func:`lexicographic_values` of the
    whole instance, restricted to the group), the ε-constraint plan for each
    number of units in between: ``plans[u]`` is the most risk-weighted plan
    recovering u units or more (a step the previous plan already met is
    skipped).
    """
    first = solve_milp(inst, risk_values)
    last = solve_milp(inst, units_values)
    lo, hi = int(first.sum()), int(last.sum())
    plans = {lo: first}
    k = lo + 1
    while k < hi:
        x = solve_milp(inst, risk_values, min_units=k)
        plans[int(x.sum())] = x
        k = int(x.sum()) + 1
    if hi > lo:
        plans[hi] = last
    return plans


def frontier_plans(inst: Instance, points: int) -> list[np.ndarray]:
    """Return distinct ε-constraint plans, from the ``risk`` plan to the ``units`` one.

    The grid of least units runs from the units of the risk plan to those
    of the units plan; a grid step already met by the previous plan is
    raised to one unit more, and while fewer than 5 plans are found the
    widest gap between two plans is split, so the plans are distinct.
    """
    first, last = optimal(inst, "risk"), optimal(inst, "units")
    lo, hi = int(first.sum()), int(last.sum())
    plans = {lo: first}
    for k in np.unique(np.rint(np.linspace(lo, hi, points)).astype(int))[1:-1]:
        if max(plans) + 1 >= hi:
            break
        x = best_risk(inst, int(max(k, max(plans) + 1)))
        plans[int(x.sum())] = x
    plans[hi] = last  # the units plan itself, as objective="units" gives it
    if lo == hi:
        plans[hi] = first
    tried: set[int] = set()
    while len(plans) < 5:
        us = sorted(plans)
        gaps = [(b - a, a) for a, b in itertools.pairwise(us) if b - a > 1]
        gaps = [g for g in gaps if g[1] not in tried]
        if not gaps:
            break
        gap, a = max(gaps)
        tried.add(a)
        x = best_risk(inst, a + (gap + 1) // 2)
        plans.setdefault(int(x.sum()), x)
    return [plans[u] for u in sorted(plans)]


def pick(plans: dict[int, np.ndarray], points: int) -> list[np.ndarray]:
    """Return the plans at a grid of least units, at least 5 when there are.

    ``plans`` maps units to the most risk-weighted plan recovering that many
    or more (every efficient plan); a grid step takes the first plan at or
    above it, and while fewer than 5 are taken the plan farthest from the
    taken ones is added.
    """
    keys = sorted(plans)
    taken = {
        min(u for u in keys if u >= k) for k in np.linspace(keys[0], keys[-1], points)
    }
    while len(taken) < min(5, len(keys)):
        rest = [u for u in keys if u not in taken]
        taken.add(max(rest, key=lambda u: (min(abs(u - t) for t in taken), -u)))
    return [plans[u] for u in sorted(taken)]


def merge(
    inst: Instance, profiles: list[dict[int, np.ndarray]], value: np.ndarray
) -> dict[int, np.ndarray]:
    """Return the efficient plans of all groups together, by units recovered.

    Separate budgets: the most risk-weighted plan recovering k units or more
    in all is, in each group, the group's best plan for some share of k
    (its profile). Every combination of the groups' efficient plans is
    scored by the lexicographic value; for each k the best combination
    recovering k or more is the ε-constraint plan.
    """
    combos: dict[int, tuple[float, tuple[int, ...]]] = {0: (0.0, ())}
    for g, prof in enumerate(profiles):
        mask = inst.group == g
        scores = {u: math.fsum(value[mask] * x) for u, x in prof.items()}
        merged: dict[int, tuple[float, tuple[int, ...]]] = {}
        for u1, (v1, keys) in combos.items():
            for u2, v2 in scores.items():
                u, v = u1 + u2, v1 + v2
                if u not in merged or v > merged[u][0]:
                    merged[u] = (v, (*keys, u2))
        combos = merged
    out: dict[int, np.ndarray] = {}
    best: tuple[float, int] | None = None
    for u in sorted(combos, reverse=True):  # best combination with u or more
        if best is None or combos[u][0] > best[0]:
            best = (combos[u][0], u)
            x = np.zeros(len(inst.units), dtype=np.int64)
            for g, key in enumerate(combos[u][1]):
                x[inst.group == g] = profiles[g][key]
            out[u] = x
    return out
