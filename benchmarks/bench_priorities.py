"""Priorities: exact renovation plan vs brute force and greedy, and the back-test.

Rows:

* exact plan (``scipy.optimize.milp``) against brute-force enumeration on a
  small instance (same optimum, time ratio);
* exact plan against the naive allocations (cheapest first, largest first,
  risk per euro first) on the SYNTHETIC demo's candidates: time, and risk-weighted units
  returned for the same budget;
* back-test of the published patrol ranking on the SYNTHETIC demo with
  planted trends, over rolling origins: mean hit rate and PAI of the top 10%
  of districts for the published ranking, the calibrated weights (full mode)
  and each naive rule.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from _harness import compare, single

from geo_alloggi import _schema as S
from geo_alloggi import priorities as P
from tests._bruteforce import solve_bruteforce  # the reference the tests also use


def _small_instance(seed: int, n: int) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    units = rng.integers(2, 6, n)
    unit = rng.integers(15, 40, n).astype(float) * 1000
    site = rng.choice([30, 60, 90], n).astype(float) * 1000
    risk = np.round(rng.uniform(0.02, 0.4, n), 3)
    budget = float(0.45 * np.sum(units * unit + site))
    return units, unit, site, risk, budget


def _demo():
    from geo_alloggi import load_districts
    from geo_alloggi.overlay import aggregate
    from geo_alloggi.synthetic import make_demo

    records = make_demo(seed=0, messy=False)
    districts = load_districts("study_area")
    panel = aggregate(records, districts, period="year")
    return records, districts, panel


def run(quick: bool) -> list[dict]:
    rows: list[dict] = []

    # 1. exact vs brute force, small instance -----------------------------
    n_small = 6 if quick else 8
    units, unit, site, risk, budget = _small_instance(1, n_small)
    combos = int(np.prod(units + 1))
    small = pd.DataFrame(
        {
            "estate_id": [f"E{i}" for i in range(n_small)],
            "units": units,
            "unit_cost_eur": unit,
            "site_cost_eur": site,
            P.RISK: risk,
        }
    )
    x_milp = P._allocate(small, budget, "optimal")
    x_brute = solve_bruteforce(units, unit, site, risk, budget)
    same = bool(np.isclose(risk @ x_milp, risk @ x_brute))
    rows.append(
        compare(
            f"renovation plan, {n_small} estates (exact)",
            lambda: P._allocate(small, budget, "optimal"),
            lambda: solve_bruteforce(units, unit, site, risk, budget),
            baseline_name=f"brute force ({combos} allocations)",
            n=n_small,
            repeat=1 if quick else 3,
            note=f"same optimum: {same}; risk-weighted {risk @ x_milp:.3f}",
        )
    )

    # 2. exact vs naive on the demo's candidates ----------------------------
    records, districts, panel = _demo()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        from geo_alloggi.stats import emerging_hotspots

        emerging = emerging_hotspots(
            panel, "new_occupations", districts=districts, units="units"
        )
    hot = P.near_hot_spots(records.estates, districts, P.hot_districts(emerging))
    cand = P.renovation_candidates(records, hot=hot)
    budgets = [10e6] if quick else [10e6, 50e6, 132e6]
    for b in budgets:
        for method in P.METHODS[1:]:
            ours_x = P._allocate(cand, b, "optimal")
            base_x = P._allocate(cand, b, method)
            r = cand[P.RISK].to_numpy()
            rows.append(
                compare(
                    f"renovation plan, demo, budget {b / 1e6:.0f} M€",
                    lambda b=b: P._allocate(cand, b, "optimal"),
                    lambda b=b, m=method: P._allocate(cand, b, m),
                    baseline_name=method.replace("_", " "),
                    n=len(cand),
                    note=(
                        f"risk-weighted units {r @ ours_x:.2f} vs {r @ base_x:.2f} "
                        f"(x{(r @ ours_x) / max(r @ base_x, 1e-12):.2f}); units "
                        f"{int(ours_x.sum())} vs {int(base_x.sum())} "
                        "(SYNTHETIC)"
                    ),
                    risk_weighted=float(r @ ours_x),
                    baseline_risk_weighted=float(r @ base_x),
                )
            )

    # 3. back-test of the published ranking over rolling origins ----------
    from geo_alloggi.pipeline import backtest_signals

    periods = sorted(panel["period"].unique())
    origins = P.rolling_origins(periods)
    origins = origins[-3:] if quick else origins
    trend_at = origins if quick else P.evidence_periods(periods, origins)
    emerging_at, gi_at = backtest_signals(
        panel, districts, trend_at=trend_at, hotspots_at=origins
    )
    bt = P.backtest(
        panel,
        area_km2=districts,
        emerging=emerging_at,
        hotspots=gi_at,
        evictions=records.evictions,
        estate_district=P.estate_districts(records.estates, districts),
        origins=origins,
        calibrate=not quick,
    )
    for row in bt.summary.to_dict("records"):
        share = row[S.PUBLISHED_HIGHER]
        note = (
            f"{row['origins']} origins {origins[0]}-{origins[-1]}; PAI "
            f"{row['pai_low']:.2f}-{row['pai_high']:.2f} ({row['interval']})"
            + ("" if np.isnan(share) else f"; published higher in {share:.0%}")
            + " (SYNTHETIC)"
        )
        for measure, unit in (("pai", "ratio"), ("hit_rate", "share")):
            rows.append(
                single(
                    f"back-test {row['ranking']}: mean {measure.replace('_', ' ')}",
                    round(row[f"{measure}_mean"], 4),
                    unit,
                    n=len(districts),
                    note=note,
                )
            )
    return rows


if __name__ == "__main__":  # pragma: no cover
    import sys

    out = run("--full" not in sys.argv)
    with pd.option_context("display.width", 200, "display.max_colwidth", 80):
        print(pd.DataFrame(out).to_string())
