"""Synthetic records: determinism, labels, calibration, planted trends."""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from geopandas.testing import assert_geodataframe_equal
from pandas.testing import assert_frame_equal

from geo_alloggi import ValidationError
from geo_alloggi.overlay import aggregate, assign_districts
from geo_alloggi.synthetic import make_demo, make_occupations


@pytest.fixture(scope="module")
def demo(mirror):
    return make_demo(seed=0, mirror=mirror)


def stock(frame: pd.DataFrame, start: str, end: str, day: str) -> pd.Series:
    d = pd.Timestamp(day)
    return (frame[start] <= d) & (frame[end].isna() | (frame[end] > d))


def true_estate(demo) -> pd.Series:
    """Estate of every occupation, using the truth for records without one."""
    occ = demo.occupations
    links = demo.truth["links"]
    fix = links[links["kind"] == "occupations"].set_index("record_id")["estate_id"]
    return occ["estate_id"].fillna(occ["record_id"].map(fix))


def test_same_seed_same_frames_other_seed_differs(demo, mirror):
    again = make_demo(seed=0, mirror=mirror)
    assert_geodataframe_equal(demo.estates, again.estates)
    for name in ("occupations", "evictions", "vacancies"):
        assert_frame_equal(getattr(demo, name), getattr(again, name))
    assert_frame_equal(demo.truth["links"], again.truth["links"])
    other = make_demo(seed=1, mirror=mirror)
    assert not other.estates["estate_id"].equals(demo.estates["estate_id"]) or not (
        other.estates.geometry.geom_equals(demo.estates.geometry).all()
    )
    assert len(other.occupations) != len(demo.occupations) or not other.occupations[
        "unit_id"
    ].equals(demo.occupations["unit_id"])


def test_everything_is_labelled_synthetic(demo):
    assert demo.synthetic is True
    for frame in (demo.estates, demo.occupations, demo.evictions, demo.vacancies):
        assert (frame["source"] == "SYNTHETIC").all()
        assert frame.attrs["synthetic"] is True
    assert demo.truth["label"] == "SYNTHETIC"


def test_canonical_columns_and_types(demo):
    est, occ, evi, vac = demo.estates, demo.occupations, demo.evictions, demo.vacancies
    assert est.crs == "EPSG:4326"
    assert est["estate_id"].is_unique and (est["units"] > 0).all()
    assert set(est["owner"]) == {"Aler", "Comune-MM"}
    assert set(est["position_source"]) == {"civic_point", "seeded_point"}
    for col in (
        "record_id",
        "estate_id",
        "unit_id",
        "detected_on",
        "ended_on",
        "status",
    ):
        assert col in occ
    assert occ["record_id"].is_unique and evi["record_id"].is_unique
    assert pd.api.types.is_datetime64_any_dtype(occ["detected_on"])
    assert ((occ["status"] == "ongoing") == occ["ended_on"].isna()).all()
    assert (occ["ended_on"].isna() | (occ["ended_on"] > occ["detected_on"])).all()
    assert set(evi["outcome"]) <= {"executed", "scheduled", "postponed", "failed"}
    assert evi["vulnerable"].dtype == bool
    assert (vac["ended_on"].isna() | (vac["ended_on"] >= vac["since"])).all()
    assert vac["estate_id"].notna().all()
    assert (vac["renovation_cost_eur"] > 0).all()


def test_milan_estates_sit_on_current_civic_points_with_their_address(demo, mirror):
    from geo_alloggi import datasets

    civ = datasets.read_civici(datasets.dataset_path("civici", mirror=mirror))
    civ = civ[civ["status"] == 2]
    mi = demo.estates[demo.estates["position_source"] == "civic_point"]
    assert (mi["comune"] == "Milano").all()
    merged = mi.merge(civ, on=["lon", "lat"], how="left", suffixes=("", "_civ"))
    assert merged["street_name"].notna().all()
    # the address is built from the point's own street and number
    num = merged.apply(lambda r: r["address"].endswith(" " + r["housenumber"]), axis=1)
    assert num.all()
    words = merged.apply(
        lambda r: (
            r["street_name"].split()[-1].replace("'", "").lower()
            in r["address"].lower().replace("'", "").replace("è", "e")
        ),
        axis=1,
    )
    assert words.mean() > 0.99
    assert (merged["address"] == "Via Daniele Ricciarelli 11").any() or (
        merged["address"].str.startswith("Via ").mean() > 0.5
    )


def test_cinisello_estates_inside_the_comune(demo, mirror):
    from geo_alloggi import load_districts

    comuni = load_districts("comuni", mirror=mirror)
    cin = demo.estates[demo.estates["comune"] == "Cinisello Balsamo"]
    assert (cin["position_source"] == "seeded_point").all()
    got = assign_districts(cin, comuni, id_column="estate_id")
    assert (got["district_id"] == "CINISELLO").all()


