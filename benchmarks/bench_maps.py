"""Benchmark of geo_alloggi.maps: the meeting map against ``GeoDataFrame.explore()``.

Data: the 89 districts of ``load_districts("study_area")`` with SYNTHETIC
statistics (rate, Gi* bins, emerging categories, six yearly periods), the 133
comuni of the Città metropolitana as basemap, and about 1,000 SYNTHETIC estates
(seeded points inside the districts, with units and aggregated counts).

Rows:

* ``meeting map build + HTML`` — ``meeting_map(...)`` then ``map_html`` (the
  offline single file, assets inlined) against ``explore()`` of the same layers
  (choropleth with quantiles, Gi* bins, emerging categories, comuni, estates)
  rendered to HTML. ``explore`` cannot render offline (its page loads Leaflet,
  jQuery, Bootstrap and tiles from CDNs), so only build time and size compare;
  the row carries both sizes in MB.
* ``meeting map HTML size`` — our page, against the 3 MB budget.
* ``meeting map load in Chromium`` — from navigation to the map being drawn
  (``GA.maps`` set, window ``load`` fired), network blocked, best of three;
  only when Debian's Chromium is at ``/usr/bin/chromium``.

Run: ``.venv/bin/python benchmarks/bench_maps.py`` (``--full`` for full mode).
"""

from __future__ import annotations

import os
import sys
import tempfile
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
CHROMIUM = "/usr/bin/chromium"
LABEL = "SYNTHETIC"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
]


def _inputs(n_estates: int, seed: int = 0) -> dict[str, Any]:
    import geopandas as gpd

    from geo_alloggi import _schema as S
    from geo_alloggi import load_districts

    rng = np.random.default_rng(seed)
    d = load_districts("study_area")
    n = len(d)
    d[S.OCCUPIED_PER_100] = np.round(rng.gamma(2.0, 2.0, n), 2)
    d[S.GI_BIN] = rng.integers(-3, 4, n)
    d[S.HOTSPOT] = [S.HOTSPOT_LABELS[int(b)] for b in d[S.GI_BIN]]
    d[S.EMERGING] = rng.choice(list(S.EMERGING_CATEGORIES), n)
    per_district = max(1, int(np.ceil(n_estates / n)))
    pts = d.to_crs("EPSG:32632").sample_points(per_district, rng=seed).explode()
    pts = pts.iloc[:n_estates]
    k = len(pts)
    estates = gpd.GeoDataFrame(
        {
            S.ESTATE_ID: [f"E{i:05d}" for i in range(k)],
            S.NAME: [f"Complesso ERP {i} ({LABEL})" for i in range(k)],
            S.ADDRESS: [f"Via Esempio {i}, Milano" for i in range(k)],
            S.COMUNE: "Milano",
            S.OWNER: rng.choice(["Aler", "Comune-MM"], k),
            S.UNITS: rng.integers(10, 600, k),
            S.OCCUPIED: rng.integers(0, 40, k),
            S.VACANT: rng.integers(0, 40, k),
            S.EVICTIONS: rng.integers(0, 8, k),
        },
        geometry=pts.to_numpy(),
        crs="EPSG:32632",
    ).to_crs("EPSG:4326")
    periods = pd.DataFrame(
        [
            (i, y, int(rng.integers(0, 60)))
            for i in d[S.DISTRICT_ID]
            for y in range(2015, 2021)
        ],
        columns=[S.DISTRICT_ID, S.PERIOD, S.OCCUPIED],
    )
    comuni = load_districts("comuni", all_comuni=True)
    return {"districts": d, "estates": estates, "periods": periods, "comuni": comuni}


def _ours(data: dict[str, Any]) -> str:
    from geo_alloggi import maps

    maps._GEOMETRY_CACHE.clear()  # measure a cold build
    m = maps.meeting_map(
        data["districts"],
        estates=data["estates"],
        comuni=data["comuni"],
        periods=data["periods"],
        synthetic=True,
    )
    return maps.map_html(m)


def _explore(data: dict[str, Any]) -> str:
    from geo_alloggi import _schema as S

    d = data["districts"]
    cols = [S.DISTRICT_ID, S.NAME, "geometry"]
    m = data["comuni"][cols].explore(name="comuni", color="#999", tiles=None)
    d[[*cols, S.OCCUPIED_PER_100]].explore(
        m=m, column=S.OCCUPIED_PER_100, scheme="quantiles", k=5, cmap="YlOrRd",
        name="rate",
    )  # fmt: skip
    d[[*cols, S.HOTSPOT]].explore(m=m, column=S.HOTSPOT, cmap="RdBu", name="hotspots")
    d[[*cols, S.EMERGING]].explore(m=m, column=S.EMERGING, name="emerging")
    data["estates"].explore(m=m, marker_type="circle_marker", name="estates")
    import folium

    folium.LayerControl().add_to(m)
    return m.get_root().render()


def _load_seconds(path: Path, repeat: int = 3) -> float | None:
    if not os.path.exists(CHROMIUM):
        return None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    best = float("inf")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            for _ in range(repeat):
                page = browser.new_page(viewport={"width": 1400, "height": 900})
                page.route(
                    "**/*",
                    lambda r: (
                        r.continue_()
                        if r.request.url.startswith("file:")
                        else r.abort()
                    ),
                )
                t0 = time.perf_counter()
                page.goto(path.as_uri(), wait_until="load")
                page.wait_for_function("window.GA && GA.maps.length === 1")
                best = min(best, time.perf_counter() - t0)
                page.close()
        finally:
            browser.close()
    return best


def run(quick: bool) -> list[dict[str, Any]]:
    """Measure the meeting map against ``explore()``; see the module docstring."""
    os.environ.setdefault(
        "GEO_ALLOGGI_DATA_MIRROR", str(REPO.parent / "shared" / "data" / "raw")
    )
    n = 1000 if quick else 3000
    data = _inputs(n)
    n_est = len(data["estates"])
    ours_html = _ours(data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs_html = _explore(data)
    ours_mb = len(ours_html.encode("utf-8")) / 1e6
    theirs_mb = len(theirs_html.encode("utf-8")) / 1e6
    rows = [
        compare(
            "meeting map build + HTML",
            lambda: _ours(data),
            lambda: _explore(data),
            baseline_name="GeoDataFrame.explore() (online only)",
            n=n_est,
            repeat=1 if quick else 3,
            note=f"ours offline {ours_mb:.2f} MB, explore {theirs_mb:.2f} MB + CDNs",
            size_mb=round(ours_mb, 3),
            baseline_size_mb=round(theirs_mb, 3),
        ),
        single(
            "meeting map HTML size",
            round(ours_mb, 3),
            "MB",
            n=n_est,
            note="budget 3 MB; assets inlined, no network",
        ),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "map.html"
        path.write_text(ours_html, encoding="utf-8")
        seconds = _load_seconds(path, repeat=1 if quick else 3)
    if seconds is not None:
        rows.append(
            single(
                "meeting map load in Chromium",
                round(seconds, 3),
                "s",
                n=n_est,
                note="navigation to map drawn, network blocked",
            )
        )
    return rows


if __name__ == "__main__":
    for row in run(quick="--full" not in sys.argv):
        print(row)
