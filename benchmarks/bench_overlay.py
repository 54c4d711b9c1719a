"""Overlay of record points on the study area: aggregate() vs bare sjoin + groupby.

Both sides get the same GeoDataFrame of SYNTHETIC occupation points (EPSG:4326,
uniform over the 88 NIL and Cinisello Balsamo) and the same districts.

- ours: :func:`geo_alloggi.overlay.aggregate` per year 2014–2025: every point
  placed once (border points to the lowest id, outside points reported), then
  the occupied stock at each year end from detection and end dates, new
  occupations, the change, the rate; one row per district and year.
- baseline: ``geopandas.sjoin(points, districts, predicate="within")`` plus
  ``groupby([district_id, year of detected_on]).size()``: new occupations per
  district and year only (no stock, no border rule, outside points dropped).

Target: ours within 1.3x the baseline's time at 1,000,000 points.
"""

from __future__ import annotations

import warnings

import geopandas as gpd
from _harness import compare, single

from geo_alloggi import load_districts
from geo_alloggi.overlay import aggregate, assign_districts
from geo_alloggi.synthetic import make_occupations


def run(quick: bool) -> list[dict]:
    n = 100_000 if quick else 1_000_000
    districts = load_districts("study_area")
    points = make_occupations(n, seed=0, districts=districts)

    def ours():
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # every point must land in a district
            return aggregate(points, districts, period="year", start=2014, end=2025)

    def baseline():
        joined = gpd.sjoin(
            points, districts[["district_id", "geometry"]], predicate="within"
        )
        return joined.groupby(
            ["district_id", joined["detected_on"].dt.year], sort=True
        ).size()

    # same answer on what both compute: detections per district and year
    table = ours()
    base = baseline()
    agree = int(
        (
            table.set_index(["district_id", table["period"].astype(int)])[
                "new_occupations"
            ]
            .reindex(base.index)
            .to_numpy()
            == base.to_numpy()
        ).all()
    )

    def ours_assign():
        return assign_districts(points, districts)

    rows = [
        compare(
            "overlay: points -> district x year table",
            ours,
            baseline,
            baseline_name="geopandas.sjoin(within) + groupby size",
            n=n,
            repeat=1 if quick else 2,
            note="ours adds the dated stock (occupied at year end), change, rate, "
            "border rule; baseline counts detections only",
        ),
        compare(
            "assign_districts (points -> district_id)",
            ours_assign,
            lambda: gpd.sjoin(
                points, districts[["district_id", "geometry"]], predicate="within"
            ),
            baseline_name="geopandas.sjoin(within)",
            n=n,
            repeat=1 if quick else 2,
        ),
        single(
            "overlay agrees with sjoin on detections per district x year",
            agree,
            "bool",
            n=n,
        ),
    ]
    return rows