def test_named_estates_in_their_real_nil(demo, nil):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Cinisello is outside the NIL layer
        est = assign_districts(demo.estates, nil, id_column="estate_id")
    where = est.set_index("estate_id")["district_id"]
    for key, info in demo.truth["named_estates"].items():
        assert set(where[info["estate_ids"]]) == {info["district_id"]}, key
    assert demo.truth["named_estates"]["via_bolla"]["district_id"] == "MI-NIL-65"
    bolla = demo.estates.set_index("estate_id").loc[
        demo.truth["named_estates"]["via_bolla"]["estate_ids"], "address"
    ]
    numbers = bolla.str.extract(r"Via Bolla (\d+)")[0].astype(int)
    assert numbers.between(26, 42).all()


# --------------------------------------------------------------------------
# calibration (computed from the frames)


def test_units_calibrated(demo):
    est = demo.estates
    milan = est[est["comune"] == "Milano"]
    assert milan["units"].sum() == pytest.approx(66_730, rel=0.01)
    assert est.loc[
        est["comune"] == "Cinisello Balsamo", "units"
    ].sum() == pytest.approx(1_163, rel=0.02)
    aler = milan.loc[milan["owner"] == "Aler", "units"].sum() / milan["units"].sum()
    assert 0.50 <= aler <= 0.62  # Aler ~34,000 of ~61,000 in 2023
    for key, units in (("san_siro", 4000), ("via_gola", 800), ("via_bolla", 244)):
        ids = demo.truth["named_estates"][key]["estate_ids"]
        assert est.set_index("estate_id").loc[ids, "units"].sum() == pytest.approx(
            units, rel=0.02
        )


def test_occupied_stock_calibrated(demo):
    occ = demo.occupations
    estate = true_estate(demo)
    milan_ids = set(demo.estates.loc[demo.estates["comune"] == "Milano", "estate_id"])
    in_milan = estate.isin(milan_ids)
    jan2019 = int(
        (stock(occ, "detected_on", "ended_on", "2018-12-31") & in_milan).sum()
    )
    jan2020 = int(
        (stock(occ, "detected_on", "ended_on", "2019-12-31") & in_milan).sum()
    )
    assert jan2019 == pytest.approx(4_487, rel=0.03)
    assert 400 <= jan2019 - jan2020 <= 600  # about 500 fewer during 2019
    peak_2018 = int(
        (stock(occ, "detected_on", "ended_on", "2018-01-01") & in_milan).sum()
    )
    assert peak_2018 == pytest.approx(4_564, rel=0.03)
    end2018 = stock(occ, "detected_on", "ended_on", "2018-12-31")
    for key, target, rel in (
        ("san_siro", 873, 0.1),
        ("via_gola", 200, 0.1),
        ("via_bolla", 67, 0.15),
    ):
        ids = demo.truth["named_estates"][key]["estate_ids"]
        assert int((end2018 & estate.isin(ids)).sum()) == pytest.approx(target, rel=rel)


def test_vacancies_calibrated(demo):
    vac = demo.vacancies
    milan_ids = set(demo.estates.loc[demo.estates["comune"] == "Milano", "estate_id"])
    v2014 = int(
        (
            stock(vac, "since", "ended_on", "2014-12-31")
            & vac["estate_id"].isin(milan_ids)
        ).sum()
    )
    assert v2014 == pytest.approx(9_754, rel=0.03)


def test_no_unit_is_occupied_twice_at_once(demo):
    occ = demo.occupations.sort_values(["unit_id", "detected_on"])
    same = occ["unit_id"].to_numpy()[1:] == occ["unit_id"].to_numpy()[:-1]
    prev_end = occ["ended_on"].to_numpy()[:-1]
    start = occ["detected_on"].to_numpy()[1:]
    ok = ~same | (~np.isnat(prev_end) & (prev_end <= start))
    assert ok.all()


def test_messy_records_exercise_linking(demo):
    occ, links = demo.occupations, demo.truth["links"]
    missing = occ[occ["estate_id"].isna()]
    assert 0.07 <= len(missing) / len(occ) <= 0.13
    assert set(missing["record_id"]) == set(
        links.loc[links["kind"] == "occupations", "record_id"]
    )
    assert {"address", "misspelled_address", "coordinates"} == set(links["form"])
    by_form = links.set_index("record_id")["form"]
    addr = missing[missing["record_id"].map(by_form) == "address"]
    assert addr["address"].notna().all()
    est = demo.estates.set_index("estate_id")
    truth_est = links.set_index("record_id")["estate_id"]
    # clean addresses are the estate's own
    assert (
        addr["address"].to_numpy()
        == est.loc[truth_est[addr["record_id"]], "address"].to_numpy()
    ).all()
    miss = missing[missing["record_id"].map(by_form) == "misspelled_address"]
    differs = (
        miss["address"].to_numpy()
        != est.loc[truth_est[miss["record_id"]], "address"].to_numpy()
    )
    assert differs.mean() > 0.8
    # coordinates-only records lie within 50 m of their estate
    xy = missing[missing["record_id"].map(by_form) == "coordinates"]
    pts = gpd.GeoSeries.from_xy(xy["lon"], xy["lat"], crs="EPSG:4326").to_crs(
        "EPSG:32632"
    )
    ref = est.loc[truth_est[xy["record_id"]]].geometry.to_crs("EPSG:32632")
    assert (pts.distance(ref.set_axis(pts.index)) < 50).all()
    assert demo.evictions["estate_id"].isna().any()


