"""Geocoding on the mirror's real civic points; online fallback on a local server."""

from __future__ import annotations

import json
import os
import threading
import time
import warnings
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar
from urllib.parse import parse_qs, urlsplit

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from geopandas.testing import assert_geodataframe_equal
from pyproj import Geod, Transformer

from geo_alloggi import config, datasets
from geo_alloggi._errors import InputFileError, ValidationError
from geo_alloggi._schema import GEO_COLUMNS, MATCH_TYPES
from geo_alloggi.address import ParsedAddress, messy_address, parse_address
from geo_alloggi.geocoding import (
    Geocoder,
    add_correction,
    geocode,
    read_corrections,
)
from geo_alloggi.geocoding import rows as batch

GEOD = Geod(ellps="WGS84")
TYPED = ("exact", "interpolated", "nearest_number")


def dist_m(lon1, lat1, lon2, lat2) -> np.ndarray:
    """Geodesic distance (a different method from the metric CRS used inside)."""
    lon1, lat1, lon2, lat2 = (
        np.asarray(v, dtype=float) for v in (lon1, lat1, lon2, lat2)
    )
    bad = ~(np.isfinite(lon1) & np.isfinite(lat1))
    _, _, d = GEOD.inv(np.where(bad, 0, lon1), np.where(bad, 0, lat1), lon2, lat2)
    return np.where(bad, np.inf, d)


@pytest.fixture(scope="module", autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory):
    """Keep this module's caches (index, rtree, Nominatim) in a temporary folder."""
    old = os.environ.get(config.CACHE_ENV)
    os.environ[config.CACHE_ENV] = str(tmp_path_factory.mktemp("cache"))
    yield
    if old is None:
        os.environ.pop(config.CACHE_ENV, None)
    else:
        os.environ[config.CACHE_ENV] = old


@pytest.fixture(scope="module")
def civici(mirror: Path) -> pd.DataFrame:
    """Official current civic points, read independently of the geocoder."""
    c = datasets.read_civici(mirror / datasets.REGISTRY["civici"].filename)
    return c[(c["status"] == 2) & (c["entrance"] == "")].reset_index(drop=True)


@pytest.fixture(scope="module")
def geocoder(mirror: Path) -> Geocoder:
    return Geocoder(mirror)


def official(civici: pd.DataFrame, name: str, housenumber: str) -> tuple[float, float]:
    row = civici[
        (civici["street_name"] == name) & (civici["housenumber"] == housenumber)
    ]
    assert len(row) == 1
    return float(row["lon"].iloc[0]), float(row["lat"].iloc[0])


def quiet(g: Geocoder, data, **kw) -> gpd.GeoDataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return g.geocode(data, **kw)


# --------------------------------------------------------------------------
# index: cache and load


def test_index_is_cached_and_reloaded(mirror: Path, geocoder: Geocoder) -> None:
    assert geocoder.index_path.is_file()
    again = Geocoder(mirror)
    assert again.index_path == geocoder.index_path
    assert again.index.n_points == geocoder.index.n_points
    # every current ds634 address (street, number, esponente) has one point
    assert again.index.n_points >= 52_000
    assert set(again.comuni) == {"Milano", "Cinisello Balsamo"}


# --------------------------------------------------------------------------
# matching real points


def messy_milano(sample: pd.DataFrame, rng: np.random.Generator) -> list[str]:
    """A messy spelling of each official civic point in ``sample`` (comune Milano)."""
    return [
        messy_address(t, n, h, rng=rng, comune="Milano")
        for t, n, h in zip(
            sample["street_type"],
            sample["street_name"],
            sample["housenumber"],
            strict=True,
        )
    ]


def test_messy_variants_of_real_points_land_on_the_official_point(
    geocoder: Geocoder, civici: pd.DataFrame
) -> None:
    rng = np.random.default_rng(7)
    sample = civici.iloc[rng.choice(len(civici), size=400, replace=False)]
    addresses = messy_milano(sample, rng)
    out = quiet(geocoder, addresses, comune="Milano")
    d = dist_m(out["geo_lon"], out["geo_lat"], sample["lon"], sample["lat"])
    assert np.mean(d <= 30) >= 0.95
    typed = out["geo_match_type"].isin(TYPED).to_numpy()
    assert np.mean(d[typed] > 100) <= 0.01


