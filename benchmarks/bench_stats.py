"""Benchmark of geo_alloggi.stats: hot spots and emerging hot spots on the study area.

Data: the 89 districts of ``load_districts("study_area")`` (88 NIL + Cinisello
Balsamo) and a SYNTHETIC panel of monthly counts over 12 years (144 months,
2014-01 … 2025-12), seeded, with a cluster that switches on in the last three
years. The yearly variant sums the same counts into 12 yearly periods.

Rows:

* ``hotspots+emerging, 144 months`` — our full run (Gi* with FDR on the last
  year's totals, then ``emerging_hotspots`` over 144 months: Gi* per month with
  FDR, Mann–Kendall per district, categories) against direct
  ``esda.G_Local(star=True)`` calls, one per month, on the same weights;
* the same over 12 yearly periods;
* LISA with 999 permutations against a direct ``esda.Moran_Local`` call;
* hexagon aggregation and density contours of 5,000 synthetic points;
* a fresh interpreter (``subprocess``) importing ``geo_alloggi.stats``, loading
  the districts and doing the full 144-month run: the issue's "< 5 s without
  numba" figure, and the bare import time.

Run: ``.venv/bin/python benchmarks/bench_stats.py`` (``--full`` for full mode);
the lead's ``benchmarks/run.py`` prints the rows as a table.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

try:
    from benchmarks._harness import compare, single
except ImportError:  # run as a script from the benchmarks folder
    from _harness import compare, single  # type: ignore[no-redef]

REPO = Path(__file__).resolve().parents[1]
LABEL = "SYNTHETIC"

_FRESH = r"""
import json, time, warnings
t0 = time.perf_counter()
import geo_alloggi.stats as st
t1 = time.perf_counter()
from geo_alloggi import load_districts
from benchmarks.bench_stats import synthetic_panel
warnings.simplefilter("ignore")
districts = load_districts("study_area")
panel = synthetic_panel(districts, months=144, seed=0)
t2 = time.perf_counter()
last = panel[panel["period"] >= panel["period"].max() - 11]
totals = districts.merge(last.groupby("district_id", as_index=False)["occupied"].sum())
hs = st.hotspots(totals, "occupied")
em = st.emerging_hotspots(panel, "occupied", districts=districts)
t3 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "data": t2 - t1, "run": t3 - t2,
                  "total": t3 - t0, "hot": int((hs.gi_bin > 0).sum()),
                  "categories": em.emerging_category.value_counts().to_dict()}))