def test_planted_trends_visible_per_nil(demo, study_area):
    clean = make_demo(seed=0, messy=False)
    t = aggregate(clean, study_area, start=2014, end=2025)
    rate = t.pivot(index="district_id", columns="period", values="occupied_per_100")
    hot = demo.truth["hot_areas"]
    persistent, new, fading = (hot[k]["core"] for k in ("persistent", "new", "fading"))
    for area in hot.values():
        assert area["district_ids"][0] == area["core"]
    # persistent: among the 3 highest rates every year
    for year in rate.columns:
        assert persistent in rate[year].sort_values(ascending=False).index[:3]
    # new: background before 2021, then rising every year
    median = rate.median()
    assert (rate.loc[new, "2014":"2020"] < 2 * median["2014":"2020"]).all()
    assert np.all(np.diff(rate.loc[new, "2020":"2025"].to_numpy(float)) > 0)
    assert rate.loc[new, "2025"] > 3 * median["2025"]
    # fading: high until 2018, then falling every year
    assert (rate.loc[fading, "2014":"2018"] > 2.5 * median["2014":"2018"]).all()
    assert np.all(np.diff(rate.loc[fading, "2018":"2025"].to_numpy(float)) < 0)

    # the neighbours of each core make the area hot as a whole
    def area_rate(ids):
        part = t[t["district_id"].isin(ids)].groupby("period")
        return 100 * part["occupied"].sum() / part["units"].sum()

    overall = median  # the typical NIL
    ring = {k: v["district_ids"][1:] for k, v in hot.items()}
    assert (area_rate(ring["persistent"]) > 1.5 * overall).all()
    new_ring = area_rate(ring["new"])
    assert (new_ring["2014":"2020"] < 1.5 * overall["2014":"2020"]).all()
    assert new_ring["2025"] > 1.5 * overall["2025"]
    assert np.all(np.diff(new_ring["2020":"2025"].to_numpy(float)) > 0)
    fading_ring = area_rate(ring["fading"])
    assert (fading_ring["2014":"2018"] > 1.5 * overall["2014":"2018"]).all()
    assert fading_ring["2025"] < overall["2025"]


# --------------------------------------------------------------------------
# large point sets


def test_make_occupations_points_inside_and_deterministic(study_area):
    a = make_occupations(20_000, seed=5, districts=study_area)
    b = make_occupations(20_000, seed=5, districts=study_area)
    assert_geodataframe_equal(a, b)
    assert len(a) == 20_000 and a["record_id"].is_unique
    assert (a["source"] == "SYNTHETIC").all()
    got = assign_districts(a, study_area)
    assert got["district_id"].notna().all()
    # spread by area: Cinisello Balsamo holds its share of the points
    share = (got["district_id"] == "CINISELLO").mean()
    area = study_area.set_index("district_id")["area_km2"]
    assert share == pytest.approx(area["CINISELLO"] / area.sum(), abs=0.01)
    assert a["detected_on"].dt.year.between(2014, 2025).all()
    assert (a["ended_on"].isna() | (a["ended_on"] > a["detected_on"])).all()


def test_make_occupations_refuses_negative_n():
    with pytest.raises(ValidationError, match="n=-1"):
        make_occupations(-1)


def test_every_demo_estate_falls_in_a_district_at_every_level(demo, mirror):
    from geo_alloggi import load_districts

    milan = demo.estates[demo.estates["comune"] == "Milano"]
    for level in ("nil", "municipi"):
        got = assign_districts(milan, load_districts(level, mirror=mirror))
        assert got["district_id"].notna().all(), level
    for level in ("comuni", "study_area"):
        got = assign_districts(demo.estates, load_districts(level, mirror=mirror))
        assert got["district_id"].notna().all(), level
    comuni = assign_districts(demo.estates, load_districts("comuni", mirror=mirror))
    expected = demo.estates["comune"].map(
        {"Milano": "MILANO", "Cinisello Balsamo": "CINISELLO"}
    )
    assert (comuni["district_id"] == expected).all()