def test_a_large_batch_parsed_in_two_processes_gives_the_same_result(
    geocoder: Geocoder, civici: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From ``PARSE_IN_TWO`` distinct addresses a forked child parses half."""
    rng = np.random.default_rng(8)
    sample = civici.iloc[rng.choice(len(civici), size=200, replace=False)]
    addresses = messy_milano(sample, rng)
    addresses += ["c/o Aler Milano, Via Balilla 30 - Milano", "", "snc"]
    addresses += addresses[::3]  # repeated rows
    distinct = list(dict.fromkeys(addresses))
    monkeypatch.setattr(batch, "PARSE_IN_TWO", 10**9)  # all in this process
    one = quiet(geocoder, addresses)
    monkeypatch.setattr(batch, "PARSE_IN_TWO", 2)
    two = quiet(geocoder, addresses)
    assert_geodataframe_equal(one, two)
    parts = batch._parse_distinct(distinct)
    assert parts == [parse_address(a) for a in distinct]
    assert all(type(p) is ParsedAddress for p in parts)


@pytest.mark.parametrize(
    ("text", "name", "housenumber", "match_type"),
    [
        ("V.LE FULVIO TESTI 12", "FULVIO TESTI", "12", "exact"),
        ("via f. testi, 12 - 20126 milano", "FULVIO TESTI", "12", "exact"),
        ("Via Scalarini 7", "GIUSEPPE SCALARINI", "7", "exact"),
        ("VIA BISNATI ALESSANDRO 3", "ALESSANDRO BISNATI", "3", "exact"),
        ("P.ZZA DUOMO 21", "DEL DUOMO", "21", "exact"),
        ("Via dell'Annunciata 23/1", "DELL'ANNUNCIATA", "23/1", "exact"),
        ("Piazza Duomo 14 A", "DEL DUOMO", "14A", "exact"),
        ("Piazza Duomo 14/b", "DEL DUOMO", "14", "nearest_number"),
        # Milan writes the day of dates in words: VENTICINQUE APRILE, OTTO OTTOBRE 2001
        ("Piazza XXV Aprile 10", "VENTICINQUE APRILE", "10", "exact"),
        ("Via 8 Ottobre 2001, 12", "OTTO OTTOBRE 2001", "12", "exact"),
    ],
)
def test_known_spellings(
    geocoder: Geocoder,
    civici: pd.DataFrame,
    text: str,
    name: str,
    housenumber: str,
    match_type: str,
) -> None:
    out = quiet(geocoder, [text], comune="Milano")
    lon, lat = official(civici, name, housenumber)
    assert out.loc[0, "geo_match_type"] == match_type
    assert dist_m(out["geo_lon"], out["geo_lat"], lon, lat)[0] < 0.01
    assert 0 < out.loc[0, "geo_score"] <= 1


def test_interpolation_between_neighbours(
    geocoder: Geocoder, civici: pd.DataFrame
) -> None:
    # Viale Fulvio Testi has 12 and 16 but no 14: halfway between them, said so
    assert not (
        (civici["street_name"] == "FULVIO TESTI") & (civici["housenumber"] == "14")
    ).any()
    out = quiet(geocoder, ["Viale Fulvio Testi 14"], comune="Milano")
    lo = official(civici, "FULVIO TESTI", "12")
    hi = official(civici, "FULVIO TESTI", "16")
    assert out.loc[0, "geo_match_type"] == "interpolated"
    assert out.loc[0, "geo_lon"] == pytest.approx((lo[0] + hi[0]) / 2, abs=1e-9)
    assert out.loc[0, "geo_lat"] == pytest.approx((lo[1] + hi[1]) / 2, abs=1e-9)
    assert out.loc[0, "geo_score"] < 1


def test_number_far_beyond_the_street_is_not_placed(
    geocoder: Geocoder, civici: pd.DataFrame
) -> None:
    last = int(civici.loc[civici["street_name"] == "FULVIO TESTI", "number"].max())
    out = quiet(geocoder, [f"Viale Fulvio Testi {last + 40}"], comune="Milano")
    assert out.loc[0, "geo_match_type"] == "street"
    assert np.isnan(out.loc[0, "geo_lon"]) and out.geometry.iloc[0] is None
    assert out.loc[0, "geo_matched_address"] == "VIALE FULVIO TESTI, Milano"


def _hand_made_points(
    streets: dict[str, dict[int, tuple[float, float]]],
) -> pd.DataFrame:
    """Civic points written by hand: street -> number -> metres (east, north)."""
    to_m = Transformer.from_crs("EPSG:4326", "EPSG:32632", always_xy=True)
    to_ll = Transformer.from_crs("EPSG:32632", "EPSG:4326", always_xy=True)
    x0, y0 = to_m.transform(9.19, 45.47)
    rows = []
    for code, (name, numbers) in enumerate(streets.items(), start=1):
        for num, (dx, dy) in numbers.items():
            lon, lat = to_ll.transform(x0 + dx, y0 + dy)
            rows.append(
                {
                    "point_id": f"{code}-{num}",
                    "codice_via": str(code),
                    "street_type": "Via",
                    "street_name": name,
                    "street_registry": name,
                    "number": num,
                    "letter": "",
                    "slash": "",
                    "entrance": "",
                    "housenumber": str(num),
                    "municipio": 1,
                    "status": 2,
                    "postcode": "",
                    "comune": "Milano",
                    "lon": lon,
                    "lat": lat,
                    "source": "ds634",
                }
            )
    return pd.DataFrame(rows, columns=list(datasets.CIVICI_COLUMNS))


def test_absent_number_placed_where_the_numbering_is_regular() -> None:
    # even side every 7.5 m per number unit (6 missing), odd side across the road
    pts = _hand_made_points(
        {
            "ORDINATA": {
                2: (0.0, 0.0),
                4: (15.0, 0.0),
                8: (45.0, 0.0),
                10: (60.0, 0.0),
                1: (0.0, 20.0),
                3: (15.0, 20.0),
                5: (30.0, 20.0),
            }
        }
    )
    g = Geocoder.from_tables(pts)
    out = quiet(g, ["Via Ordinata 6", "Via Ordinata 12", "Via Ordinata 7"])
    assert list(out["geo_match_type"]) == [
        "interpolated",
        "nearest_number",
        "nearest_number",
    ]
    lon6, lat6 = (pts.loc[pts["number"].isin([4, 8]), c].mean() for c in ("lon", "lat"))
    assert dist_m(out["geo_lon"][:1], out["geo_lat"][:1], lon6, lat6)[0] < 0.5
    # 12 next to 10 and 7 next to 5, each on its own side of the street
    assert list(out["geo_matched_address"][1:]) == [
        "VIA ORDINATA 10, Milano",
        "VIA ORDINATA 5, Milano",
    ]
    for row, num in ((1, 10), (2, 5)):
        p = pts[pts["number"] == num]
        assert out.loc[row, "geo_lon"] == pytest.approx(p["lon"].iloc[0], abs=1e-12)
        assert out.loc[row, "geo_lat"] == pytest.approx(p["lat"].iloc[0], abs=1e-12)


def test_absent_number_not_placed_where_the_numbering_is_irregular() -> None:
    pts = _hand_made_points(
        {
            # even side only; after 4 nothing until 40, 285 m further on
            "SPARSA": {2: (0.0, 0.0), 4: (15.0, 0.0), 40: (300.0, 0.0)},
            # two even numbers 60 m apart: 30 m per number unit
            "RADA": {2: (0.0, 100.0), 4: (60.0, 100.0)},
        }
    )
    g = Geocoder.from_tables(pts)
    out = quiet(
        g,
        [
            "Via Sparsa 6",  # a long stretch without points: anywhere in it
            "Via Sparsa 3",  # numbers on the other side only
            "Via Rada 6",  # 2 numbers past 4 at 30 m each: 60 m, too far to say
            "Via Sparsa 4",
        ],
    )
    assert list(out["geo_match_type"]) == ["street", "street", "street", "exact"]
    assert out["geo_lon"][:3].isna().all() and out["geo_lat"][:3].isna().all()
    assert list(out["geo_matched_address"][:3]) == [
        "VIA SPARSA, Milano",
        "VIA SPARSA, Milano",
        "VIA RADA, Milano",
    ]
    assert (out["geo_score"][:3] < 0.8).all()  # so they go to the review file


def test_streets_without_points_are_known_but_not_placed(
    geocoder: Geocoder, mirror: Path, civici: pd.DataFrame
) -> None:
    anncsu = datasets.read_anncsu(
        mirror / datasets.REGISTRY["anncsu"].filename, belfiore=["F205"]
    )
    all_ds634 = datasets.read_civici(mirror / datasets.REGISTRY["civici"].filename)
    pointless = anncsu[~anncsu["street_name"].isin(set(all_ds634["street_name"]))]
    assert len(pointless) > 100
    addresses = [
        f"{t} {n} 5"
        for t, n in zip(pointless["street_type"], pointless["street_name"], strict=True)
    ]
    out = quiet(geocoder, addresses, comune="Milano")
    # a few of these are ds634 streets under another name form (``ETTORE CICCOTTI``
    # is ``CICCOTTI ETTORE`` in ds634): placing those is right, hence 95%
    assert out["geo_lon"].isna().mean() >= 0.95
    assert (out["geo_match_type"] == "street").mean() >= 0.95
    moro = quiet(geocoder, ["Via Aldo Moro 5"], comune="Milano")
    assert moro.loc[0, "geo_match_type"] == "street"
    assert moro.loc[0, "geo_matched_address"] == "VIA ALDO MORO, Milano"


def test_milan_and_cinisello_share_a_street_name(
    geocoder: Geocoder, civici: pd.DataFrame
) -> None:
    lon, lat = official(civici, "FULVIO TESTI", "12")
    df = pd.DataFrame(
        {
            "address": [
                "Viale Fulvio Testi 12",
                "Viale Fulvio Testi 12",
                "V.le F. Testi 12, 20092 Cinisello Balsamo",
            ],
            "comune": ["Milano", "Cinisello Balsamo", ""],
        }
    )
    out = quiet(geocoder, df, comune_column="comune")
    assert out.loc[0, "geo_match_type"] == "exact"
    assert dist_m(out["geo_lon"][:1], out["geo_lat"][:1], lon, lat)[0] < 0.01
    # Cinisello has the street (ANNCSU) but no points: never Milan's point
    for i in (1, 2):
        assert out.loc[i, "geo_match_type"] == "street"
        assert np.isnan(out.loc[i, "geo_lon"])
        assert out.loc[i, "geo_matched_address"].endswith("Cinisello Balsamo")


@pytest.mark.parametrize("code", ["Milano (MI)", "MILANO", "015146", "F205", "milan"])
def test_comune_spellings_and_codes(geocoder: Geocoder, code: str) -> None:
    out = quiet(geocoder, ["Via Scalarini 7"], comune=code)
    assert out.loc[0, "geo_match_type"] == "exact"
    other = {"015146": "015077", "F205": "C707"}.get(code, "Cinisello")
    cin = quiet(geocoder, ["Viale Fulvio Testi 12"], comune=other)
    assert cin.loc[0, "geo_matched_address"].endswith("Cinisello Balsamo")


def test_unknown_comune_is_never_placed_elsewhere(geocoder: Geocoder) -> None:
    out = quiet(geocoder, ["Viale Fulvio Testi 12"], comune="Sesto San Giovanni")
    assert out.loc[0, "geo_match_type"] == "out_of_area"
    assert np.isnan(out.loc[0, "geo_lon"])
    assert out.loc[0, "geo_comune"] == "Sesto San Giovanni"
    # in the study area but without civic points or streets of its own: unmatched
    out = quiet(
        geocoder,
        ["Viale Fulvio Testi 12"],
        comune="Sesto San Giovanni",
        comuni=["Milano", "Cinisello Balsamo", "Sesto San Giovanni"],
    )
    assert out.loc[0, "geo_match_type"] == "unmatched"
    assert np.isnan(out.loc[0, "geo_lon"])
    # the address names another comune than the one given: not placed, and said
    out = quiet(
        geocoder,
        [
            "Viale Fulvio Testi 12, Sesto San Giovanni",
            "Viale Fulvio Testi 12 - 20092",
            "Viale Fulvio Testi 12, Turro",  # a quarter, not a comune
        ],
        comune="Milano",
    )
    assert list(out["geo_match_type"]) == ["unmatched", "unmatched", "exact"]
    assert out.loc[0, "geo_matched_address"] == (
        "comune conflict: Sesto San Giovanni in the address, Milano given"
    )
    assert out.loc[1, "geo_matched_address"].startswith(
        "comune conflict: Cinisello Balsamo in"
    )


def test_osm_extract_covers_cinisello(
    tmp_path: Path, mirror: Path, civici: pd.DataFrame
) -> None:
    from geo_alloggi import load_districts

    comuni = load_districts("comuni", mirror=mirror)
    poly = comuni.loc[comuni["comune"] == "Cinisello Balsamo", "geometry"].iloc[0]
    origin = poly.representative_point()
    to_m = Transformer.from_crs("EPSG:4326", "EPSG:32632", always_xy=True)
    to_ll = Transformer.from_crs("EPSG:32632", "EPSG:4326", always_xy=True)
    x0, y0 = to_m.transform(origin.x, origin.y)
    made_up = {10: 0.0, 12: 20.0, 20: 100.0}  # metres east of the origin
    elements = []
    for i, (num, dx) in enumerate(made_up.items()):
        lon, lat = to_ll.transform(x0 + dx, y0)
        elements.append(
            {
                "type": "node",
                "id": 900 + i,
                "lat": lat,
                "lon": lon,
                "tags": {
                    "addr:street": "Viale Fulvio Testi",
                    "addr:housenumber": str(num),
                    "addr:city": "Cinisello Balsamo",
                    "addr:postcode": "20092",
                },
            }
        )
    path = tmp_path / "cinisello.json"
    path.write_text(json.dumps({"elements": elements}), encoding="utf-8")
    from shapely.geometry import Point

    assert all(poly.contains(Point(e["lon"], e["lat"])) for e in elements)

    g = Geocoder(mirror, osm_extracts=[path], cache_dir=tmp_path / "cache")
    # the cache is keyed by the source files: the extract gives another index file
    assert g.index_path.is_file()
    assert g.index_path.name != Geocoder(mirror).index_path.name
    out = quiet(
        g,
        [
            "Viale Fulvio Testi 12",
            "Viale Fulvio Testi 16",
            "Viale Fulvio Testi 200",
            "Viale Fulvio Testi 12",
        ],
        comune_column=None,
        comune="Cinisello Balsamo",
    )
    assert list(out["geo_match_type"]) == ["exact", "interpolated", "street", "exact"]
    assert out.loc[0, "geo_lon"] == pytest.approx(elements[1]["lon"], abs=1e-12)
    assert out.loc[0, "geo_source"] == "osm"
    mid_lon, mid_lat = to_ll.transform(
        x0 + 60.0, y0
    )  # halfway between 12 (20 m) and 20 (100 m)
    assert dist_m(out["geo_lon"][1:2], out["geo_lat"][1:2], mid_lon, mid_lat)[0] < 0.5
    # Milan's Viale Fulvio Testi is untouched
    milan = quiet(g, ["Viale Fulvio Testi 12"], comune="Milano")
    lon, lat = official(civici, "FULVIO TESTI", "12")
    assert dist_m(milan["geo_lon"], milan["geo_lat"], lon, lat)[0] < 0.01
    assert "OpenStreetMap" in g.attribution

    # points without addr:city and without a comune for the file are refused, said
    nameless = tmp_path / "nameless.json"
    for e in elements:
        del e["tags"]["addr:city"]
    nameless.write_text(json.dumps(elements), encoding="utf-8")
    with pytest.warns(UserWarning, match="3 civic point"):
        small = Geocoder.from_tables(datasets.read_civici_osm(nameless))
    assert small.index.n_points == 0


# --------------------------------------------------------------------------
# contract of the output


def test_output_is_aligned_with_the_input_and_input_is_untouched(
    geocoder: Geocoder,
) -> None:
    df = pd.DataFrame(
        {
            "address": ["Via Scalarini 7", None, "V.LE FULVIO TESTI 12"],
            "units": [10, 20, 30],
        },
        index=[30, 10, 20],
    )
    before = df.copy()
    out = quiet(geocoder, df, comune="Milano")
    pd.testing.assert_frame_equal(df, before)
    assert isinstance(out, gpd.GeoDataFrame)
    assert list(out.index) == [30, 10, 20]
    assert list(out.columns[:2]) == ["address", "units"]
    assert set(GEO_COLUMNS) <= set(out.columns)
    assert out.crs.to_epsg() == 4326
    assert set(out["geo_match_type"]) <= set(MATCH_TYPES)
    assert out.loc[10, "geo_match_type"] == "unmatched" and out.geometry.loc[10] is None
    assert out.geometry.loc[30].x == out.loc[30, "geo_lon"]
    assert out["geo_score"].between(0, 1).all()
    assert "Comune di Milano" in out.attrs["attribution"]


def test_garbage_strings(geocoder: Geocoder) -> None:
    junk = [
        "",
        "   ",
        "???",
        "12345",
        "!!! @@@",
        "x" * 500,
        "via",
        "snc",
        "\x00\x01",
        "ñ" * 20,
        "1/2/3/4",
    ]
    out = quiet(geocoder, junk, comune="Milano")
    assert (out["geo_match_type"] == "unmatched").all()
    assert out["geo_lon"].isna().all()
    assert (out["geo_score"] == 0).all()


def test_empty_table(geocoder: Geocoder) -> None:
    out = geocoder.geocode(pd.DataFrame({"address": pd.Series([], dtype="string")}))
    assert len(out) == 0
    assert set(GEO_COLUMNS) <= set(out.columns)


def test_missing_address_column_is_a_clear_error(geocoder: Geocoder) -> None:
    with pytest.raises(
        ValidationError, match=r"address_column='indirizzo'.*columns: \['address'\]"
    ):
        geocoder.geocode(
            pd.DataFrame({"address": ["Via Padova 1"]}), address_column="indirizzo"
        )
    with pytest.raises(ValidationError, match="comune_column='city'"):
        geocoder.geocode(
            pd.DataFrame({"address": ["Via Padova 1"]}), comune_column="city"
        )


def test_warning_counts_the_unplaced_rows(geocoder: Geocoder) -> None:
    with pytest.warns(UserWarning, match=r"2 of 3 address\(es\) got no position"):
        geocoder.geocode(
            ["Via Scalarini 7", "Via Inesistentissima 4", ""], comune="Milano"
        )
    with pytest.warns(
        UserWarning, match=r"1 of 1 address\(es\) name no comune; assumed 'Milano'"
    ):
        geocoder.geocode(["Via Scalarini 7"])


def test_module_function_reuses_the_given_geocoder(geocoder: Geocoder) -> None:
    out = geocode(
        pd.DataFrame({"via": ["Via Scalarini 7"]}),
        address_column="via",
        comune="Milano",
        geocoder=geocoder,
    )
    assert out.loc[0, "geo_match_type"] == "exact"


# --------------------------------------------------------------------------
# corrections


def test_corrections_file_applied_before_matching_and_kept(
    tmp_path: Path, geocoder: Geocoder, civici: pd.DataFrame
) -> None:
    path = tmp_path / "corrections.csv"
    add_correction(path, "Via Inesistentissima 4", lon=9.2, lat=45.48, comune="Milano")
    add_correction(path, "Stabile Gola", matched_address="Via Emilio Gola 20")
    # a second run replaces, not duplicates
    add_correction(
        path, "via inesistentissima, 4", lon=9.21, lat=45.49, comune="Milano"
    )
    table = read_corrections(path)
    assert len(table) == 2

    out = quiet(
        geocoder,
        ["VIA INESISTENTISSIMA 4", "Stabile Gola", "Via Inesistentissima 4"],
        comune="Milano",
        corrections=path,
    )
    assert out.loc[0, "geo_match_type"] == "exact"
    assert out.loc[0, "geo_source"] == "corrections"
    assert (out.loc[0, "geo_lon"], out.loc[0, "geo_lat"]) == (9.21, 45.49)
    lon, lat = official(civici, "EMILIO GOLA", "20")
    assert out.loc[1, "geo_match_type"] == "exact"
    assert out.loc[1, "geo_source"] == "corrections"
    assert out.loc[1, "geo_matched_address"] == "VIA EMILIO GOLA 20, Milano"
    assert dist_m(out["geo_lon"][1:2], out["geo_lat"][1:2], lon, lat)[0] < 0.01
    assert out.loc[2, "geo_source"] == "corrections"
    # a correction for Milano does not apply in Cinisello
    cin = quiet(
        geocoder,
        ["Via Inesistentissima 4"],
        comune="Cinisello Balsamo",
        corrections=path,
    )
    assert cin.loc[0, "geo_source"] != "corrections"


def test_bad_corrections(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("indirizzo,lon,lat\nVia Roma 1,9,45\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="no 'address' column"):
        read_corrections(bad)
    with pytest.raises(ValidationError, match="neither lon/lat"):
        read_corrections(pd.DataFrame({"address": ["Via Roma 1"], "lon": ["x"]}))
    with pytest.raises(InputFileError, match="does not exist"):
        read_corrections(tmp_path / "missing.csv")


# --------------------------------------------------------------------------
# nearest point (rtree on disk)


def test_nearest_uses_the_rtree_on_disk(
    geocoder: Geocoder, civici: pd.DataFrame
) -> None:
    lon, lat = official(civici, "FULVIO TESTI", "12")
    near = geocoder.nearest(lon, lat, k=3)
    assert Path(f"{geocoder.rtree_base}.idx").is_file()
    assert near.loc[0, "address"] == "VIALE FULVIO TESTI 12"
    assert near.loc[0, "distance_m"] < 0.01
    assert near["distance_m"].is_monotonic_increasing
    # the same three as a brute-force search over the official points
    brute = np.sort(
        dist_m(
            np.full(len(civici), lon),
            np.full(len(civici), lat),
            civici["lon"],
            civici["lat"],
        )
    )
    np.testing.assert_allclose(near["distance_m"].to_numpy(), brute[:3], atol=0.5)
    with pytest.raises(ValidationError):
        geocoder.nearest(float("nan"), 45.0)


# --------------------------------------------------------------------------
# online fallback against a real local HTTP server


class _Nominatim(BaseHTTPRequestHandler):
    log: ClassVar[list[dict]] = []
    fail: ClassVar[bool] = False

    def do_GET(self) -> None:
        q = parse_qs(urlsplit(self.path).query)
        text = q.get("q", [""])[0]
        type(self).log.append(
            {
                "t": time.monotonic(),
                "q": text,
                "path": self.path,
                "ua": self.headers.get("User-Agent"),
            }
        )
        if type(self).fail:
            self.send_response(500)
            self.end_headers()
            return
        body: list[dict] = []
        if text.startswith("VIA DEI MILLE 5"):
            body = [
                {
                    "place_id": 1,
                    "licence": "Data © OpenStreetMap contributors, ODbL 1.0.",
                    "lat": "45.5561",
                    "lon": "9.2150",
                    "class": "place",
                    "type": "house",
                    "display_name": "5, Via dei Mille, Cinisello Balsamo, Italia",
                    "address": {
                        "house_number": "5",
                        "road": "Via dei Mille",
                        "town": "Cinisello Balsamo",
                        "country_code": "it",
                    },
                }
            ]
        elif text.startswith(
            "VIA ALDO MORO 7"
        ):  # answers with a place in another comune
            body = [
                {
                    "place_id": 2,
                    "lat": "45.47",
                    "lon": "9.19",
                    "class": "place",
                    "type": "house",
                    "display_name": "7, Via Aldo Moro, Sesto San Giovanni",
                    "address": {
                        "house_number": "7",
                        "road": "Via Aldo Moro",
                        "town": "Sesto San Giovanni",
                    },
                }
            ]
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def nominatim_server():
    _Nominatim.log = []
    _Nominatim.fail = False
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Nominatim)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", _Nominatim
    server.shutdown()
    server.server_close()


def test_online_fallback(nominatim_server, geocoder: Geocoder, tmp_path: Path) -> None:
    url, handler = nominatim_server
    df = pd.DataFrame(
        {
            "address": [
                "Via dei Mille 5",
                "Via Aldo Moro 7",
                "Via Scalarini 7",
                "Via dei Mille 5",
            ],
            "comune": [
                "Cinisello Balsamo",
                "Cinisello Balsamo",
                "Milano",
                "Cinisello Balsamo",
            ],
            "tenant": ["Mario Rossi", "Anna Bianchi", "Luca Verdi", "Mario Rossi"],
        }
    )
    kw = {
        "comune_column": "comune",
        "online": True,
        "nominatim_url": url,
        "online_cache_dir": tmp_path / "nominatim",
    }
    out = quiet(geocoder, df, **kw)
    # only the two addresses not placed offline were asked, once each
    assert [r["q"] for r in handler.log] == [
        "VIA DEI MILLE 5, Cinisello Balsamo, Italia",
        "VIA ALDO MORO 7, Cinisello Balsamo, Italia",
    ]
    for r in handler.log:
        assert r["ua"] == config.user_agent
        assert "Rossi" not in r["path"] and "Bianchi" not in r["path"]
    # usage policy, at most one request per second: the client's rate limiter is
    # set to 1 s, and the server saw the requests spaced (loose bound: without a
    # limiter they come milliseconds apart; network jitter must not fail the test)
    from geo_alloggi.geocoding.online import nominatim_client as _fallback

    assert _fallback(url, tmp_path / "nominatim")._call.min_delay_seconds >= 1.0
    gaps = np.diff([r["t"] for r in handler.log])
    assert (gaps >= 0.5).all()
    assert out.loc[0, "geo_match_type"] == "exact"
    assert out.loc[0, "geo_source"] == "nominatim"
    assert (out.loc[0, "geo_lon"], out.loc[0, "geo_lat"]) == (9.2150, 45.5561)
    assert out.loc[3, "geo_lon"] == 9.2150
    # an answer in another comune is refused
    assert np.isnan(out.loc[1, "geo_lon"])
    assert out.loc[2, "geo_source"] == "ds634"
    assert "ODbL" in out.attrs["attribution"]

    # answers are cached on disk: a second run asks nothing
    n = len(handler.log)
    again = quiet(geocoder, df, **kw)
    assert len(handler.log) == n
    assert again.loc[0, "geo_lon"] == 9.2150
    cache = json.loads(
        (tmp_path / "nominatim" / "answers.json").read_text(encoding="utf-8")
    )
    assert any("VIA DEI MILLE 5" in k for answers in cache.values() for k in answers)


def test_online_failures_are_not_cached(
    nominatim_server, geocoder: Geocoder, tmp_path: Path
) -> None:
    url, handler = nominatim_server
    handler.fail = True
    kw = {
        "comune": "Cinisello Balsamo",
        "online": True,
        "nominatim_url": url,
        "online_cache_dir": tmp_path / "nominatim",
    }
    with pytest.warns(UserWarning, match="1 of 1 request"):
        out = geocoder.geocode(["Via dei Mille 5"], **kw)
    assert out.loc[0, "geo_match_type"] == "unmatched"  # not in Cinisello's street list
    handler.fail = False
    out = quiet(geocoder, ["Via dei Mille 5"], **kw)
    assert len(handler.log) == 2  # asked again after the failure
    assert out.loc[0, "geo_source"] == "nominatim"


# --------------------------------------------------------------------------
# command line


def test_cli_geocode(tmp_path: Path, mirror: Path, geocoder: Geocoder) -> None:
    from geo_alloggi.cli import main

    src = tmp_path / "in.csv"
    src.write_text(
        "id;indirizzo;comune\n1;V.LE FULVIO TESTI 12;Milano\n2;Via Scalarini 7;Milano\n"
        "3;Viale Fulvio Testi 12;Cinisello Balsamo\n4;=HYPERLINK(1);Milano\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.csv"
    with pytest.raises(SystemExit) as exc:
        main(
            [
                "geocode",
                str(src),
                "--out",
                str(out),
                "--address-column",
                "indirizzo",
                "--comune-column",
                "comune",
            ]
        )
    assert exc.value.code in (0, None)
    table = pd.read_csv(out, sep=";", dtype=str, encoding="utf-8-sig")
    # the CLI numbers rows by the line of the file they come from
    assert list(table.columns[:4]) == ["file_line", "id", "indirizzo", "comune"]
    assert list(table["file_line"]) == ["2", "3", "4", "5"]
    assert list(table["geo_match_type"]) == ["exact", "exact", "street", "unmatched"]
    assert table.loc[3, "indirizzo"].startswith("'=")  # neutralised for spreadsheets
    review = pd.read_csv(
        tmp_path / "out.review.csv", sep=";", dtype=str, encoding="utf-8-sig"
    )
    assert list(review["id"]) == ["3", "4"]
    assert list(review["geo_review_reason"]) == [
        "solo la via: civico assente o non trovato",
        "indirizzo non trovato",
    ]
    summary = pd.read_csv(
        tmp_path / "out.summary.csv", sep=";", dtype=str, encoding="utf-8-sig"
    ).fillna("")
    assert summary.to_dict("records") == [
        {
            "geo_comune": "Cinisello Balsamo",
            "geo_match_type": "street",
            "geo_review_reason": "solo la via: civico assente o non trovato",
            "rows": "1",
        },
        {
            "geo_comune": "Milano",
            "geo_match_type": "exact",
            "geo_review_reason": "",
            "rows": "2",
        },
        {
            "geo_comune": "Milano",
            "geo_match_type": "unmatched",
            "geo_review_reason": "indirizzo non trovato",
            "rows": "1",
        },
    ]

    # Italian headers need no option; a file without an address column is an error
    with pytest.raises(SystemExit) as exc:
        main(["geocode", str(src), "--out", str(out)])
    assert exc.value.code in (0, None)
    no_address = tmp_path / "codes.csv"
    no_address.write_text("id;codice\n1;A\n", encoding="utf-8")
    with pytest.raises(SystemExit) as exc:
        main(["geocode", str(no_address), "--out", str(out)])
    assert exc.value.code == 2
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(SystemExit) as exc:
        main(["geocode", str(empty), "--out", str(out)])
    assert exc.value.code == 2


# --------------------------------------------------------------------------
# the ANNCSU Indirizzario: civic points of the other comuni (FIXTURE points)

#: The FIXTURE's positions as written in its lines (tests/_anncsu_fixture.py).
FIXTURE_POINTS = {
    ("Corsico", "VIA EUGENIO CURIEL 5"): (9.1034, 45.4344),
    ("Milano", "VIA EUGENIO CURIEL 5"): (9.1594, 45.4387),
    ("Cinisello Balsamo", "VIA EUGENIO CURIEL 4"): (9.2303, 45.5621),
    ("Cinisello Balsamo", "VIA MASSIMO GORKI 5"): (9.2204, 45.5584),
    ("Milano", "VIALE FULVIO TESTI 4"): (9.1985, 45.5030),
}
AREA = ["Milano", "Cinisello Balsamo", "Corsico"]


@pytest.fixture(scope="module")
def anncsu_geocoder(anncsu_mirror: Path) -> Geocoder:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return Geocoder(anncsu_mirror, comuni=AREA)


def test_indirizzario_points_are_kept_per_comune(
    anncsu_geocoder: Geocoder, civici: pd.DataFrame
) -> None:
    rows = [
        ("VIA EUGENIO CURIEL 5", "Corsico"),
        ("VIA EUGENIO CURIEL 5", "Milano"),  # not in ds634: the Indirizzario's
        ("VIA EUGENIO CURIEL 4", "Cinisello Balsamo"),
        ("via Gorki 5", "Cinisello Balsamo"),
        ("VIA MASSIMO GORKI 5", "Cinisello Balsamo"),
        ("VIALE FULVIO TESTI 4", "Milano"),  # not in ds634
        ("VIA EUGENIO CURIEL 19", "Milano"),  # ds634
        ("VIALE FULVIO TESTI 8", "Milano"),  # in both: ds634 wins
        ("VIA EUGENIO CURIEL 19", "Corsico"),  # only Milan has a 19
    ]
    df = pd.DataFrame(rows, columns=["address", "comune"])
    out = quiet(anncsu_geocoder, df, comune_column="comune")
    for i in range(6):
        address, comune = rows[i]
        key = (comune, "VIA MASSIMO GORKI 5" if address == "via Gorki 5" else address)
        assert out.loc[i, "geo_match_type"] == "exact", rows[i]
        assert out.loc[i, "geo_source"] == "anncsu"
        assert (out.loc[i, "geo_lon"], out.loc[i, "geo_lat"]) == pytest.approx(
            FIXTURE_POINTS[key], abs=1e-9
        )
        assert out.loc[i, "geo_matched_address"].endswith(comune)
    for i, name, number in ((6, "EUGENIO CURIEL", "19"), (7, "FULVIO TESTI", "8")):
        lon, lat = official(civici, name, number)
        assert out.loc[i, "geo_source"] == "ds634"
        d = dist_m(out["geo_lon"][i : i + 1], out["geo_lat"][i : i + 1], lon, lat)
        assert d[0] < 0.01
    assert out.loc[8, "geo_match_type"] == "street"
    assert np.isnan(out.loc[8, "geo_lon"])
    assert out.loc[8, "geo_matched_address"] == "VIA EUGENIO CURIEL, Corsico"
    assert "ANNCSU" in anncsu_geocoder.attribution


def test_same_named_streets_never_placed_across_comuni(
    anncsu_geocoder: Geocoder, mirror: Path
) -> None:
    from shapely.geometry import Point

    from geo_alloggi import load_districts

    polygons = load_districts("comuni", mirror=mirror, comuni=AREA).set_index("comune")
    streets = ["VIA EUGENIO CURIEL", "VIALE FULVIO TESTI", "VIA MASSIMO GORKI"]
    rows = [(f"{s} {n}", c) for s in streets for n in range(1, 31) for c in AREA]
    df = pd.DataFrame(rows, columns=["address", "comune"])
    out = quiet(anncsu_geocoder, df, comune_column="comune")
    placed = out[out["geo_lon"].notna()]
    assert len(placed) > 60  # Milan's ds634 numbers, the FIXTURE's elsewhere
    for row in placed.itertuples():
        poly = polygons.loc[row.comune, "geometry"]
        assert poly.buffer(0.002).contains(Point(row.geo_lon, row.geo_lat)), row


def test_geocoder_coverage_per_comune(anncsu_geocoder: Geocoder, civici) -> None:
    cov = anncsu_geocoder.coverage.set_index(["comune", "source"])
    # counted from the FIXTURE's lines
    assert tuple(cov.loc[("Cinisello Balsamo", "anncsu")]) == (19, 16)
    assert tuple(cov.loc[("Corsico", "anncsu")]) == (4, 4)
    assert tuple(cov.loc[("Milano", "anncsu")]) == (6, 5)
    ds634 = cov.loc[("Milano", "ds634")]
    assert ds634["points"] == ds634["with_position"] >= len(civici)


def test_comuni_without_points_are_named_once(anncsu_mirror: Path) -> None:
    with pytest.warns(UserWarning, match="no civic-number points") as rec:
        g = Geocoder(anncsu_mirror, comuni=["Milano", "Bresso", "Cusago"])
    (message,) = [str(w.message) for w in rec if "civic-number" in str(w.message)]
    assert "Bresso, Cusago" in message and "--osm" in message and "--online" in message
    assert tuple(g.coverage.set_index("comune").loc["Bresso"]) == ("", 0, 0)
    with warnings.catch_warnings(record=True) as again:
        warnings.simplefilter("always")
        Geocoder(anncsu_mirror, comuni=["Milano", "Bresso", "Cusago"])
    assert not [w for w in again if "civic-number" in str(w.message)]


def test_without_the_indirizzario_cinisello_has_no_points(geocoder: Geocoder) -> None:
    cov = geocoder.coverage.set_index("comune")
    assert cov.loc["Cinisello Balsamo", "source"] == ""
    assert cov.loc["Cinisello Balsamo", "with_position"] == 0
    assert set(geocoder.coverage["comune"]) == {"Milano", "Cinisello Balsamo"}


def test_study_area_comuni_key_the_index(anncsu_mirror: Path, tmp_path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        a = Geocoder(anncsu_mirror, comuni=["Milano"], cache_dir=tmp_path)
        b = Geocoder(anncsu_mirror, comuni=["Milano", "Corsico"], cache_dir=tmp_path)
    assert a.index_path != b.index_path
    assert "Corsico" in b.comuni and "Corsico" not in a.comuni
    with pytest.raises(ValidationError, match="'Parigi' is not one of the 1502"):
        Geocoder(anncsu_mirror, comuni=["Milano", "Parigi"], cache_dir=tmp_path)
