"""Tests for geo_alloggi.priorities._exact: exact plans of one budget."""

from __future__ import annotations

import math

import numpy as np
import pytest
from _bruteforce import feasible_plans

from geo_alloggi.priorities import _exact, _solvers


def _value(value: np.ndarray, x: np.ndarray) -> float:
    return math.fsum(float(v) for v in value * x)


def _spend(x: np.ndarray, unit: np.ndarray, site: np.ndarray) -> float:
    return math.fsum(float(v) for v in np.concatenate([x * unit, (x > 0) * site]))


def _tiny(seed: int):
    """Up to 4 estates of up to 4 units; integer costs, rounded risks (ties)."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 5))
    units = rng.integers(1, 5, n)
    unit = rng.integers(1, 6, n) * 1000.0
    site = rng.choice([0.0, 1000.0, 4000.0], n)
    risk = np.round(rng.uniform(0, 1, n), 1)
    whole = float((site + unit * units).sum())
    budget = float(np.round(rng.uniform(0.05, 1.1) * whole, -2))
    return units, unit, site, risk, max(budget, float((unit + site).min()))


def _useful(units, unit, site, budget):
    return (units > 0) & (unit + site <= budget)


@pytest.mark.parametrize("objective", ["risk", "units"])
@pytest.mark.parametrize("seed", range(40))
def test_exact_plan_is_the_brute_force_optimum(objective, seed):
    units, unit, site, risk, budget = _tiny(seed)
    ok = _useful(units, unit, site, budget)
    units, unit, site, risk = units[ok], unit[ok], site[ok], risk[ok]
    inst = _solvers.Instance.single(units, unit, site, risk, budget)
    value = _solvers.lexicographic_values(inst, objective)
    plans = list(feasible_plans(units, unit, site, [budget]))
    most = max(int(x.sum()) for x in plans)
    for floor in sorted({0, 1, most // 2, most, most + 1}):
        got = _exact.solve_one_budget(units, unit, site, value, budget, min_units=floor)
        meeting = [x for x in plans if x.sum() >= floor]
        if not meeting:
            assert got is None, floor  # no plan recovers that many: HiGHS says so
            continue
        assert got is not None, floor
        assert got.sum() >= floor
        assert _spend(got, unit, site) <= budget
        best = max(_value(value, x) for x in meeting)
        assert _value(value, got) == pytest.approx(best, rel=1e-12), floor


@pytest.mark.parametrize("seed", range(4))
def test_exact_plan_and_the_mixed_integer_programme_agree(seed):
    # 40 estates with real-valued costs and risks, as the candidates have:
    # the optimum is unique, so both give the same plan, floor or not
    rng = np.random.default_rng(1000 + seed)
    n = 40
    units = rng.integers(1, 60, n)
    unit = rng.uniform(8_000, 50_000, n)
    site = np.full(n, 60_000.0)
    risk = rng.uniform(0.02, 0.95, n)
    budget = float(rng.uniform(0.1, 0.5) * (site + unit * units).sum())
    inst = _solvers.Instance.single(units, unit, site, risk, budget)
    value = _solvers.lexicographic_values(inst, "risk")
    top = int(_solvers.optimal(inst, "units").sum())
    low = int(_solvers.optimal(inst, "risk").sum())
    for floor in (0, (low + top) // 2, top - 1):
        got = _exact.solve_one_budget(units, unit, site, value, budget, min_units=floor)
        assert got is not None
        milp = _solvers.solve_milp_highs(inst, value, min_units=floor)
        np.testing.assert_array_equal(got, milp)


def test_weak_bounds_hand_the_plan_to_the_mixed_integer_programme(monkeypatch):
    # with no estate allowed free, the programme gives up on any instance
    # that is not settled by its bounds alone; the plan is still exact
    units, unit, site, risk, budget = (
        np.array([3, 2, 4]),
        np.array([10.0, 12.0, 7.0]),
        np.array([5.0, 0.0, 9.0]),
        np.array([0.5, 0.9, 0.2]),
        40.0,
    )
    monkeypatch.setattr(_exact, "MAX_FREE", 0)
    inst = _solvers.Instance.single(units, unit, site, risk, budget)
    value = _solvers.lexicographic_values(inst, "units")
    assert _exact.solve_one_budget(units, unit, site, value, budget) is None
    x = _solvers.solve_milp(inst, value)
    best = max(
        (_value(value, p), tuple(p)) for p in feasible_plans(units, unit, site, [40.0])
    )
    assert tuple(x) == best[1]


def test_plans_of_the_same_value_go_to_the_cheapest():
    # either estate alone fits (12 €), not both: the same value, 10 € or 12 €
    units, unit, site = np.array([1, 1]), np.array([12.0, 10.0]), np.zeros(2)
    inst = _solvers.Instance.single(units, unit, site, np.array([0.5, 0.5]), 12.0)
    for objective in ("risk", "units"):
        value = _solvers.lexicographic_values(inst, objective)
        got = _exact.solve_one_budget(units, unit, site, value, 12.0)
        assert got is not None
        assert got.tolist() == [0, 1]
