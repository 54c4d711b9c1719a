"""Property-based checks of the overlay invariants (hypothesis).

- each point lands in at most one district, exactly one when it lies inside their
  union (borders and corners included);
- aggregated flows and stocks equal counts made directly from the records, by a
  different method (a brute-force loop over records and period ends).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import Point, box

from geo_alloggi._records import Records
from geo_alloggi.overlay import aggregate, assign_districts

# 3 x 3 grid of 1 km squares in UTM 32N; coordinates on a 250 m lattice hit borders
X0, Y0 = 500_000, 5_030_000
GRID = gpd.GeoDataFrame(
    {
        "district_id": [f"D{r * 3 + c}" for r in range(3) for c in range(3)],
        "parent_id": ["P"] * 9,
        "geometry": [
            box(X0 + 1000 * c, Y0 + 1000 * r, X0 + 1000 * (c + 1), Y0 + 1000 * (r + 1))
            for r in range(3)
            for c in range(3)
        ],
    },
    crs="EPSG:32632",
)
lattice = st.integers(min_value=-2, max_value=14).map(lambda k: k * 250)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(lattice, lattice), min_size=1, max_size=40))
def test_each_point_in_at_most_one_district(offsets):
    pts = gpd.GeoDataFrame(
        {"record_id": [f"R{i}" for i in range(len(offsets))]},
        geometry=[Point(X0 + dx, Y0 + dy) for dx, dy in offsets],
        crs="EPSG:32632",
    )
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        out = assign_districts(pts, GRID)
    assert len(out) == len(pts)  # nothing dropped, nothing duplicated
    inside = [0 <= dx <= 3000 and 0 <= dy <= 3000 for dx, dy in offsets]
    assigned = out["district_id"].notna().to_numpy()
    assert list(assigned) == inside
    # the district holding each assigned point really covers it
    geoms = GRID.set_index("district_id").geometry
    for geom, did in zip(out.geometry, out["district_id"], strict=True):
        if pd.notna(did):
            assert geoms[did].covers(geom)


dates = st.dates(
    min_value=pd.Timestamp("2015-01-01").date(),
    max_value=pd.Timestamp("2019-12-31").date(),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(st.integers(0, 8), dates, st.one_of(st.none(), st.integers(1, 900))),
        min_size=1,
        max_size=30,
    )
)
def test_totals_equal_direct_counts(events):
    estates = gpd.GeoDataFrame(
        {
            "estate_id": [f"E{i}" for i in range(9)],
            "units": [10 + i for i in range(9)],
        },
        geometry=[g.centroid for g in GRID.geometry],
        crs="EPSG:32632",
    )
    occ = pd.DataFrame(
        {
            "record_id": [f"R{i}" for i in range(len(events))],
            "estate_id": [f"E{e}" for e, _, _ in events],
            "unit_id": [f"U{i}" for i in range(len(events))],
            "detected_on": pd.to_datetime([d for _, d, _ in events]),
            "ended_on": pd.to_datetime(
                [
                    pd.Timestamp(d) + pd.Timedelta(days=k) if k else pd.NaT
                    for _, d, k in events
                ]
            ),
        }
    )
    occ["status"] = np.where(occ["ended_on"].isna(), "ongoing", "ended")
    empty_ev = pd.DataFrame(
        columns=["record_id", "estate_id", "unit_id", "date", "outcome", "vulnerable"]
    )
    empty_vac = pd.DataFrame(
        columns=["record_id", "estate_id", "unit_id", "since", "ended_on", "reason"]
    )
    rec = Records(
        estates=estates, occupations=occ, evictions=empty_ev, vacancies=empty_vac
    )
    panel = aggregate(rec, GRID, period="year", start=2015, end=2021)
    assert len(panel) == 9 * 7
    for year in range(2015, 2022):
        rows = panel[panel["period"].astype(str) == str(year)]
        end = pd.Timestamp(f"{year}-12-31")
        new = sum(pd.Timestamp(d).year == year for _, d, _ in events)
        stock = sum(
            pd.Timestamp(d) <= end
            and (k is None or pd.Timestamp(d) + pd.Timedelta(days=k) > end)
            for _, d, k in events
        )
        assert int(rows["new_occupations"].sum()) == new
        assert int(rows["occupied"].sum()) == stock
        assert int(rows["units"].sum()) == sum(10 + i for i in range(9))
        # per district too
        for e in range(9):
            mine = [(d, k) for ee, d, k in events if ee == e]
            row = rows[rows["district_id"] == f"D{e}"].iloc[0]
            assert row["new_occupations"] == sum(
                pd.Timestamp(d).year == year for d, _ in mine
            )


# points on the shared borders of GRID: one coordinate on a grid line (0, 1000,
# 2000, 3000 m), the other anywhere along it on a 250 m lattice (corners
# included); None: an estate without a position, placed (or not) by its comune
on_line = st.integers(0, 3).map(lambda k: k * 1000)
along = st.integers(0, 12).map(lambda k: k * 250)
border_spot = st.one_of(
    st.tuples(on_line, along),
    st.tuples(along, on_line),
    st.none(),
)
GRID_COMUNI = GRID.assign(comune=["Milano"] * 8 + ["Cinisello Balsamo"])


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(border_spot, st.sampled_from(["Milano", "Cinisello Balsamo"])),
        min_size=1,
        max_size=20,
    )
)
def test_every_district_rule_gives_a_border_point_one_and_the_same_district(spots):
    """assign_districts, aggregate and estate_districts agree on border points.

    The expected district is worked out here from the geometry alone: of the
    districts covering the point, the lowest id; an estate without a position
    goes to the comune's district when the comune is one district (Cinisello
    Balsamo), to none otherwise (Milano is eight here).
    """
    import warnings

    from geo_alloggi.priorities import estate_districts

    n = len(spots)
    estates = gpd.GeoDataFrame(
        {
            "estate_id": [f"E{i:02d}" for i in range(n)],
            "comune": [c for _, c in spots],
            "units": [10 + i for i in range(n)],
        },
        geometry=[
            Point(X0 + xy[0], Y0 + xy[1]) if xy is not None else None for xy, _ in spots
        ],
        crs="EPSG:32632",
    )
    expected = {}
    for i, (xy, comune) in enumerate(spots):
        if xy is None:
            expected[f"E{i:02d}"] = "D8" if comune == "Cinisello Balsamo" else None
            continue
        pt = Point(X0 + xy[0], Y0 + xy[1])
        covering = sorted(
            d
            for d, g in zip(GRID["district_id"], GRID.geometry, strict=True)
            if g.covers(pt)
        )
        expected[f"E{i:02d}"] = covering[0] if covering else None
    occ = pd.DataFrame(
        {
            "record_id": [f"R{i}" for i in range(n)],
            "estate_id": estates["estate_id"],
            "unit_id": [f"U{i}" for i in range(n)],
            "detected_on": pd.to_datetime(["2019-03-01"] * n),
            "ended_on": pd.to_datetime([None] * n),
            "status": "ongoing",
        }
    )
    rec = Records(
        estates=estates,
        occupations=occ,
        evictions=pd.DataFrame(
            columns=["record_id", "estate_id", "unit_id", "date", "outcome"]
        ),
        vacancies=pd.DataFrame(
            columns=["record_id", "estate_id", "unit_id", "since", "ended_on"]
        ),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        assigned = assign_districts(estates, GRID_COMUNI, id_column="estate_id")
        mapping = estate_districts(estates, GRID_COMUNI)
        panel = aggregate(rec, GRID_COMUNI, period="year", start=2019, end=2019)
    got = dict(zip(assigned["estate_id"], assigned["district_id"], strict=True))
    assert {k: (None if pd.isna(v) else v) for k, v in got.items()} == expected
    assert mapping.to_dict() == {k: v for k, v in expected.items() if v is not None}
    # aggregate counts each estate's units and occupation in that same district
    rows = panel.set_index("district_id")
    for d in GRID["district_id"]:
        mine = [i for i, (k, v) in enumerate(expected.items()) if v == d]
        assert int(rows.loc[d, "units"]) == sum(10 + i for i in mine), d
        assert int(rows.loc[d, "occupied"]) == len(mine), d
