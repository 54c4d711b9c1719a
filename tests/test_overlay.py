"""Overlay: points into districts, aggregation per district and period."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import Point

from geo_alloggi import ValidationError
from geo_alloggi._records import Records
from geo_alloggi.overlay import aggregate, assign_districts

T = pd.Timestamp
NaT = pd.NaT


def points(coords, crs="EPSG:4326", ids=None):
    geoms = [None if c is None else Point(c) for c in coords]
    ids = ids or [f"R{i}" for i in range(len(coords))]
    return gpd.GeoDataFrame({"record_id": ids}, geometry=geoms, crs=crs)


def corner(grid: gpd.GeoDataFrame, did: str, which: int) -> tuple[float, float]:
    """A vertex of a district polygon (shared exactly by its neighbours)."""
    geom = grid.loc[grid["district_id"] == did].geometry.iloc[0]
    return tuple(np.asarray(geom.exterior.coords)[which])


# --------------------------------------------------------------------------
# assign_districts


def test_interior_points_match_an_independent_sjoin(grid3x3):
    rng = np.random.default_rng(3)
    minx, miny, maxx, maxy = grid3x3.total_bounds
    x = rng.uniform(minx, maxx, 500)
    y = rng.uniform(miny, maxy, 500)
    pts = points(list(zip(x, y, strict=True)))
    got = assign_districts(pts, grid3x3)
    ref = gpd.sjoin(pts, grid3x3[["district_id", "geometry"]], predicate="within")
    assert len(got) == 500
    assert got.loc[ref.index, "district_id"].tolist() == ref["district_id"].tolist()


def test_border_points_assigned_once_to_the_lowest_id(grid3x3):
    # box vertices: 0 (maxx, miny), 1 (maxx, maxy), 2 (minx, maxy), 3 (minx, miny)
    shared4 = corner(grid3x3, "D0", 1)  # corner of D0, D1, D3, D4
    shared2 = corner(grid3x3, "D2", 3)  # bottom corner of D1 and D2
    # the points really touch several districts
    touching = grid3x3[grid3x3.intersects(Point(shared4))]["district_id"].tolist()
    assert sorted(touching) == ["D0", "D1", "D3", "D4"]
    pts = points([shared4, shared2, shared4])
    got = assign_districts(pts, grid3x3)
    assert got["district_id"].tolist() == ["D0", "D1", "D0"]
    # row order of either input does not matter
    rev = assign_districts(pts.iloc[::-1], grid3x3.iloc[::-1])
    assert rev["district_id"].tolist() == ["D0", "D1", "D0"]


def test_outside_and_missing_points_reported_not_dropped(grid3x3):
    inside = grid3x3.geometry.iloc[4].representative_point()
    pts = points([(inside.x, inside.y), (0.0, 0.0), None], ids=["in", "far", "nowhere"])
    with pytest.warns(UserWarning, match="point") as rec:
        got = assign_districts(pts, grid3x3)
    messages = " ".join(str(w.message) for w in rec)
    assert "1 point(s) outside every district" in messages and "'far'" in messages
    assert "1 point(s) without a position" in messages and "'nowhere'" in messages
    assert len(got) == 3
    assert got["district_id"].iloc[0] == "D4"
    assert got["district_id"].iloc[1:].isna().all()
    assert "district_id" not in pts.columns  # input untouched


def test_points_in_another_crs_are_reprojected(grid3x3):
    inside = grid3x3.to_crs("EPSG:32632").geometry.iloc[7].representative_point()
    got = assign_districts(points([(inside.x, inside.y)], crs="EPSG:32632"), grid3x3)
    assert got["district_id"].tolist() == ["D7"]


@pytest.mark.parametrize("bad", ["nocrs", "dup", "poly"])
def test_assign_refuses_bad_input(grid3x3, bad):
    pts = points([(9.0, 45.0)])
    districts = grid3x3
    if bad == "nocrs":
        pts = gpd.GeoDataFrame(pts.drop(columns="geometry"), geometry=[Point(9, 45)])
    elif bad == "dup":
        districts = pd.concat([grid3x3, grid3x3.iloc[[0]]])
    else:
        pts = gpd.GeoDataFrame(
            {"record_id": ["x"]}, geometry=[grid3x3.geometry.iloc[0]], crs="EPSG:4326"
        )
    with pytest.raises(ValidationError):
        assign_districts(pts, districts)


# --------------------------------------------------------------------------
# the comune fallback: positionless points in a comune that is one district


@pytest.fixture
def two_comuni(grid3x3) -> gpd.GeoDataFrame:
    """The 3x3 grid with D8 as a second comune (one district), D0-D7 as Milano."""
    layer = grid3x3.copy()
    d8 = layer["district_id"] == "D8"
    layer.loc[d8, "comune"] = "Cinisello Balsamo"
    layer.loc[d8, "comune_istat"] = "015077"
    return layer


def test_positionless_points_go_to_their_single_district_comune(two_comuni):
    d4 = two_comuni.geometry.iloc[4].representative_point()
    pts = points([None, None, None, None, (d4.x, d4.y), None])
    pts["comune"] = [
        "Cinisello Balsamo",
        "CINISELLO BALSAMO",
        "015077",
        "Milano",  # eight districts: no fallback
        "Cinisello Balsamo",  # has a position: never moved by its comune
        None,
    ]
    pts["position_source"] = ["x", "x", "x", "x", "input", "x"]
    with pytest.warns(UserWarning, match="without a position") as rec:
        got = assign_districts(pts, two_comuni)
    assert got["district_id"].tolist()[:3] == ["D8", "D8", "D8"]
    assert got["district_id"].iloc[4] == "D4"
    assert got["district_id"].iloc[[3, 5]].isna().all()
    assert got["position_source"].tolist() == [
        "comune",
        "comune",
        "comune",
        "x",
        "input",
        "x",
    ]
    text = " ".join(str(w.message) for w in rec)
    assert "points: 3 without a position placed in the one district" in text
    assert "D8 3" in text
    assert "2 point(s) without a position" in text and "'R3'" in text
    assert "position_source" in pts and pts["position_source"].tolist()[0] == "x"


def test_comune_fallback_needs_a_comune_column(grid3x3):
    pts = points([None])
    with pytest.warns(UserWarning, match="without a position"):
        got = assign_districts(pts, grid3x3)
    assert got["district_id"].isna().all() and "position_source" not in got


def test_aggregate_counts_positionless_estates_of_a_single_district_comune(
    hand_records, two_comuni
):
    estates = hand_records.estates.copy()
    estates["comune"] = ["Milano", "Milano", "Cinisello Balsamo"]
    estates.loc[estates["estate_id"] == "E8", "geometry"] = None
    occ = hand_records.occupations.copy()
    occ["estate_id"] = occ["estate_id"].astype("string")
    occ.loc[0, "estate_id"] = pd.NA  # no estate, no position, in Cinisello
    occ["comune"] = ["Cinisello Balsamo", None, None, None, None]
    recs = Records(estates, occ, hand_records.evictions, hand_records.vacancies)
    with pytest.warns(UserWarning, match="placed in the one district") as rec:
        t = aggregate(recs, two_comuni, start=2018, end=2020)
    text = " ".join(str(w.message) for w in rec)
    assert "estates: 1 without a position" in text and "'E8'" in text
    assert "occupations: 1 without a position" in text and "'R1'" in text
    # E8 (30 units) and its records counted in D8, as with its position
    assert cell(t, "D8", "2020", "units") == 30
    assert cell(t, "D8", "2020", "occupied") == 1  # R5, from 2020
    assert cell(t, "D8", "2020", "evictions") == 1  # E3, executed 2020-02-02
    # R1 (2018-03-10 to 2019-06-30) now counts in D8, no longer in D0
    assert cell(t, "D8", "2018", "occupied") == 1
    assert cell(t, "D0", "2018", "occupied") == 0
    assert t.attrs["placed_by_comune"] == {"estates": 1, "occupations": 1}
    assert "estates" not in t.attrs["unplaced"]


# --------------------------------------------------------------------------
# aggregate: a small hand-computed case


@pytest.fixture
def hand_records(grid3x3) -> Records:
    centres = {
        d: grid3x3.loc[grid3x3["district_id"] == d]
        .geometry.iloc[0]
        .representative_point()
        for d in ("D0", "D4", "D8")
    }
    estates = gpd.GeoDataFrame(
        {
            "estate_id": ["E0", "E4", "E8"],
            "name": ["a", "b", "c"],
            "units": [10, 20, 30],
        },
        geometry=[centres["D0"], centres["D4"], centres["D8"]],
        crs="EPSG:4326",
    )
    occupations = pd.DataFrame(
        {
            "record_id": ["R1", "R2", "R3", "R4", "R5"],
            "estate_id": ["E0", "E0", "E4", "E4", "E8"],
            "detected_on": [
                T("2018-03-10"),
                T("2019-02-01"),
                T("2017-12-31"),
                T("2018-05-05"),
                T("2020-01-01"),
            ],
            "ended_on": [T("2019-06-30"), NaT, T("2018-12-31"), T("2018-09-09"), NaT],
            "status": ["ended", "ongoing", "ended", "ended", "ongoing"],
        }
    )
    evictions = pd.DataFrame(
        {
            "record_id": ["E1", "E2", "E3"],
            "estate_id": ["E0", "E0", "E8"],
            "date": [T("2019-06-30"), T("2019-07-01"), T("2020-02-02")],
            "outcome": ["executed", "postponed", "executed"],
            "vulnerable": [False, True, False],
        }
    )
    vacancies = pd.DataFrame(
        {
            "record_id": ["V1", "V2"],
            "estate_id": ["E4", "E4"],
            "since": [T("2016-01-01"), T("2019-03-01")],
            "ended_on": [T("2019-03-01"), NaT],
        }
    )
    return Records(estates, occupations, evictions, vacancies)


def cell(table, did, period, column):
    row = table[(table["district_id"] == did) & (table["period"] == period)]
    assert len(row) == 1
    value = row[column].iloc[0]
    return None if pd.isna(value) else value


def test_yearly_stock_flows_and_change_by_hand(hand_records, grid3x3):
    t = aggregate(hand_records, grid3x3, start=2018, end=2020)
    assert len(t) == 9 * 3
    assert t["period"].unique().tolist() == ["2018", "2019", "2020"]
    expect = {
        # (district, year): occupied, new, evictions, vacant, change
        ("D0", "2018"): (1, 1, 0, 0, 1),
        ("D0", "2019"): (1, 1, 1, 0, 0),  # R1 ended on 30/6, R2 began
        ("D0", "2020"): (1, 0, 0, 0, 0),
        ("D4", "2018"): (0, 1, 0, 1, -1),  # R3 (from 2017) ended on 31/12: not counted
        ("D4", "2019"): (0, 0, 0, 1, 0),
        ("D4", "2020"): (0, 0, 0, 1, 0),
        ("D8", "2018"): (0, 0, 0, 0, 0),
        ("D8", "2020"): (1, 1, 1, 0, 1),
    }
    for (d, p), (occ, new, ev, vac, ch) in expect.items():
        got = tuple(
            cell(t, d, p, c)
            for c in (
                "occupied",
                "new_occupations",
                "evictions",
                "vacant",
                "occupied_change",
            )
        )
        assert got == (occ, new, ev, vac, ch), (d, p)
    assert cell(t, "D0", "2019", "occupied_per_100") == pytest.approx(10.0)
    assert cell(t, "D8", "2020", "occupied_per_100") == pytest.approx(100 / 30)
    assert cell(t, "D1", "2019", "units") == 0
    assert cell(t, "D1", "2019", "occupied_per_100") is None  # no units: no rate
    assert (t["suppressed"] == "").all()
    assert t.attrs["suppressed"] is False
    assert t.crs == grid3x3.crs
    assert t.geometry.iloc[0].equals(grid3x3.geometry.iloc[0])


def test_quarters_and_months_by_hand(hand_records, grid3x3):
    q = aggregate(hand_records, grid3x3, period="quarter", start="2018Q1", end="2019Q4")
    assert q["period"].unique().tolist() == [
        f"{y}Q{i}" for y in (2018, 2019) for i in range(1, 5)
    ]
    assert cell(q, "D0", "2019Q1", "occupied") == 2  # R1 and R2
    assert cell(q, "D0", "2019Q2", "occupied") == 1  # R1 ended on the last day
    assert cell(q, "D4", "2019Q1", "vacant") == 1  # V1 ended 1/3, V2 began 1/3
    assert cell(q, "D4", "2018Q1", "occupied_change") == 0  # R3 since 31/12/2017
    m = aggregate(hand_records, grid3x3, period="month", start="2018-01", end=2018)
    assert m["period"].iloc[0] == "2018-01" and m["period"].iloc[11] == "2018-12"
    assert cell(m, "D4", "2018-05", "occupied") == 2  # R3 and R4
    assert cell(m, "D4", "2018-09", "occupied") == 1  # R4 ended 9/9
    assert cell(m, "D4", "2018-12", "occupied") == 0
    assert cell(m, "D4", "2018-09", "period_end") == T("2018-09-30")
    # the sum of monthly detections equals the yearly one
    y = aggregate(hand_records, grid3x3, start=2018, end=2018)
    assert m["new_occupations"].sum() == y["new_occupations"].sum() == 2


def test_default_period_range_spans_the_events(hand_records, grid3x3):
    t = aggregate(hand_records, grid3x3)
    assert t["period"].iloc[0] == "2016" and t["period"].iloc[-1] == "2020"


def test_records_placed_by_their_own_coordinates(hand_records, grid3x3):
    occ = hand_records.occupations.copy()
    p = grid3x3.geometry.iloc[5].representative_point()
    occ["estate_id"] = occ["estate_id"].astype("string")
    occ.loc[4, "estate_id"] = pd.NA
    occ["lon"] = np.nan
    occ["lat"] = np.nan
    occ.loc[4, ["lon", "lat"]] = [p.x, p.y]
    recs = Records(
        hand_records.estates, occ, hand_records.evictions, hand_records.vacancies
    )
    t = aggregate(recs, grid3x3, start=2020, end=2020)
    assert cell(t, "D5", "2020", "occupied") == 1
    assert cell(t, "D8", "2020", "occupied") == 0


def test_unplaced_records_are_reported_and_counted(hand_records, grid3x3):
    occ = hand_records.occupations.copy()
    occ["estate_id"] = occ["estate_id"].astype("string")
    occ.loc[0, "estate_id"] = pd.NA  # no estate, no coordinates
    occ.loc[1, "estate_id"] = "E99"  # unknown estate
    recs = Records(
        hand_records.estates, occ, hand_records.evictions, hand_records.vacancies
    )
    with pytest.warns(UserWarning, match="not counted") as rec:
        t = aggregate(recs, grid3x3, start=2019, end=2019)
    text = " ".join(str(w.message) for w in rec)
    assert "'E99'" in text and "'R1'" in text
    assert t.attrs["unplaced"]["occupations"] == 2


def test_spell_ending_before_it_starts_is_refused(hand_records, grid3x3):
    occ = hand_records.occupations.copy()
    occ.loc[2, "ended_on"] = T("2010-01-01")
    recs = Records(
        hand_records.estates, occ, hand_records.evictions, hand_records.vacancies
    )
    with pytest.raises(ValidationError, match=r"end before they start.*'R3'"):
        aggregate(recs, grid3x3)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"period": "week"}, "period='week'"),
        ({"start": "not a date"}, "start='not a date'"),
        ({"start": 2020, "end": 2019}, "before start"),
    ],
)
def test_bad_arguments(hand_records, grid3x3, kwargs, match):
    with pytest.raises(ValidationError, match=match):
        aggregate(hand_records, grid3x3, **kwargs)


def test_point_records_without_estates(grid3x3):
    p = [grid3x3.geometry.iloc[i].representative_point() for i in (0, 0, 8)]
    gdf = gpd.GeoDataFrame(
        {
            "record_id": ["a", "b", "c"],
            "detected_on": [T("2019-01-01"), T("2019-05-01"), T("2019-07-01")],
            "ended_on": [NaT, T("2019-06-01"), NaT],
        },
        geometry=p,
        crs="EPSG:4326",
    )
    t = aggregate(gdf, grid3x3, start=2019, end=2019)
    assert cell(t, "D0", "2019", "occupied") == 1
    assert cell(t, "D0", "2019", "new_occupations") == 2
    assert cell(t, "D8", "2019", "occupied") == 1
    assert t["units"].isna().all() and t["vacant"].isna().all()


def test_suppressed_output_marks_small_cells(hand_records, grid3x3):
    t = aggregate(hand_records, grid3x3, start=2018, end=2020, suppress=True)
    assert t.attrs["suppressed"] is True and t.attrs["threshold"] == 5
    for col in ("occupied", "new_occupations", "evictions", "vacant"):
        shown = t[col].dropna()
        assert not ((shown >= 1) & (shown < 5)).any()
    assert cell(t, "D0", "2019", "occupied") is None
    assert "occupied" in cell(t, "D0", "2019", "suppressed")
    raw = aggregate(hand_records, grid3x3, start=2018, end=2020)
    assert cell(raw, "D0", "2019", "occupied") == 1


# --------------------------------------------------------------------------
# the study area with the demo records


@pytest.fixture(scope="module")
def demo():
    from geo_alloggi.synthetic import make_demo

    return make_demo(seed=0, messy=False)


def test_study_area_totals_equal_input_totals(demo, study_area):
    t = aggregate(demo, study_area, start=2014, end=2025)
    assert set(t["district_id"]) == set(study_area["district_id"])
    assert len(t) == len(study_area) * 12
    assert {"Milano", "Cinisello Balsamo"} <= set(t["comune"])
    # independent count from the record frames
    occ, evi, vac = demo.occupations, demo.evictions, demo.vacancies
    det_year = occ["detected_on"].dt.year
    assert t["new_occupations"].sum() == int(det_year.between(2014, 2025).sum())
    ex = evi[(evi["outcome"] == "executed") & evi["date"].dt.year.between(2014, 2025)]
    assert t["evictions"].sum() == len(ex)
    for year in (2014, 2018, 2019, 2025):
        day = T(f"{year}-12-31")
        stock = (occ["detected_on"] <= day) & (
            occ["ended_on"].isna() | (occ["ended_on"] > day)
        )
        assert t.loc[t["period"] == str(year), "occupied"].sum() == int(stock.sum())
        vstock = (vac["since"] <= day) & (
            vac["ended_on"].isna() | (vac["ended_on"] > day)
        )
        assert t.loc[t["period"] == str(year), "vacant"].sum() == int(vstock.sum())
    units = t[t["period"] == "2019"]["units"].sum()
    assert units == demo.estates["units"].sum()
    assert (t["source"] == "SYNTHETIC").all()
    assert t.attrs["synthetic"] is True
    # change is the difference of consecutive stocks
    d = t[t["district_id"] == "MI-NIL-57"]
    assert (
        d["occupied_change"].iloc[1:].to_numpy() == np.diff(d["occupied"].to_numpy())
    ).all()


def test_other_levels_and_user_layers(demo, mirror, tmp_path):
    from geo_alloggi import load_districts, read_districts

    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        mun = aggregate(
            demo,
            load_districts("municipi", mirror=mirror),
            start=2019,
            end=2019,
            period="year",
        )
    # Cinisello Balsamo's estates are outside Milan's Municipi: said, not hidden
    assert any("18 estate(s) outside" in str(w.message) for w in rec)
    com = load_districts("comuni", mirror=mirror)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        c = aggregate(demo, com, start=2019, end=2019)
    milano = c.loc[c["district_id"] == "MILANO", "occupied"].item()
    # NIL and Municipi tile Milan (up to the different official boundaries)
    assert abs(mun["occupied"].sum() - milano) <= 5
    # a user layer: two halves of Cinisello Balsamo written to a GeoPackage
    cin = com[com["district_id"] == "CINISELLO"].to_crs("EPSG:32632").geometry.iloc[0]
    minx, miny, maxx, maxy = cin.bounds
    mid = (minx + maxx) / 2
    halves = [
        cin.intersection(shapely.box(minx, miny, mid, maxy)),
        cin.intersection(shapely.box(mid, miny, maxx, maxy)),
    ]
    path = tmp_path / "halves.gpkg"
    gpd.GeoDataFrame(
        {"zona": ["ovest", "est"]}, geometry=halves, crs="EPSG:32632"
    ).to_file(path)
    user = read_districts(path, id_column="zona")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Milan's estates are outside this layer
        u = aggregate(demo, user, start=2019, end=2019)
    assert (
        u["occupied"].sum() == c.loc[c["district_id"] == "CINISELLO", "occupied"].item()
    )
    assert u["units"].sum() == 1163


# --------------------------------------------------------------------------
# command line


def run_cli(*args: str, mirror) -> subprocess.CompletedProcess:
    env = {**os.environ, "GEO_ALLOGGI_DATA_MIRROR": str(mirror), "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "geo_alloggi", "overlay", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def read_csv_it(path):
    return pd.read_csv(path, sep=";", decimal=",", encoding="utf-8-sig")


def test_cli_overlay_synthetic_writes_suppressed_gpkg_and_csv(mirror, tmp_path):
    res = run_cli(
        "--synthetic",
        "--seed",
        "0",
        "--level",
        "study_area",
        "--out-dir",
        str(tmp_path),
        mirror=mirror,
    )
    assert res.returncode == 0, res.stderr
    assert "SYNTHETIC" in res.stdout and "89 quartieri × 12 periodi" in res.stdout
    assert "{" not in res.stdout  # counts said in words, never a Python dict
    gpkg = tmp_path / "SYNTHETIC_overlay_study_area_year.gpkg"
    table = gpd.read_file(gpkg, layer="overlay")
    assert len(table) == 89 * 12
    assert (table["source"] == "SYNTHETIC").all()
    csv = read_csv_it(tmp_path / "SYNTHETIC_overlay_study_area_year.csv")
    assert len(csv) == 89 * 12
    for header in (
        "Alloggi occupati",
        "Nuove occupazioni",
        "Sgomberi",
        "Alloggi sfitti",
    ):
        shown = csv[header].dropna()
        assert len(shown) > 0
        assert not shown.between(1, 4).any(), header
    hidden = csv["Dati oscurati (riservatezza)"].fillna("")
    assert (hidden != "").any()
    # a hidden count is an empty cell listed in the row, never a zero
    rows = hidden.str.contains("Alloggi occupati")
    assert csv.loc[rows, "Alloggi occupati"].isna().all()
    totals = read_csv_it(tmp_path / "SYNTHETIC_overlay_study_area_year_totals.csv")
    grand = totals[totals["Tipo riga"] == "totale generale"]
    assert len(grand) == 12
    assert not totals["Alloggi occupati"].dropna().between(1, 4).any()


def test_cli_overlay_reads_record_files(mirror, tmp_path, demo):
    from geo_alloggi.io import write_table

    for kind in ("estates", "occupations", "evictions", "vacancies"):
        frame = getattr(demo, kind)
        write_table(
            pd.DataFrame(frame.drop(columns="geometry", errors="ignore")),
            tmp_path / f"{kind}.csv",
            lang="it",
        )
    from geo_alloggi import load_districts

    # a user layer: the two comuni written to a GeoPackage in the metric CRS
    comuni = load_districts("comuni", mirror=mirror)
    layer = tmp_path / "zone.gpkg"
    comuni[["district_id", "name", "parent_id", "geometry"]].rename(
        columns={"district_id": "codice", "name": "nome", "parent_id": "padre"}
    ).to_crs("EPSG:32632").to_file(layer)
    out = tmp_path / "out"
    res = run_cli(
        *(
            f"--{k}={tmp_path / f'{k}.csv'}"
            for k in ("estates", "occupations", "evictions", "vacancies")
        ),
        "--districts",
        str(layer),
        "--id-column",
        "codice",
        "--name-column",
        "nome",
        "--parent-column",
        "padre",
        "--period",
        "quarter",
        "--start",
        "2019",
        "--end",
        "2019",
        "--no-suppress",
        "--lang",
        "en",
        "--out-dir",
        str(out),
        mirror=mirror,
    )
    assert res.returncode == 0, res.stderr
    assert "do not share" in res.stderr
    got = pd.read_csv(out / "overlay_zone_quarter.csv", encoding="utf-8-sig")
    ref = aggregate(
        demo,
        comuni,
        period="quarter",
        start=2019,
        end=2019,
    )
    assert got["Occupied units"].tolist() == ref["occupied"].tolist()
    assert got["Period"].tolist() == ["2019Q1", "2019Q2", "2019Q3", "2019Q4"] * 2
    assert got["District id"].tolist() == ["MILANO"] * 4 + ["CINISELLO"] * 4
    assert (got["Parent district id"] == "CM-MILANO").all()
    gpkg = gpd.read_file(out / "overlay_zone_quarter.gpkg", layer="overlay")
    assert gpkg["occupied"].tolist() == ref["occupied"].tolist()


def test_cli_overlay_needs_records(mirror, tmp_path):
    res = run_cli("--out-dir", str(tmp_path), mirror=mirror)
    assert res.returncode == 2
    assert "give either --synthetic or record files" in res.stderr
    assert "Traceback" not in res.stderr
    res = run_cli(
        "--synthetic", "--level", "wards", "--out-dir", str(tmp_path), mirror=mirror
    )
    assert res.returncode == 2 and "--level 'wards'" in res.stderr


def test_undated_evictions_reported(hand_records, grid3x3):
    evi = hand_records.evictions.copy()
    evi.loc[2, "date"] = pd.NaT
    recs = Records(
        hand_records.estates, hand_records.occupations, evi, hand_records.vacancies
    )
    with pytest.warns(UserWarning, match=r"1 record\(s\) with outcome.*'E3'"):
        t = aggregate(recs, grid3x3, start=2018, end=2020)
    assert t["evictions"].sum() == 1
    assert t.attrs["unplaced"]["evictions_undated"] == 1
