"""Brute-force renovation allocation: the reference the exact plan is checked against.

Enumerates every allocation of units to estates, so it only serves small
instances: ``tests/test_priorities.py`` compares the exact plan with it, and
``benchmarks/bench_priorities.py`` times the exact plan against it.
"""

from __future__ import annotations

import itertools
import math

import numpy as np


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
    for combo in itertools.product(*(range(int(k) + 1) for k in units)):
        x = np.asarray(combo, dtype=np.int64)
        spend = math.fsum(float(v) for v in np.concatenate([x * unit, (x > 0) * site]))
        if spend <= budget:
            v = float(np.dot(value, x))
            if v > best_v + 1e-12:
                best_v, best_x = v, x
    return best_x