"""


def synthetic_panel(
    districts: Any, *, months: int = 144, seed: int = 0
) -> pd.DataFrame:
    """SYNTHETIC monthly counts per district (long table, ``source='SYNTHETIC'``)."""
    rng = np.random.default_rng(seed)
    ids = districts["district_id"].astype(str).tolist()
    periods = pd.period_range("2014-01", periods=months, freq="M")
    base = rng.gamma(2.0, 3.0, len(ids))
    lam = np.repeat(base[:, None], months, axis=1)
    hot = [i for i, d in enumerate(ids) if d in ("MI-NIL-50", "MI-NIL-51", "MI-NIL-52")]
    lam[hot, months - 36 :] *= 5.0
    y = rng.poisson(lam)
    return pd.DataFrame(
        {
            "district_id": np.repeat(ids, months),
            "period": np.tile(periods, len(ids)),
            "occupied": y.ravel(),
            "units": 500,
            "source": LABEL,
        }
    )


def _yearly(panel: pd.DataFrame) -> pd.DataFrame:
    out = panel.assign(period=panel["period"].dt.year)
    return out.groupby(["district_id", "period"], as_index=False)["occupied"].sum()


def _esda_per_period(districts: Any, panel: pd.DataFrame) -> None:
    """Baseline: libpysal queen weights, then esda.G_Local(star=True) per period."""
    from esda import G_Local
    from libpysal.weights import Queen

    metric = districts.to_crs("EPSG:32632")
    ids = metric["district_id"].astype(str).tolist()
    w = Queen.from_dataframe(metric, ids=ids, use_index=False, silence_warnings=True)
    wide = panel.pivot(index="district_id", columns="period", values="occupied")
    y = wide.reindex(ids).to_numpy(dtype=float)
    for t in range(y.shape[1]):
        G_Local(y[:, t], w, transform="B", star=True, permutations=0)


def _points(n: int, seed: int) -> Any:
    import geopandas as gpd

    rng = np.random.default_rng(seed)
    centres = rng.uniform([507000, 5029000], [522000, 5044000], (25, 2))
    idx = rng.integers(0, 25, n)
    xy = centres[idx] + rng.normal(0, 250, (n, 2))
    return gpd.GeoDataFrame(
        {"source": [LABEL] * n},
        geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]),
        crs="EPSG:32632",
    ).to_crs("EPSG:4326")


def _fresh_process() -> dict[str, Any]:
    env = dict(os.environ)
    env.setdefault(
        "GEO_ALLOGGI_DATA_MIRROR", str(REPO.parent / "shared" / "data" / "raw")
    )
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")])
    t0 = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _FRESH],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        check=True,
        timeout=300,
    )
    wall = time.perf_counter() - t0
    inner = json.loads(done.stdout.strip().splitlines()[-1])
    inner["wall"] = wall
    t0 = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", "import geo_alloggi.stats"],
        cwd=REPO,
        env=env,
        check=True,
        timeout=120,
    )
    inner["import_wall"] = time.perf_counter() - t0
    return inner


def run(quick: bool) -> list[dict[str, Any]]:
    """Benchmark rows (see the module docstring)."""
    from geo_alloggi import load_districts, stats

    warnings.simplefilter("ignore")  # island notices etc. are expected here
    districts = load_districts("study_area")
    monthly = synthetic_panel(districts, months=144, seed=0)
    yearly = _yearly(monthly)
    last = monthly[monthly["period"] >= monthly["period"].max() - 11]
    totals = districts.merge(
        last.groupby("district_id", as_index=False)["occupied"].sum()
    )
    repeat = 1 if quick else 3
    rows: list[dict[str, Any]] = []

    def ours(panel: pd.DataFrame) -> Any:
        stats.hotspots(totals, "occupied")
        return stats.emerging_hotspots(panel, "occupied", districts=districts)

    for name, panel in (("144 months", monthly), ("12 years", yearly)):
        nper = panel["period"].nunique()
        rows.append(
            compare(
                f"hotspots+emerging, study area, {name}",
                lambda p=panel: ours(p),
                lambda p=panel: _esda_per_period(districts, p),
                baseline_name="esda.G_Local(star=True) per period (weights + Gi* only)",
                n=len(districts) * nper,
                repeat=repeat,
                note=f"{LABEL} panel, 89 districts x {nper} periods; ours adds FDR, "
                "Mann-Kendall, categories, island join, validation",
            )
        )

    def lisa_direct() -> None:
        from esda import Moran_Local

        w = stats.spatial_weights(totals)
        Moran_Local(
            totals["occupied"].to_numpy(float), w, permutations=999, seed=0, n_jobs=1
        )

    rows.append(
        compare(
            "LISA, 999 permutations, study area",
            lambda: stats.hotspots(totals, "occupied", method="lisa", permutations=999),
            lisa_direct,
            baseline_name="esda.Moran_Local(permutations=999)",
            n=len(districts),
            repeat=repeat,
            note="no numba: esda's pure-Python permutation path",
        )
    )
    pts = _points(2000 if quick else 5000, seed=1)
    t0 = time.perf_counter()
    grid = stats.aggregate_to_hexagons(pts, area=districts)
    rows.append(
        single(
            "hexagon aggregation (automatic cell size)",
            time.perf_counter() - t0,
            "s",
            n=len(pts),
            note=f"{LABEL}; cell {grid.attrs['cell_size_m']:.0f} m, {len(grid)} cells",
        )
    )
    t0 = time.perf_counter()
    surf = stats.density_surface(pts, area=districts)
    rows.append(
        single(
            "density contours (quartic KDE, suppression mask)",
            time.perf_counter() - t0,
            "s",
            n=len(pts),
            note=f"{LABEL}; bandwidth {surf.attrs['bandwidth_m']:.0f} m, "
            f"cell {surf.attrs['cell_size_m']:.0f} m, {len(surf)} classes",
        )
    )
    fresh = _fresh_process()
    rows.append(
        single(
            "fresh process: import + load + full run (144 months)",
            fresh["wall"],
            "s",
            n=len(districts) * 144,
            note=(
                f"target < 5 s without numba; inside: import {fresh['import']:.2f} s, "
                f"data {fresh['data']:.2f} s, run {fresh['run']:.2f} s"
            ),
        )
    )
    rows.append(
        single("fresh process: import geo_alloggi.stats", fresh["import_wall"], "s")
    )
    return rows


if __name__ == "__main__":  # pragma: no cover
    for row in run(quick="--full" not in sys.argv):
        print(row)
