"""Brute-force renovation allocation: the reference the exact plans are checked against.

Enumerates every allocation of units to estates, so it only serves small
instances: ``tests/test_priorities.py`` and ``tests/test_plans.py`` compare
the exact plans with it, and ``benchmarks/bench_priorities.py`` times the
exact plan against it.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Sequence

import numpy as np


def _spend(x: np.ndarray, unit: np.ndarray, site: np.ndarray) -> float:
    return math.fsum(float(v) for v in np.concatenate([x * unit, (x > 0) * site]))


def feasible_plans(
    units: np.ndarray,
    unit: np.ndarray,
    site: np.ndarray,
    budgets: Sequence[float],
    group: np.ndarray | None = None,
) -> Iterator[np.ndarray]:
    """Every allocation whose spend fits the budget of each group (exact sums).

    ``group[e]`` is the index in ``budgets`` of the budget estate ``e`` draws
    on (all 0 when None); -1 leaves the estate out.
    """
    grp = np.zeros(len(units), dtype=int) if group is None else np.asarray(group)
    ranges = [
        range(int(k) + 1) if g >= 0 else range(1)
        for k, g in zip(units, grp, strict=True)
    ]
    for combo in itertools.product(*ranges):
        x = np.asarray(combo, dtype=np.int64)
        if all(
            _spend(x[grp == g], unit[grp == g], site[grp == g]) <= b
            for g, b in enumerate(budgets)
        ):
            yield x


def solve_bruteforce(
    units: np.ndarray,
    unit: np.ndarray,
    site: np.ndarray,
    value: np.ndarray,
    budget: float,
) -> np.ndarray:
    """Return the allocation with the most ``value`` whose spend fits ``budget``.

    Spend of an allocation ``x``: ``Σ unit·x + Σ site·[x > 0]``, summed exactly
    (:func:`math.fsum`). Of allocations within 1e-12 of the best value, the
    first enumerated wins.
    """
    best_v, best_x = -1.0, np.zeros(len(units), dtype=np.int64)
    for x in feasible_plans(units, unit, site, [budget]):
        v = float(np.dot(value, x))
        if v > best_v + 1e-12:
            best_v, best_x = v, x
    return best_x


def lexicographic_best(
    units: np.ndarray,
    unit: np.ndarray,
    site: np.ndarray,
    risk: np.ndarray,
    budgets: Sequence[float],
    *,
    objective: str,
    group: np.ndarray | None = None,
    min_units: int = 0,
) -> tuple[int, float]:
    """Best ``(units, risk-weighted units)`` of a plan, compared lexicographically.

    ``objective="risk"``: most risk-weighted units, then most units (risk
    values within 1e-9 count as equal); ``"units"``: most units, then most
    risk-weighted units. Only plans recovering ``min_units`` or more count.
    """
    best: tuple[float, float] | None = None
    out = (0, 0.0)
    for x in feasible_plans(units, unit, site, budgets, group):
        u = int(x.sum())
        if u < min_units:
            continue
        r = math.fsum(float(v) for v in risk * x)
        key = (round(r, 9), u) if objective == "risk" else (u, r)
        if best is None or key > best:
            best, out = key, (u, r)
    return out
