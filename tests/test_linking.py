"""Linking records to estates: by id, by address, by coordinates (rtree)."""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

from geo_alloggi import _schema as S
from geo_alloggi._errors import CRSError, ValidationError
from geo_alloggi.linking import LinkResult, link_records, place_estates

# estates on a metric grid: E1 at (510000, 5035000), E2 200 m east, E3 400 m east
ORIGIN = (510_000.0, 5_035_000.0)


def metric_estates() -> gpd.GeoDataFrame:
    pts = [Point(ORIGIN[0] + 200 * k, ORIGIN[1]) for k in range(3)]
    gdf = gpd.GeoDataFrame(
        {
            S.ESTATE_ID: ["E1", "E2", "E3"],
            S.ADDRESS: ["Via Emilio Gola 20", "Via Bolla 30", "Viale Fulvio Testi 12"],
            S.COMUNE: ["Milano", "Milano", "Milano"],
        },
        geometry=pts,
        crs="EPSG:32632",
    )
    return gdf.to_crs("EPSG:4326")


def lonlat(x: float, y: float) -> tuple[float, float]:
    p = gpd.GeoSeries([Point(x, y)], crs="EPSG:32632").to_crs("EPSG:4326").iloc[0]
    return p.x, p.y


def link(records, estates, **kwds) -> LinkResult:
    kwds.setdefault("geocode", False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return link_records(records, estates, **kwds)


def test_link_by_estate_id_first():
    rec = pd.DataFrame(
        {S.RECORD_ID: ["a", "b"], S.ESTATE_ID: ["E2", "E3"]}, index=[10, 11]
    )
    out = link(rec, metric_estates())
    assert out.records.index.tolist() == [10, 11]
    assert out.records[S.ESTATE_ID].tolist() == ["E2", "E3"]
    assert out.records["link_method"].tolist() == ["estate_id", "estate_id"]
    assert out.counts() == {
        "estate_id": 2,
        "address": 0,
        "coordinates": 0,
        "unlinked": 0,
    }
    assert len(out.unlinked) == 0


def test_link_by_normalised_address_without_geocoder():
    rec = pd.DataFrame(
        {
            S.RECORD_ID: ["a", "b", "c"],
            S.ESTATE_ID: ["X9", None, None],
            S.ADDRESS: ["VIA EMILIO GOLA, 20", "v.le Fulvio Testi 12", "Via Roma 1"],
        }
    )
    out = link(rec, metric_estates())
    assert out.records[S.ESTATE_ID].tolist()[:2] == ["E1", "E3"]
    assert out.records["link_method"].tolist() == ["address", "address", "unlinked"]
    assert out.records["link_note"].iloc[0] == "estate_id 'X9' unknown"
    assert "'Via Roma 1' matches no estate" in out.records["link_note"].iloc[2]
    assert out.unlinked[S.RECORD_ID].tolist() == ["c"]


def test_link_by_coordinates_within_tolerance():
    e = metric_estates()
    # 50 m north of E1; 100 m east of E1 (equidistant E1/E2); 30 m from E3;
    # 120 m south of E1 (too far at 75 m)
    pts = [
        (ORIGIN[0], ORIGIN[1] + 50),
        (ORIGIN[0] + 100, ORIGIN[1]),
        (ORIGIN[0] + 400 - 18, ORIGIN[1] + 24),
        (ORIGIN[0], ORIGIN[1] - 120),
    ]
    ll = [lonlat(*p) for p in pts]
    rec = pd.DataFrame(
        {
            S.RECORD_ID: ["a", "b", "c", "d"],
            S.LON: [p[0] for p in ll],
            S.LAT: [p[1] for p in ll],
        }
    )
    out = link(rec, e, tolerance_m=101)
    r = out.records
    assert r[S.ESTATE_ID].tolist()[:3] == ["E1", "E1", "E3"]  # tie -> smaller id
    assert r["link_method"].tolist() == ["coordinates"] * 3 + ["unlinked"]
    # distances by hand: 50, 100, sqrt(18² + 24²) = 30 metres
    assert r["link_distance_m"].tolist()[:3] == pytest.approx([50, 100, 30], abs=0.01)
    assert np.isnan(r["link_distance_m"].iloc[3])
    assert "no estate within 101 m" in r["link_note"].iloc[3]
    tight = link(rec, e, tolerance_m=75)
    assert tight.records["link_method"].tolist() == [
        "coordinates",
        "unlinked",
        "coordinates",
        "unlinked",
    ]


def test_rtree_nearest_matches_brute_force():
    rng = np.random.default_rng(3)
    ex = ORIGIN[0] + rng.uniform(0, 5000, 300)
    ey = ORIGIN[1] + rng.uniform(0, 5000, 300)
    estates = gpd.GeoDataFrame(
        {S.ESTATE_ID: [f"E{i:03d}" for i in range(300)]},
        geometry=gpd.points_from_xy(ex, ey),
        crs="EPSG:32632",
    ).to_crs("EPSG:4326")
    qx = ORIGIN[0] + rng.uniform(0, 5000, 500)
    qy = ORIGIN[1] + rng.uniform(0, 5000, 500)
    q = gpd.GeoSeries(gpd.points_from_xy(qx, qy), crs="EPSG:32632").to_crs("EPSG:4326")
    rec = pd.DataFrame({S.RECORD_ID: range(500), S.LON: q.x, S.LAT: q.y})
    out = link(rec, estates, tolerance_m=150).records
    # brute force in the metric CRS
    d = np.hypot(qx[:, None] - ex[None, :], qy[:, None] - ey[None, :])
    best = d.argmin(axis=1)
    within = d.min(axis=1) <= 150
    expected = np.where(within, np.array([f"E{i:03d}" for i in best]), None)
    got = out[S.ESTATE_ID].astype(object).where(out["link_method"] != "unlinked", None)
    assert got.tolist() == expected.tolist()
    assert within.sum() > 50 and (~within).sum() > 50  # both cases exercised
    assert out.loc[within, "link_distance_m"].to_numpy() == pytest.approx(
        d.min(axis=1)[within], abs=0.05
    )


def test_nothing_dropped_and_unlinked_reported():
    rec = pd.DataFrame(
        {
            S.RECORD_ID: ["a", "b", "c"],
            S.ESTATE_ID: ["E1", "NOPE", None],
            S.ADDRESS: [None, None, None],
            S.LON: [np.nan, np.nan, np.nan],
            S.LAT: [np.nan, np.nan, np.nan],
        }
    )
    before = rec.copy()
    with pytest.warns(UserWarning, match=r"2 of 3 records could not be linked"):
        out = link_records(rec, metric_estates(), geocode=False)
    assert len(out.records) == 3
    assert out.unlinked[S.RECORD_ID].tolist() == ["b", "c"]
    assert out.unlinked["link_note"].tolist() == [
        "estate_id 'NOPE' unknown",
        "no estate id, address or coordinates",
    ]
    # the given (unknown) id is kept, not invented
    assert out.unlinked[S.ESTATE_ID].tolist()[0] == "NOPE"
    pd.testing.assert_frame_equal(rec, before)  # input untouched


def test_bad_arguments():
    e = metric_estates()
    rec = pd.DataFrame({S.RECORD_ID: ["a"], S.ESTATE_ID: ["E1"]})
    with pytest.raises(ValidationError, match="must be unique"):
        link(rec, pd.concat([e, e]))
    with pytest.raises(CRSError):
        link(rec, e.set_crs(None, allow_override=True))
    with pytest.raises(ValidationError, match="tolerance_m"):
        link(rec, e, tolerance_m=0)


# ---------------------------------------------------------------------------
# with the real geocoder (official civic points from the mirror)


@pytest.fixture(scope="module")
def geocoder(mirror, tmp_path_factory):
    from geo_alloggi.geocoding import Geocoder

    return Geocoder(
        mirror, street_lists=False, cache_dir=tmp_path_factory.mktemp("geocoder")
    )


def test_place_estates_and_link_by_geocoded_address(geocoder):
    estates = gpd.GeoDataFrame(
        {
            S.ESTATE_ID: ["E1", "E2", "E3", "E4"],
            S.ADDRESS: [
                "Via Emilio Gola 20",
                "Via Bolla 30",
                "Via che non esiste 1",
                "Piazza del Duomo 1",
            ],
            S.COMUNE: ["Milano"] * 4,
        },
        geometry=[None, None, None, Point(9.19, 45.464)],
        crs="EPSG:4326",
    )
    with pytest.warns(UserWarning, match="1 of 3 estates without a position"):
        placed = place_estates(estates, geocoder=geocoder)
    source = placed[S.POSITION_SOURCE]
    assert source.tolist()[:2] == ["geocoded", "geocoded"]
    assert pd.isna(source.iloc[2]) and source.iloc[3] == "input"
    assert placed.geometry.iloc[3].equals(Point(9.19, 45.464))  # unchanged
    assert estates.geometry.iloc[0] is None  # input untouched
    # the positions are the official civic points themselves
    ref = geocoder.geocode(["Via Emilio Gola 20", "Via Bolla 30"], comune="Milano")
    assert placed[S.LON].iloc[:2].tolist() == pytest.approx(ref[S.GEO_LON].tolist())
    assert placed[S.LAT].iloc[:2].tolist() == pytest.approx(ref[S.GEO_LAT].tolist())

    rec = pd.DataFrame(
        {
            S.RECORD_ID: ["a", "b", "c"],
            # messy spellings: a geocoded match, not a string equality
            S.ADDRESS: ["via gola 20", "V. BOLLA, 30", "Via Gola 200"],
            S.COMUNE: ["Milano", "MILANO", "Milano"],
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        out = link_records(rec, placed, geocoder=geocoder)
    r = out.records
    assert r[S.ESTATE_ID].tolist()[:2] == ["E1", "E2"]
    assert r["link_method"].tolist()[:2] == ["address", "address"]
    assert r["link_distance_m"].iloc[:2].tolist() == pytest.approx([0, 0], abs=0.5)
    assert r["link_method"].iloc[2] == "unlinked"


def test_each_record_linked_as_if_alone():
    # addresses and comuni repeat (the linker keys each distinct pair once):
    # every record must be linked exactly as when it is linked on its own
    rng = np.random.default_rng(7)
    e = metric_estates()
    e.loc[2, S.COMUNE] = "Cinisello Balsamo"
    spellings = np.array(
        [
            "VIA EMILIO GOLA, 20",
            " via emilio gola 20 ",
            "v.le Fulvio Testi 12",
            "Via Bolla 30",
            "Via Roma 1",
            "",
            None,
        ],
        dtype=object,
    )
    comuni = np.array(["Milano", "MILANO", "mi", "Cinisello B", None], dtype=object)
    ids = np.array(["E1", "X9", None, "", 3], dtype=object)
    n = 60
    rec = pd.DataFrame(
        {
            S.RECORD_ID: [f"r{i}" for i in range(n)],
            S.ESTATE_ID: rng.choice(ids, n),
            S.ADDRESS: rng.choice(spellings, n),
            S.COMUNE: rng.choice(comuni, n),
        },
        index=np.arange(n) * 2,
    )
    # object columns (None) and nullable text columns (pd.NA) alike
    for frame in (rec, rec.astype({S.ADDRESS: "string", S.COMUNE: "string"})):
        together = link(frame, e).records
        alone = pd.concat([link(frame.iloc[[i]], e).records for i in range(n)])
        pd.testing.assert_frame_equal(together, alone)
        methods = set(together["link_method"])
        assert {"estate_id", "address", "unlinked"} <= methods


def test_repeated_text_factorize_equals_pandas():
    from geo_alloggi.linking import _keys

    values = np.array(
        ["Via Bolla 30", None, "Via Gola 20", "Via Bolla 30", np.nan, "", pd.NA, "V"],
        dtype=object,
    )
    codes, uniques = _keys.factorize_repeated_text(values)
    expected_codes, expected_uniques = pd.factorize(values)
    assert codes.tolist() == expected_codes.tolist() == [0, -1, 1, 0, -1, 2, -1, 3]
    assert uniques.tolist() == list(expected_uniques)
    # equal texts held by distinct string objects (as a reader that does not
    # share them gives) still get one code, in order of first appearance
    parts = ["Via Gola ", "20", "Via Bolla ", "30"]
    gola, bolla = parts[0] + parts[1], parts[2] + parts[3]
    again = np.array(
        [bolla, gola, parts[2] + parts[3], None, parts[0] + parts[1], bolla],
        dtype=object,
    )
    assert again[0] is not again[2] and again[1] is not again[4]
    codes, uniques = _keys.factorize_repeated_text(again)
    assert codes.tolist() == [0, 1, 0, -1, 1, 0]
    assert uniques.tolist() == ["Via Bolla 30", "Via Gola 20"]


def test_geocode_memo_shared_between_tables(geocoder):
    e = metric_estates()
    a = pd.DataFrame(
        {
            S.RECORD_ID: ["a1", "a2", "a3"],
            S.ADDRESS: ["via gola 20", "Via Gola 200", "via gola 20"],
            S.COMUNE: ["Milano", "Milano", "Milano"],
        }
    )
    b = pd.DataFrame(
        {
            S.RECORD_ID: ["b1", "b2"],
            S.ADDRESS: ["Via Gola 200", "V. BOLLA, 30"],
            S.COMUNE: ["Milano", "MILANO"],
        }
    )
    memo: dict = {}
    for frame in (a, b):
        shared = link(frame, e, geocode=True, geocoder=geocoder, geocode_memo=memo)
        alone = link(frame, e, geocode=True, geocoder=geocoder)
        pd.testing.assert_frame_equal(shared.records, alone.records)
        assert shared.counts() == alone.counts()
    # the memo holds each pair the address keys did not match, once
    both = pd.concat([a, b])
    by_key = link(both, e).records
    left = both[by_key["link_method"].to_numpy() == "unlinked"]
    pairs = zip(left[S.ADDRESS], left[S.COMUNE], strict=True)
    expected = {(r, c, True) for r, c in pairs}
    assert set(memo) == expected and len(expected) >= 2
    # an answer in the memo is used instead of the geocoder's
    lon, lat = lonlat(*ORIGIN)
    told = {("Via Gola 200", "Milano", True): ("exact", lon, lat)}
    r = link(b, e, geocode=True, geocoder=geocoder, geocode_memo=told).records
    assert r[S.ESTATE_ID].iloc[0] == "E1"
    assert r["link_method"].iloc[0] == "address"


@pytest.mark.parametrize("n_first", [3, 5000])  # a table of pairs, or hashed
def test_distinct_pairs_equal_pandas_factorize(n_first):
    from geo_alloggi.linking._links import distinct_pairs

    rng = np.random.default_rng(3)
    first = rng.integers(-1, n_first, 300)
    second = rng.integers(-1, 4, 300)
    codes, pair_first, pair_second = distinct_pairs(first, second)
    rows = list(zip(first.tolist(), second.tolist(), strict=True))
    expected = list(dict.fromkeys(rows))  # in order of first appearance
    got = list(zip(pair_first.tolist(), pair_second.tolist(), strict=True))
    assert got == expected
    assert [expected[c] for c in codes] == rows


@pytest.mark.parametrize("with_na", [False, True])
def test_pairs_with_text_equal_the_pairs_of_a_factorize(with_na):
    from geo_alloggi.linking import _keys

    rng = np.random.default_rng(5)
    pool = ["Milano", "Milano ", " Cinisello Balsamo", "", None, np.nan, "Monza"]
    if with_na:
        pool.append(pd.NA)
    # equal texts in distinct objects, as a frame built row by row holds them
    drawn = [pool[i] for i in rng.integers(0, len(pool), 2000)]
    values = np.array(
        ["".join(list(v)) if isinstance(v, str) else v for v in drawn], dtype=object
    )
    values[::7] = np.array(["Mil", "ano"], dtype=object).sum()  # "Milano", new
    groups = rng.integers(0, 40, 2000)
    groups[rng.random(2000) < 0.5] = 3  # one busy group with mixed texts
    codes, pair_group, pair_text = _keys.pairs_with_text(groups, values)
    stripped = [None if pd.isna(v) else _keys.clean_text(v) for v in values]
    # each row's pair holds the row's group and its stripped text
    assert pair_group[codes].tolist() == groups.tolist()
    assert pair_text[codes].tolist() == stripped
    # one pair per group and distinct text as written (missing ones all alike)
    written = [None if pd.isna(v) else v for v in values]
    expected = set(zip(groups.tolist(), written, strict=True))
    assert len(pair_group) == len(expected)
